"""Every SQL statement of risk scoring. Set-based: a handful of statements whatever the number of
findings, and no per-finding round trip.

1. `aspm_risk_sel`: the findings to score (an import's, an asset's, or none = all).
2. `aspm_risk_pub`: open findings whose control says their resource is public (toxic combinations).
3. `aspm_risk_in`: per finding, what its score depends on: asset, severity, CVSS, number of tools
   and verified secret, and another finding showing its resource public.
4. The service scores each DISTINCT input (few: findings share assets and severities) in Python,
   with the pure formula, into `aspm_risk_sig`.
5. One UPDATE ... FROM joins findings to their input's score, and stores the input's key; the
   explanation is stored once per (asset, key) in risk_explanations.

A policy change skips 1-4: findings grouped by their stored (asset_id, risk_key) are the distinct
inputs (`distinct_keys`), and one UPDATE rewrites the findings whose key's result changed
(`write_keyed`). Findings without a key yet take the full way.

Statements are SQLAlchemy Core over the mapped tables and the temporary tables below; raw SQL only
for what Core cannot say (session settings, ANALYZE, PRAGMA), as named constants.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Column,
    Double,
    Index,
    Integer,
    Interval,
    MetaData,
    Table,
    Text,
    Uuid,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable, DropTable
from sqlalchemy.sql.expression import ColumnElement

from aspm.audit.models import AuditEvent
from aspm.common import globs
from aspm.db.base import JSONType
from aspm.db.bulk import as_uuid, db_uuid, is_postgres, load_rows
from aspm.findings import sort_keys
from aspm.findings.models import Detection, DetectorState, Finding, RiskExplanation, TriageState
from aspm.findings.states import created_by_import
from aspm.resources.models import Resource, ResourceLink
from aspm.risk.context import encode as encode_context
from aspm.risk.models import RiskPolicyRecord
from aspm.risk.resource_context import is_toxic

SEL = "aspm_risk_sel"
PUB = "aspm_risk_pub"
CTL = "aspm_risk_ctl"
INPUTS = "aspm_risk_in"
SIG = "aspm_risk_sig"
KEYED = "aspm_risk_keyed"
RCTX = "aspm_risk_rctx"
EXPLAINED = "aspm_risk_explained"
KEY_VERSION = "2"  # risk keys written before it have no resource part (read as none)

_findings = cast(Table, Finding.__table__)
_detections = cast(Table, Detection.__table__)
_explanations = cast(Table, RiskExplanation.__table__)
_links = cast(Table, ResourceLink.__table__)
_resources = cast(Table, Resource.__table__)

# the temporary tables of one scoring pass (dropped at its end); their own metadata, never migrated
_temp = MetaData()


def _temp_table(name: str, *columns: Column[Any]) -> Table:
    return Table(name, _temp, *columns, prefixes=["TEMPORARY"])


def _input_columns() -> tuple[Column[Any], ...]:
    """One scoring input; `tv` is tools x 2 + verified, `cvss` -1 for none, `public_via` the
    text of another finding's id showing the resource public ("" for none)."""
    return (
        Column("asset_id", Uuid),
        Column("severity", Text),
        Column("cvss", Double),
        Column("tv", Integer),
        Column("public_via", Text),
        Column("context", Text),
        Column("resource", Text),
    )


def _result_columns() -> tuple[Column[Any], ...]:
    return (
        Column("score", Integer),
        Column("priority", Text),
        Column("days", Integer),
        Column("explanation", JSONType),
    )


