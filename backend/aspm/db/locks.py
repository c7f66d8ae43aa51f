"""Transaction-scoped locks that serialize writers of the same rows instead of letting them fail.

On PostgreSQL these are advisory locks (`pg_advisory_xact_lock`): taken by a statement, released
when the transaction ends, and invisible to everything that does not ask for them, so a reader
or an unrelated writer never waits. SQLite has one writer at a time anyway, so they are no-ops
there. Locks of one space never meet locks of another (the space is the first key).
"""

import hashlib
import uuid
from enum import IntEnum

from sqlalchemy import text
from sqlalchemy.orm import Session

from aspm.db.bulk import is_postgres


class LockSpace(IntEnum):
    """What a lock guards (the first of the two advisory-lock keys; arbitrary, but fixed)."""

    METRICS = 0x41530001  # the shared metric rows (today's snapshot totals, flows, carry-forward)
    ASSET_IMPORT = 0x41530002  # one asset's findings and detections, while an import writes them


def _key(value: uuid.UUID | None) -> int:
    """A signed 32-bit key for an id. Two ids sharing a key only serialize needlessly."""
    if value is None:
        return 0
    return int.from_bytes(hashlib.blake2b(value.bytes, digest_size=4).digest(), "big", signed=True)


def hold(session: Session, space: LockSpace, key: uuid.UUID | None = None) -> None:
    """Wait for, then hold until the transaction ends, the lock of `key` in `space`.

    Take locks in one order everywhere (an import: its assets, then the metrics) so waits cannot
    form a cycle; PostgreSQL breaks any cycle that does form by failing one of the transactions
    with a deadlock error, which the import boundary retries."""
    if is_postgres(session):
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": int(space), "key": _key(key)},
        )
