"""Every SQL statement of ingestion: set-based staging and merging, one transaction per import.

Rows are written straight into `findings` and `detections` (COPY on PostgreSQL, executemany on
SQLite) when the service has decided they are new; changed existing detections are staged in a
temporary table and merged with a handful of UPDATE ... FROM and INSERT ... SELECT statements: no
round trip per finding, and no write at all for detections a re-import saw unchanged. Statements
are SQLAlchemy Core over the mapped tables and this module's temporary tables.
"""

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    MetaData,
    ScalarSelect,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable, DropTable
from sqlalchemy.sql.expression import ColumnElement

from aspm.assets.models import Asset
from aspm.audit import service as audit_service
from aspm.db import locks
from aspm.db.bulk import as_uuid, db_uuid, is_postgres, load_rows
from aspm.db.severity import severity_of_rank, severity_rank
from aspm.findings.models import Detection, DetectorState, Finding, Rule
from aspm.ingest.models import IngestRun, IngestScope
from aspm.resources.models import FindingAlias

STAGE = "aspm_stage"
GONE = "aspm_gone"
AFFECTED = "aspm_affected"


# Rows are written without SQLAlchemy's types (COPY, executemany), so their values are in the form
# the driver stores: ids and datetimes as aspm.db.bulk's uuid_value / datetime_value give them,
# JSON as text (`to_json`). Each field is the column of the same name (tests/ingest/test_rows.py).
# The service builds them positionally through `new_finding_row` and friends (below).


class FindingRow(NamedTuple):
    """A new finding, written straight into `findings`."""

    id: str  # 32 hex digits
    asset_id: Any
    finding_key: str
    key_version: int
    control_id: str
    title: str
    category: str
    severity: str
    severity_rank: int
    resource: str | None
    path: str | None
    cloud_provider: str | None
    account_id: str | None
    region: str | None
    description: str
    remediation: str
    references: str  # JSON text
    cwe_ids: str  # JSON text
    compliance: str  # JSON text
    detector_state: str
    triage_state: str
    suppressed: bool
    secret_verified: bool | None
    cvss: float | None
    first_seen_at: Any
    last_seen_at: Any
    reopen_count: int
    created_import_id: str
    version: int
    risk_score: int | None
    priority: str | None
    sla_due_at: Any
    risk_policy_version: str | None
    risk_key: str | None
    context: str | None
    team: str | None  # from the ownership rules (triage.service.NewFindingTeams)


class DetectionRow(NamedTuple):
    """A new detection, written straight into `detections`."""

    id: str  # 32 hex digits
    asset_id: Any
    finding_id: str
    scope_id: Any
    fingerprint: str
    fingerprint_version: int
    content_hash: str  # 16 hex digits
    tool: str
    rule_id: str
    title: str
    severity: str
    raw_severity: str | None
    category: str
    path: str | None
    start_line: int | None
    end_line: int | None
    resource: str | None
    resource_type: str | None
    cloud_provider: str | None
    account_id: str | None
    region: str | None
    snippet: str | None
    secret_preview: str | None
    secret_hash: str | None
    secret_verified: bool | None
    tool_fingerprint: str | None
    suppressed: bool
    cvss: float | None
    active: bool
    first_seen_at: Any
    last_seen_at: Any
    first_import_id: str
    last_import_id: str


class DetectionUpdate(NamedTuple):
    """A detection that exists and changed (or reappeared), staged in STAGE and merged."""

    row_no: int
    asset_id: Any
    fingerprint: str
    content_hash: str
    tool: str
    rule_id: str
    title: str
    severity: str
    raw_severity: str | None
    category: str
    path: str | None
    start_line: int | None
    end_line: int | None
    resource: str | None
    resource_type: str | None
    cloud_provider: str | None
    account_id: str | None
    region: str | None
    snippet: str | None
    secret_preview: str | None
    secret_hash: str | None
    secret_verified: bool | None
    tool_fingerprint: str | None
    suppressed: bool
    cvss: float | None


# The per-record constructors. Calling a NamedTuple class binds every field as a parameter and
# then copies them into the tuple: 1.2-1.3 µs for FindingRow's 36 fields, against 0.5 µs for
# `tuple.__new__` on the values, which makes the same instance (0.15 s of a 100k-finding first
# import, two rows per record). mypy sees the classes themselves, so it checks every call's count
# and types as it would the class's.
if TYPE_CHECKING:
    new_finding_row = FindingRow
    new_detection_row = DetectionRow
    new_detection_update = DetectionUpdate
