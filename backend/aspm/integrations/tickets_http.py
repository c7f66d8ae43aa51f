"""One HTTP call to a tracker, sent by aspm.integrations.outbound (as webhook deliveries are): no
redirects followed, nothing logged by httpx (its client logs every URL), and errors in our own
words, never an exception's text or the request's headers (the credential)."""

import json
from dataclasses import dataclass
from typing import Any

from aspm.integrations import outbound

TIMEOUT_SECONDS = 15.0
USER_AGENT = "aspm-tickets/1"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    status: int | None  # None: no answer (connection refused, timeout)
    body: Any  # the parsed JSON answer, or None
    duration_ms: int
    error: str | None = None  # our words, when the call failed
    retry_after: int | None = None  # seconds a 429/503 asked to wait

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def transient(self) -> bool:
        """Worth trying again: no answer, 429, 408 or a 5xx. Other 4xx will answer the same."""
        return self.status is None or self.status in (408, 429) or self.status >= 500


def call(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> Reply:
    content = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **headers}
    if content is not None:
        all_headers["Content-Type"] = "application/json"
    answer = outbound.send(
        method, url, content=content, headers=all_headers, timeout=timeout,
        max_bytes=MAX_RESPONSE_BYTES,
    )  # fmt: skip
    code = answer.status
    if code is None:
        return Reply(None, None, answer.duration_ms, answer.error)
    parsed: Any = None
    if answer.body:
        try:
            parsed = json.loads(answer.body)
        except ValueError:
            parsed = None
    error = None if 200 <= code < 300 else f"answered HTTP {code}{_reason(parsed)}"
    return Reply(code, parsed, answer.duration_ms, error, retry_after=answer.retry_after)


def _reason(parsed: Any) -> str:
    """A short reason from a Jira (`errorMessages`, `errors`) or GitHub (`message`) error body."""
    if not isinstance(parsed, dict):
        return ""
    parts: list[str] = []
    for message in parsed.get("errorMessages") or []:
        parts.append(str(message))
    errors = parsed.get("errors")
    if isinstance(errors, dict):
        parts += [f"{k}: {v}" for k, v in errors.items()]
    if isinstance(parsed.get("message"), str):
        parts.append(parsed["message"])
    text = "; ".join(parts)[:200]
    return f": {text}" if text else ""
