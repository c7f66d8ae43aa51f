"""resources inventory: one row per real resource (Terraform state/plan, driftctl), and the link
from a finding to its resource

Identity within an asset is the SHA-256 of the IaC address when there is one, else of the cloud
id (unique per asset). resource_links holds at most one resource per finding; a table of its own
so that linking never rewrites the findings table (see aspm.resources.models).

Revision ID: 4c1e2d7a9b30
Revises: 98c4c524fdaa
Create Date: 2026-12-06 17:54:59.835021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import aspm.db.base

revision: str = "4c1e2d7a9b30"
down_revision: str | None = "98c4c524fdaa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resource_links",
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("linked_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_resource_links")),
    )
    with op.batch_alter_table("resource_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_links_resource_id"), ["resource_id"], unique=False
        )

    op.create_table(
        "resources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("identity_key", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("cloud_id", sa.Text(), nullable=True),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=50), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "facts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "relations",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("managed", sa.Boolean(), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", aspm.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_import_id", sa.Uuid(), nullable=False),
        sa.Column("last_import_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint(
            "asset_id", "identity_key", name=op.f("uq_resources_asset_id_identity_key")
        ),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index("ix_resources_address", ["address"], unique=False)
        batch_op.create_index("ix_resources_cloud_id", ["cloud_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index("ix_resources_cloud_id")
        batch_op.drop_index("ix_resources_address")

    op.drop_table("resources")
    with op.batch_alter_table("resource_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_links_resource_id"))

    op.drop_table("resource_links")
