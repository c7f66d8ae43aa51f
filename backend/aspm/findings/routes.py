"""HTTP: the findings backlog."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from aspm.api.deps import PrincipalDep, ReadAccess, ReadAssetAccess, SessionDep
from aspm.errors import InvalidInput
from aspm.findings import control_service, service
from aspm.findings.schemas import ControlRead, FindingDetail, FindingListQuery, FindingPage

router = APIRouter(prefix="/findings", tags=["findings"])


@router.get("", name="list", response_model=FindingPage, dependencies=[ReadAssetAccess])
def list_findings(
    session: SessionDep, principal: PrincipalDep, query: Annotated[FindingListQuery, Query()]
) -> FindingPage:
    """Filter, sort and page the de-duplicated findings. `assignee=me` and `team=mine` give an
    engineer's own queue, most urgent first (priority, then SLA due date). Page with
    `after=next_cursor` (keyset); `offset` still works but reads every skipped row. Counts are
    exact up to 10,000, then `total_capped` says "10,000+"."""
    if query.after is not None and query.offset:
        raise InvalidInput("give `after` or `offset`, not both")
    return service.list_findings(session, service.query_filter(principal, query))


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
