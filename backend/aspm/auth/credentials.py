"""Passwords (argon2id), session ids and API tokens. Pure: no SQL, no FastAPI.

argon2 is imported inside the functions so that `aspm ingest` does not pay for it at start-up.
"""

import hmac
import secrets
import threading
from dataclasses import dataclass
from functools import lru_cache

from aspm.common.hashing import sha256_hex

TOKEN_PREFIX = "aspm_"  # noqa: S105 - a prefix, not a secret
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True, slots=True)
class HashParams:
    """argon2id cost; argon2-cffi's defaults unless the settings lower them (tests)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


def hash_password(password: str, params: HashParams) -> str:
    """An argon2id PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`)."""
    from argon2 import PasswordHasher, Type

    hasher = PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        type=Type.ID,
    )
    return hasher.hash(password)


def verify_password(stored: str | None, password: str, params: HashParams) -> bool:
    """True when `password` matches `stored`. Without a stored hash a dummy hash is verified so
    that an unknown user costs the same time as a wrong password."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(stored or _dummy_hash(params), password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, params: HashParams) -> bool:
    """True when `stored` was made with other parameters than `params` (raised costs apply at
    the user's next sign-in)."""
    from argon2 import PasswordHasher, Type

    hasher = PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        type=Type.ID,
    )
    return hasher.check_needs_rehash(stored)


@lru_cache
def password_check_slots(limit: int) -> threading.BoundedSemaphore:
    """This process's slots for argon2 work (each check holds one; see the
    `password_hash_concurrency` setting): argon2id costs 64 MiB and tens of milliseconds, so
    unbounded concurrent checks are a cheap way to exhaust the server's memory."""
    return threading.BoundedSemaphore(limit)


@lru_cache(maxsize=4)
def _dummy_hash(params: HashParams) -> str:
    return hash_password(secrets.token_urlsafe(16), params)


def generate_password() -> str:
    """A one-time password to hand to a new user (20 URL-safe characters, ~120 bits)."""
    return secrets.token_urlsafe(15)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_token() -> str:
    """An API token: a recognisable prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(value: str) -> str:
    """What is stored of a session id or an API token: its SHA-256 (both are high-entropy)."""
    return sha256_hex(value)


def csrf_token(session_id: str, key: bytes) -> str:
    """The CSRF token of one session: an HMAC of its id, so a cookie planted by another site
    (double-submit's weak spot) does not pass unless it was issued for this very session."""
    return hmac.new(key, b"csrf\x1f" + session_id.encode(), "sha256").hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