_sel = _temp_table(SEL, Column("finding_id", Uuid, primary_key=True))
# resources shown public: the smallest and largest id of the findings showing it, so that each
# finding can name another one (itself excluded) with one hash join
_pub = _temp_table(
    PUB,
    Column("asset_id", Uuid),
    Column("resource", Text),
    Column("min_id", Text),
    Column("max_id", Text),
)
_ctl = _temp_table(CTL, Column("control_id", Text, primary_key=True))
_rctx = _temp_table(RCTX, Column("finding_id", Uuid, primary_key=True), Column("rctx", Text))
_inputs = _temp_table(INPUTS, Column("finding_id", Uuid), *_input_columns())
_sig = _temp_table(SIG, *_input_columns(), Column("risk_key", Text), *_result_columns())
_keyed = _temp_table(KEYED, Column("asset_id", Uuid), Column("risk_key", Text), *_result_columns())
_explained = _temp_table(
    EXPLAINED, Column("asset_id", Uuid), Column("risk_key", Text), Column("explanation", JSONType)
)
_TABLES = (_sel, _pub, _ctl, _inputs, _sig, _keyed, _rctx)
_PUB_INDEX = Index(f"{PUB}_ix", _pub.c.asset_id, _pub.c.resource)
_SIG_INDEX = Index(f"{SIG}_ix", _sig.c.asset_id, _sig.c.severity, _sig.c.tv)  # SQLite only
_KEYED_INDEX = Index(f"{KEYED}_ix", _keyed.c.asset_id, _keyed.c.risk_key)  # SQLite only

# What Core cannot say. A bulk pass on PostgreSQL sorts and hashes in memory and skips JIT
# compilation; on SQLite it keeps the pages it rewrites all over findings cached (256 MiB,
# restored to SQLite's own default of 2000 KiB when the tables are dropped). ANALYZE gives the
# planner the temporary tables' sizes (autovacuum never sees them).
_PG_BULK_SETTINGS = (text("SET LOCAL work_mem = '256MB'"), text("SET LOCAL jit = off"))
_SQLITE_BULK_CACHE = text("PRAGMA cache_size = -262144")
_SQLITE_DEFAULT_CACHE = text("PRAGMA cache_size = -2000")
_ANALYZE_PUB = text("ANALYZE aspm_risk_pub")
_ANALYZE_INPUTS = text("ANALYZE aspm_risk_in")
_ANALYZE_SIG = text("ANALYZE aspm_risk_sig")
_ANALYZE_KEYED = text("ANALYZE aspm_risk_keyed")
# one hash join over findings: the planner's statistics may not know findings' keys yet (written
# since the last ANALYZE) and would loop over findings once per key
_PG_NO_NESTLOOP = text("SET LOCAL enable_nestloop = off")
_PG_NESTLOOP = text("SET LOCAL enable_nestloop = on")


@dataclass(frozen=True, slots=True)
class Signature:
    """One distinct scoring input (findings sharing it share a score)."""

    asset_id: uuid.UUID
    severity: str
    cvss: float | None
    tools: int
    verified: bool
    public_via: uuid.UUID | None
    context: str = ""  # facts the report carries (aspm.risk.context.encode), "" = none
    resource: str = ""  # what the inventory says (aspm.risk.resource_context.encode), "" = none

    def key(self) -> str:
        """Everything but the asset, as stored in findings.risk_key: with the finding's asset it
        is the finding's whole scoring input, so a policy change re-scores distinct keys and
        never has to gather inputs again (scores never go stale: every other change re-scores
        the findings it touches, and writes their key)."""
        cvss = "" if self.cvss is None else repr(self.cvss)
        via = "" if self.public_via is None else self.public_via.hex
        # "2t": in a toxic combination, so that the queue's filter reads it from the key
        version = KEY_VERSION + ("t" if is_toxic(self.resource) else "")
        return (
            f"{version}|{self.severity}|{cvss}|{self.tools}|{int(self.verified)}|{via}|"
            f"{self.resource}|{self.context}"
        )

    @classmethod
    def from_key(cls, asset_id: uuid.UUID, key: str) -> "Signature":
        resource = ""
        if key.startswith((KEY_VERSION + "|", KEY_VERSION + "t|")):
            _, severity, cvss, tools, verified, via, resource, context = key.split("|", 7)
        else:
            severity, cvss, tools, verified, via, context = key.split("|", 5)
        return cls(
            asset_id=asset_id,
            severity=severity,
            cvss=float(cvss) if cvss else None,
            tools=int(tools),
            verified=verified == "1",
            public_via=uuid.UUID(via) if via else None,
            context=context,
            resource=resource,
        )


@dataclass(frozen=True, slots=True)
class ScoredSignature:
    signature: Signature
    score: int
    priority: str | None
    sla_days: int | None
    explanation: str  # JSON text
    changed: bool = True  # differs from what the previous policy gave (policy changes only)


def _insert(session: Session) -> Any:
    """The dialect's INSERT (both have ON CONFLICT)."""
    return pg_insert if is_postgres(session) else sqlite_insert


