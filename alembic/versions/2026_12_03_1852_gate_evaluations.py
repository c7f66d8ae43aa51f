"""gate evaluations: one row per CI gate run (feeds "violations blocked before deploy")

Revision ID: 3c9e41d7a2b8
Revises: 7ad1cbb0dd5f
Create Date: 2026-12-03 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import aspm.db.base

revision: str = "3c9e41d7a2b8"
down_revision: str | None = "7ad1cbb0dd5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "gate_evaluations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("evaluated_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("asset_name", sa.String(length=200), nullable=True),
        sa.Column("branch", sa.String(length=300), nullable=True),
        sa.Column("commit", sa.String(length=100), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("evaluated_count", sa.Integer(), nullable=False),
        sa.Column("ignored_count", sa.Integer(), nullable=False),
        sa.Column("finding_ids", JSON, nullable=False),
        sa.Column("failed_rules", JSON, nullable=False),
        sa.Column("policy_name", sa.String(length=100), nullable=False),
        sa.Column("policy_digest", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("baseline", sa.String(length=300), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("import_ids", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_evaluations")),
    )
    with op.batch_alter_table("gate_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gate_evaluations_asset", ["asset_id", "evaluated_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gate_evaluations_evaluated_at"), ["evaluated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gate_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_evaluations_evaluated_at"))
        batch_op.drop_index("ix_gate_evaluations_asset")
    op.drop_table("gate_evaluations")
