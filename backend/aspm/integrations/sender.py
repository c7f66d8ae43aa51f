"""One HTTP attempt of one delivery.

Sent through httpx's transport directly, not an `httpx.Client`: no redirects are followed (a 3xx
is a failed attempt: the configured URL is the only destination), and nothing logs the URL, whose
path or query is the credential of a Slack or Teams webhook (httpx.Client logs every request URL
at INFO). What is kept of an attempt is its status code, duration and an error in our own words;
never an exception's text, which can quote the URL.
"""

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from aspm.integrations import signing

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
    started = time.perf_counter()
    try:
        request = httpx.Request(
            "POST", url, content=data, headers=headers, extensions={"timeout": _timeouts(timeout)}
        )
        with httpx.HTTPTransport(retries=0) as transport:
            response = transport.handle_request(request)
            try:
                _read_some(response)
            finally:
                response.close()
    except httpx.TimeoutException:
        return Outcome(False, None, _ms(started), f"no answer within {timeout:g} s")
    except httpx.ConnectError:
        return Outcome(False, None, _ms(started), "could not connect")
    except (httpx.HTTPError, ValueError):
        return Outcome(False, None, _ms(started), "the request failed")
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(True, code, _ms(started), None)
    return Outcome(
        False, code, _ms(started), f"answered HTTP {code}",
        retry_after=_retry_after(response.headers.get("retry-after")),
    )  # fmt: skip


def _timeouts(total: float) -> dict[str, float]:
    return {"connect": total, "read": total, "write": total, "pool": total}


def _read_some(response: httpx.Response) -> None:
    """Drain a bounded part of the answer (it is not kept)."""
    read = 0
    for chunk in response.iter_raw():
        read += len(chunk)
        if read >= MAX_RESPONSE_BYTES:
            break


def _retry_after(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
