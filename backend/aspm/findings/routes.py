"""HTTP: the findings backlog."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from aspm.api.deps import SessionDep
from aspm.common.paging import Page
from aspm.common.severity import Severity
from aspm.findings import control_service, service
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import (
    ControlRead,
    FindingDetail,
    FindingFilter,
    FindingRead,
    FindingSort,
)

router = APIRouter(prefix="/findings", tags=["findings"])


@router.get("", name="list", response_model=Page[FindingRead])
def list_findings(
    session: SessionDep,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[list[DetectorState] | None, Query()] = None,
    triage: Annotated[list[TriageState] | None, Query()] = None,
    tool: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: FindingSort = FindingSort.SEVERITY,
    descending: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[FindingRead]:
    """Filter, sort and page the de-duplicated findings."""
    flt = FindingFilter(
        asset=asset,
        severity=severity or [],
        status=status or [],
        triage=triage or [],
        tool=tool,
        category=category,
        q=q,
        sort=sort,
        descending=descending,
        limit=limit,
        offset=offset,
    )
    return service.list_findings(session, flt)


@router.get("/{finding_id}", name="get", response_model=FindingDetail)
def get_finding(session: SessionDep, finding_id: uuid.UUID) -> FindingDetail:
    """One finding with every detection from every tool."""
    return service.get_finding(session, finding_id)


controls_router = APIRouter(prefix="/controls", tags=["controls"])


@controls_router.get("", name="list", response_model=list[ControlRead])
def list_controls(
    provider: Annotated[str | None, Query(max_length=20)] = None,
    tool: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[ControlRead]:
    """The control map: which rules of which tools check the same thing."""
    return control_service.list_controls(provider=provider, tool=tool, q=q)


@controls_router.get("/{control_id}", name="get", response_model=ControlRead)
def get_control(control_id: str) -> ControlRead:
    return control_service.get_control(control_id)
