"""Read-only SQL over other domains' tables for the metrics: every query aggregates in the database
and returns a small frame (days x groups), never one row per finding.

Definitions shared by every metric (DESIGN.md section 8):
- open: the detector still reports it (`detector_state = active`), no tool or suppression rule
  hides it, and its triage state is new, confirmed or in_progress (accepted risks, false
  positives and won't-fix are decided, so not open).
- resolved: the detector no longer reports it (`detector_state = fixed`, `resolved_at` set) and it
  is not a false positive. A reopened finding keeps its first_seen_at; its resolved_at is the
  latest resolution.
- a finding's team is its own team, else its asset's owner team.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    TextClause,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    literal,
    or_,
    select,
    table,
    text,
    union_all,
)

from aspm.assets.models import Asset
from aspm.audit.models import AuditEvent
from aspm.db.base import UTCDateTime
from aspm.findings.models import DetectorState, Finding, TriageState
from aspm.findings.states import undecided
from aspm.ingest.models import IngestScope
from aspm.metrics.models import (
    NO_PRIORITY,
    NO_TEAM,
    SEVERITIES,
    ComplianceStatus,
    MetricFlow,
    MetricFlowByAsset,
    MetricSnapshot,
    MetricSnapshotTotal,
)
from aspm.resources.models import Resource

Rows = Select[*tuple[Any, ...]]  # a select of any columns, read into a DataFrame


# The gate helper's table, by its documented shape (aspm.gate.models.GateEvaluation): metrics read
# only these columns, so a stand-in keeps this module importable before and after that model.
gate_evaluations = table(
    "gate_evaluations",
    column("evaluated_at", UTCDateTime()),
    column("asset_id", Uuid()),
    column("branch", String()),
    column("passed", Boolean()),
    column("failed_count", Integer()),
    column("dry_run", Boolean()),
)


@dataclass(frozen=True, slots=True)
class Filters:
    team: str | None = None
    asset: str | None = None  # asset name
    environment: str | None = None
    severity: str | None = None
    priority: str | None = None
    category: str | None = None


def team_expr() -> ColumnElement[str]:
    return func.coalesce(Finding.team, Asset.owner_team, literal(NO_TEAM))


def priority_expr() -> ColumnElement[str]:
    """A finding's priority key (metrics.models): its priority's text, or NO_PRIORITY."""
    return func.coalesce(Finding.priority, literal(NO_PRIORITY), type_=String(4))


def day_of(col: Any, dialect: str) -> ColumnElement[date]:
    """The UTC calendar day of a timestamp."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", col))
    return func.date(col)


def _finding_dims(dialect: str) -> dict[str, Any]:  # noqa: ARG001 - symmetry
    return {
        "severity": Finding.severity,
        "priority": priority_expr(),
        "team": team_expr(),
        "asset": Asset.name,
        "environment": Asset.environment,
        "category": Finding.category,
    }


FINDING_DIMENSIONS = ("severity", "priority", "team", "asset", "environment", "category")


