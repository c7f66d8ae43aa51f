"""findings team queue indexes: a team's queue as one index range per owned asset and per team

`GET /api/v1/findings?team=mine` walked the whole queue's order until it met the team's findings
(2.7 s at 1M findings when they all sort low). The queue now merges the first rows of each
asset the teams own and of each team (aspm.findings.repository._team_merge), one range each of:

- ix_findings_asset_queue (asset_id, severity_rank, first_seen_at, id);
- ix_findings_team_queue (team, severity_rank, first_seen_at, id) WHERE team IS NOT NULL, which
  replaces ix_findings_team (team).

On PostgreSQL both INCLUDE the columns of the suppression filter and the open view
(suppression_rule_id, detector_state, triage_state, suppressed; the asset index the team too), so
the capped count and the open view read no table row. No risk result column is in them: a
re-score stays a HOT update.

At 1M findings the two indexes take about a minute to build, holding a write lock on findings.

Revision ID: 5b8c1e7f3a62
Revises: 3f6c8a21d9e4
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8c1e7f3a62"
down_revision: str | None = "3f6c8a21d9e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCLUDE = ["suppression_rule_id", "detector_state", "triage_state", "suppressed"]
KEYS = ["severity_rank", "first_seen_at", "id"]


def upgrade() -> None:
    op.create_index(
        "ix_findings_asset_queue",
        "findings",
        ["asset_id", *KEYS],
        unique=False,
        postgresql_include=[*INCLUDE, "team"],
    )
    op.drop_index("ix_findings_team", table_name="findings")
    op.create_index(
        "ix_findings_team_queue",
        "findings",
        ["team", *KEYS],
        unique=False,
        postgresql_include=INCLUDE,
        postgresql_where=sa.text("team IS NOT NULL"),
        sqlite_where=sa.text("team IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_findings_team_queue", table_name="findings")
    op.create_index(
        "ix_findings_team",
        "findings",
        ["team"],
        unique=False,
        postgresql_where=sa.text("team IS NOT NULL"),
        sqlite_where=sa.text("team IS NOT NULL"),
    )
    op.drop_index("ix_findings_asset_queue", table_name="findings")
