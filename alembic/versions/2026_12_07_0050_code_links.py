"""links to code: an asset's repository URL and default branch, the commit of a detection and of
an import

assets.repository_url / default_branch say where the asset's code lives; detections.commit is the
commit a report names per record (a secret scanner's); ingest_runs.commit the commit the whole
report was made at (SARIF versionControlProvenance revisionId). Nullable columns without defaults:
an instant ALTER on PostgreSQL, whatever the table size.

Revision ID: 5b8e3c1d7a42
Revises: 7d2e4b9c1a53
Create Date: 2026-12-07 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8e3c1d7a42"
down_revision: str | None = "7d2e4b9c1a53"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("repository_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("default_branch", sa.String(length=200), nullable=True))
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commit", sa.String(length=64), nullable=True))
    with op.batch_alter_table("ingest_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commit", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_runs", schema=None) as batch_op:
        batch_op.drop_column("commit")
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.drop_column("commit")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("default_branch")
        batch_op.drop_column("repository_url")