def _finding_filters(f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.team is not None:
        where.append(team_expr() == f.team)
    if f.asset is not None:
        where.append(Asset.name == f.asset)
    if f.environment is not None:
        where.append(Asset.environment == f.environment)
    if f.severity is not None:
        where.append(Finding.severity == f.severity)
    if f.priority is not None:
        where.append(priority_expr() == f.priority)
    if f.category is not None:
        where.append(Finding.category == f.category)
    return where


def _seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def resolved_by_day(
    dialect: str, *, start: datetime, end: datetime, filters: Filters, dims: tuple[str, ...]
) -> Rows:
    """Findings resolved in [start, end) (false positives excluded) per day and dimension:
    count, total seconds from first_seen to resolved, and how many had an SLA and met it."""
    dim_cols = _finding_dims(dialect)
    day = day_of(Finding.resolved_at, dialect).label("day")
    has_sla = Finding.sla_due_at.is_not(None)
    return (
        select(
            day,
            *(dim_cols[d].label(d) for d in dims),
            func.count().label("resolved"),
            func.sum(_seconds_between(Finding.first_seen_at, Finding.resolved_at, dialect)).label(
                "seconds"
            ),
            func.sum(case((has_sla, 1), else_=0)).label("with_sla"),
            func.sum(
                case((and_(has_sla, Finding.resolved_at <= Finding.sla_due_at), 1), else_=0)
            ).label("within_sla"),
        )
        .select_from(Finding)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(
            Finding.resolved_at.is_not(None),
            Finding.resolved_at >= start,
            Finding.resolved_at < end,
            Finding.detector_state == DetectorState.FIXED,
            Finding.triage_state != TriageState.FALSE_POSITIVE,
            *_finding_filters(filters),
        )
        .group_by(day, *(dim_cols[d] for d in dims))
    )


def created_by_day(
    dialect: str, *, start: datetime, end: datetime, filters: Filters, dims: tuple[str, ...]
) -> Rows:
    """Findings first seen in [start, end), false positives excluded, per day and dimension."""
    dim_cols = _finding_dims(dialect)
    day = day_of(Finding.first_seen_at, dialect).label("day")
    return (
        select(day, *(dim_cols[d].label(d) for d in dims), func.count().label("created"))
        .select_from(Finding)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(
            Finding.first_seen_at >= start,
            Finding.first_seen_at < end,
            Finding.triage_state != TriageState.FALSE_POSITIVE,
            *_finding_filters(filters),
        )
        .group_by(day, *(dim_cols[d] for d in dims))
    )


def reopened_by_day(
    dialect: str,
    *,
    start: datetime,
    end: datetime,
    filters: Filters,
    dims: tuple[str, ...],
    categories: tuple[str, ...],
) -> Rows:
    """Findings of these categories that the detector reopened in [start, end) (audit events
    `reopened`), counted once per finding and day. Cloud regressions grouped and filtered by
    flow dimensions only are read from metric_flows (kind `regressed`, see _regressed)."""
    flows = set(dims) <= set(FLOW_DIMENSIONS) and filters.asset is None
    if flows and filters.category is None and categories == REGRESSION_CATEGORIES:
        first, last = start.date(), (end - timedelta(microseconds=1)).date()
        series = flows_series(first=first, last=last, kind="regressed", filters=filters, dims=dims)
        counted = series.subquery()
        return select(
            counted.c.day, *(counted.c[d] for d in dims), counted.c.count.label("reopened")
        )
    dim_cols = _finding_dims(dialect)
    day = day_of(AuditEvent.at, dialect).label("day")
    return (
        select(
            day,
            *(dim_cols[d].label(d) for d in dims),
            func.count(func.distinct(AuditEvent.object_id)).label("reopened"),
        )
        .select_from(AuditEvent)
        .join(Finding, Finding.id == AuditEvent.object_id)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(
            AuditEvent.at >= start,
            AuditEvent.at < end,
            AuditEvent.action == "reopened",
            AuditEvent.object_type == "finding",
            Finding.category.in_(categories),
            *_finding_filters(filters),
        )
        .group_by(day, *(dim_cols[d] for d in dims))
    )


# --- snapshots -----------------------------------------------------------------------------------

SNAPSHOT_COUNTS = (
    "open_count", "open_risk", "overdue_count", "accepted_count",
    *(f"open_{s}" for s in SEVERITIES), *(f"risk_{s}" for s in SEVERITIES),
)  # fmt: skip


def snapshot_source(
    *, day: date, as_of: datetime, taken_at: datetime, asset_ids: list[uuid.UUID] | None
) -> Rows:
    """The rows of one day's snapshot, computed from the findings as they stand at `as_of`.

    For today (`as_of` = now) this is exact. For a past day it reconstructs from first_seen_at and
    resolved_at with today's triage states and severities: a finding reopened after that day
    counts as it stands now (the earlier resolution is not kept on the finding).

    The findings are aggregated alone (by asset, own team, priority: a hash aggregate over one
    table), and the few resulting rows joined to their assets for the team and environment."""
    alive = or_(Finding.detector_state == DetectorState.ACTIVE, Finding.resolved_at > as_of)
    is_open = undecided()  # with `alive`: open as of that day (aspm.findings.states)
    risk = func.coalesce(Finding.risk_score, 0)
    overdue = and_(is_open, Finding.sla_due_at.is_not(None), Finding.sla_due_at < as_of)

    def count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((cond, 1), else_=0))

    def risk_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((cond, risk), else_=0))

    per_finding = (
        select(
            Finding.asset_id.label("asset_id"),
            Finding.team.label("team"),
            Finding.priority.label("priority"),
            count_if(is_open).label("open_count"),
            risk_if(is_open).label("open_risk"),
            count_if(overdue).label("overdue_count"),
            count_if(Finding.triage_state == TriageState.ACCEPTED_RISK).label("accepted_count"),
            *(
                count_if(and_(is_open, Finding.severity == s)).label(f"open_{s}")
                for s in SEVERITIES
            ),
            *(risk_if(and_(is_open, Finding.severity == s)).label(f"risk_{s}") for s in SEVERITIES),
        )
        .where(Finding.first_seen_at <= as_of, alive)
        .group_by(Finding.asset_id, Finding.team, Finding.priority)
    )
    if asset_ids is not None:
        per_finding = per_finding.where(Finding.asset_id.in_(asset_ids))
    agg = per_finding.subquery("agg")
    team = func.coalesce(agg.c.team, Asset.owner_team, literal(NO_TEAM))
    prio = func.coalesce(agg.c.priority, literal(NO_PRIORITY), type_=String(4))
    open_count = func.sum(agg.c.open_count)
    accepted = func.sum(agg.c.accepted_count)
    return (
        select(
            bindparam("day", day, type_=Date()),
            agg.c.asset_id,
            team.label("team"),
            prio.label("priority"),
            Asset.environment,
            *(func.sum(agg.c[c]).label(c) for c in SNAPSHOT_COUNTS),
            bindparam("taken_at", taken_at, type_=UTCDateTime()),
        )
        .select_from(agg)
        .join(Asset, Asset.id == agg.c.asset_id)
        .group_by(agg.c.asset_id, team, prio, Asset.environment)
        .having(or_(open_count > 0, accepted > 0))
    )


