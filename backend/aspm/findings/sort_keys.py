"""The risk and priority orders of the queue on PostgreSQL: `finding_sort_keys`.

One narrow row per finding (its id and its sort keys, NULLs replaced as the queue sorts them:
models.risk_key, priority_key, due_key; and its asset and own team), with one index per order,
and per order one for each asset's findings of no team of their own and one for each team's
own findings (a team's queue merges a range of each, findings.repository._team_merge).
No index of findings may hold the risk result, because a re-score rewrites it in place (HOT); so
without this table the queue sorted every finding a filter selected (about 0.5 s a page at 1M
findings), and with it a page is a walk down an index (findings.repository.list_page).

The table and its triggers come from the migrations finding_sort_keys and
finding_sort_keys_by_owner (PostgreSQL only; SQLite has neither and sorts findings). The
triggers keep it equal to findings for every writer: statement-level after INSERT and DELETE
(transition tables), after TRUNCATE, and per row after an UPDATE that changes a key (the asset
and the team are keys: triage and ownership rules write `team`). A re-score rewrites up to
every finding in one statement, where a trigger per row would cost more than the re-score
itself (60-80 s for 909k rows at 1M): it `defer`s the row trigger, then `sync`s the rows it
selected in one statement, or `rebuild`s the table when it rewrote a large share of the
findings.
"""

from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from aspm.findings.models import Finding, due_key, priority_key, risk_key

TABLE = "finding_sort_keys"

# not in the models' metadata: the migration owns it (aspm.db.migrate.include_name)
sort_keys = Table(
    TABLE,
    MetaData(),
    Column("finding_id", Uuid, primary_key=True),
    Column("risk", Integer, nullable=False),
    Column("severity_rank", Integer, nullable=False),
    Column("priority", String(4), nullable=False),
    Column("due", DateTime(timezone=True), nullable=False),
    Column("asset_id", Uuid, nullable=False),
    Column("team", String(200)),
)

# (name, definition) of each index, as the migrations build them (finding_sort_keys_by_owner):
# the whole queue's orders, then per order each asset's unowned findings and each team's own.
# Inserting 100k findings of one asset at 1M, the insert trigger took 1.0 s with the first two,
# 1.25 s with the priority pair, 1.4 s with all (fresh copies, 3 runs each)
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

# the transaction setting that switches the per-row update trigger off (the migration's WHEN)
_DEFER = text("SELECT set_config('aspm.sort_keys', 'deferred', true)")
_RESUME = text("SELECT set_config('aspm.sort_keys', '', true)")

# Rewriting a share of the table above this rebuilds it instead of updating rows: at 1M
# findings an update of the narrow rows cost about 70 us a row (every key is in an index), a
# rebuild about 4 us a finding (one sorted load per index).
REBUILD_SHARE = 0.06

_ESTIMATE = text(
    "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'findings'::regclass"
)

# The rebuild: a new table filled and indexed, then swapped in. EXCLUSIVE on the old table makes
# writers of findings (whose triggers write it) wait for the swap, while readers go on reading
# it; only the DROP takes ACCESS EXCLUSIVE, at the end, and the transaction commits soon after.
_REBUILD = (
    "LOCK TABLE finding_sort_keys IN EXCLUSIVE MODE",
    "DROP TABLE IF EXISTS finding_sort_keys_next",
    "CREATE TABLE finding_sort_keys_next (finding_id uuid NOT NULL, risk integer NOT NULL,"
    " severity_rank integer NOT NULL, priority varchar(4) NOT NULL, due timestamptz NOT NULL,"
    " asset_id uuid NOT NULL, team varchar(200))",
    "INSERT INTO finding_sort_keys_next"
    " (finding_id, risk, severity_rank, priority, due, asset_id, team)"
    " SELECT id, coalesce(risk_score, -1), severity_rank, coalesce(priority, 'P9'),"
    " coalesce(sla_due_at, 'infinity'), asset_id, team FROM findings",
    "ALTER TABLE finding_sort_keys_next"
    " ADD CONSTRAINT pk_finding_sort_keys_next PRIMARY KEY (finding_id)",
    *(f"CREATE INDEX {name}_next ON finding_sort_keys_next {how}" for name, how in INDEXES),
    "DROP TABLE finding_sort_keys",
    "ALTER TABLE finding_sort_keys_next RENAME TO finding_sort_keys",
    "ALTER TABLE finding_sort_keys RENAME CONSTRAINT pk_finding_sort_keys_next"
    " TO pk_finding_sort_keys",
    *(f"ALTER INDEX {name}_next RENAME TO {name}" for name, _ in INDEXES),
    "ANALYZE finding_sort_keys",
)


