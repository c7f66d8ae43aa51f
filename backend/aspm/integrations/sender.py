"""One HTTP attempt of one delivery, sent by aspm.integrations.outbound: no redirects are
followed (a 3xx is a failed attempt: the configured URL is the only destination), and nothing
logs the URL, whose path or query is the credential of a Slack or Teams webhook. What is kept of
an attempt is its status code, duration and an error in our own words; never an exception's
text, which can quote the URL.
"""

import json
from dataclasses import dataclass
from typing import Any

from aspm.integrations import outbound, signing

TIMEOUT_SECONDS = 10.0
USER_AGENT = "aspm-webhooks/1"
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    response_code: int | None
    duration_ms: int
    error: str | None
    retry_after: int | None = None  # seconds a 429/503 asked us to wait


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def post(
    url: str,
    payload: dict[str, Any],
    *,
    secret: str | None,
    event_type: str,
    event_id: str,
    delivery_id: str,
    timestamp: int,
    timeout: float = TIMEOUT_SECONDS,
) -> Outcome:
    data = encode(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-ASPM-Event": event_type,
        "X-ASPM-Event-Id": event_id,
        "X-ASPM-Delivery": delivery_id,
        "X-ASPM-Timestamp": str(timestamp),
    }
    if secret:
        headers[signing.SIGNATURE_HEADER] = signing.header(secret, timestamp, data)
    answer = outbound.send(
        "POST", url, content=data, headers=headers, timeout=timeout,
        max_bytes=MAX_RESPONSE_BYTES,
    )  # fmt: skip
    code = answer.status
    if code is None:
        return Outcome(False, None, answer.duration_ms, answer.error)
    if 200 <= code < 300:
        return Outcome(True, code, answer.duration_ms, None)
    return Outcome(
        False, code, answer.duration_ms, f"answered HTTP {code}", retry_after=answer.retry_after
    )
