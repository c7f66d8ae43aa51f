"""The risk and priority orders of the queue on PostgreSQL: `finding_sort_keys`.

One narrow row per finding (its id and its sort keys, NULLs replaced as the queue sorts them:
models.risk_key, priority_key, due_key), with one index per order. No index of findings may
hold the risk result, because a re-score rewrites it in place (HOT); so without this table the
queue sorted every finding a filter selected (about 0.5 s a page at 1M findings), and with it a
page is a walk down an index (findings.repository.list_page).

The table and its triggers come from the migration finding_sort_keys (PostgreSQL only; SQLite
has neither and sorts findings). The triggers keep it equal to findings for every writer:
statement-level after INSERT and DELETE (transition tables), after TRUNCATE, and per row after
an UPDATE that changes a key. A re-score rewrites up to every finding in one statement, where a
trigger per row would cost more than the re-score itself (60-80 s for 909k rows at 1M): it
`defer`s the row trigger, then `sync`s the rows it selected in one statement, or `rebuild`s the
table when it rewrote a large share of the findings.
"""

from typing import Any

from sqlalchemy import (
    Column,
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
    " severity_rank integer NOT NULL, priority varchar(4) NOT NULL, due timestamptz NOT NULL)",
    "INSERT INTO finding_sort_keys_next (finding_id, risk, severity_rank, priority, due)"
    " SELECT id, coalesce(risk_score, -1), severity_rank, coalesce(priority, 'P9'),"
    " coalesce(sla_due_at, 'infinity') FROM findings",
    "ALTER TABLE finding_sort_keys_next"
    " ADD CONSTRAINT pk_finding_sort_keys_next PRIMARY KEY (finding_id)",
    "CREATE INDEX ix_finding_sort_keys_risk_next"
    " ON finding_sort_keys_next (risk, severity_rank, finding_id)",
    "CREATE INDEX ix_finding_sort_keys_priority_next"
    " ON finding_sort_keys_next (priority, due, (-risk), finding_id)",
    "DROP TABLE finding_sort_keys",
    "ALTER TABLE finding_sort_keys_next RENAME TO finding_sort_keys",
    "ALTER TABLE finding_sort_keys RENAME CONSTRAINT pk_finding_sort_keys_next"
    " TO pk_finding_sort_keys",
    "ALTER INDEX ix_finding_sort_keys_risk_next RENAME TO ix_finding_sort_keys_risk",
    "ALTER INDEX ix_finding_sort_keys_priority_next RENAME TO ix_finding_sort_keys_priority",
    "ANALYZE finding_sort_keys",
)


def defer(session: Session) -> None:
    """Switch the per-row update trigger off until `resume`, in this transaction only: the caller
    rewrites findings' keys in bulk and then calls `sync` or `rebuild`."""
    session.execute(_DEFER)


def resume(session: Session) -> None:
    session.execute(_RESUME)


def _keys() -> tuple[Any, Any, Any, Any]:
    """(risk, severity_rank, priority, due) of a findings row, as the table holds them."""
    return risk_key(), Finding.severity_rank, priority_key(), due_key()


def sync(session: Session, finding_ids: Any) -> int:
    """Bring the rows of these findings (a SELECT of finding ids) up to date with findings, in
    one statement; rows already equal are not rewritten. Returns how many changed."""
    k = sort_keys.c
    risk, rank, priority, due = _keys()
    result = session.execute(
        update(sort_keys)
        .where(
            k.finding_id == Finding.id,
            Finding.id.in_(finding_ids.correlate(None)),
            or_(k.risk != risk, k.severity_rank != rank, k.priority != priority, k.due != due),
        )
        .values(risk=risk, severity_rank=rank, priority=priority, due=due)
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
    risk, rank, priority, due = _keys()
    missing_or_stale = (
        select(func.count())
        .select_from(Finding)
        .outerjoin(sort_keys, k.finding_id == Finding.id)
        .where(
            or_(
                k.finding_id.is_(None),
                k.risk != risk,
                k.severity_rank != rank,
                k.priority != priority,
                k.due != due,
            )
        )
    )
    orphans = (
        select(func.count())
        .select_from(sort_keys)
        .where(~select(Finding.id).where(Finding.id == k.finding_id).exists())
    )
    return int(session.execute(missing_or_stale).scalar_one()) + int(
        session.execute(orphans).scalar_one()
    )
