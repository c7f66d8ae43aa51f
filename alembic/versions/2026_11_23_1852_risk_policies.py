"""risk policies: the applied history of risk-policy.yaml (the newest row is in force)

Revision ID: 7ad1cbb0dd5f
Revises: 56b92fa54c0a
Create Date: 2026-11-23 18:52:57.690237
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import aspm.db.base

revision: str = "7ad1cbb0dd5f"
down_revision: str | None = "56b92fa54c0a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_policies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("applied_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_policies")),
    )
    with op.batch_alter_table("risk_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_policies_applied_at"), ["applied_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_policies_applied_at"))

    op.drop_table("risk_policies")