else:

    def _constructor(cls: type) -> Callable[..., Any]:
        make = tuple.__new__

        def construct(*values: Any) -> Any:
            return make(cls, values)

        construct.__doc__ = f"A {cls.__name__} of its values, in field order."
        return construct

    new_finding_row = _constructor(FindingRow)
    new_detection_row = _constructor(DetectionRow)
    new_detection_update = _constructor(DetectionUpdate)


FINDING_COLUMNS = FindingRow._fields
DETECTION_COLUMNS = DetectionRow._fields
STAGE_COLUMNS = DetectionUpdate._fields
# What a detection shows: the columns a re-import rewrites when its content hash changed. The
# service builds them once per record, as one tuple it splices into either row (`*shown`), so
# both rows hold them in this order (tests/ingest/test_rows.py).
SHOWN_COLUMNS = STAGE_COLUMNS[STAGE_COLUMNS.index("tool") :]

_findings = cast(Table, Finding.__table__)
_detections = cast(Table, Detection.__table__)
_scopes = cast(Table, IngestScope.__table__)

# the import's temporary tables (dropped at its end); their own metadata, never migrated
_temp = MetaData()
_stage = Table(
    STAGE,
    _temp,
    Column("row_no", BigInteger),
    *(Column(c, _detections.c[c].type) for c in STAGE_COLUMNS[1:]),
    prefixes=["TEMPORARY"],
)
_gone = Table(
    GONE,
    _temp,
    Column("asset_id", Uuid),
    Column("tool", Text),
    Column("fingerprint", Text),
    prefixes=["TEMPORARY"],
)
_affected = Table(
    AFFECTED, _temp, Column("finding_id", Uuid, primary_key=True), prefixes=["TEMPORARY"]
)
_affected_in = Table(AFFECTED + "_in", _temp, Column("finding_id", Uuid), prefixes=["TEMPORARY"])
_TEMP_TABLES = (_stage, _gone, _affected, _affected_in)
# SQLite joins the stage to detections through it; PostgreSQL hashes the stage instead
_STAGE_INDEX = Index("aspm_stage_fp", _stage.c.asset_id, _stage.c.tool, _stage.c.fingerprint)

# What Core cannot say. TRUNCATE empties the stage between batches without leaving dead rows
# behind; ANALYZE gives the planner the temporary tables' sizes (it never samples them itself).
_TRUNCATE_STAGE = text("TRUNCATE aspm_stage")
_ANALYZE_GONE = text("ANALYZE aspm_gone")
_ANALYZE_AFFECTED = text("ANALYZE aspm_affected")


@dataclass(slots=True)
class Batch:
    """One batch of an import: new findings, new detections, and changed existing detections."""

    findings: list[FindingRow]
    detections: list[DetectionRow]
    updates: list[DetectionUpdate]


def _insert(session: Session) -> Callable[..., Any]:
    """The dialect's INSERT (both have ON CONFLICT)."""
    return pg_insert if is_postgres(session) else sqlite_insert


def create_temp_tables(session: Session) -> None:
    drop_temp_tables(session)
    conn = session.connection()
    for table in _TEMP_TABLES:
        conn.execute(CreateTable(table))
    if not is_postgres(session):
        _STAGE_INDEX.create(conn)


def drop_temp_tables(session: Session) -> None:
    conn = session.connection()
    for table in _TEMP_TABLES:
        conn.execute(DropTable(table, if_exists=True))


def stage_gone(session: Session, rows: Sequence[tuple[Any, str, str]]) -> None:
    load_rows(session, GONE, ("asset_id", "tool", "fingerprint"), rows)


