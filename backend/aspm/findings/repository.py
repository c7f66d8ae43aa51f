"""SQL for reading findings and their detections."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, func, or_, select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.audit.models import AuditEvent
from aspm.common.clock import utcnow
from aspm.findings.models import Detection, DetectorState, Finding, RiskExplanation, TriageState
from aspm.findings.schemas import (
    DUE_SOON_DAYS,
    FindingFilter,
    FindingSort,
    PriorityFilter,
    SlaStatus,
    SuppressedFilter,
)
from aspm.findings.states import closed_clause, open_clause
from aspm.ingest.models import IngestScope
from aspm.risk.resource_context import TOXIC_KEY_PREFIX

_OPEN_TRIAGE = (TriageState.NEW, TriageState.CONFIRMED, TriageState.IN_PROGRESS)


def sla_condition(status: SlaStatus, now: datetime) -> ColumnElement[bool]:
    """The SQL form of FindingRead.sla_status (see SlaStatus)."""
    is_open = and_(
        Finding.detector_state == DetectorState.ACTIVE,
        Finding.triage_state.in_(_OPEN_TRIAGE),
        Finding.sla_due_at.is_not(None),
    )
    soon = now + timedelta(days=DUE_SOON_DAYS)
    if status is SlaStatus.OVERDUE:
        return and_(is_open, Finding.sla_due_at < now)
    if status is SlaStatus.DUE_SOON:
        return and_(is_open, Finding.sla_due_at >= now, Finding.sla_due_at <= soon)
    return and_(is_open, Finding.sla_due_at > soon)


def _filtered(flt: FindingFilter, *, now: datetime | None = None) -> Select[Finding, str]:
    stmt = select(Finding, Asset.name).join(Asset, Asset.id == Finding.asset_id)
    if flt.suppressed is SuppressedFilter.EXCLUDE:
        stmt = stmt.where(Finding.suppression_rule_id.is_(None))
    elif flt.suppressed is SuppressedFilter.ONLY:
        stmt = stmt.where(Finding.suppression_rule_id.is_not(None))
    if flt.asset_ids is not None:
        stmt = stmt.where(Finding.asset_id.in_(flt.asset_ids))
    if flt.assignee is not None:
        stmt = stmt.where(Finding.assignee == flt.assignee)
    if flt.teams is not None:
        stmt = stmt.where(
            or_(
                Finding.team.in_(flt.teams),
                and_(Finding.team.is_(None), Asset.owner_team.in_(flt.teams)),
            )
        )
    if flt.priority:
        bands = [p.value for p in flt.priority if p is not PriorityFilter.NONE]
        conds = [Finding.priority.in_(bands)] if bands else []
        if PriorityFilter.NONE in flt.priority:
            conds.append(Finding.priority.is_(None))
        stmt = stmt.where(or_(*conds))
    if flt.environment:
        stmt = stmt.where(Asset.environment.in_([e.value for e in flt.environment]))
    if flt.sla_status:
        at = now or utcnow()
        stmt = stmt.where(or_(*(sla_condition(st, at) for st in flt.sla_status)))
    if flt.asset:
        stmt = stmt.where(Asset.name == flt.asset)
    if flt.severity:
        stmt = stmt.where(Finding.severity.in_([s.value for s in flt.severity]))
    if flt.status:
        stmt = stmt.where(Finding.detector_state.in_([s.value for s in flt.status]))
    if flt.triage:
        stmt = stmt.where(Finding.triage_state.in_([s.value for s in flt.triage]))
    if flt.category:
        stmt = stmt.where(Finding.category == flt.category)
    if flt.tool:
        stmt = stmt.where(
            select(Detection.id)
            .where(Detection.finding_id == Finding.id, Detection.tool == flt.tool)
            .exists()
        )
    if flt.open is not None:
        stmt = stmt.where(open_clause() if flt.open else closed_clause())
    if flt.import_id is not None:
        stmt = stmt.where(_changed_by_import(flt.import_id))
    if flt.toxic is not None:  # the risk key says so (aspm.risk.repository.Signature.key)
        toxic = Finding.risk_key.like(f"{TOXIC_KEY_PREFIX}%")
        stmt = stmt.where(toxic if flt.toxic else or_(~toxic, Finding.risk_key.is_(None)))
    if flt.q:
        stmt = stmt.where(_text_search(flt.q))
    return stmt


def _text_search(q: str) -> ColumnElement[bool]:
    """Case-insensitive substring search over what people paste into a search box: the title,
    the control id, and each detection's rule id (a CVE id for vulnerability scanners), resource
    (IaC address or ARN) and path."""
    like = f"%{_escape_like(q.lower())}%"

    def has(col: Any) -> ColumnElement[bool]:
        return func.lower(col).like(like, escape="\\")

    in_detection = (
        select(Detection.id)
        .where(
            Detection.finding_id == Finding.id,
            or_(has(Detection.rule_id), has(Detection.resource), has(Detection.path)),
        )
        .exists()
    )
    return or_(
        has(Finding.title),
        has(Finding.control_id),
        has(Finding.resource),
        has(Finding.path),
        in_detection,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# what an import did to a finding, as the import's lifecycle audit events record it
_IMPORT_ACTIONS = ("auto_resolved", "reopened")


def _changed_by_import(import_id: uuid.UUID) -> ColumnElement[bool]:
    """Created by the import, or resolved or reopened by it (its lifecycle audit events)."""
    lifecycle = (
        select(AuditEvent.object_id)
        .where(
            AuditEvent.object_type == "finding",
            AuditEvent.action.in_(_IMPORT_ACTIONS),
            AuditEvent.details["import_id"].as_string() == str(import_id),
        )
        .scalar_subquery()
    )
    return or_(Finding.created_import_id == import_id, Finding.id.in_(lifecycle))


_SORT = {
    FindingSort.RISK: (Finding.risk_score, Finding.severity_rank),
    FindingSort.SEVERITY: (Finding.severity_rank, Finding.first_seen_at),
    FindingSort.FIRST_SEEN: (Finding.first_seen_at,),
    FindingSort.LAST_SEEN: (Finding.last_seen_at,),
    FindingSort.TITLE: (Finding.title,),
}

_PRIORITY_RANK = case(
    (Finding.priority == "P1", 1),
    (Finding.priority == "P2", 2),
    (Finding.priority == "P3", 3),
    (Finding.priority == "P4", 4),
    else_=5,
)


def _order(flt: FindingFilter) -> list[Any]:
    if flt.sort is FindingSort.PRIORITY:
        # most urgent first: priority, then the earliest due date (none last), then risk
        urgent = flt.descending
        no_due = case((Finding.sla_due_at.is_(None), 1), else_=0)
        risk = func.coalesce(Finding.risk_score, -1)
        return [
            _PRIORITY_RANK.asc() if urgent else _PRIORITY_RANK.desc(),
            no_due.asc() if urgent else no_due.desc(),
            Finding.sla_due_at.asc() if urgent else Finding.sla_due_at.desc(),
            risk.desc() if urgent else risk.asc(),
        ]
    return [c.desc() if flt.descending else c.asc() for c in _SORT[flt.sort]]


def list_page(session: Session, flt: FindingFilter) -> tuple[Sequence[Any], int, int]:
    """A page of (finding, asset name), how many findings the filter selects, and how many of
    the same filters' findings suppression rules hide."""
    shown, hidden = _counts(session, flt)
    if flt.suppressed is SuppressedFilter.EXCLUDE:
        total = shown
    elif flt.suppressed is SuppressedFilter.ONLY:
        total = hidden
    else:
        total = shown + hidden
    # the page's ids first, then their rows: sorting narrow (key, id) tuples instead of whole
    # rows (at 1M findings, offset 5000: 0.3 s instead of 1.8 s on PostgreSQL)
    page = (
        _filtered(flt)
        .with_only_columns(Finding.id)
        .order_by(*_order(flt), Finding.id)
        .limit(flt.limit)
        .offset(flt.offset)
    )
    ids = list(session.scalars(page))
    if not ids:
        return [], total, hidden
    found = {
        row[0].id: row
        for row in session.execute(
            select(Finding, Asset.name)
            .join(Asset, Asset.id == Finding.asset_id)
            .where(Finding.id.in_(ids))
        )
    }
    return [found[i] for i in ids if i in found], total, hidden


