"""The queue's text search on PostgreSQL: `finding_search`, kept by a job.

One row per finding holds its searched text: the title, control id, resource and path of the
finding and the rule id, resource and path of each of its detections, lower-cased, distinct,
joined by SEPARATOR; a trigram index answers `text LIKE '%term%'`. Trigram indexes kept up
to date inside every import made the 100k-result first import on PostgreSQL 60-85% slower
(server CPU 2.7 s -> 8.7 s), so imports no longer write this table: triggers (migration
finding_search) only mark the asset in `finding_search_pending`, one tiny upsert a statement,
and `refresh` (a periodic job, aspm.jobs.queue) rewrites the rows that differ afterwards.

A search stays exact while an asset is pending: it reads the index for the other assets and the
tables for the pending ones (findings.repository._text_search). SQLite has none of this and
reads the tables.
"""

import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    MetaData,
    SQLColumnExpression,
    Table,
    Text,
    Uuid,
    all_,
    any_,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from aspm.findings.models import Finding

log = logging.getLogger(__name__)

TABLES = ("finding_search", "finding_search_pending")
SEPARATOR = chr(31)  # between pieces: no search term holds it (see `usable`)

# `folded` is `text` with the punctuation of identifiers (and LIKE's wildcards and escape) turned
# into one letter, so that pg_trgm, which splits words at anything but letters and digits, sees
# `ckv_aws_42` or `aws_s3_bucket.logs` as one word with trigrams of its own (migration
# finding_search_folded holds a frozen copy: a test checks the two agree)
FOLD_FROM = '_-.:/\\@=[]"%'
FOLD_TO = "q" * len(FOLD_FROM)
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)

