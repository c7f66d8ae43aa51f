"""tickets: Jira and GitHub Issues tickets linked to findings, the outbox of calls to the
trackers, and the trackers' credentials (sealed with the instance key)

Revision ID: 7d2e4b9c1a53
Revises: 9c4f2a7e1b60
Create Date: 2026-12-07 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import aspm.db.base

revision: str = "7d2e4b9c1a53"
down_revision: str | None = "9c4f2a7e1b60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _at(name: str, *, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, aspm.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "ticket_trackers",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("token_sealed", sa.Text(), nullable=True),
        sa.Column("webhook_secret_sealed", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        _at("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ticket_trackers")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tracker", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("group_key", sa.String(length=500), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=True),
        sa.Column("due_date", sa.String(length=10), nullable=True),
        sa.Column("content", JSON, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("key", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("tracker_status", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.String(length=100), nullable=True),
        sa.Column("wont_do", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        _at("synced_at", nullable=True),
        _at("closed_at", nullable=True),
        _at("close_requested_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_status_synced", ["status", "synced_at"], unique=False)
        batch_op.create_index("ix_tickets_tracker_key", ["tracker", "key"], unique=False)
    op.create_table(
        "ticket_findings",
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_findings_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_ticket_findings")),
    )
    with op.batch_alter_table("ticket_findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_findings_ticket_id"), ["ticket_id"])
    op.create_table(
        "ticket_operations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("step", sa.String(length=20), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("created_at", nullable=False),
        _at("next_attempt_at", nullable=True),
        _at("last_attempt_at", nullable=True),
        _at("done_at", nullable=True),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("attempt_log", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_operations_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_operations")),
    )
    with op.batch_alter_table("ticket_operations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_operations_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ticket_operations_ticket_id"), ["ticket_id"])


def downgrade() -> None:
    op.drop_table("ticket_operations")
    op.drop_table("ticket_findings")
    op.drop_table("tickets")
    op.drop_table("ticket_trackers")
