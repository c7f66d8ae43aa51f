"""finding search: the queue's text search as a table kept by a job, PostgreSQL only

The trigram indexes of findings_search_trigrams were kept up to date inside every import: the
100k-result first import on PostgreSQL went from 5.9-7.6 s to 10.7-10.9 s (server CPU 2.7 s ->
8.7 s), most of it the two GIN indexes. They go. Instead:
- finding_search holds one row per finding: its searched text (title, control id, resource,
  path, and each detection's rule id, resource and path; lower-cased, distinct pieces joined
  by chr(31), which no search term contains), with one trigram index;
- finding_search_pending lists the assets whose findings or detections changed since their
  rows were written: triggers mark them (after INSERT and DELETE per statement, after an
  UPDATE of a searched column per row and only when it changed), at the cost of one tiny
  upsert per statement;
- a periodic job (aspm.findings.search_index.refresh) rewrites the rows of a pending asset
  that differ and unmarks it, unless it was marked again meanwhile (its version).
A search reads the index for the other assets and the tables for a pending one, so its answer
is exact at all times; an import pays the marking only. SQLite has none of this and reads the
tables, as before.

At 1M findings the fill and the trigram index take a minute or two, holding a write lock on
findings and detections: run it at a quiet time.

Revision ID: b4d8e2f6a913
Revises: 7c1f0e5b9a24
Create Date: 2026-12-07 05:00:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4d8e2f6a913"
down_revision: str | None = "7c1f0e5b9a24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# every finding's text, as aspm.findings.search_index.TEXTS spells it (a migration is a frozen
# copy: the per-test check in tests/conftest.py fails if the two ever differ)
FILL = (
    "INSERT INTO finding_search (finding_id, asset_id, text)"
    " SELECT finding_id, asset_id, string_agg(DISTINCT piece, chr(31) ORDER BY piece)"
    " FROM (SELECT id AS finding_id, asset_id, true AS own,"
    "  lower(unnest(ARRAY[title, control_id, resource, path])) AS piece FROM findings"
    "  UNION ALL SELECT finding_id, asset_id, false,"
    "  lower(unnest(ARRAY[rule_id, resource, path])) FROM detections) AS pieces"
    " WHERE piece IS NOT NULL GROUP BY finding_id, asset_id HAVING bool_or(own)"
)

MARK = (
    "INSERT INTO finding_search_pending AS p (asset_id, version)"
    " SELECT DISTINCT asset_id, 1 FROM aspm_search_rows"
    " ON CONFLICT (asset_id) DO UPDATE SET version = p.version + 1"
)

# the searched columns of each table: an UPDATE that changes one marks the asset
SEARCHED = {
    "findings": ("title", "control_id", "resource", "path", "asset_id"),
    "detections": ("rule_id", "resource", "path", "finding_id", "asset_id"),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_findings_search_trgm")
    op.execute("DROP INDEX IF EXISTS ix_detections_search_trgm")
    op.execute(
        "CREATE TABLE finding_search ("
        " finding_id uuid NOT NULL, asset_id uuid NOT NULL, text text NOT NULL,"
        " CONSTRAINT pk_finding_search PRIMARY KEY (finding_id))"
    )
    op.execute(
        "CREATE TABLE finding_search_pending ("
        " asset_id uuid NOT NULL, version bigint NOT NULL DEFAULT 1,"
        " CONSTRAINT pk_finding_search_pending PRIMARY KEY (asset_id))"
    )
    op.execute(FILL)
    op.execute("CREATE INDEX ix_finding_search_asset ON finding_search (asset_id)")
    opclass = _trigram_opclass(bind)
    if opclass is not None:
        op.execute(
            f"CREATE INDEX ix_finding_search_trgm ON finding_search USING gin (text {opclass})"
        )
    op.execute(
        "CREATE FUNCTION aspm_search_mark_rows() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {MARK}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION aspm_search_mark_row() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  INSERT INTO finding_search_pending AS p (asset_id, version) VALUES (NEW.asset_id, 1)"
        "  ON CONFLICT (asset_id) DO UPDATE SET version = p.version + 1;"
        "  IF OLD.asset_id IS DISTINCT FROM NEW.asset_id THEN"
        "   INSERT INTO finding_search_pending AS p (asset_id, version) VALUES (OLD.asset_id, 1)"
        "   ON CONFLICT (asset_id) DO UPDATE SET version = p.version + 1;"
        "  END IF;"
        "  RETURN NULL;"
        " END $$"
    )
    op.execute(
        "CREATE FUNCTION aspm_search_mark_all() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN"
        "  INSERT INTO finding_search_pending AS p (asset_id, version)"
        "  SELECT DISTINCT asset_id, 1 FROM finding_search"
        "  ON CONFLICT (asset_id) DO UPDATE SET version = p.version + 1;"
        "  RETURN NULL;"
        " END $$"
    )
    for table, columns in SEARCHED.items():
        for event, rows in (("insert", "NEW"), ("delete", "OLD")):
            op.execute(
                f"CREATE TRIGGER {table}_search_{event} AFTER {event.upper()} ON {table}"
                f" REFERENCING {rows} TABLE AS aspm_search_rows"
                " FOR EACH STATEMENT EXECUTE FUNCTION aspm_search_mark_rows()"
            )
        old = ", ".join(f"OLD.{c}" for c in columns)
        new = ", ".join(f"NEW.{c}" for c in columns)
        op.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE OF {', '.join(columns)}"
            f" ON {table} FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new}))"
            " EXECUTE FUNCTION aspm_search_mark_row()"
        )
        # truncating findings leaves rows of findings that are gone: the job deletes them
        op.execute(
            f"CREATE TRIGGER {table}_search_truncate AFTER TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION aspm_search_mark_all()"
        )
    op.execute("ANALYZE finding_search")


def _trigram_opclass(bind: sa.Connection) -> str | None:
    """pg_trgm's GIN operator class, schema-qualified (an extension is per database and its
    schema need not be on the search path), or None where the server lacks pg_trgm: search
    then reads finding_search whole, still one narrow table."""
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).scalar()
    if not available:
        logging.getLogger("alembic.runtime.migration").warning(
            "pg_trgm is not available on this server: text search reads finding_search whole"
        )
        return None
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    return f"{bind.dialect.identifier_preparer.quote_identifier(schema)}.gin_trgm_ops"


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in SEARCHED:
        for event in ("insert", "delete", "update", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event} ON {table}")
    for function in ("rows", "row", "all"):
        op.execute(f"DROP FUNCTION IF EXISTS aspm_search_mark_{function}()")
    op.execute("DROP TABLE IF EXISTS finding_search_pending")
    op.execute("DROP TABLE IF EXISTS finding_search")
    opclass = _trigram_opclass(bind)
    if opclass is None:
        return
    op.execute(
        "CREATE INDEX ix_findings_search_trgm ON findings USING gin ((lower(title || ' ' ||"
        f" control_id || ' ' || coalesce(resource, '') || ' ' || coalesce(path, ''))) {opclass})"
    )
    op.execute(
        "CREATE INDEX ix_detections_search_trgm ON detections USING gin ((lower(rule_id || ' '"
        f" || coalesce(resource, '') || ' ' || coalesce(path, ''))) {opclass})"
    )
