"""Read-only SQL over the findings domain's tables for exports and the gate: what a finding list
page does not carry (its detections' locations and rule ids, remediation, finding key), for a
batch of findings at once. Like metrics/queries.py, this module only reads other domains' models.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.findings.models import Detection, Finding


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
