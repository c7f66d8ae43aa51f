"""What the two outboxes share (webhook deliveries, ticket operations): a sender takes the rows
due now for a while (a lease), tries each, and records the attempt; a failed one is tried again
after an exponential backoff, until it succeeds or fails for good.

The rows are the outbox tables' (`id`, `status`, `attempts`, `next_attempt_at`,
`last_attempt_at`, `response_code`, `error`, `attempt_log`); `Outbox` names a table's statuses."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from aspm.integrations.models import WebhookDelivery
from aspm.integrations.tickets_models import TicketOperation

RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600
ERROR_CHARS = 300  # the `error` columns' length


def backoff_seconds(attempts: int, retry_after: int | None = None) -> int:
    """Wait before the next attempt, after `attempts` failed ones: 30 s, 1 min, 2 min, ... at
    most an hour; at least what a Retry-After asked for (capped at an hour too)."""
    wait: int = min(RETRY_BASE_SECONDS << max(0, attempts - 1), RETRY_MAX_SECONDS)
    if retry_after is not None:
        wait = max(wait, min(retry_after, RETRY_MAX_SECONDS))
    return wait


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one attempt went. `final`: a failure not worth retrying (e.g. a refusal)."""

    ok: bool
    response_code: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    retry_after: int | None = None
    final: bool = False


@dataclass(frozen=True, slots=True)
class Outbox:
    """One outbox table: its statuses, where success is dated, how many attempts it keeps in
    `attempt_log`, and after how many failed attempts a row fails (None: only a final one)."""

    model: type[WebhookDelivery] | type[TicketOperation]
    waiting: tuple[str, ...]  # due when next_attempt_at has come
    done: str
    retrying: str
    failed: str
    done_at: str  # the column set when an attempt succeeds
    keep: int
    max_attempts: int | None = None

    def claim_due(
        self, session: Session, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[uuid.UUID]:
        """Due rows, taken for this sender until `lease_until` (a sender that dies leaves them
        due again then). SKIP LOCKED on PostgreSQL: two senders never take the same one."""
        model = self.model
        stmt = (
            select(model.id)
            .where(model.status.in_(self.waiting), model.next_attempt_at <= now)
            .order_by(model.next_attempt_at)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list(session.scalars(stmt))
        if ids:
            session.execute(
                update(model).where(model.id.in_(ids)).values(next_attempt_at=lease_until)
            )
        return ids

    def waiting_count(self, session: Session) -> int:
        """Rows that wait for an attempt (due or not)."""
        stmt = (
            select(func.count()).select_from(self.model).where(self.model.status.in_(self.waiting))
        )
        return session.scalar(stmt) or 0

    def record(self, row: Any, attempt: Attempt, *, now: datetime) -> None:
        """Write one attempt onto its row: counts, last response, the log (the last `keep`),
        and what comes next: done, failed, or retried after the backoff."""
        row.attempts += 1
        row.last_attempt_at = now
        row.response_code = attempt.response_code
        row.error = None if attempt.error is None else attempt.error[:ERROR_CHARS]
        row.attempt_log = [
            *row.attempt_log[-(self.keep - 1) :],
            {"at": now.isoformat(), "response_code": attempt.response_code,
             "duration_ms": attempt.duration_ms, "error": row.error},
        ]  # fmt: skip
        if attempt.ok:
            row.status = self.done
            setattr(row, self.done_at, now)
            row.next_attempt_at = None
        elif attempt.final or (self.max_attempts is not None and row.attempts >= self.max_attempts):
            row.status = self.failed
            row.next_attempt_at = None
        else:
            row.status = self.retrying
            row.next_attempt_at = now + timedelta(
                seconds=backoff_seconds(row.attempts, attempt.retry_after)
            )
