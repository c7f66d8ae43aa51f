"""search marks carry the time of their first change: finding_search_pending.marked_at

The periodic search refresh yields to running imports (it would compete with them for the
database's CPU), but only while the oldest mark is younger than a bound (aspm.jobs.tasks):
`marked_at` is when the asset's oldest unrefreshed change was marked. The triggers' upsert
leaves it (ON CONFLICT only bumps the version); a new mark after a refresh gets now().

Revision ID: 5c0e9a7d2b14
Revises: 3b71671916b3
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c0e9a7d2b14"
down_revision: str | None = "3b71671916b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE finding_search_pending ADD COLUMN marked_at timestamptz NOT NULL DEFAULT now()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE finding_search_pending DROP COLUMN marked_at")
