"""finding aliases: the key of a finding merged into another (one control failing in code and in
the cloud on one resource is one finding), so that ingest finds the surviving finding by it

Revision ID: 7b2f0c4e91d3
Revises: 5d2a7c19e4b8
Create Date: 2026-12-06 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aspm.db.base

revision: str = "7b2f0c4e91d3"
down_revision: str | None = "5d2a7c19e4b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "finding_aliases",
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("finding_key", sa.String(length=64), nullable=False),
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("merged_finding_id", sa.Uuid(), nullable=False),
        sa.Column("control_id", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("resource", sa.Text(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("merged_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("asset_id", "finding_key", name=op.f("pk_finding_aliases")),
    )
    with op.batch_alter_table("finding_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_aliases_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_finding_aliases_merged_finding_id"), ["merged_finding_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("finding_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_aliases_merged_finding_id"))
        batch_op.drop_index(batch_op.f("ix_finding_aliases_finding_id"))
    op.drop_table("finding_aliases")
