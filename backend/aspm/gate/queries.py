"""Read-only SQL over the ingest and findings tables: which findings the gate's imports report,
and which of them a baseline scope already has. Like metrics/queries.py, this module only reads
other domains' models.

A partial import writes every detection its report lists (`detections.last_import_id`), so the
findings of the gate's probe imports (see gate.service) are the findings the reports list. A finding
counts as a verified secret when the finding or any of those detections says so.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.common.priority import Priority
from aspm.findings.models import Detection, Finding
from aspm.ingest.models import IngestScope


@dataclass(slots=True)
class Reported:
    id: uuid.UUID
    asset_id: uuid.UUID
    asset: str
    severity: str
    priority: Priority | None
    risk_score: int | None
    category: str
    secret_verified: bool | None
    control_id: str
    triage_state: str
    suppressed: bool  # by the tool itself, or by a suppression rule (aspm rules)
    created_import_id: uuid.UUID | None
    tools: set[str]


def reported(session: Session, run_ids: Sequence[uuid.UUID]) -> list[Reported]:
    if not run_ids:
        return []
    rows = session.execute(
        select(
            Finding.id,
            Finding.asset_id,
            Asset.name,
            Finding.severity,
            Finding.priority,
            Finding.risk_score,
            Finding.category,
            Finding.secret_verified,
            Finding.control_id,
            Finding.triage_state,
            Finding.suppressed,
            Finding.created_import_id,
            Finding.suppression_rule_id,
            Detection.tool,
            Detection.secret_verified,
        )
        .join(Detection, Detection.finding_id == Finding.id)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(Detection.last_import_id.in_(run_ids), Detection.active.is_(True))
        .order_by(Finding.id)
    ).all()
    out: dict[uuid.UUID, Reported] = {}
    for row in rows:
        item = out.get(row[0])
        if item is None:
            item = out[row[0]] = Reported(
                id=row[0], asset_id=row[1], asset=row[2], severity=row[3], priority=row[4],
                risk_score=row[5], category=row[6], secret_verified=row[7], control_id=row[8],
                triage_state=row[9], suppressed=bool(row[10] or row[12] is not None),
                created_import_id=row[11], tools=set(),
            )  # fmt: skip
        item.tools.add(row[13])
        # a detection verified after the finding was created: the finding row may lag behind
        if row[14]:
            item.secret_verified = True
    return list(out.values())


def in_baseline(
    session: Session, finding_ids: Sequence[uuid.UUID], *, target: str
) -> set[uuid.UUID]:
    """Those of the findings with an active detection in a scope of this target (e.g. main)."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(finding_ids), 500):
        chunk = finding_ids[start : start + 500]
        found.update(
            session.scalars(
                select(Detection.finding_id)
                .join(IngestScope, IngestScope.id == Detection.scope_id)
                .where(
                    Detection.finding_id.in_(chunk),
                    Detection.active.is_(True),
                    IngestScope.target == target,
                )
                .distinct()
            ).all()
        )
    return found
