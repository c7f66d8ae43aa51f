"""What went wrong, in words a client may see. No HTTP here (see api/errors.py)."""

import logging
import uuid


class AspmError(Exception):
    """Base of every error the application raises on purpose."""


class NotFound(AspmError):  # noqa: N818 - domain vocabulary, mapped to 404
    pass


class Conflict(AspmError):  # noqa: N818
    pass


class InvalidInput(AspmError):  # noqa: N818
    pass


class PermissionDenied(AspmError):  # noqa: N818
    pass


PermissionDeniedError = PermissionDenied  # the name the other domains' services use


class NotAuthenticated(AspmError):  # noqa: N818 - 401: no valid session cookie or API token
    pass


class RateLimited(AspmError):  # noqa: N818 - 429 with Retry-After
    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class IngestError(AspmError):
    """A report could not be imported; nothing of it was stored."""


class UnsupportedFormat(IngestError):  # noqa: N818
    pass


class MalformedReport(IngestError):  # noqa: N818
    pass


def internal_error(log: logging.Logger, what: str, *, doing: str, log_name: str) -> str:
    """The words a user sees for a bug caught at a boundary (one import, one gate evaluation):
    `internal error while {doing} (error id ..., in the {log_name} log)`. The exception being
    handled is logged with its traceback, as "{what} failed: internal error <id>", so the id
    finds it there. The words hold no exception text: it may quote a report, a path or a secret.
    Call it inside the `except` block."""
    error_id = uuid.uuid4().hex[:12]
    log.exception("%s failed: internal error %s", what, error_id)
    return f"internal error while {doing} (error id {error_id}, in the {log_name} log)"
