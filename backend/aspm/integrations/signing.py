"""Webhook signatures, as Stripe and GitHub do them: HMAC-SHA256 over `<timestamp>.<body>` with
the webhook's secret, sent as `X-ASPM-Signature: t=<unix seconds>,v1=<hex digest>`.

A receiver recomputes the digest over the raw body it received, compares in constant time, and
refuses a timestamp further than a few minutes from its clock (replays). `verify` is the
reference implementation that the README shows.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-ASPM-Signature"
TOLERANCE_SECONDS = 300


def digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={digest(secret, timestamp, body)}"


def verify(
    secret: str, value: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """True when `value` (the header) signs `body` with `secret` within `tolerance` of `now`."""
    fields: dict[str, list[str]] = {}
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        fields.setdefault(key, []).append(item)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
