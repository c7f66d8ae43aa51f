"""today's flows per asset: metric_flows_by_asset

An import recomputed today's metric_flows rows from every finding first seen or resolved today,
all assets: 0.25-1.3 s per 10k-result import at 1M findings, growing through the day, under the
metrics lock. It now recomputes its own assets' rows of today here and sums them into
metric_flows, as the snapshot totals are kept. The table holds one day; `aspm metrics snapshot`
or the day's first write fills it.

Revision ID: 9e4c2a71d0b5
Revises: 5c0e9a7d2b14
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e4c2a71d0b5"
down_revision: str | None = "5c0e9a7d2b14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metric_flows_by_asset",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("environment", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("with_sla", sa.Integer(), nullable=False),
        sa.Column("within_sla", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "asset_id", "kind", "team", "environment", "priority", "severity",
            name=op.f("pk_metric_flows_by_asset"),
        ),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("metric_flows_by_asset")
