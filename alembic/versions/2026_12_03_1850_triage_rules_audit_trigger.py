"""triage: comments, suppression and ownership rules, risk acceptances, rule suppression of
findings; on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on audit_events

Revision ID: fe5413aa1ca4
Revises: 7ad1cbb0dd5f
Create Date: 2026-12-03 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aspm.db.base

revision: str = "fe5413aa1ca4"
down_revision: str | None = "7ad1cbb0dd5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = aspm.db.base.UTCDateTime(timezone=True)

_REFUSE_FN = """
CREATE OR REPLACE FUNCTION aspm_audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "finding_comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_comments")),
    )
    with op.batch_alter_table("finding_comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_finding_comments_finding", ["finding_id", "created_at"], unique=False
        )
    op.create_table(
        "suppression_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tool", sa.String(length=100), nullable=True),
        sa.Column("rule", sa.String(length=300), nullable=True),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("path_glob", sa.String(length=1000), nullable=True),
        sa.Column("resource_pattern", sa.String(length=1000), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("approver", sa.String(length=200), nullable=True),
        sa.Column("expires_at", _UTC, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("ended_at", _UTC, nullable=True),
        sa.Column("ended_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppression_rules")),
    )
    with op.batch_alter_table("suppression_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suppression_rules_ended_at"), ["ended_at"], unique=False
        )
    op.create_table(
        "ownership_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("path_glob", sa.String(length=1000), nullable=True),
        sa.Column("resource_pattern", sa.String(length=1000), nullable=True),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_rules")),
    )
    with op.batch_alter_table("ownership_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ownership_rules_position"), ["position"], unique=False)
    op.create_table(
        "risk_acceptances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("approver", sa.String(length=200), nullable=True),
        sa.Column("expires_at", _UTC, nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("ended_at", _UTC, nullable=True),
        sa.Column("ended_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_acceptances")),
    )
    with op.batch_alter_table("risk_acceptances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_acceptances_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index("ix_risk_acceptances_open", ["ended_at", "expires_at"], unique=False)
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suppression_rule_id", sa.Uuid(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_REFUSE_FN)
        op.execute(
            "CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION aspm_audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION aspm_audit_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS aspm_audit_events_append_only()")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("suppression_rule_id")
    with op.batch_alter_table("risk_acceptances", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_acceptances_open")
        batch_op.drop_index(batch_op.f("ix_risk_acceptances_finding_id"))
    op.drop_table("risk_acceptances")
    with op.batch_alter_table("ownership_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ownership_rules_position"))
    op.drop_table("ownership_rules")
    with op.batch_alter_table("suppression_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suppression_rules_ended_at"))
    op.drop_table("suppression_rules")
    with op.batch_alter_table("finding_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_comments_finding")
    op.drop_table("finding_comments")
