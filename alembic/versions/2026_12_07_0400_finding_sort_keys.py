"""finding sort keys: the risk and priority orders of the queue as a narrow indexed table,
PostgreSQL only

The queue's risk and priority orders sorted every finding a filter selects (about 0.5 s a page
at 1M findings), because no index of findings may hold the risk result: a re-score rewrites it
in place (HOT). finding_sort_keys holds one narrow row per finding (its id and the sort keys,
NULLs already replaced as the queue sorts them) with one index per order, so a page is a walk
of an index (aspm.findings.sort_keys). Triggers keep it equal to findings:
- after INSERT (per statement, the new rows as a transition table): insert their keys;
- after UPDATE OF a key column (per row, only when a key changed): update the row, unless the
  transaction said it syncs the table itself (setting aspm.sort_keys = 'deferred': a re-score
  rewrites up to every finding and then updates or rebuilds the table in one statement);
- after DELETE (per statement) and TRUNCATE: delete the rows.
SQLite keeps sorting findings (no table, no trigger).

Revision ID: 7c1f0e5b9a24
Revises: a2dc28bba7ea
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c1f0e5b9a24"
down_revision: str | None = "a2dc28bba7ea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE finding_sort_keys ("
        " finding_id uuid NOT NULL,"
        " risk integer NOT NULL,"
        " severity_rank integer NOT NULL,"
        " priority varchar(4) NOT NULL,"
        " due timestamptz NOT NULL,"
        " CONSTRAINT pk_finding_sort_keys PRIMARY KEY (finding_id))"
    )
    op.execute(
        "INSERT INTO finding_sort_keys (finding_id, risk, severity_rank, priority, due)"
        " SELECT id, coalesce(risk_score, -1), severity_rank, coalesce(priority, 'P9'),"
        " coalesce(sla_due_at, 'infinity') FROM findings"
    )
    op.execute(
        "CREATE INDEX ix_finding_sort_keys_risk"
        " ON finding_sort_keys (risk, severity_rank, finding_id)"
    )
    op.execute(
        "CREATE INDEX ix_finding_sort_keys_priority"
        " ON finding_sort_keys (priority, due, (-risk), finding_id)"
    )
    op.execute(
        "CREATE FUNCTION aspm_sort_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  INSERT INTO finding_sort_keys (finding_id, risk, severity_rank, priority, due)"
        "  SELECT id, coalesce(risk_score, -1), severity_rank, coalesce(priority, 'P9'),"
        "   coalesce(sla_due_at, 'infinity') FROM aspm_new_findings;"
        "  RETURN NULL;"
        " END $$"
    )
    op.execute(
        "CREATE FUNCTION aspm_sort_keys_update() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  UPDATE finding_sort_keys SET risk = coalesce(NEW.risk_score, -1),"
        "   severity_rank = NEW.severity_rank, priority = coalesce(NEW.priority, 'P9'),"
        "   due = coalesce(NEW.sla_due_at, 'infinity')"
        "  WHERE finding_id = NEW.id;"
        "  RETURN NULL;"
        " END $$"
    )
    op.execute(
        "CREATE FUNCTION aspm_sort_keys_delete() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  DELETE FROM finding_sort_keys k USING aspm_old_findings o WHERE k.finding_id = o.id;"
        "  RETURN NULL;"
        " END $$"
    )
    op.execute(
        "CREATE FUNCTION aspm_sort_keys_truncate() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN TRUNCATE finding_sort_keys; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER findings_sort_keys_insert AFTER INSERT ON findings"
        " REFERENCING NEW TABLE AS aspm_new_findings"
        " FOR EACH STATEMENT EXECUTE FUNCTION aspm_sort_keys_insert()"
    )
    op.execute(
        "CREATE TRIGGER findings_sort_keys_update"
        " AFTER UPDATE OF risk_score, severity_rank, priority, sla_due_at ON findings"
        " FOR EACH ROW WHEN ("
        "  (OLD.risk_score, OLD.severity_rank, OLD.priority, OLD.sla_due_at)"
        "  IS DISTINCT FROM (NEW.risk_score, NEW.severity_rank, NEW.priority, NEW.sla_due_at)"
        "  AND current_setting('aspm.sort_keys', true) IS DISTINCT FROM 'deferred')"
        " EXECUTE FUNCTION aspm_sort_keys_update()"
    )
    op.execute(
        "CREATE TRIGGER findings_sort_keys_delete AFTER DELETE ON findings"
        " REFERENCING OLD TABLE AS aspm_old_findings"
        " FOR EACH STATEMENT EXECUTE FUNCTION aspm_sort_keys_delete()"
    )
    op.execute(
        "CREATE TRIGGER findings_sort_keys_truncate AFTER TRUNCATE ON findings"
        " FOR EACH STATEMENT EXECUTE FUNCTION aspm_sort_keys_truncate()"
    )
    op.execute("ANALYZE finding_sort_keys")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS findings_sort_keys_{trigger} ON findings")
        op.execute(f"DROP FUNCTION IF EXISTS aspm_sort_keys_{trigger}()")
    op.execute("DROP TABLE IF EXISTS finding_sort_keys")