def _count(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _any(session: Session, table: Table) -> bool:
    return bool(session.scalar(select(select(table).exists())))


def create_temp_tables(session: Session) -> None:
    drop_temp_tables(session)
    conn = session.connection()
    for table in _TABLES:
        conn.execute(CreateTable(table))
    _PUB_INDEX.create(conn)
    if is_postgres(session):
        for setting in _PG_BULK_SETTINGS:
            session.execute(setting)
    else:
        session.execute(_SQLITE_BULK_CACHE)


def drop_temp_tables(session: Session) -> None:
    conn = session.connection()
    for table in _TABLES:
        conn.execute(DropTable(table, if_exists=True))
    if not is_postgres(session):
        session.execute(_SQLITE_DEFAULT_CACHE)


@dataclass(frozen=True, slots=True)
class PublicControls:
    """Control patterns (the one glob dialect, aspm.common.globs) that show a resource public,
    and exceptions to them."""

    include: Sequence[str]
    exclude: Sequence[str] = ()


def _public_controls(controls: PublicControls, control_id: Any) -> ColumnElement[bool]:
    """Control ids (the column `control_id`) that say their resource is public: the one glob
    dialect, as the Python side matches these patterns (aspm.resources.exposure): case
    ignored, `*` within one `/`-separated segment. One alternation per list
    (globs.sql_regex_any). Meant for distinct control ids: an expression of a dozen patterns
    costs ~8 µs a row on PostgreSQL, a Python call on SQLite."""

    def any_of(patterns: Sequence[str]) -> ColumnElement[bool]:
        matches: ColumnElement[bool] = control_id.regexp_match(globs.sql_regex_any(patterns))
        return matches

    if not controls.include:
        return false()
    return and_(
        any_of(controls.include), *([~any_of(controls.exclude)] if controls.exclude else [])
    )


def select_import(
    session: Session,
    *,
    run_id: uuid.UUID,
    affected: Sequence[uuid.UUID],
    public_controls: PublicControls,
    created_scored: bool = False,
    asset_ids: Sequence[uuid.UUID] | None = None,
) -> int:
    """Select the findings an import created or touched, and every other finding on a resource
    that one of them shows public (or showed public before it was fixed). Returns the count.

    `created_scored`: the import scored the findings it created as it wrote them (aspm.risk.inline),
    so they are selected only when a public resource involves them. `asset_ids`: the import's
    assets (see created_by_import)."""
    load_rows(session, SEL, ("finding_id",), [(db_uuid(session, f),) for f in set(affected)])
    f = _findings.c
    created = created_by_import(run_id, asset_ids)
    if not created_scored:
        session.execute(
            _insert(session)(_sel)
            .from_select(["finding_id"], select(f.id).where(created))
            .on_conflict_do_nothing()
        )
    if not affected and not session.scalar(select(select(f.id).where(created).exists())):
        return 0  # an identical re-import created and touched nothing
    if public_controls.include:
        # the resources that a finding of the import shows public (fixed ones too): the
        # patterns run once per distinct control id of the import, not once per finding
        # (0.8 s -> 0.14 s on PostgreSQL for a 100k-finding Checkov import)
        # a UNION ALL, not an OR: each side reads an index (the selected ids, the assets'
        # range); a finding on both sides is harmless (the selections below are DISTINCT), where
        # UNION's own DISTINCT sorted every row (0.2 s for 100k)
        shown = (f.resource.is_not(None), f.triage_state != TriageState.FALSE_POSITIVE.value)
        involved = (
            union_all(
                select(f.asset_id, f.resource, f.control_id).where(
                    f.id.in_(select(_sel.c.finding_id)), *shown
                ),
                select(f.asset_id, f.resource, f.control_id).where(created, *shown),
            )
            .cte("involved")
            .prefix_with("MATERIALIZED")
        )
        controls = (  # materialized, so the patterns are not pushed into the scan of `involved`
            select(involved.c.control_id).distinct().cte("controls").prefix_with("MATERIALIZED")
        )
        public = select(controls.c.control_id).where(
            _public_controls(public_controls, controls.c.control_id)
        )
        session.execute(
            insert(_pub).from_select(
                ["asset_id", "resource", "min_id", "max_id"],
                select(involved.c.asset_id, involved.c.resource, literal(""), literal(""))
                .distinct()
                .where(involved.c.control_id.in_(public)),
            )
        )
        on_public = select(_pub).where(_pub.c.asset_id == f.asset_id, _pub.c.resource == f.resource)
        session.execute(
            _insert(session)(_sel)
            .from_select(
                ["finding_id"],
                select(f.id).where(f.asset_id.in_(select(_pub.c.asset_id)), on_public.exists()),
            )
            .on_conflict_do_nothing()
        )
        session.execute(delete(_pub))
    if not _any(session, _sel):
        return 0  # nothing to (re)score, e.g. an identical re-import
    return _count(session, _sel)


def select_assets(session: Session, *, asset_ids: Sequence[uuid.UUID]) -> int:
    f = _findings.c
    for asset_id in asset_ids:
        session.execute(
            insert(_sel).from_select(["finding_id"], select(f.id).where(f.asset_id == asset_id))
        )
    return _count(session, _sel)


def _public_control_ids(
    session: Session,
    controls: PublicControls,
    f: Any,
    in_scope: Sequence[ColumnElement[bool]],
) -> int:
    """Load the distinct control ids of the findings in scope (`f`, an alias of findings) that
    show their resource public: the patterns run once per distinct id (_public_controls), as
    select_import runs them."""
    if not controls.include:
        return 0
    ids = (  # materialized, so the patterns are not pushed into the scan of findings
        select(f.c.control_id)
        .where(f.c.resource.is_not(None), *in_scope)
        .distinct()
        .cte("ids")
        .prefix_with("MATERIALIZED")
    )
    session.execute(
        insert(_ctl).from_select(
            ["control_id"],
            select(ids.c.control_id).where(_public_controls(controls, ids.c.control_id)),
        )
    )
    return _count(session, _ctl)


def gather_inputs(session: Session, *, everything: bool, public_controls: PublicControls) -> None:
    """Fill the inputs table for the selected findings (all of them when `everything`)."""
    f = _findings.alias("f")
    id_text = sql_cast(f.c.id, Text)
    in_scope: list[ColumnElement[bool]] = []
    if not everything:
        selected = select(_sel.c.finding_id)
        in_scope.append(
            f.c.asset_id.in_(
                select(_findings.c.asset_id).distinct().where(_findings.c.id.in_(selected))
            )
        )
    if _public_control_ids(session, public_controls, f, in_scope):
        session.execute(
            insert(_pub).from_select(
                ["asset_id", "resource", "min_id", "max_id"],
                select(f.c.asset_id, f.c.resource, func.min(id_text), func.max(id_text))
                .select_from(f.join(_ctl, _ctl.c.control_id == f.c.control_id))
                .where(
                    f.c.resource.is_not(None),
                    f.c.detector_state == DetectorState.ACTIVE.value,
                    f.c.triage_state != TriageState.FALSE_POSITIVE.value,
                    *in_scope,
                )
                .group_by(f.c.asset_id, f.c.resource),
            )
        )
    if is_postgres(session):
        session.execute(_ANALYZE_PUB)
    p = _pub.c
    public_via = case(
        (p.min_id.is_(None), ""),
        (p.min_id != id_text, p.min_id),
        (p.max_id != p.min_id, p.max_id),
        else_="",
    )
    columns = [
        "finding_id",
        "asset_id",
        "severity",
        "cvss",
        "tv",
        "public_via",
        "context",
        "resource",
    ]

    def inputs(tv: ColumnElement[Any]) -> Any:
        return select(
            f.c.id,
            f.c.asset_id,
            f.c.severity,
            func.coalesce(f.c.cvss, -1.0),
            func.coalesce(tv, 0),
            public_via,
            func.coalesce(f.c.context, ""),
            func.coalesce(_rctx.c.rctx, ""),
        )

    def with_context(source: Any) -> Any:
        return source.outerjoin(
            _pub, and_(p.asset_id == f.c.asset_id, p.resource == f.c.resource)
        ).outerjoin(_rctx, _rctx.c.finding_id == f.c.id)

    d = _detections.alias("d")
    fixed = f.c.detector_state == DetectorState.FIXED.value
    if everything:
        # two hash aggregates over the detections (per finding and tool, then per finding)
        # beat a million index probes: tools x 2 + verified, active detections only unless the
        # finding is fixed
        per_tool = (
            select(
                d.c.finding_id,
                d.c.tool,
                func.max(case((d.c.active, 1), else_=0)).label("act"),
                func.max(case((and_(d.c.active, d.c.secret_verified), 1), else_=0)).label(
                    "act_ver"
                ),
                func.max(case((d.c.secret_verified, 1), else_=0)).label("ver"),
            )
            .group_by(d.c.finding_id, d.c.tool)
            .subquery("t")
        )
        t = per_tool.c
        per_finding = (
            select(
                t.finding_id,
                (func.sum(t.act) * 2 + func.max(t.act_ver)).label("tv"),
                (func.count() * 2 + func.max(t.ver)).label("tv_all"),
            )
            .group_by(t.finding_id)
            .subquery("a")
        )
        a = per_finding.c
        stmt = inputs(case((fixed, a.tv_all), else_=a.tv)).select_from(
            with_context(f.outerjoin(per_finding, a.finding_id == f.c.id))
        )
    else:
        tools_verified = (
            select(
                func.count(d.c.tool.distinct()) * 2
                + func.max(case((d.c.secret_verified, 1), else_=0))
            )
            .where(d.c.finding_id == f.c.id, or_(d.c.active, fixed))
            .scalar_subquery()
        )
        stmt = inputs(tools_verified).select_from(
            with_context(f.join(_sel, _sel.c.finding_id == f.c.id))
        )
    session.execute(insert(_inputs).from_select(columns, stmt))


def load_resource_contexts(session: Session, rows: Sequence[tuple[uuid.UUID, str]]) -> None:
    """(finding id, encoded resource context) of the findings the inventory knows something
    about; gather_inputs joins them."""
    load_rows(session, RCTX, ("finding_id", "rctx"), [(db_uuid(session, f), c) for f, c in rows])


def select_inventory(session: Session, *, run_id: uuid.UUID, everything_linked: bool) -> int:
    """Add to the selection the findings whose resource context an import may have changed:
    with `everything_linked` (the import brought resources) every finding linked to a resource,
    else the findings linked to the resources of the assets whose resources this import's
    findings are linked to (a toxic combination is a path over one asset's resources)."""
    links, resources = _links.c, _resources.c
    if everything_linked:  # "WHERE true": SQLite's upsert after INSERT ... SELECT needs a WHERE
        linked = select(links.finding_id).where(true())
    else:
        l2, r2 = _links.alias("l2"), _resources.alias("r2")
        imported = select(_detections.c.finding_id).where(_detections.c.last_import_id == run_id)
        touched_assets = (
            select(r2.c.asset_id)
            .select_from(l2.join(r2, r2.c.id == l2.c.resource_id))
            .where(l2.c.finding_id.in_(imported))
        )
        linked = (
            select(links.finding_id)
            .select_from(_links.join(_resources, resources.id == links.resource_id))
            .where(resources.asset_id.in_(touched_assets))
        )
    session.execute(
        _insert(session)(_sel).from_select(["finding_id"], linked).on_conflict_do_nothing()
    )
    return _count(session, _sel)


def count_inputs(session: Session) -> int:
    return _count(session, _inputs)


RawInput = tuple[Signature, str]  # a distinct input, and the findings' stored context text


def distinct_inputs(session: Session) -> list[RawInput]:
    i = _inputs.c
    rows = session.execute(
        select(i.asset_id, i.severity, i.cvss, i.tv, i.public_via, i.context, i.resource).distinct()
    ).all()
    return [
        (
            Signature(
                asset_id=as_uuid(asset_id),
                severity=severity,
                cvss=None if cvss < 0 else float(cvss),
                tools=int(tv) // 2,
                verified=bool(int(tv) % 2),
                public_via=as_uuid(via) if via else None,
                context=encode_context(raw),
                resource=resource,
            ),
            raw,
        )
        for asset_id, severity, cvss, tv, via, raw, resource in rows
    ]


def _due(session: Session, days: ColumnElement[Any]) -> ColumnElement[Any]:
    """SLA due date: the finding's first sighting plus `days` (NULL: no priority)."""
    first_seen = _findings.c.first_seen_at
    if is_postgres(session):
        due: ColumnElement[Any] = first_seen + days * literal_column("INTERVAL '1 day'", Interval)
    else:  # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff": shift the date part, keep the fraction
        shift = literal("+").concat(days).concat(" days")
        due = func.strftime("%Y-%m-%d %H:%M:%S", first_seen, shift).concat(
            func.substr(first_seen, 20)
        )
    return case((days.is_(None), None), else_=due)


def write_scores(
    session: Session,
    scored: Sequence[tuple[ScoredSignature, str]],
    *,
    policy_version: str,
) -> int:
    """Store each selected finding's score (and its key) from its input's; rows that already
    hold exactly that result are not rewritten. Returns the rows updated."""
    pg = is_postgres(session)
    rows = [
        (
            db_uuid(session, s.signature.asset_id),
            s.signature.severity,
            -1.0 if s.signature.cvss is None else s.signature.cvss,
            s.signature.tools * 2 + int(s.signature.verified),
            "" if s.signature.public_via is None else _via_text(session, s.signature.public_via),
            raw,
            s.signature.resource,
            s.signature.key(),
            s.score,
            s.priority,
            s.sla_days,
            s.explanation,
        )
        for s, raw in scored
    ]
    load_rows(session, SIG, tuple(c.name for c in _sig.columns), rows)
    if pg:
        session.execute(_ANALYZE_SIG)
        session.execute(_ANALYZE_INPUTS)
    else:
        _SIG_INDEX.create(session.connection())
    _store_explanations_from(session, _sig)
    f, i, s = _findings.c, _inputs.c, _sig.c
    due = _due(session, s.days)
    if pg:
        sort_keys.defer(session)
    result = session.execute(
        update(_findings)
        .where(
            f.id == i.finding_id,
            *(
                s[c] == i[c]
                for c in ("asset_id", "severity", "cvss", "tv", "public_via", "context", "resource")
            ),
            or_(
                f.risk_score.is_distinct_from(s.score),
                f.priority.is_distinct_from(s.priority),
                f.sla_due_at.is_distinct_from(due),
                f.risk_key.is_distinct_from(s.risk_key),
            ),
        )
        .values(
            risk_score=s.score,
            priority=s.priority,
            risk_policy_version=policy_version,
            sla_due_at=due,
            risk_key=s.risk_key,
        )
    )
    updated = max(int(result.rowcount), 0)  # type: ignore[attr-defined]
    if pg:
        sort_keys.after_bulk_write(session, updated, select(i.finding_id))
    return updated


# --- explanations: one per (asset, key), shared by the findings holding that key ----------


def _store_explanations_from(session: Session, table: Table) -> None:
    """Insert the (asset_id, risk_key, explanation) rows of a temp table of scored keys (SIG,
    KEYED, EXPLAINED), one per pair, or replace a stored explanation that differs."""
    t = table.c
    if is_postgres(session):
        rows = (
            select(t.asset_id, t.risk_key, t.explanation)
            .ext(distinct_on(t.asset_id, t.risk_key))
            .order_by(t.asset_id, t.risk_key)
        )
    else:  # "WHERE true": SQLite's upsert after INSERT ... SELECT needs a WHERE to parse
        rows = (
            select(t.asset_id, t.risk_key, t.explanation)
            .where(true())
            .group_by(t.asset_id, t.risk_key)
        )
    ins = _insert(session)(_explanations).from_select(["asset_id", "risk_key", "explanation"], rows)
    session.execute(
        ins.on_conflict_do_update(
            index_elements=["asset_id", "risk_key"],
            set_={"explanation": ins.excluded.explanation},
            where=_explanations.c.explanation.is_distinct_from(ins.excluded.explanation),
        )
    )


def store_explanations(session: Session, rows: Sequence[tuple[Any, str, str]]) -> None:
    """Store (asset_id as db_uuid gives it, risk_key, explanation JSON text) rows: the
    explanations an import scored inline (few: one per distinct input)."""
    if not rows:
        return
    conn = session.connection()
    conn.execute(DropTable(_explained, if_exists=True))
    conn.execute(CreateTable(_explained))
    load_rows(session, EXPLAINED, ("asset_id", "risk_key", "explanation"), rows)
    _store_explanations_from(session, _explained)
    conn.execute(DropTable(_explained))


def drop_unused_explanations(session: Session) -> int:
    """Delete the explanations of keys no finding holds any more. Returns how many."""
    e, f = _explanations.c, _findings.c
    if is_postgres(session):  # an anti-join: one hash over findings
        held = select(_findings).where(f.asset_id == e.asset_id, f.risk_key == e.risk_key)
        stmt = delete(_explanations).where(~held.exists())
    else:  # the subquery's rows become one temporary index, probed per explanation
        keys = select(f.asset_id, f.risk_key).where(f.risk_key.is_not(None))
        stmt = delete(_explanations).where(tuple_(e.asset_id, e.risk_key).not_in(keys))
    return max(int(session.execute(stmt).rowcount), 0)  # type: ignore[attr-defined]


# --- a policy change: distinct keys, no inputs gathered ------------------------------------


def select_unkeyed(session: Session) -> int:
    """Select the findings without a key or a score (never scored, or scored before keys were
    stored)."""
    f = _findings.c
    session.execute(
        insert(_sel).from_select(
            ["finding_id"], select(f.id).where(or_(f.risk_key.is_(None), f.risk_score.is_(None)))
        )
    )
    return _count(session, _sel)


def distinct_keys(session: Session) -> tuple[list[Signature], int]:
    """Every distinct scoring input of the scored findings, from their stored keys, and how many
    findings have one (select_unkeyed takes the others)."""
    f = _findings.c
    rows = session.execute(
        select(f.asset_id, f.risk_key, func.count())
        .where(f.risk_key.is_not(None), f.risk_score.is_not(None))
        .group_by(f.asset_id, f.risk_key)
    ).all()
    keys = [Signature.from_key(as_uuid(asset_id), key) for asset_id, key, _ in rows]
    return keys, sum(int(n) for _, _, n in rows)


def write_keyed(session: Session, scored: Sequence[ScoredSignature], *, policy_version: str) -> int:
    """Rewrite the findings whose key's result changed. Returns the rows updated."""
    rows = [
        (
            db_uuid(session, s.signature.asset_id),
            s.signature.key(),
            s.score,
            s.priority,
            s.sla_days,
            s.explanation,
        )
        for s in scored
        if s.changed
    ]
    if not rows:
        return 0
    load_rows(session, KEYED, tuple(c.name for c in _keyed.columns), rows)
    pg = is_postgres(session)
    if pg:
        session.execute(_ANALYZE_KEYED)
        session.execute(_PG_NO_NESTLOOP)
    else:  # findings outside, the few keys probed through the index
        _KEYED_INDEX.create(session.connection())
    _store_explanations_from(session, _keyed)
    f, k = _findings.c, _keyed.c
    if pg:
        sort_keys.defer(session)
    result = session.execute(
        update(_findings)
        .where(f.asset_id == k.asset_id, f.risk_key == k.risk_key, f.risk_score.is_not(None))
        .values(
            risk_score=k.score,
            priority=k.priority,
            risk_policy_version=policy_version,
            sla_due_at=_due(session, k.days),
        )
    )
    updated = max(int(result.rowcount), 0)  # type: ignore[attr-defined]
    if pg:
        session.execute(_PG_NESTLOOP)
        rewritten = select(f.id).where(f.asset_id == k.asset_id, f.risk_key == k.risk_key)
        sort_keys.after_bulk_write(session, updated, rewritten)
    return updated


def _via_text(session: Session, value: uuid.UUID) -> str:
    """A finding id as CAST(id AS TEXT) renders it on this dialect."""
    return str(value) if is_postgres(session) else value.hex


def latest_policy(session: Session) -> RiskPolicyRecord | None:
    return session.scalars(
        select(RiskPolicyRecord).order_by(RiskPolicyRecord.applied_at.desc()).limit(1)
    ).first()


def add_policy(session: Session, record: RiskPolicyRecord) -> RiskPolicyRecord:
    session.add(record)
    session.flush()
    return record


def audit_events(session: Session, *, object_type: str, limit: int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


def now_param(session: Session, value: datetime) -> Any:
    return value if is_postgres(session) else value.replace(tzinfo=None)