def totals_source(*, day: date) -> Rows:
    """The day's snapshot rows summed over assets (metric_snapshot_totals)."""
    s = MetricSnapshot
    return (
        select(
            s.day,
            s.team,
            s.environment,
            s.priority,
            func.count().label("assets"),
            *(func.sum(getattr(s, c)).label(c) for c in SNAPSHOT_COUNTS),
        )
        .where(s.day == day)
        .group_by(s.day, s.team, s.environment, s.priority)
    )


def carried_forward(*, day: date, source_day: date, exclude: list[uuid.UUID]) -> Rows:
    """The rows of `source_day` as rows of `day` (keeping their taken_at), but for `exclude`."""
    s = MetricSnapshot
    return select(
        bindparam("day", day, type_=Date()),
        s.asset_id,
        s.team,
        s.priority,
        s.environment,
        *(getattr(s, c) for c in SNAPSHOT_COUNTS),
        s.taken_at,
    ).where(s.day == source_day, s.asset_id.not_in(exclude))


def compliance_source(dialect: str, *, asset_filter: bool) -> TextClause:
    """(asset_id, framework, control, open, fixed) from each finding's compliance references.

    Open here means the control fails: the detector still reports the finding and it is not a
    false positive (an accepted risk is an exception to the control, not a pass)."""
    where = "WHERE f.asset_id IN :asset_ids" if asset_filter else ""
    if dialect == "postgresql":
        sql = (  # fixed text: nothing from a request enters it
            "SELECT f.asset_id, ref->>0 AS framework, ref->>1 AS control, "  # noqa: S608
            "SUM(CASE WHEN f.detector_state = 'active' THEN 1 ELSE 0 END) AS open_count, "
            "SUM(CASE WHEN f.detector_state = 'fixed' THEN 1 ELSE 0 END) AS fixed_count "
            "FROM findings f CROSS JOIN LATERAL jsonb_array_elements(f.compliance) AS ref "
            f"{where} {'AND' if where else 'WHERE'} f.triage_state <> 'false_positive' "
            "AND jsonb_array_length(ref) >= 2 "
            "GROUP BY f.asset_id, ref->>0, ref->>1"
        )
    else:
        sql = (
            "SELECT f.asset_id, json_extract(ref.value, '$[0]') AS framework, "  # noqa: S608
            "json_extract(ref.value, '$[1]') AS control, "
            "SUM(CASE WHEN f.detector_state = 'active' THEN 1 ELSE 0 END) AS open_count, "
            "SUM(CASE WHEN f.detector_state = 'fixed' THEN 1 ELSE 0 END) AS fixed_count "
            "FROM findings f, json_each(f.compliance) AS ref "
            f"{where} {'AND' if where else 'WHERE'} f.triage_state <> 'false_positive' "
            "AND json_array_length(ref.value) >= 2 "
            "GROUP BY f.asset_id, framework, control"
        )
    stmt = text(sql)
    if asset_filter:
        stmt = stmt.bindparams(bindparam("asset_ids", expanding=True))
    return stmt


