"""Read-only SQL over the findings domain's tables for exports and the gate: what a finding list
page does not carry (its detections' locations and rule ids, remediation, finding key), for a
batch of findings at once. Like metrics/queries.py, this module only reads other domains' models.
"""

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, label, literal, null, select
from sqlalchemy.orm import QueryableAttribute, Session

from aspm.assets.models import Asset
from aspm.db.base import as_text
from aspm.findings import repository as findings_repository
from aspm.findings.models import Detection, Finding
from aspm.findings.schemas import FindingFilter, SlaStatus


@dataclass(frozen=True, slots=True)
class DetectionLocation:
    tool: str
    rule_id: str
    path: str | None
    start_line: int | None
    end_line: int | None
    resource: str | None
    resource_type: str | None
    account_id: str | None
    region: str | None
    active: bool


def detections(
    session: Session, finding_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DetectionLocation]]:
    """Per finding: its detections, active ones first, then by tool, path and line."""
    out: dict[uuid.UUID, list[DetectionLocation]] = {}
    if not finding_ids:
        return out
    rows = session.execute(
        select(
            Detection.finding_id,
            Detection.tool,
            Detection.rule_id,
            Detection.path,
            Detection.start_line,
            Detection.end_line,
            Detection.resource,
            Detection.resource_type,
            Detection.account_id,
            Detection.region,
            Detection.active,
        )
        .where(Detection.finding_id.in_(finding_ids))
        .order_by(
            Detection.finding_id,
            Detection.active.desc(),
            Detection.tool,
            Detection.path,
            Detection.start_line,
        )
    ).all()
    for fid, *rest in rows:
        out.setdefault(fid, []).append(DetectionLocation(*rest))
    return out


def finding_rows(
    session: Session, finding_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[Finding, str]]:
    """Finding rows with their asset's name."""
    if not finding_ids:
        return {}
    rows = session.execute(
        select(Finding, Asset.name)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(Finding.id.in_(finding_ids))
    ).all()
    return {f.id: (f, name) for f, name in rows}


def _sla_status(now: datetime) -> ColumnElement[Any]:
    """FindingRead.sla_status in SQL (the findings list's own conditions)."""
    return case(
        *((findings_repository.sla_condition(st, now), literal(st.value)) for st in SlaStatus),
        else_=null(),
    )


def _export_columns(now: datetime) -> dict[str, ColumnElement[Any] | QueryableAttribute[Any]]:
    """A table export's columns (exports.tabular.COLUMNS) as SQL; `tools` is filled in from the
    detection summary, which also moves `last_seen_at` on (NULL here)."""
    return {
        "id": Finding.id,
        "priority": as_text(Finding.priority),
        "risk_score": Finding.risk_score,
        "severity": as_text(Finding.severity),
        "status": as_text(Finding.detector_state),
        "triage_state": as_text(Finding.triage_state),
        "suppressed": Finding.suppressed,
        "suppression_rule_id": Finding.suppression_rule_id,
        "title": Finding.title,
        "category": as_text(Finding.category),
        "asset": Asset.name,
        "tools": null(),
        "control_id": Finding.control_id,
        "resource": Finding.resource,
        "path": Finding.path,
        "cloud_provider": Finding.cloud_provider,
        "account_id": Finding.account_id,
        "region": Finding.region,
        "first_seen_at": Finding.first_seen_at,
        "last_seen_at": Finding.last_seen_at,
        "resolved_at": Finding.resolved_at,
        "sla_due_at": Finding.sla_due_at,
        "sla_status": _sla_status(now),
        "assignee": Finding.assignee,
        "team": Finding.team,
        "reopen_count": Finding.reopen_count,
    }


def table_rows(
    session: Session, flt: FindingFilter, keys: Sequence[str], *, now: datetime, batch: int
) -> Iterator[list[Any]]:
    """Per finding the filter selects, in its order: its values for `keys` (names of
    _export_columns), read as plain columns in keyset batches (findings.repository.iter_batches)
    with each batch's detection summary: the tools that reported it and the last time one saw it
    (as the findings list shows them). 1M findings as ORM entities and a pydantic model each ran
    at ~3k/s; this way the rows cost a tuple each."""
    known = _export_columns(now)
    columns = [label(key, known[key]) for key in keys]
    width = len(keys)
    at_id, at_tools, at_last = (keys.index(k) for k in ("id", "tools", "last_seen_at"))
    for rows in findings_repository.iter_batches(session, flt, columns, batch=batch):
        summary = findings_repository.detection_summary(session, [r[at_id] for r in rows])
        for row in rows:
            values = list(row[:width])
            seen = summary.get(values[at_id])
            if seen is not None:
                tools, _, last = seen
                values[at_tools] = tools
                if last is not None:
                    last = last if last.tzinfo is not None else last.replace(tzinfo=UTC)
                    if last > values[at_last]:
                        values[at_last] = last
            else:
                values[at_tools] = []
            yield values


def finding_ids(session: Session, flt: FindingFilter, *, batch: int) -> Iterator[uuid.UUID]:
    """The ids of the findings the filter selects, in its order (keyset batches)."""
    for rows in findings_repository.iter_batches(session, flt, [Finding.id], batch=batch):
        for row in rows:
            yield row[0]
