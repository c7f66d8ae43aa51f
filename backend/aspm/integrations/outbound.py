"""One outbound HTTP request (a webhook delivery, a call to a ticket tracker), sent through
httpx's transport directly, not an `httpx.Client`: no redirects are followed (a 3xx is an
answer, not a new destination), and nothing logs the URL, whose path or query may be a
credential (httpx.Client logs every request URL at INFO). A failure is told in our own words,
never an exception's text (it can quote the URL) nor the request's headers."""

import time
from dataclasses import dataclass

import httpx


@dataclass(frozen=True, slots=True)
class Answer:
    status: int | None  # None: no answer (connection refused, timeout, a bad URL)
    body: bytes  # the first max_bytes of the answer at most
    duration_ms: int
    error: str | None  # our words when there was no answer
    retry_after: int | None  # seconds a Retry-After header asked to wait


def send(
    method: str,
    url: str,
    *,
    content: bytes | None,
    headers: dict[str, str],
    timeout: float,
    max_bytes: int,
) -> Answer:
    started = time.perf_counter()
    timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    try:
        request = httpx.Request(
            method, url, content=content, headers=headers, extensions={"timeout": timeouts}
        )
        with httpx.HTTPTransport(retries=0) as transport:
            response = transport.handle_request(request)
            try:
                body = _read(response, max_bytes)
            finally:
                response.close()
    except httpx.TimeoutException:
        return _no_answer(started, f"no answer within {timeout:g} s")
    except httpx.ConnectError:
        return _no_answer(started, "could not connect")
    except (httpx.HTTPError, ValueError):
        return _no_answer(started, "the request failed")
    return Answer(
        response.status_code, body, _ms(started), None,
        _retry_after(response.headers.get("retry-after")),
    )  # fmt: skip


def _no_answer(started: float, error: str) -> Answer:
    return Answer(None, b"", _ms(started), error, None)


def _read(response: httpx.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size >= max_bytes:
            break
    return b"".join(chunks)


def _retry_after(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
