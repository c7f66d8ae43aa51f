"""metric snapshots: daily posture (+ totals), compliance status, indexes on findings

Revision ID: f1b5f07abb73
Revises: 7ad1cbb0dd5f
Create Date: 2026-12-03 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aspm.db.base

revision: str = "f1b5f07abb73"
down_revision: str | None = "7ad1cbb0dd5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "open_count", "open_risk", "overdue_count", "accepted_count",
    "open_critical", "open_high", "open_medium", "open_low", "open_info",
    "risk_critical", "risk_high", "risk_medium", "risk_low", "risk_info",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "metric_snapshots",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=False),
        sa.Column("environment", sa.String(length=20), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column("taken_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "asset_id", "team", "priority", name=op.f("pk_metric_snapshots")
        ),
    )
    op.create_table(
        "metric_snapshot_totals",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("environment", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=False),
        sa.Column("assets", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint(
            "day", "team", "environment", "priority", name=op.f("pk_metric_snapshot_totals")
        ),
    )
    op.create_table(
        "metric_flows",
        sa.Column("day", sa.Date(), nullable=False),
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
            "day", "kind", "team", "environment", "priority", "severity",
            name=op.f("pk_metric_flows"),
        ),
    )  # fmt: skip
    op.create_table(
        "metric_compliance",
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("framework", sa.String(length=200), nullable=False),
        sa.Column("control", sa.String(length=200), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("fixed_count", sa.Integer(), nullable=False),
        sa.Column("taken_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "asset_id", "framework", "control", name=op.f("pk_metric_compliance")
        ),
    )
    op.create_index(
        "ix_findings_resolved_at",
        "findings",
        ["resolved_at"],
        unique=False,
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
        sqlite_where=sa.text("resolved_at IS NOT NULL"),
        postgresql_include=[
            "first_seen_at", "sla_due_at", "triage_state", "detector_state", "severity",
            "priority", "team", "asset_id", "category",
        ],
    )  # fmt: skip
    op.create_index(
        "ix_findings_first_seen_at",
        "findings",
        ["first_seen_at"],
        unique=False,
        postgresql_using="brin",
    )


def downgrade() -> None:
    op.drop_index("ix_findings_first_seen_at", table_name="findings")
    op.drop_index("ix_findings_resolved_at", table_name="findings")
    op.drop_table("metric_compliance")
    op.drop_table("metric_flows")
    op.drop_table("metric_snapshot_totals")
    op.drop_table("metric_snapshots")
