"""HTTP: findings exports (CSV streamed, XLSX, SARIF 2.1.0) with the findings list's filters."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from aspm.api.deps import PrincipalDep, ReadAssetAccess, SessionDep, SessionFactoryDep
from aspm.assets.models import Environment
from aspm.common.clock import utcnow
from aspm.common.severity import Severity
from aspm.exports import service
from aspm.exports.schemas import EXTENSIONS, MEDIA_TYPES, ExportFormat
from aspm.findings import service as findings_service
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import (
    FindingFilter,
    FindingSort,
    PriorityFilter,
    SlaStatus,
    SuppressedFilter,
)

router = APIRouter(prefix="/exports", tags=["exports"])


def _disposition(fmt: ExportFormat) -> dict[str, str]:
    name = f"findings-{utcnow():%Y%m%d-%H%M%S}.{EXTENSIONS[fmt]}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/findings",
    name="findings",
    response_class=Response,
    dependencies=[ReadAssetAccess],
    responses={
        200: {
            "description": "the export file",
            "content": {MEDIA_TYPES[f].split(";")[0]: {} for f in ExportFormat},
        }
    },
)
def export_findings(
    session: SessionDep,
    factory: SessionFactoryDep,
    principal: PrincipalDep,
    format: ExportFormat = ExportFormat.CSV,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[list[DetectorState] | None, Query()] = None,
    triage: Annotated[list[TriageState] | None, Query()] = None,
    tool: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: FindingSort = FindingSort.SEVERITY,
    descending: bool = True,
    assignee: Annotated[
        str | None, Query(max_length=200, description="a user name, or `me`")
    ] = None,
    team: Annotated[str | None, Query(max_length=200, description="a team name, or `mine`")] = None,
    sla_status: Annotated[list[SlaStatus] | None, Query()] = None,
    priority: Annotated[list[PriorityFilter] | None, Query()] = None,
    environment: Annotated[
        list[Environment] | None, Query(description="of the finding's asset")
    ] = None,
    suppressed: SuppressedFilter = SuppressedFilter.EXCLUDE,
    open_: Annotated[
        bool | None, Query(alias="open", description="as GET /findings: open findings only")
    ] = None,
    import_id: Annotated[
        uuid.UUID | None, Query(description="as GET /findings: what one import changed")
    ] = None,
    toxic: Annotated[
        bool | None, Query(description="as GET /findings: in a toxic combination")
    ] = None,
) -> Response:
    """Every finding the filters select (the filters and sort of GET /findings, without paging):
    CSV (streamed), XLSX, or SARIF 2.1.0 for a code-scanning service."""
    who, teams = findings_service.people(principal, assignee=assignee, team=team)
    flt = FindingFilter(
        asset=asset, severity=severity or [], status=status or [], triage=triage or [],
        tool=tool, category=category, q=q, sort=sort, descending=descending,
        assignee=who, teams=teams, sla_status=sla_status or [], priority=priority or [],
        environment=environment or [], suppressed=suppressed,
        asset_ids=None if principal.asset_ids is None else sorted(principal.asset_ids),
        open=open_, import_id=import_id, toxic=toxic,
    )  # fmt: skip
    headers = _disposition(format)
    if format is ExportFormat.CSV:
        return StreamingResponse(
            service.csv_stream(factory, flt), media_type=MEDIA_TYPES[format], headers=headers
        )
    if format is ExportFormat.XLSX:
        return Response(service.xlsx(session, flt), media_type=MEDIA_TYPES[format],
                        headers=headers)  # fmt: skip
    return JSONResponse(service.sarif(session, flt), media_type=MEDIA_TYPES[format],
                        headers=headers)  # fmt: skip