def load_finding_keys(
    session: Session, *, asset_id: uuid.UUID
) -> Iterable[tuple[str, uuid.UUID, str, str | None, str | None, str | None]]:
    """(finding_key, id, control_id, resource, path, category) of each finding of an asset, and
    of each alias on it: the key of a finding merged into another one (an IaC and a cloud
    finding of one control on one resource, see resources.repository.merge_code_and_cloud),
    with the surviving finding's id, so that a new detection of that key joins the survivor."""
    findings = select(
        Finding.finding_key,
        Finding.id,
        Finding.control_id,
        Finding.resource,
        Finding.path,
        Finding.category,
    ).where(Finding.asset_id == asset_id)
    aliases = select(
        FindingAlias.finding_key,
        FindingAlias.finding_id,
        FindingAlias.control_id,
        FindingAlias.resource,
        FindingAlias.path,
        FindingAlias.category,
    ).where(FindingAlias.asset_id == asset_id)
    stmt = union_all(findings, aliases).execution_options(yield_per=20000)
    for row in session.execute(stmt):
        yield row[0], row[1], row[2], row[3], row[4], row[5]


def load_known_detections(
    session: Session, *, asset_id: uuid.UUID, tool: str, scope_id: uuid.UUID
) -> Iterable[tuple[str, str, bool, bool]]:
    """(fingerprint, content_hash, active, in this scope) of every detection of one tool on one
    asset, streamed: a re-import reads one per detection it may see again."""
    d = _detections.c
    stmt = select(d.fingerprint, d.content_hash, d.active, d.scope_id == scope_id).where(
        d.asset_id == asset_id, d.tool == tool
    )
    result = session.connection().execute(
        stmt.execution_options(stream_results=True, yield_per=20000)
    )
    for fingerprint, content_hash, active, in_scope in result:
        yield fingerprint, content_hash, bool(active), bool(in_scope)


def get_or_create_scope(
    session: Session, *, asset_id: uuid.UUID, tool: str, target: str
) -> IngestScope:
    """The import's scope, locked for the import. Before it, the asset: imports of one asset
    (by any tool, of any scope) take turns, so they never insert the same detection or finding
    twice; a second waits here for the first to commit, and then reads what it wrote."""
    locks.hold(session, locks.LockSpace.ASSET_IMPORT, asset_id)
    stmt = select(IngestScope).where(
        IngestScope.asset_id == asset_id, IngestScope.tool == tool, IngestScope.target == target
    )
    if is_postgres(session):
        stmt = stmt.with_for_update()  # one import of a scope at a time
    scope = session.scalars(stmt).one_or_none()
    if scope is None:
        ins = _insert(session)(_scopes).values(
            id=uuid.uuid4(), asset_id=asset_id, tool=tool, target=target
        )
        session.execute(ins.on_conflict_do_nothing())
        scope = session.scalars(stmt).one()
    return scope


@dataclass(slots=True)
class MergeCounts:
    new_detections: int = 0
    updated_detections: int = 0
    resolved_detections: int = 0
    new_findings: int = 0
    reopened_findings: int = 0
    resolved_findings: int = 0


def _same_detection(table: Table) -> ColumnElement[bool]:
    """detections' row of a temporary table's (asset_id, tool, fingerprint)."""
    d = _detections.c
    return and_(
        d.asset_id == table.c.asset_id, d.tool == table.c.tool, d.fingerprint == table.c.fingerprint
    )


def merge_batch(
    session: Session,
    batch: Batch,
    counts: MergeCounts,
    *,
    run_id: uuid.UUID,
    now: datetime,
) -> None:
    """Write one batch: COPY new findings and new detections straight into their tables (the
    service has already decided they are new), and update changed existing detections through
    the stage table. On PostgreSQL this runs in the import's writer thread while the next batch
    is parsed."""
    load_rows(session, "findings", FINDING_COLUMNS, batch.findings)
    counts.new_findings += len(batch.findings)
    load_rows(session, "detections", DETECTION_COLUMNS, batch.detections)
    counts.new_detections += len(batch.detections)
    if not batch.updates:
        return
    session.execute(_TRUNCATE_STAGE if is_postgres(session) else delete(_stage))
    load_rows(session, STAGE, STAGE_COLUMNS, batch.updates)
    d = _detections.c
    session.execute(  # "WHERE true": SQLite's upsert after INSERT ... SELECT needs a WHERE
        _insert(session)(_affected)
        .from_select(
            ["finding_id"],
            select(d.finding_id)
            .distinct()
            .select_from(_stage.join(_detections, _same_detection(_stage)))
            .where(true()),
        )
        .on_conflict_do_nothing()
    )
    result = session.execute(
        update(_detections)
        .where(_same_detection(_stage))
        .values(
            {
                **{c: _stage.c[c] for c in ("content_hash", *SHOWN_COLUMNS)},
                "active": True,
                "last_seen_at": now,
                "last_import_id": run_id,
            }
        )
    )
    counts.updated_detections += max(result.rowcount, 0)  # type: ignore[attr-defined]


