"""finding sort keys by owner: each finding's asset and team in finding_sort_keys, with an index
per order for each asset's unowned findings and for each team's own, PostgreSQL only

A team's queue (team=mine, team=X) is a merge of one branch per asset the teams own (findings
with no team of their own) and one per team (findings whose own team it is). In the risk and
priority orders no index of findings may hold the risk result (a re-score rewrites it in place,
HOT), so each branch read all of its asset's findings and sorted them: about 100 ms a page for
a team of 40,000 findings at 1M. With asset_id and team here, and partial indexes led by them,
each branch is an index range of this table, joined to findings for the filter's other
conditions.

The table is rebuilt (a new one filled, indexed and swapped in, as aspm.findings.sort_keys.rebuild
does) under a lock that makes writers of findings wait (4-7 s at 1M findings); the row trigger
also fires when a finding's team or asset changes (triage and ownership rules write `team`).

Revision ID: 3b71671916b3
Revises: b4d8e2f6a913
Create Date: 2026-12-07 10:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3b71671916b3"
down_revision: str | None = "b4d8e2f6a913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the indexes of the table, as aspm.findings.sort_keys.INDEXES spells them (a frozen copy)
INDEXES = (
    ("ix_finding_sort_keys_risk", "(risk, severity_rank, finding_id)"),
    ("ix_finding_sort_keys_priority", "(priority, due, (-risk), finding_id)"),
    (
        "ix_finding_sort_keys_asset_risk",
        "(asset_id, risk, severity_rank, finding_id) WHERE team IS NULL",
    ),
    (
        "ix_finding_sort_keys_asset_priority",
        "(asset_id, priority, due, (-risk), finding_id) WHERE team IS NULL",
    ),
    (
        "ix_finding_sort_keys_team_risk",
        "(team, risk, severity_rank, finding_id) WHERE team IS NOT NULL",
    ),
    (
        "ix_finding_sort_keys_team_priority",
        "(team, priority, due, (-risk), finding_id) WHERE team IS NOT NULL",
    ),
)


def _update_trigger(keys: str) -> str:
    new = ", ".join(f"NEW.{k}" for k in keys.split(", "))
    old = ", ".join(f"OLD.{k}" for k in keys.split(", "))
    return (
        "CREATE TRIGGER findings_sort_keys_update"
        f" AFTER UPDATE OF {keys} ON findings"
        f" FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})"
        "  AND current_setting('aspm.sort_keys', true) IS DISTINCT FROM 'deferred')"
        " EXECUTE FUNCTION aspm_sort_keys_update()"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("LOCK TABLE findings IN SHARE MODE")  # writers wait; readers read the old table
    op.execute("DROP TABLE IF EXISTS finding_sort_keys_next")
    op.execute(
        "CREATE TABLE finding_sort_keys_next (finding_id uuid NOT NULL, risk integer NOT NULL,"
        " severity_rank integer NOT NULL, priority varchar(4) NOT NULL, due timestamptz NOT NULL,"
        " asset_id uuid NOT NULL, team varchar(200))"
    )
    op.execute(
        "INSERT INTO finding_sort_keys_next"
        " (finding_id, risk, severity_rank, priority, due, asset_id, team)"
        " SELECT id, coalesce(risk_score, -1), severity_rank, coalesce(priority, 'P9'),"
        " coalesce(sla_due_at, 'infinity'), asset_id, team FROM findings"
    )
    op.execute(
        "ALTER TABLE finding_sort_keys_next"
        " ADD CONSTRAINT pk_finding_sort_keys_next PRIMARY KEY (finding_id)"
    )
    for name, definition in INDEXES:
        op.execute(f"CREATE INDEX {name}_next ON finding_sort_keys_next {definition}")
    op.execute("DROP TABLE finding_sort_keys")
    op.execute("ALTER TABLE finding_sort_keys_next RENAME TO finding_sort_keys")
    op.execute(
        "ALTER TABLE finding_sort_keys RENAME CONSTRAINT pk_finding_sort_keys_next"
        " TO pk_finding_sort_keys"
    )
    for name, _ in INDEXES:
        op.execute(f"ALTER INDEX {name}_next RENAME TO {name}")
    op.execute(
        "CREATE OR REPLACE FUNCTION aspm_sort_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  INSERT INTO finding_sort_keys"
        "   (finding_id, risk, severity_rank, priority, due, asset_id, team)"
        "  SELECT id, coalesce(risk_score, -1), severity_rank, coalesce(priority, 'P9'),"
        "   coalesce(sla_due_at, 'infinity'), asset_id, team FROM aspm_new_findings;"
        "  RETURN NULL;"
        " END $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION aspm_sort_keys_update() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  UPDATE finding_sort_keys SET risk = coalesce(NEW.risk_score, -1),"
        "   severity_rank = NEW.severity_rank, priority = coalesce(NEW.priority, 'P9'),"
        "   due = coalesce(NEW.sla_due_at, 'infinity'), asset_id = NEW.asset_id, team = NEW.team"
        "  WHERE finding_id = NEW.id;"
        "  RETURN NULL;"
        " END $$"
    )
    op.execute("DROP TRIGGER findings_sort_keys_update ON findings")
    op.execute(_update_trigger("risk_score, severity_rank, priority, sla_due_at, asset_id, team"))
    op.execute("ANALYZE finding_sort_keys")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("LOCK TABLE findings IN SHARE MODE")
    op.execute("DROP TRIGGER findings_sort_keys_update ON findings")
    op.execute(_update_trigger("risk_score, severity_rank, priority, sla_due_at"))
    op.execute(
        "CREATE OR REPLACE FUNCTION aspm_sort_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  INSERT INTO finding_sort_keys (finding_id, risk, severity_rank, priority, due)"
        "  SELECT id, coalesce(risk_score, -1), severity_rank, coalesce(priority, 'P9'),"
        "   coalesce(sla_due_at, 'infinity') FROM aspm_new_findings;"
        "  RETURN NULL;"
        " END $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION aspm_sort_keys_update() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  UPDATE finding_sort_keys SET risk = coalesce(NEW.risk_score, -1),"
        "   severity_rank = NEW.severity_rank, priority = coalesce(NEW.priority, 'P9'),"
        "   due = coalesce(NEW.sla_due_at, 'infinity')"
        "  WHERE finding_id = NEW.id;"
        "  RETURN NULL;"
        " END $$"
    )
    # the owner indexes go with their columns
    op.execute("ALTER TABLE finding_sort_keys DROP COLUMN asset_id, DROP COLUMN team")
