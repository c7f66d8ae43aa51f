"""findings: risk_key (the scoring input a stored score came from) and context (the report's)

risk_key lets a policy change re-score distinct inputs and rewrite only the findings whose result
changes, without gathering every finding's inputs again. context holds what the report itself says
about the resource (tags, ASFF Criticality, OCSF data classification, KEV, EPSS).

Revision ID: 5e2b7c94d1a3
Revises: 7ad1cbb0dd5f
Create Date: 2026-12-03 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2b7c94d1a3"
down_revision: str | None = "7ad1cbb0dd5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risk_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("context", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("context")
        batch_op.drop_column("risk_key")
