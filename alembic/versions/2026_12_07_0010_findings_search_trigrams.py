"""findings search trigrams: GIN (pg_trgm) indexes for the queue's text search, PostgreSQL only

`GET /api/v1/findings?q=` is a case-insensitive substring match over the title, control id,
resource and path of findings and the rule id, resource and path of their detections. Without an
index it read both tables whole (5.2 s at 1M findings). Each table gets one trigram index over
its searched fields joined as one lower-cased expression, exactly as aspm.findings.models
finding_text() and detection_text() spell it (the query must use the same expression).

pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database owner may
create it. Where the server does not have it, the indexes are skipped and search still works
by reading the tables. SQLite has no such index: search reads the tables there.

At 1M findings the two indexes take a few minutes to build, holding a write lock on findings
and detections: run it at a quiet time.

Revision ID: 7d2e5b9a4c31
Revises: 5b8c1e7f3a62
Create Date: 2026-12-07 00:10:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2e5b9a4c31"
down_revision: str | None = "5b8c1e7f3a62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FINDING_TEXT = (
    "lower(title || ' ' || control_id || ' ' || coalesce(resource, '') || ' ' "
    "|| coalesce(path, ''))"
)
DETECTION_TEXT = "lower(rule_id || ' ' || coalesce(resource, '') || ' ' || coalesce(path, ''))"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).scalar()
    if not available:
        logging.getLogger("alembic.runtime.migration").warning(
            "pg_trgm is not available on this server: text search reads the tables"
        )
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # the operator class lives in the extension's schema, which need not be on the search path
    # (an extension is per database: a schema migrated after another one finds it elsewhere)
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    opclass = f"{bind.dialect.identifier_preparer.quote_identifier(schema)}.gin_trgm_ops"
    op.execute(
        f"CREATE INDEX ix_findings_search_trgm ON findings USING gin ({FINDING_TEXT} {opclass})"
    )
    op.execute(
        f"CREATE INDEX ix_detections_search_trgm ON detections USING gin ({DETECTION_TEXT} "
        f"{opclass})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_detections_search_trgm")
    op.execute("DROP INDEX IF EXISTS ix_findings_search_trgm")