FLOW_COLUMNS = (
    "day", "kind", "team", "environment", "priority", "severity", "count", "seconds",
    "with_sla", "within_sla",
)  # fmt: skip
ASSET_FLOW_COLUMNS = ("day", "asset_id", *FLOW_COLUMNS[1:])  # metric_flows_by_asset
FLOW_DIMENSIONS = ("severity", "priority", "team", "environment")


def flows_source(
    dialect: str,
    *,
    since: datetime | None,
    until: datetime | None = None,
    asset_ids: list[uuid.UUID] | None = None,
    by_asset: bool = False,
) -> Rows:
    """metric_flows rows from the findings (all days, or those in [since, until)): per UTC day,
    findings created (first seen), resolved (false positives excluded), drift created and
    cloud findings reopened (`regressed`). `by_asset`: per asset too (metric_flows_by_asset's
    columns, ASSET_FLOW_COLUMNS); `asset_ids`: only these assets' findings, so that an import
    reads its own assets' findings of the day, not every asset's."""
    team = team_expr()
    prio = priority_expr()
    has_sla = Finding.sla_due_at.is_not(None)
    not_fp = Finding.triage_state != TriageState.FALSE_POSITIVE
    asset = [Finding.asset_id] if by_asset else []

    def within(when: Any) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if since is not None:
            where.append(when >= since)
        if until is not None:
            where.append(when < until)
        if asset_ids is not None:
            where.append(Finding.asset_id.in_(asset_ids))
        return where

    def flow(kind: str, when: Any, *extra: ColumnElement[bool], resolved: bool = False) -> Rows:
        day = day_of(when, dialect)
        seconds = (
            func.sum(_seconds_between(Finding.first_seen_at, Finding.resolved_at, dialect))
            if resolved
            else literal(0.0)
        )
        met = and_(has_sla, Finding.resolved_at <= Finding.sla_due_at)
        return (
            select(
                day.label("day"),
                *asset,
                literal(kind).label("kind"),
                team.label("team"),
                Asset.environment,
                prio.label("priority"),
                Finding.severity,
                func.count().label("count"),
                seconds.label("seconds"),
                (func.sum(case((has_sla, 1), else_=0)) if resolved else literal(0)).label(
                    "with_sla"
                ),
                (func.sum(case((met, 1), else_=0)) if resolved else literal(0)).label("within_sla"),
            )
            .select_from(Finding)
            .join(Asset, Asset.id == Finding.asset_id)
            .where(not_fp, *extra, *within(when))
            .group_by(day, *asset, team, Asset.environment, prio, Finding.severity)
        )

    created = flow("created", Finding.first_seen_at)
    resolved = flow(
        "resolved",
        Finding.resolved_at,
        Finding.resolved_at.is_not(None),
        Finding.detector_state == DetectorState.FIXED,
        resolved=True,
    )
    drift = flow("drift", Finding.first_seen_at, Finding.category == "drift")
    regressed = _regressed(dialect, where=within(AuditEvent.at), by_asset=by_asset)
    return union_all(created, resolved, drift, regressed)  # type: ignore[return-value]


