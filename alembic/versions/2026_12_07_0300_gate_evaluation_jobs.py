"""gate evaluations as jobs: status, error, attempts and the result on gate_evaluations

On PostgreSQL the server's gate evaluations are queued (aspm.jobs) like imports: the row exists
from the request on (queued, running, then done or error), so `passed` and `scope` are NULL
until the verdict. `result` keeps the whole answer (GateResult JSON) for GET
/gate/evaluations/{id}. Rows written before this revision were all evaluated inline: done;
the defaults (status done, attempts 0) also keep a writer of the old shape working. On
PostgreSQL a constant default makes ADD COLUMN instant, however many rows there are.

Revision ID: a2dc28bba7ea
Revises: 5b8e3c1d7a42
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a2dc28bba7ea"
down_revision: str | None = "5b8e3c1d7a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("gate_evaluations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="done")
        )
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("result", JSON, nullable=True))
        batch_op.alter_column("passed", existing_type=sa.Boolean(), nullable=True)
        batch_op.alter_column("scope", existing_type=sa.String(length=10), nullable=True)


def downgrade() -> None:
    # evaluations without a verdict (queued, running, error) cannot be kept in the old shape
    op.execute(sa.text("DELETE FROM gate_evaluations WHERE passed IS NULL OR scope IS NULL"))
    with op.batch_alter_table("gate_evaluations", schema=None) as batch_op:
        batch_op.alter_column("scope", existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column("passed", existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column("result")
        batch_op.drop_column("attempts")
        batch_op.drop_column("error")
        batch_op.drop_column("status")
