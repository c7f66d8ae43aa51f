"""Read-only SQL over the inventory and the findings tables: a finding's code-to-cloud summary
(its resource, where code defines it, its cloud identity, its open drift), and the inventory
list's `drifted` condition. Like gate/queries.py,
this module only reads other domains' models.

It exists apart from resources.service because findings.service reads it for the finding detail,
and resources.service already calls findings.service (a resource's findings): both import this
module, neither imports the other. Which assets a caller may read is the caller's (the route
passes the principal's bound assets, as every read of findings does); this module only applies
the list it is given.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from aspm.assets.models import Asset
from aspm.findings.models import Detection, DetectorState, Finding
from aspm.resources.models import Resource, ResourceLink

IAC_CATEGORY = "iac"  # checkov, tfsec, kics, trivy (config), terrascan
DRIFT_CATEGORY = "drift"


@dataclass(frozen=True, slots=True)
class CodeLocation:
    path: str
    start_line: int | None
    tool: str
    asset_id: uuid.UUID
    asset: str


@dataclass(frozen=True, slots=True)
class DriftBrief:
    id: uuid.UUID
    title: str
    severity: str
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class CodeToCloud:
    resource: Resource
    asset: str  # the resource's asset
    via: str  # what linked the finding: cloud_id or address
    in_code: CodeLocation | None
    drift: list[DriftBrief]


def _visible(
    col: InstrumentedAttribute[uuid.UUID], asset_ids: Collection[uuid.UUID] | None
) -> list[ColumnElement[bool]]:
    """No condition for a caller who reads every asset; else the asset must be one of theirs."""
    return [] if asset_ids is None else [col.in_(list(asset_ids))]


def code_location(
    session: Session, resource: Resource, *, asset_ids: Collection[uuid.UUID] | None
) -> CodeLocation | None:
    """Where code defines a resource: file and start line of an IaC detection (in any asset the
    caller may read) that names the resource's IaC address. Still-reported detections first,
    then those of the resource's own asset, then the most recently seen."""
    if not resource.address:
        return None
    row = session.execute(
        select(
            Detection.path,
            Detection.start_line,
            Detection.tool,
            Detection.asset_id,
            Asset.name,
        )
        .join(Asset, Asset.id == Detection.asset_id)
        .where(
            Detection.resource == resource.address,
            Detection.category == IAC_CATEGORY,
            Detection.path.is_not(None),
            *_visible(Detection.asset_id, asset_ids),
        )
        .order_by(
            Detection.active.desc(),
            case((Detection.asset_id == resource.asset_id, 0), else_=1),
            Detection.last_seen_at.desc(),
            Detection.path,
            Detection.start_line,
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    path, line, tool, asset_id, asset = row
    return CodeLocation(path=path or "", start_line=line, tool=tool, asset_id=asset_id, asset=asset)


def open_drift(
    session: Session, resource_id: uuid.UUID, *, asset_ids: Collection[uuid.UUID] | None
) -> list[DriftBrief]:
    """The drift findings linked to a resource that the detector still reports, worst first."""
    rows = session.execute(
        select(Finding.id, Finding.title, Finding.severity, Finding.first_seen_at)
        .join(ResourceLink, ResourceLink.finding_id == Finding.id)
        .where(
            ResourceLink.resource_id == resource_id,
            Finding.category == DRIFT_CATEGORY,
            Finding.detector_state == DetectorState.ACTIVE,
            *_visible(Finding.asset_id, asset_ids),
        )
        .order_by(Finding.severity_rank.desc(), Finding.first_seen_at, Finding.id)
    ).all()
    return [DriftBrief(id=i, title=t, severity=s, first_seen_at=f) for i, t, s, f in rows]


def has_open_drift(asset_ids: Collection[uuid.UUID] | None) -> ColumnElement[bool]:
    """A condition on `Resource` (correlated EXISTS, one statement for the whole list): at least
    one drift finding the detector still reports is linked to the resource (the drift that
    `open_drift` lists; `asset_ids`: only drift findings of those assets count)."""
    return exists().where(
        ResourceLink.resource_id == Resource.id,
        Finding.id == ResourceLink.finding_id,
        Finding.category == DRIFT_CATEGORY,
        Finding.detector_state == DetectorState.ACTIVE,
        *_visible(Finding.asset_id, asset_ids),
    )


def code_to_cloud(
    session: Session, finding_id: uuid.UUID, *, asset_ids: Collection[uuid.UUID] | None = None
) -> CodeToCloud | None:
    """A finding's resource with its code location and open drift; None when the finding has no
    linked resource, or (`asset_ids`: a caller bound to assets) the resource is in none of them.
    """
    row = session.execute(
        select(Resource, ResourceLink.via, Asset.name)
        .join(ResourceLink, ResourceLink.resource_id == Resource.id)
        .join(Asset, Asset.id == Resource.asset_id)
        .where(ResourceLink.finding_id == finding_id, *_visible(Resource.asset_id, asset_ids))
    ).first()
    if row is None:
        return None
    resource, via, asset = row
    return CodeToCloud(
        resource=resource,
        asset=asset,
        via=via,
        in_code=code_location(session, resource, asset_ids=asset_ids),
        drift=open_drift(session, resource.id, asset_ids=asset_ids),
    )