REGRESSION_CATEGORIES = ("cspm",)  # a reopened finding of these is a cloud regression (drift)


def _regressed(dialect: str, *, where: list[ColumnElement[bool]], by_asset: bool) -> Rows:
    """Flows of kind `regressed` (of the events and findings `where` selects): per day, cloud
    findings the detector reopened (audit events `reopened`; reopened_by_day's count, once per
    finding and day). Drift reads these: joining its 10,000 reopened events of 90 days to their
    findings at every request took 0.27-0.41 s at 1M findings (a random heap read per event);
    here it is paid once per import (today's events of its assets) and per `aspm metrics
    snapshot`. A finding belongs to one asset, so per-asset counts sum to the overall one."""
    day = day_of(AuditEvent.at, dialect)
    team, prio = team_expr(), priority_expr()
    asset = [Finding.asset_id] if by_asset else []
    return (
        select(
            day.label("day"),
            *asset,
            literal("regressed").label("kind"),
            team.label("team"),
            Asset.environment,
            prio.label("priority"),
            Finding.severity,
            func.count(func.distinct(AuditEvent.object_id)).label("count"),
            literal(0.0).label("seconds"),
            literal(0).label("with_sla"),
            literal(0).label("within_sla"),
        )
        .select_from(AuditEvent)
        .join(Finding, Finding.id == AuditEvent.object_id)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(
            AuditEvent.action == "reopened",
            AuditEvent.object_type == "finding",
            Finding.category.in_(REGRESSION_CATEGORIES),
            *where,
        )
        .group_by(day, *asset, team, Asset.environment, prio, Finding.severity)
    )


def flow_totals_source(*, day: date) -> Rows:
    """The per-asset flows of the day (and later days, see metrics.repository) summed over
    assets: metric_flows' rows of those days (as totals_source is to the snapshot)."""
    a = MetricFlowByAsset
    keys = (a.day, a.kind, a.team, a.environment, a.priority, a.severity)
    return (
        select(
            *keys,
            func.sum(a.count).label("count"),
            func.sum(a.seconds).label("seconds"),
            func.sum(a.with_sla).label("with_sla"),
            func.sum(a.within_sla).label("within_sla"),
        )
        .where(a.day >= day)
        .group_by(*keys)
    )


def flows_series(
    *, first: date, last: date, kind: str, filters: Filters, dims: tuple[str, ...]
) -> Rows:
    """Per day in [first, last] (and per dimension): one kind of flow, summed."""
    f = MetricFlow
    cols = {d: getattr(f, d) for d in FLOW_DIMENSIONS}
    where = [f.day >= first, f.day <= last, f.kind == kind]
    for name in FLOW_DIMENSIONS:
        value = getattr(filters, name)
        if value is not None:
            where.append(cols[name] == value)
    return (
        select(
            f.day.label("day"),
            *(cols[d].label(d) for d in dims),
            func.sum(f.count).label("count"),
            func.sum(f.seconds).label("seconds"),
            func.sum(f.with_sla).label("with_sla"),
            func.sum(f.within_sla).label("within_sla"),
        )
        .where(*where)
        .group_by(f.day, *(cols[d] for d in dims))
    )


