"""risk explanations stored once per (asset, scoring input); findings rows rewritable in place

A policy change rewrites the risk result of up to every finding. With the explanation inside each
row (about two thirds of it) and the score in two indexes, each rewritten row took a new entry in
every index of findings: 25 s for 1M findings on PostgreSQL. Now:
- the explanation moves to risk_explanations, one row per (asset_id, risk_key), shared by the
  findings with that scoring input (every one of them holds the same result);
- no index holds risk_score, priority or sla_due_at (ix_findings_queue goes: no query used it
  since the queue sorts by priority, due date and score together; ix_findings_resolved_at no
  longer includes priority and sla_due_at);
- on PostgreSQL findings keep half of each page free (fillfactor 50), so the rewrite is a HOT
  update that touches no index (3.6 s for 1M findings). Pages written before this revision
  get the free space as they are rewritten (or at once with `VACUUM FULL findings`).

Revision ID: 9d41c2a7e803
Revises: 0b8d2e6f4c11
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aspm.db.base

revision: str = "9d41c2a7e803"
down_revision: str | None = "0b8d2e6f4c11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RESOLVED_BEFORE = [
    "first_seen_at", "sla_due_at", "triage_state", "detector_state", "severity", "priority",
    "team", "asset_id", "category",
]  # fmt: skip
_RESOLVED_AFTER = [
    "first_seen_at", "triage_state", "detector_state", "severity", "team", "asset_id", "category",
]  # fmt: skip


def _resolved_index(include: list[str]) -> None:
    op.create_index(
        "ix_findings_resolved_at",
        "findings",
        ["resolved_at"],
        unique=False,
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
        sqlite_where=sa.text("resolved_at IS NOT NULL"),
        postgresql_include=include,
    )


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "risk_explanations",
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("risk_key", sa.Text(), nullable=False),
        sa.Column("explanation", aspm.db.base.JSONType, nullable=False),
        sa.PrimaryKeyConstraint("asset_id", "risk_key", name=op.f("pk_risk_explanations")),
    )
    # every scored finding with a key: its explanation, once per (asset, key) (all alike)
    if pg:
        op.execute(
            "INSERT INTO risk_explanations (asset_id, risk_key, explanation) "
            "SELECT DISTINCT ON (asset_id, risk_key) asset_id, risk_key, risk_explanation "
            "FROM findings WHERE risk_key IS NOT NULL AND risk_score IS NOT NULL "
            "ORDER BY asset_id, risk_key, last_seen_at DESC"
        )
    else:  # SQLite: a bare column takes its value from the row of the MAX()
        op.execute(
            "INSERT INTO risk_explanations (asset_id, risk_key, explanation) "
            "SELECT asset_id, risk_key, risk_explanation FROM ("
            "SELECT asset_id, risk_key, risk_explanation, MAX(last_seen_at) FROM findings "
            "WHERE risk_key IS NOT NULL AND risk_score IS NOT NULL GROUP BY asset_id, risk_key)"
        )
    op.drop_index("ix_findings_resolved_at", table_name="findings")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_queue")
        batch_op.drop_column("risk_explanation")
    _resolved_index(_RESOLVED_AFTER)
    if pg:
        op.execute("ALTER TABLE findings SET (fillfactor = 50)")


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute("ALTER TABLE findings RESET (fillfactor)")
    op.drop_index("ix_findings_resolved_at", table_name="findings")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "risk_explanation",
                aspm.db.base.JSONType,
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )
        batch_op.create_index("ix_findings_queue", ["detector_state", "risk_score"], unique=False)
    op.execute(
        "UPDATE findings SET risk_explanation = (SELECT e.explanation FROM risk_explanations e "
        "WHERE e.asset_id = findings.asset_id AND e.risk_key = findings.risk_key) "
        "WHERE risk_key IS NOT NULL AND EXISTS (SELECT 1 FROM risk_explanations e "
        "WHERE e.asset_id = findings.asset_id AND e.risk_key = findings.risk_key)"
    )
    _resolved_index(_RESOLVED_BEFORE)
    op.drop_table("risk_explanations")
