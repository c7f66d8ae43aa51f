"""detect-secrets detections: the raw hashed_secret out of tool_fingerprint, its keyed HMAC in

Until now a detect-secrets detection kept tool_fingerprint = "<path>|<type>|<hashed_secret>", where
hashed_secret is detect-secrets' unsalted SHA-1 of the secret (a weak secret falls to a dictionary).
The ingestor now hands that hash to the pipeline as the finding's secret, so a detection stores
only secret_hash = HMAC-SHA256(instance key, hashed_secret) and is identified, like any other
secret, by rule + path + that HMAC. This migration rewrites stored rows to exactly what an import
now writes: secret_hash set, tool_fingerprint cleared, the detection fingerprint and the finding
key recomputed (recipes of findings/fingerprint.py version 1, copied here so that this migration
keeps its meaning), so re-importing a baseline still matches the detections it made before.

The instance key is Settings().secret_hmac_key (ASPM_SECRET_KEY): run the upgrade with the
application's environment, as `aspm db upgrade` does. Downgrade cannot bring the SHA-1 back (an
HMAC is one-way) and leaves the rows as they are: re-keyed rows are valid under either revision.

Revision ID: 98c4c524fdaa
Revises: 65323a7be85d
Create Date: 2026-12-06 17:30:00
"""

import hashlib
import hmac
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "98c4c524fdaa"
down_revision: str | None = "65323a7be85d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOOL = "detect-secrets"
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")

detections = sa.table(
    "detections",
    sa.column("id", sa.Uuid()),
    sa.column("asset_id", sa.Uuid()),
    sa.column("finding_id", sa.Uuid()),
    sa.column("tool", sa.String()),
    sa.column("rule_id", sa.String()),
    sa.column("path", sa.Text()),
    sa.column("fingerprint", sa.String()),
    sa.column("secret_hash", sa.String()),
    sa.column("tool_fingerprint", sa.Text()),
)
findings = sa.table(
    "findings",
    sa.column("id", sa.Uuid()),
    sa.column("asset_id", sa.Uuid()),
    sa.column("finding_key", sa.String()),
    sa.column("control_id", sa.String()),
)


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def rekey(connection: sa.Connection, key: bytes) -> int:
    """Re-key every detect-secrets detection that still holds a raw hash; returns how many."""
    rows = connection.execute(
        sa.select(
            detections.c.id,
            detections.c.asset_id,
            detections.c.finding_id,
            detections.c.rule_id,
            detections.c.path,
            detections.c.tool_fingerprint,
        ).where(detections.c.tool == TOOL, detections.c.tool_fingerprint.is_not(None))
    ).all()
    done = 0
    for row in rows:
        parts = row.tool_fingerprint.rsplit("|", 2)
        if len(parts) != 3 or not _SHA1.fullmatch(parts[2]):
            continue  # not this ingestor's shape: leave it
        tfp, hashed = row.tool_fingerprint, parts[2]
        secret_hash = hmac.new(key, hashed.encode(), hashlib.sha256).hexdigest()
        path = row.path or ""
        asset_key = str(row.asset_id)
        connection.execute(
            detections.update()
            .where(detections.c.id == row.id)
            .values(
                fingerprint=_digest([TOOL, asset_key, row.rule_id, "secret", path, secret_hash]),
                secret_hash=secret_hash,
                tool_fingerprint=None,
            )
        )
        finding = connection.execute(
            sa.select(findings.c.finding_key, findings.c.control_id).where(
                findings.c.id == row.finding_id
            )
        ).one_or_none()
        # the finding key followed from the detection's identity: follow it to the new one
        if finding is not None and finding.finding_key == _digest(
            [finding.control_id, "tfp", TOOL, tfp]
        ):
            new_key = _digest([finding.control_id, "secret", path, secret_hash])
            taken = connection.execute(
                sa.select(findings.c.id).where(
                    findings.c.asset_id == row.asset_id, findings.c.finding_key == new_key
                )
            ).first()
            if taken is None:
                connection.execute(
                    findings.update()
                    .where(findings.c.id == row.finding_id)
                    .values(finding_key=new_key)
                )
        done += 1
    return done


def upgrade() -> None:
    from aspm.settings import get_settings

    rekey(op.get_bind(), get_settings().secret_hmac_key)


def downgrade() -> None:
    """Nothing to undo: the SHA-1 cannot be recovered from its HMAC (see the module doc)."""