def retire_and_recompute(
    session: Session,
    counts: MergeCounts,
    *,
    affected: Sequence[uuid.UUID],
    run_id: uuid.UUID,
    now: datetime,
    actor: str,
) -> None:
    """After the last batch: retire what a full import no longer has, then the lifecycle of
    every pre-existing finding the import touched (`affected`: the ones it added detections to;
    the findings of updated and retired detections are gathered here)."""
    load_rows(
        session, _affected_in.name, ("finding_id",), [(db_uuid(session, f),) for f in affected]
    )
    ins = _insert(session)
    session.execute(
        ins(_affected)
        .from_select(["finding_id"], select(_affected_in.c.finding_id).distinct().where(true()))
        .on_conflict_do_nothing()
    )
    if is_postgres(session):
        session.execute(_ANALYZE_GONE)
    d = _detections.c
    session.execute(
        ins(_affected)
        .from_select(
            ["finding_id"],
            select(d.finding_id)
            .distinct()
            .select_from(_gone.join(_detections, _same_detection(_gone)))
            .where(d.active),
        )
        .on_conflict_do_nothing()
    )
    # retired detections were last seen by the scope's previous full import
    last_full_import = (
        select(_scopes.c.last_full_import_at)
        .where(_scopes.c.id == d.scope_id)
        .correlate(_detections)
        .scalar_subquery()
    )
    result = session.execute(
        update(_detections)
        .where(d.active, _same_detection(_gone))
        .values(active=False, last_seen_at=func.coalesce(last_full_import, d.last_seen_at))
    )
    counts.resolved_detections = max(result.rowcount, 0)  # type: ignore[attr-defined]
    _recompute_findings(session, counts, actor=actor, run_id=run_id, now=now)


def affected_finding_ids(session: Session) -> list[uuid.UUID]:
    """Pre-existing findings this import touched (after retire_and_recompute), for risk."""
    return [as_uuid(f) for f in session.scalars(select(_affected.c.finding_id))]


def _recompute_findings(
    session: Session,
    counts: MergeCounts,
    *,
    actor: str,
    run_id: uuid.UUID,
    now: datetime,
) -> None:
    """Detector state, severity and last-seen of pre-existing findings this import touched."""
    if not session.scalar(select(select(_affected.c.finding_id).exists())):
        return  # first sight of everything: nothing pre-existing changed state
    if is_postgres(session):
        session.execute(_ANALYZE_AFFECTED)
    f = _findings.c
    d = _detections.alias("d")
    own_detections = d.c.finding_id == f.id
    has_active = select(d.c.finding_id).where(own_detections, d.c.active).exists()
    touched = f.id.in_(select(_affected.c.finding_id))
    now_fixed = and_(touched, f.detector_state == DetectorState.ACTIVE.value, ~has_active)
    now_active = and_(touched, f.detector_state == DetectorState.FIXED.value, has_active)
    to_fix = session.scalars(select(f.id).where(now_fixed)).all()
    to_reopen = session.scalars(select(f.id).where(now_active)).all()
    if to_fix:
        session.execute(
            update(_findings)
            .where(now_fixed)
            .values(
                detector_state=DetectorState.FIXED.value, resolved_at=now, version=f.version + 1
            )
        )
    if to_reopen:
        session.execute(
            update(_findings)
            .where(now_active)
            .values(
                detector_state=DetectorState.ACTIVE.value,
                resolved_at=None,
                reopen_count=f.reopen_count + 1,
                version=f.version + 1,
            )
        )

    def of_active(value: ColumnElement[Any]) -> ScalarSelect[Any]:
        return select(value).where(own_detections, d.c.active).scalar_subquery()

    # a secret a later scan verified live (or found revoked) changes the finding too
    verified = func.max(case((d.c.secret_verified, 1), (d.c.secret_verified.is_not(None), 0)))
    session.execute(
        update(_findings)
        .where(touched)
        .values(
            # worst active severity; last seen from the newest detection; verified if any is
            severity_rank=func.coalesce(
                of_active(func.max(severity_rank(d.c.severity))), f.severity_rank
            ),
            last_seen_at=func.coalesce(
                select(func.max(d.c.last_seen_at)).where(own_detections).scalar_subquery(),
                f.last_seen_at,
            ),
            secret_verified=func.coalesce(
                of_active(case({1: true(), 0: false()}, value=verified)), f.secret_verified
            ),
        )
    )
    session.execute(
        update(_findings).where(touched).values(severity=severity_of_rank(f.severity_rank))
    )
    counts.resolved_findings = len(to_fix)
    counts.reopened_findings = len(to_reopen)
    for ids, action, old, new, reason in (
        (to_fix, "auto_resolved", "active", "fixed", "no active detection after a full import"),
        (to_reopen, "reopened", "fixed", "active", "detected again"),
    ):
        audit_service.record_many(
            session, actor, action, "finding", (as_uuid(fid) for fid in ids), from_value=old,
            to_value=new, reason=reason, details={"import_id": str(run_id)}, at=now,
        )  # fmt: skip