def _snapshot_filters(f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.team is not None:
        where.append(MetricSnapshot.team == f.team)
    if f.asset is not None:
        where.append(Asset.name == f.asset)
    if f.environment is not None:
        where.append(MetricSnapshot.environment == f.environment)
    if f.priority is not None:
        where.append(MetricSnapshot.priority == f.priority)
    return where


SNAPSHOT_DIMENSIONS = ("priority", "team", "asset", "environment")


def snapshot_series(
    *,
    first: date,
    last: date,
    filters: Filters,
    dim: str | None,
    values: tuple[str, ...] = SNAPSHOT_COUNTS,
) -> Rows:
    """Per snapshot day in [first, last] (and per dimension): the summed snapshot counts named in
    `values` (default all). Reads the per-day totals unless the query groups or filters by asset.
    Summing only the 4 counts posture shows halves loading posture by team over 90 days (2,225
    rows): 11 ms instead of 22 (median of 100, 1M findings)."""
    unknown = set(values) - set(SNAPSHOT_COUNTS)
    if unknown:
        raise ValueError(f"not snapshot counts: {sorted(unknown)}")
    if dim != "asset" and filters.asset is None:
        t = MetricSnapshotTotal
        tdims = {"priority": t.priority, "team": t.team, "environment": t.environment}
        where = [t.day >= first, t.day <= last]
        if filters.team is not None:
            where.append(t.team == filters.team)
        if filters.environment is not None:
            where.append(t.environment == filters.environment)
        if filters.priority is not None:
            where.append(t.priority == filters.priority)
        tgroup = [tdims[dim].label(dim)] if dim else []
        return (
            select(
                t.day.label("day"),
                *tgroup,
                *(func.sum(getattr(t, c)).label(c) for c in values),
            )
            .where(*where)
            .group_by(t.day, *(tdims[dim] for _ in tgroup if dim))
        )
    dims = {
        "priority": MetricSnapshot.priority,
        "team": MetricSnapshot.team,
        "asset": Asset.name,
        "environment": MetricSnapshot.environment,
    }
    group = [dims[dim].label(dim)] if dim else []
    return (
        select(
            MetricSnapshot.day.label("day"),
            *group,
            *(func.sum(getattr(MetricSnapshot, c)).label(c) for c in values),
        )
        .select_from(MetricSnapshot)
        .join(Asset, Asset.id == MetricSnapshot.asset_id)
        .where(MetricSnapshot.day >= first, MetricSnapshot.day <= last, *_snapshot_filters(filters))
        .group_by(MetricSnapshot.day, *(dims[dim] for _ in group if dim))
    )


def latest_snapshot_day(*, last: date) -> Select[date]:
    return select(func.max(MetricSnapshot.day)).where(MetricSnapshot.day <= last)


# --- coverage, compliance, gate ------------------------------------------------------------------


def _on_assets(stmt: Rows, filters: Filters) -> Rows:
    """`stmt` (which joins Asset) limited to the assets the team/asset/environment filters name."""
    if filters.team is not None:
        stmt = stmt.where(Asset.owner_team == filters.team)
    if filters.asset is not None:
        stmt = stmt.where(Asset.name == filters.asset)
    if filters.environment is not None:
        stmt = stmt.where(Asset.environment == filters.environment)
    return stmt


def assets_for_coverage(filters: Filters) -> Rows:
    """The assets coverage counts, each id as text (the key recent_scopes gives): pandas joins
    text keys in C, UUID objects through Python's hash. With UUIDs, and the scopes' unused
    latest import times (each converted to UTC in Python), loading both frames took 26 ms at
    1,000 assets; 13.5 ms so (medians of 30, load 2.9)."""
    stmt = select(
        cast(Asset.id, String).label("asset_id"),
        Asset.name.label("asset"),
        Asset.kind.label("kind"),
        Asset.environment.label("environment"),
        func.coalesce(Asset.owner_team, literal(NO_TEAM)).label("team"),
    ).where(Asset.kind != "unassigned")
    return _on_assets(stmt, filters)


def iac_coverage(filters: Filters, *, by_asset: bool) -> Rows:
    """Active cloud resources (distinct cloud ids) and how many of them a state manages, overall
    or per asset. A cloud id is managed when any active inventory row with it is (a state in
    one asset, a driftctl scan of the account in another); filters choose which assets' rows
    count, never what managed means."""
    managed_ids = (
        select(
            Resource.cloud_id.label("cloud_id"),
            func.max(case((Resource.managed, 1), else_=0)).label("managed"),
        )
        .where(Resource.active, Resource.cloud_id.is_not(None))
        .group_by(Resource.cloud_id)
        .subquery("managed_ids")
    )
    dims = [Asset.name.label("asset")] if by_asset else []
    stmt = (
        select(
            *dims,
            func.count(Resource.cloud_id.distinct()).label("cloud_resources"),
            func.count(case((managed_ids.c.managed == 1, Resource.cloud_id)).distinct()).label(
                "managed"
            ),
        )
        .select_from(Resource)
        .join(managed_ids, managed_ids.c.cloud_id == Resource.cloud_id)
        .join(Asset, Asset.id == Resource.asset_id)
        .where(Resource.active)
    )
    if by_asset:
        stmt = stmt.group_by(Asset.name)
    return _on_assets(stmt, filters)


def recent_scopes(*, start: datetime, end: datetime) -> Rows:
    """(asset, tool) pairs with an import in [start, end), the asset's id as text (as
    assets_for_coverage gives it)."""
    return (
        select(
            cast(IngestScope.asset_id, String).label("asset_id"),
            IngestScope.tool.label("tool"),
        )
        .where(IngestScope.last_import_at >= start, IngestScope.last_import_at < end)
        .distinct()
    )


def compliance_status(filters: Filters) -> Rows:
    stmt = (
        select(
            ComplianceStatus.framework.label("framework"),
            ComplianceStatus.control.label("control"),
            func.sum(ComplianceStatus.open_count).label("open_findings"),
            func.sum(ComplianceStatus.fixed_count).label("fixed_findings"),
            func.sum(case((ComplianceStatus.open_count > 0, 1), else_=0)).label("assets_failing"),
            func.count().label("assets_reported"),
            func.max(ComplianceStatus.taken_at).label("taken_at"),
        )
        .select_from(ComplianceStatus)
        .join(Asset, Asset.id == ComplianceStatus.asset_id)
        .group_by(ComplianceStatus.framework, ComplianceStatus.control)
    )
    return _on_assets(stmt, filters)


GATE_DIMENSIONS = ("asset", "branch", "finding")


def gate_by_day(
    dialect: str, *, start: datetime, end: datetime, filters: Filters, dim: str | None
) -> Rows:
    """Gate evaluations (dry runs included: they gate too) in [start, end) per day: how many,
    how many failed, and how many findings failed them."""
    g = gate_evaluations.c
    day = day_of(g.evaluated_at, dialect).label("day")
    dims: dict[str, ColumnElement[str]] = {
        "asset": func.coalesce(Asset.name, literal("(several assets)")),
        "branch": func.coalesce(g.branch, literal("")),
    }
    group = [dims[dim].label(dim)] if dim else []
    failed = g.passed == false()
    stmt = (
        select(
            day,
            *group,
            func.count().label("evaluations"),
            func.sum(case((failed, 1), else_=0)).label("failed"),
            func.sum(case((failed, g.failed_count), else_=0)).label("failing_findings"),
        )
        .select_from(gate_evaluations.outerjoin(Asset, Asset.id == g.asset_id))
        # a verdict only: a queued, running or failed (error) evaluation has passed NULL
        .where(g.evaluated_at >= start, g.evaluated_at < end, g.passed.is_not(None))
        .group_by(day, *(dims[dim] for _ in group if dim))
    )
    return _on_assets(stmt, filters)


def gate_blocking_findings(dialect: str, *, asset_filter: bool) -> TextClause:
    """(finding_id, blocked): how many failed gate evaluations in [:start, :end) listed each
    finding among those that failed them."""
    if dialect == "postgresql":
        ref = "CROSS JOIN LATERAL jsonb_array_elements_text(g.finding_ids) AS ref(value)"
    else:
        ref = ", json_each(g.finding_ids) AS ref"
    where = "AND g.asset_id = (SELECT id FROM assets WHERE name = :asset)" if asset_filter else ""
    return text(
        f"SELECT ref.value AS finding_id, COUNT(*) AS blocked FROM gate_evaluations g {ref} "  # noqa: S608
        "WHERE NOT g.passed AND g.evaluated_at >= :start AND g.evaluated_at < :end "
        f"{where} GROUP BY ref.value"
    ).bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))


def findings_by_id(ids: list[uuid.UUID]) -> Rows:
    return (
        select(
            Finding.id.label("finding_id"),
            Finding.title.label("title"),
            Asset.name.label("asset"),
            Finding.severity.label("severity"),
            Finding.control_id.label("control"),
        )
        .join(Asset, Asset.id == Finding.asset_id)
        .where(Finding.id.in_(ids))
    )
