"""finding search folded: the trigram index over identifiers as whole words, PostgreSQL only

pg_trgm splits text into words at every character that is not a letter or a digit, so
`ckv_aws_42` is three words (ckv, aws, 42) whose trigrams nearly every Checkov finding has: at
1M findings the index gave 17,764 candidates for 6,735 matches, spread over 11,995 heap pages,
and the search's match set took 78-175 ms. `folded` is the searched text with the punctuation
of identifiers (FOLD_FROM) turned into one letter, so an identifier is one word with trigrams of
its own: the same search finds exactly its 6,735 candidates on 3,524 pages in 25-39 ms. The
index moves to `folded`; the search tests `text` as well (a folded match can be a false one:
`ckvqaws` folds like `ckv_aws`), so answers stay exact.

A generated column: the refresh job and the fill write `text` only, as before.

At 1M findings the rewrite of finding_search and the new index take about a minute, holding
finding_search (searches wait; imports only mark pending assets and do not).

Revision ID: 3f8b1d6c0a57
Revises: 9e4c2a71d0b5
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f8b1d6c0a57"
down_revision: str | None = "9e4c2a71d0b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# aspm.findings.search_index.FOLD_FROM / FOLD_TO, frozen (tests/findings/test_search_index.py
# checks that the two agree)
FOLD_FROM = '_-.:/\\@=[]"%'
FOLD_TO = "q" * len(FOLD_FROM)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE finding_search ADD COLUMN folded text"
        f" GENERATED ALWAYS AS (translate(text, '{FOLD_FROM}', '{FOLD_TO}')) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_finding_search_trgm")
    opclass = _trigram_opclass(bind)
    if opclass is not None:
        op.execute(
            f"CREATE INDEX ix_finding_search_folded ON finding_search USING gin (folded {opclass})"
        )
    op.execute("ANALYZE finding_search")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_finding_search_folded")
    op.execute("ALTER TABLE finding_search DROP COLUMN IF EXISTS folded")
    opclass = _trigram_opclass(bind)
    if opclass is not None:
        op.execute(
            f"CREATE INDEX ix_finding_search_trgm ON finding_search USING gin (text {opclass})"
        )


def _trigram_opclass(bind: sa.Connection) -> str | None:
    """pg_trgm's GIN operator class, schema-qualified, where the migration finding_search
    installed pg_trgm; None where the server lacked it (search then reads finding_search whole,
    as that migration says)."""
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()
    if schema is None:
        return None
    return f"{bind.dialect.identifier_preparer.quote_identifier(schema)}.gin_trgm_ops"