def upsert_rules(session: Session, rules: Iterable[dict[str, Any]]) -> None:
    # in one order, so that two imports inserting the same new rules wait for each other
    # instead of deadlocking
    rows = sorted(
        ({"id": uuid.uuid4(), **r} for r in rules), key=lambda r: (r["tool"], r["rule_id"])
    )
    if not rows:
        return
    ins = _insert(session)(Rule)
    for start in range(0, len(rows), 500):
        session.execute(ins.on_conflict_do_nothing(), rows[start : start + 500])


def touch_scope(
    session: Session,  # noqa: ARG001 - the unit of work tracks the scope
    scope: IngestScope,
    *,
    run_id: uuid.UUID,
    now: datetime,
    partial: bool,
) -> None:
    scope.last_import_id = run_id
    scope.last_import_at = now
    if not partial:
        scope.last_full_import_at = now


def add_run(session: Session, run: IngestRun) -> IngestRun:
    session.add(run)
    session.flush()
    return run


@lru_cache(maxsize=4096)
def to_json(value: tuple[Any, ...]) -> str:
    """JSON text of a tuple (references, CWE ids, compliance pairs); rules repeat, so cached."""
    if not value:
        return "[]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def list_runs(
    session: Session,
    *,
    limit: int,
    offset: int,
    status: str | None = None,
    asset: str | None = None,
    tool: str | None = None,
) -> tuple[Sequence[tuple[IngestRun, str | None]], int]:
    """Imports, newest first, each with its asset's name. `tool` matches the tool or the format
    (`sarif` gives every SARIF producer's imports)."""
    stmt = select(IngestRun, Asset.name).outerjoin(Asset, Asset.id == IngestRun.asset_id)
    if status:
        stmt = stmt.where(IngestRun.status == status)
    if asset:
        stmt = stmt.where(Asset.name == asset)
    if tool:
        stmt = stmt.where(or_(IngestRun.tool == tool, IngestRun.format == tool))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(IngestRun.started_at.desc(), IngestRun.id).limit(limit).offset(offset)
    ).all()
    return [(run, name) for run, name in rows], total


def asset_name(session: Session, asset_id: uuid.UUID | None) -> str | None:
    if asset_id is None:
        return None
    name: str | None = session.scalar(select(Asset.name).where(Asset.id == asset_id))
    return name


def get_run(session: Session, run_id: uuid.UUID, *, for_update: bool = False) -> IngestRun | None:
    return session.get(IngestRun, run_id, with_for_update=for_update)


def set_detection_commits(
    session: Session, commits: Sequence[tuple[uuid.UUID, str, str, str]]
) -> None:
    """The commit each (asset id, tool, fingerprint) detection was found in (a secret scanner
    names it per record), after the import wrote its rows: one UPDATE per record that names one,
    none for the others (most reports). Not part of the content hash: a new commit alone is not a
    change of what the detection shows, only of where its link points."""
    if not commits:
        return
    d = _detections
    stmt = (
        update(d)
        .where(
            d.c.asset_id == bindparam("a"),
            d.c.tool == bindparam("t"),
            d.c.fingerprint == bindparam("f"),
            or_(d.c.commit.is_(None), d.c.commit != bindparam("c")),
        )
        .values(commit=bindparam("c"))
    )
    session.execute(stmt, [{"a": a, "t": t, "f": f, "c": c} for a, t, f, c in commits])
