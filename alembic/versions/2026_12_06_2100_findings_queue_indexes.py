"""findings queue indexes: keyset paging by severity, risk and priority; assignee; suppression

- ix_findings_severity gains the id (one import's findings share their first_seen_at: without
  the id a keyset page had to sort the whole tie);
- ix_findings_risk and ix_findings_priority hold the queue's risk and priority sort keys
  (expressions without NULLs; aspm.findings.models.risk_key ...), so that sorting 1M findings by
  risk or priority is an index range at any depth. They hold the risk result, so a re-score that
  changes it is no longer a HOT update on PostgreSQL (benchmarks/README.md, "Queue");
- partial indexes (most findings have no assignee, team or suppression rule): an engineer's
  queue (`assignee=me` by priority) as one index range, `team=mine` (with the assets the teams
  own, through uq_findings_asset_id_finding_key), and the count of what suppression rules hide.

On PostgreSQL at 1M findings the new indexes take about a minute to build, holding a write
lock on findings: run it at a quiet time.

Revision ID: c4a9e2f07b15
Revises: 8e3b6d1f2a47
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4a9e2f07b15"
down_revision: str | None = "8e3b6d1f2a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the same text as aspm.findings.models.risk_key/priority_key/due_key (the models are not
# imported here: a migration keeps the schema of its day)
_RISK = "coalesce(risk_score, -1)"
_PRIORITY = "coalesce(priority, 'P9')"
_DUE = "coalesce(sla_due_at, 'infinity')"


def upgrade() -> None:
    op.drop_index("ix_findings_severity", table_name="findings")
    op.create_index(
        "ix_findings_severity", "findings", ["severity_rank", "first_seen_at", "id"], unique=False
    )
    op.create_index(
        "ix_findings_risk", "findings", [sa.text(_RISK), "severity_rank", "id"], unique=False
    )
    op.create_index(
        "ix_findings_priority",
        "findings",
        [sa.text(_PRIORITY), sa.text(_DUE), sa.text(f"(- {_RISK})"), "id"],
        unique=False,
    )
    # an engineer's queue (assignee=me, most urgent first) is one range of this index
    op.create_index(
        "ix_findings_assignee",
        "findings",
        ["assignee", sa.text(_PRIORITY), sa.text(_DUE), sa.text(f"(- {_RISK})"), "id"],
        unique=False,
        postgresql_where=sa.text("assignee IS NOT NULL"),
        sqlite_where=sa.text("assignee IS NOT NULL"),
    )
    for column in ("team", "suppression_rule_id"):
        op.create_index(
            f"ix_findings_{column}",
            "findings",
            [column],
            unique=False,
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
        )


def downgrade() -> None:
    for name in ("suppression_rule_id", "team", "assignee", "priority", "risk"):
        op.drop_index(f"ix_findings_{name}", table_name="findings")
    op.drop_index("ix_findings_severity", table_name="findings")
    op.create_index(
        "ix_findings_severity", "findings", ["severity_rank", "first_seen_at"], unique=False
    )
