"""Hashes used for identity and for secrets. Secret values only ever pass through `secret_hmac`."""

import hashlib
import hmac


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def secret_hmac(value: str, *, key: bytes) -> str:
    """Keyed hash of a secret value: stable identity without storing or exposing the value."""
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def secret_preview(value: str) -> str:
    """What may be shown of a secret: its first 4 characters (fewer for short values) + length."""
    shown = value[:4] if len(value) >= 12 else value[:1] if len(value) >= 4 else ""
    return f"{shown}{'*' * 4} ({len(value)} chars)"


def redact(text: str | None, secret: str, preview: str) -> str | None:
    """Replace every occurrence of `secret` in `text` by its preview."""
    if not text or not secret:
        return text
    return text.replace(secret, preview)
