"""HTTP: the findings backlog."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from aspm.api.deps import PrincipalDep, ReadAccess, ReadAssetAccess, SessionDep
from aspm.assets.models import Environment
from aspm.common.paging import MAX_OFFSET
from aspm.common.severity import Severity
from aspm.errors import InvalidInput
from aspm.findings import control_service, service
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import (
    ControlRead,
    FindingDetail,
    FindingFilter,
    FindingPage,
    FindingSort,
    PriorityFilter,
    SlaStatus,
    SuppressedFilter,
)

router = APIRouter(prefix="/findings", tags=["findings"])


@router.get("", name="list", response_model=FindingPage, dependencies=[ReadAssetAccess])
def list_findings(
    session: SessionDep,
    principal: PrincipalDep,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[list[DetectorState] | None, Query()] = None,
    triage: Annotated[list[TriageState] | None, Query()] = None,
    tool: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: Annotated[
        FindingSort | None,
        Query(description="default: priority with assignee/team filters, else severity"),
    ] = None,
    descending: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[
        int,
        Query(ge=0, le=MAX_OFFSET, description="rows to skip; prefer `after` past the first pages"),
    ] = 0,
    after: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="keyset cursor: the page after the previous page's `next_cursor` (same "
            "sort and direction; 422 if it is not one)",
        ),
    ] = None,
    assignee: Annotated[
        str | None, Query(max_length=200, description="a user name, or `me`")
    ] = None,
    team: Annotated[
        str | None,
        Query(max_length=200, description="a team name, or `mine` (any of your teams)"),
    ] = None,
    sla_status: Annotated[list[SlaStatus] | None, Query()] = None,
    priority: Annotated[list[PriorityFilter] | None, Query()] = None,
    environment: Annotated[list[Environment] | None, Query(description="the asset's")] = None,
    suppressed: Annotated[
        SuppressedFilter,
        Query(description="findings hidden by suppression rules: exclude, include or only"),
    ] = SuppressedFilter.EXCLUDE,
    open_: Annotated[
        bool | None,
        Query(
            alias="open",
            description="true: open findings only (active, not decided by triage, not hidden); "
            "false: every other one; absent: all",
        ),
    ] = None,
    import_id: Annotated[
        uuid.UUID | None,
        Query(description="the findings one import created, resolved or reopened"),
    ] = None,
    toxic: Annotated[
        bool | None,
        Query(description="true: findings in a toxic combination; false: the others"),
    ] = None,
) -> FindingPage:
    """Filter, sort and page the de-duplicated findings. `assignee=me` and `team=mine` give an
    engineer's own queue, most urgent first (priority, then SLA due date). Page with
    `after=next_cursor` (keyset); `offset` still works but reads every skipped row. Counts are
    exact up to 10,000, then `total_capped` says "10,000+"."""
    if after is not None and offset:
        raise InvalidInput("give `after` or `offset`, not both")
    mine = assignee is not None or team is not None
    who, teams = service.people(principal, assignee=assignee, team=team)
    flt = FindingFilter(
        asset=asset,
        severity=severity or [],
        status=status or [],
        triage=triage or [],
        tool=tool,
        category=category,
        q=q,
        sort=sort or (FindingSort.PRIORITY if mine else FindingSort.SEVERITY),
        descending=descending,
        limit=limit,
        offset=offset,
        after=after,
        assignee=who,
        teams=teams,
        sla_status=sla_status or [],
        priority=priority or [],
        environment=environment or [],
        suppressed=suppressed,
        asset_ids=None if principal.asset_ids is None else sorted(principal.asset_ids),
        open=open_,
        import_id=import_id,
        toxic=toxic,
    )
    return service.list_findings(session, flt)


@router.get("/{finding_id}", name="get", response_model=FindingDetail, dependencies=[ReadAccess])
def get_finding(
    session: SessionDep, principal: PrincipalDep, finding_id: uuid.UUID
) -> FindingDetail:
    """One finding with every detection from every tool, and `code_to_cloud`: its inventory
    resource, where code defines it, its cloud identity and its open drift."""
    return service.get_finding(session, finding_id, asset_ids=principal.asset_ids)


controls_router = APIRouter(prefix="/controls", tags=["controls"])


@controls_router.get("", name="list", response_model=list[ControlRead], dependencies=[ReadAccess])
def list_controls(
    provider: Annotated[str | None, Query(max_length=20)] = None,
    tool: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[ControlRead]:
    """The control map: which rules of which tools check the same thing."""
    return control_service.list_controls(provider=provider, tool=tool, q=q)


@controls_router.get(
    "/{control_id}", name="get", response_model=ControlRead, dependencies=[ReadAccess]
)
def get_control(control_id: str) -> ControlRead:
    return control_service.get_control(control_id)
