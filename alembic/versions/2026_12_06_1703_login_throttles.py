"""sign-in throttles: one counted row per username and per client address, not one row per failure

Counting failures (a SELECT count, then the check, then an INSERT) let parallel sign-ins all pass
the count before any of them was stored: 30 parallel wrong passwords ran 19 checks (limit 5). A
check is now counted before it runs by one atomic upsert on a login_throttles row. Failures
stored before this revision are dropped (at most a window's worth: ongoing lockouts end).

Revision ID: 65323a7be85d
Revises: 9d41c2a7e803
Create Date: 2026-12-06 17:03:06.119749
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aspm.db.base

revision: str = "65323a7be85d"
down_revision: str | None = "9d41c2a7e803"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("window_start", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "value", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttles_window_start"), ["window_start"], unique=False
        )

    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_client_ip_at")
        batch_op.drop_index("ix_login_failures_username_at")
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("at", aspm.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_client_ip_at", ["client_ip", "at"], unique=False)
        batch_op.create_index("ix_login_failures_username_at", ["username", "at"], unique=False)

    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_window_start"))
    op.drop_table("login_throttles")