def _counts(session: Session, flt: FindingFilter) -> tuple[int, int]:
    """(not hidden, hidden by a suppression rule) under the filter's other conditions: one pass
    over the findings, where two counts took two."""
    every = _filtered(flt.model_copy(update={"suppressed": SuppressedFilter.INCLUDE}))
    sub = every.with_only_columns(Finding.suppression_rule_id).order_by(None).subquery()
    rule = sub.c.suppression_rule_id
    row = session.execute(
        select(func.count().filter(rule.is_(None)), func.count().filter(rule.is_not(None)))
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def select_ids(session: Session, flt: FindingFilter, *, cap: int) -> list[uuid.UUID]:
    stmt = _filtered(flt).with_only_columns(Finding.id).order_by(Finding.id).limit(cap)
    return list(session.scalars(stmt).all())


def get_with_asset(session: Session, finding_id: uuid.UUID) -> Any | None:
    return session.execute(
        select(Finding, Asset.name)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(Finding.id == finding_id)
    ).one_or_none()


def explanation(session: Session, asset_id: uuid.UUID, risk_key: str) -> list[dict[str, Any]]:
    stored = session.scalar(
        select(RiskExplanation.explanation).where(
            RiskExplanation.asset_id == asset_id, RiskExplanation.risk_key == risk_key
        )
    )
    return list(stored or [])


def get(session: Session, finding_id: uuid.UUID) -> Finding | None:
    return session.get(Finding, finding_id)


def find_by_prefix(session: Session, prefix: str) -> Sequence[uuid.UUID]:
    """Finding ids whose text form starts with `prefix` (CLI convenience), at most 2."""
    hexed = prefix.replace("-", "").lower()
    col = func.lower(func.replace(func.cast(Finding.id, String), "-", ""))
    return session.scalars(select(Finding.id).where(col.like(f"{hexed}%")).limit(2)).all()


def find_by_suffix(session: Session, suffix: str) -> Sequence[uuid.UUID]:
    """Finding ids whose text form ends with `suffix` (hex digits only), at most 2."""
    hexed = suffix.replace("-", "").lower()
    col = func.lower(func.replace(func.cast(Finding.id, String), "-", ""))
    return session.scalars(select(Finding.id).where(col.like(f"%{hexed}")).limit(2)).all()


def detection_summary(
    session: Session, finding_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[list[str], int, datetime | None]]:
    """Per finding: its tools, detection count and effective last-seen time.

    An active detection was seen by the last full import of its scope, which does not rewrite it.
    """
    if not finding_ids:
        return {}
    seen = case(
        (
            Detection.active & (IngestScope.last_full_import_at > Detection.last_seen_at),
            IngestScope.last_full_import_at,
        ),
        else_=Detection.last_seen_at,
    )
    rows = session.execute(
        select(Detection.finding_id, Detection.tool, func.count(), func.max(seen))
        .join(IngestScope, IngestScope.id == Detection.scope_id)
        .where(Detection.finding_id.in_(finding_ids))
        .group_by(Detection.finding_id, Detection.tool)
    ).all()
    out: dict[uuid.UUID, tuple[list[str], int, datetime | None]] = {}
    for fid, tool, n, last in rows:
        tools, count, latest = out.get(fid, ([], 0, None))
        tools.append(tool)
        if isinstance(last, str):
            last = datetime.fromisoformat(last)
        latest = last if latest is None or (last is not None and last > latest) else latest
        out[fid] = (sorted(tools), count + n, latest)
    return out


def detections_of(session: Session, finding_id: uuid.UUID) -> Sequence[Detection]:
    return session.scalars(
        select(Detection)
        .where(Detection.finding_id == finding_id)
        .order_by(Detection.active.desc(), Detection.tool, Detection.path, Detection.start_line)
    ).all()


def open_counts(session: Session, asset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not asset_ids:
        return {}
    rows = session.execute(
        select(Finding.asset_id, func.count())
        .where(Finding.asset_id.in_(asset_ids), open_clause())
        .group_by(Finding.asset_id)
    ).all()
    return dict(rows)


def titles(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(select(Finding.id, Finding.title).where(Finding.id.in_(ids))).all()
    return {row[0]: row[1] for row in rows}


def briefs(session: Session, ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, str, str, str]]:
    """(id, title, severity, detector state) of some findings, worst first."""
    if not ids:
        return []
    rows = session.execute(
        select(Finding.id, Finding.title, Finding.severity, Finding.detector_state)
        .where(Finding.id.in_(ids))
        .order_by(Finding.severity_rank.desc(), Finding.title, Finding.id)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