def defer(session: Session) -> None:
    """Switch the per-row update trigger off until `resume`, in this transaction only: the caller
    rewrites findings' keys in bulk and then calls `sync` or `rebuild`."""
    session.execute(_DEFER)


def resume(session: Session) -> None:
    session.execute(_RESUME)


def _keys() -> tuple[Any, Any, Any, Any, Any, Any]:
    """(risk, severity_rank, priority, due, asset_id, team) of a findings row, as the table
    holds them."""
    return (
        risk_key(),
        Finding.severity_rank,
        priority_key(),
        due_key(),
        Finding.asset_id,
        Finding.team,
    )


def _differs() -> ColumnElement[bool]:
    """A row of the table differs from its finding's (joined) keys; team may be NULL."""
    k = sort_keys.c
    risk, rank, priority, due, asset_id, team = _keys()
    return or_(
        k.risk != risk,
        k.severity_rank != rank,
        k.priority != priority,
        k.due != due,
        k.asset_id != asset_id,
        k.team.is_distinct_from(team),
    )


def sync(session: Session, finding_ids: Any) -> int:
    """Bring the rows of these findings (a SELECT of finding ids) up to date with findings, in
    one statement; rows already equal are not rewritten. Returns how many changed."""
    k = sort_keys.c
    risk, rank, priority, due, asset_id, team = _keys()
    result = session.execute(
        update(sort_keys)
        .where(k.finding_id == Finding.id, Finding.id.in_(finding_ids.correlate(None)), _differs())
        .values(
            risk=risk, severity_rank=rank, priority=priority, due=due, asset_id=asset_id, team=team
        )
    )
    return max(int(result.rowcount), 0)  # type: ignore[attr-defined]


def rebuild(session: Session) -> None:
    """Rebuild the table from findings and swap it in (see _REBUILD)."""
    for statement in _REBUILD:
        session.execute(text(statement))


def after_bulk_write(session: Session, rewritten: int, finding_ids: Any) -> None:
    """After findings' keys were rewritten in bulk under `defer`: sync the selected findings'
    rows, or rebuild the table when `rewritten` is a large share of the findings; then switch
    the row trigger back on."""
    if rewritten:
        estimate = int(session.execute(_ESTIMATE).scalar_one())
        if rewritten > REBUILD_SHARE * max(estimate, rewritten):
            rebuild(session)
        else:
            sync(session, finding_ids)
    resume(session)


def count_mismatches(session: Session) -> int:
    """How many findings' rows differ from (or are missing in) the table, and rows of no finding:
    0 when the triggers did their job (tests)."""
    k = sort_keys.c
    missing_or_stale = (
        select(func.count())
        .select_from(Finding)
        .outerjoin(sort_keys, k.finding_id == Finding.id)
        .where(or_(k.finding_id.is_(None), _differs()))
    )
    orphans = (
        select(func.count())
        .select_from(sort_keys)
        .where(~select(Finding.id).where(Finding.id == k.finding_id).exists())
    )
    return int(session.execute(missing_or_stale).scalar_one()) + int(
        session.execute(orphans).scalar_one()
    )
