"""Deterministic stand-ins for random data, and the fictional organisation's fixed facts.

Every "random" value (commit ids, fingerprints, fake secrets, finding ids) is derived from a hash of
a fixed seed and a label that names what it is for, so the demo writes the same bytes on every run
whatever order the reports are built in. Nothing here is a real credential: the secrets are
seeded noise, and the only well-known string is AWS's documented example key.
"""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

SEED = "aspm-demo/v1"

ORG = "acme-corp"  # the GitHub organisation of the fictional company
GIT_HOST = "https://github.com"
WORKSPACE = "/github/workspace"  # where containerised GitHub Actions see the checkout

AWS_PROD = "111122223333"
AWS_STAGING = "444455556666"
AWS_REGION = "eu-west-1"
AZURE_TENANT = "3f1c7a52-8d0e-4b6a-9a3e-5c2d7e8f9a01"
AZURE_SUBSCRIPTION = "6b0e2c4d-1f3a-4e5b-8c7d-9e0f1a2b3c4d"

# documented by AWS as example values: never valid anywhere
AWS_EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # noqa: S105 - AWS docs example

# when each round of scans ran: a baseline, the scans after a fix sprint, a rescan after a revert
ROUND_TIMES = {
    1: datetime(2025, 5, 5, 6, 12, 41, tzinfo=UTC),
    2: datetime(2025, 5, 19, 6, 9, 13, tzinfo=UTC),
    3: datetime(2025, 5, 26, 6, 15, 2, tzinfo=UTC),
}

HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BASE64 = ALNUM + "+/"


def _stream(label: str) -> bytes:
    return hashlib.sha256(f"{SEED}\x1f{label}".encode()).digest()


def token(label: str, length: int, alphabet: str = ALNUM) -> str:
    """`length` characters of `alphabet` that look random and depend only on `label`."""
    out: list[str] = []
    block = 0
    while len(out) < length:
        for byte in _stream(f"{label}\x1f{block}"):
            out.append(alphabet[byte % len(alphabet)])
        block += 1
    return "".join(out[:length])


def hex_id(label: str, length: int = 40) -> str:
    """A hex string such as a git commit id (40) or a SHA-512 style fingerprint (128)."""
    return token(label, length, HEX)


def uuid_for(label: str) -> str:
    return str(uuid.UUID(bytes=_stream(label)[:16], version=4))


def at(round_no: int, seconds: int = 0) -> datetime:
    """The time of a scan in round `round_no`, plus an offset for events within it."""
    return ROUND_TIMES[round_no] + timedelta(seconds=seconds)


def iso_z(moment: datetime, millis: bool = True) -> str:
    """2025-05-05T06:12:41.000Z, as AWS and Go tools write UTC times."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d}Z" if millis else f"{text}Z"


def repo_url(repo: str) -> str:
    return f"{GIT_HOST}/{ORG}/{repo}"