# not in the models' metadata: the migration owns them (aspm.db.migrate.include_name)
_metadata = MetaData()
finding_search = Table(
    "finding_search",
    _metadata,
    Column("finding_id", Uuid, primary_key=True),
    Column("asset_id", Uuid, nullable=False),
    Column("text", Text, nullable=False),
    Column("folded", Text),  # generated: `text` through FOLD (migration finding_search_folded)
)
pending = Table(
    "finding_search_pending",
    _metadata,
    Column("asset_id", Uuid, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("marked_at", DateTime(timezone=True), nullable=False),  # the oldest unrefreshed mark
)

# The searched text of each finding of one asset (`:asset`): distinct lower-cased pieces, sorted,
# joined by chr(31). A piece of a detection whose finding is gone makes no row (bool_or(own)).
# Raw SQL: Core has no spelling of an aggregate's DISTINCT ... ORDER BY; the migration fills the
# table with the same text for every asset (a frozen copy).
TEXTS = (
    "SELECT finding_id, string_agg(DISTINCT piece, chr(31) ORDER BY piece) AS text"
    " FROM (SELECT id AS finding_id, true AS own,"
    "  lower(unnest(ARRAY[title, control_id, resource, path])) AS piece"
    "  FROM findings WHERE asset_id = :asset"
    "  UNION ALL SELECT finding_id, false,"
    "  lower(unnest(ARRAY[rule_id, resource, path])) FROM detections WHERE asset_id = :asset"
    " ) AS pieces WHERE piece IS NOT NULL GROUP BY finding_id HAVING bool_or(own)"
)


def _texts() -> Any:
    return text(TEXTS).columns(finding_id=Uuid, text=Text).cte("texts")


def _write(asset_id: uuid.UUID) -> Any:
    """The asset's rows that differ from TEXTS, written (inserted or updated); selects how
    many."""
    t, s = _texts(), finding_search.c
    old = finding_search.alias("old")
    changed = (
        select(t.c.finding_id, literal(asset_id, Uuid), t.c.text)
        .outerjoin(old, old.c.finding_id == t.c.finding_id)
        .where(
            or_(old.c.text.is_distinct_from(t.c.text), old.c.asset_id.is_distinct_from(asset_id))
        )
    )
    insert = pg_insert(finding_search).from_select([s.finding_id, s.asset_id, s.text], changed)
    written = insert.on_conflict_do_update(
        index_elements=[s.finding_id],
        set_={"text": insert.excluded.text, "asset_id": insert.excluded.asset_id},
    )  # counted through RETURNING: the driver's rowcount of this statement is -1
    return select(func.count()).select_from(written.returning(s.finding_id).cte("written"))


def _drop_gone(asset_id: uuid.UUID) -> Any:
    """The asset's rows of findings that are gone (or moved to another asset)."""
    s = finding_search.c
    alive = select(Finding.id).where(Finding.id == s.finding_id, Finding.asset_id == asset_id)
    return delete(finding_search).where(s.asset_id == asset_id, ~alive.exists())


def _different(asset_id: uuid.UUID) -> Any:
    """How many of the asset's rows differ from TEXTS, missing rows and extra ones included."""
    t, s = _texts(), finding_search.c
    differ = (
        select(func.count())
        .select_from(t)
        .outerjoin(finding_search, (s.finding_id == t.c.finding_id) & (s.asset_id == asset_id))
        .where(s.text.is_distinct_from(t.c.text))
        .scalar_subquery()
    )
    extra = (
        select(func.count())
        .where(
            s.asset_id == asset_id,
            ~select(t.c.finding_id).where(t.c.finding_id == s.finding_id).exists(),
        )
        .scalar_subquery()
    )
    return select(differ + extra)


def usable(term: str) -> bool:
    """Whether the table can answer a search for `term` (lower-cased): a term holding the
    separator could match across two pieces, so it reads the tables instead."""
    return SEPARATOR not in term


def pending_assets() -> ColumnElement[list[uuid.UUID]]:
    """The pending assets as one array, computed once per statement (an InitPlan): the planner
    then reads findings by asset index for them, where `IN (SELECT ...)` of a table it cannot
    size may plan a scan of all findings."""
    empty = literal_column("'{}'::uuid[]", ARRAY(Uuid))
    return func.coalesce(select(func.array_agg(pending.c.asset_id)).scalar_subquery(), empty)


def fold(term: str) -> str:
    """`term` as `folded` spells text: FOLD_FROM turned into FOLD_TO, character by character."""
    return term.translate(_FOLD)


def indexed_matches(term: str, like: str) -> ColumnElement[bool]:
    """finding_search rows that hold `term` (lower-cased; `like` is its LIKE pattern, escaped
    with a backslash), of assets that are not pending (their rows may be stale: the caller reads
    their tables instead). The trigram index answers the folded term; `text` then drops the
    false matches folding made (`ckvqaws` folds like `ckv_aws`). A folded term holds no LIKE
    wildcard and no backslash: FOLD_FROM turns them into letters."""
    s = finding_search.c
    folded = s.folded.like(f"%{fold(term)}%") & s.text.like(like, escape="\\")
    return folded & (s.asset_id != all_(pending_assets()))


def in_pending(asset_id: SQLColumnExpression[uuid.UUID]) -> ColumnElement[bool]:
    return asset_id == any_(pending_assets())


@dataclass(frozen=True, slots=True)
class Refreshed:
    assets: int  # assets whose rows were rewritten and unmarked
    again: int  # of which marked again meanwhile (left pending for the next run)
    rows: int  # rows written or deleted
    seconds: float


def refresh_asset(session: Session, asset_id: uuid.UUID, version: int) -> tuple[int, bool]:
    """Rewrite the asset's rows that differ from its findings and detections, then unmark it if
    its mark is still `version` (read before) and no transaction holds it (an import that is
    still writing marks it again when it commits). Returns (rows written, unmarked)."""
    params = {"asset": asset_id}
    written = session.execute(_write(asset_id), params).scalar_one()
    gone = session.execute(_drop_gone(asset_id)).rowcount  # type: ignore[attr-defined]
    current = session.execute(
        select(pending.c.version)
        .where(pending.c.asset_id == asset_id)
        .with_for_update(skip_locked=True)
    ).scalar()
    unmarked = current == version
    if unmarked:
        session.execute(
            delete(pending).where(pending.c.asset_id == asset_id, pending.c.version == version)
        )
    return max(int(written), 0) + max(int(gone), 0), unmarked


def refresh(
    factory: sessionmaker[Session], *, assets: Iterable[uuid.UUID] | None = None
) -> Refreshed:
    """Bring the rows of every pending asset (or of `assets` among them) up to date, one
    transaction an asset: a large asset does not hold back the others' rows."""
    started = time.monotonic()
    with factory() as session:
        marks = session.execute(select(pending.c.asset_id, pending.c.version)).all()
    wanted = None if assets is None else set(assets)
    done = again = rows = 0
    for asset_id, version in marks:
        if wanted is not None and asset_id not in wanted:
            continue
        with factory() as session, session.begin():
            written, unmarked = refresh_asset(session, asset_id, version)
        done += 1
        again += not unmarked
        rows += written
    result = Refreshed(done, again, rows, time.monotonic() - started)
    if done:
        log.info(
            "search: %d assets refreshed (%d marked again), %d rows, %.2f s",
            result.assets, result.again, result.rows, result.seconds,
        )  # fmt: skip
    return result


def oldest_mark_age(session: Session) -> float | None:
    """Seconds since the oldest pending mark was set (None when nothing is pending): how long
    some search has been reading an asset's tables instead of the index."""
    age = session.execute(
        select(func.extract("epoch", func.now() - func.min(pending.c.marked_at)))
    ).scalar()
    return None if age is None else float(age)


def count_stale(session: Session) -> int:
    """Rows of assets that are not pending which differ from their findings and detections, or
    findings of such assets without a row: 0 unless a writer changed a searched column without
    its trigger marking the asset."""
    assets = set(session.scalars(select(finding_search.c.asset_id).distinct()))
    assets |= set(session.scalars(select(Finding.asset_id).distinct()))
    assets -= set(session.scalars(select(pending.c.asset_id)))
    return sum(int(session.execute(_different(a), {"asset": a}).scalar_one()) for a in assets)
