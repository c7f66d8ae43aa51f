"""HTTP: the resource inventory. Read rules are the findings' (api.deps): every role reads; a
token bound to assets lists only with ?asset= naming one of them, and reads only their
resources."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from aspm.api.deps import PrincipalDep, ReadAccess, ReadAssetAccess, SessionDep
from aspm.common.paging import MAX_OFFSET
from aspm.resources import service
from aspm.resources.schemas import ResourceDetail, ResourceFilter, ResourcePage

router = APIRouter(prefix="/resources", tags=["resources"])


@router.get("", name="list", response_model=ResourcePage, dependencies=[ReadAssetAccess])
def list_resources(
    session: SessionDep,
    principal: PrincipalDep,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    provider: Annotated[str | None, Query(max_length=100)] = None,
    type: Annotated[str | None, Query(max_length=200)] = None,
    managed: Annotated[bool | None, Query(description="managed by IaC")] = None,
    has_findings: Annotated[bool | None, Query(description="linked to a finding")] = None,
    drifted: Annotated[
        bool | None,
        Query(description="linked to a drift finding that the detector still reports"),
    ] = None,
    include_retired: Annotated[
        bool, Query(description="also resources a later complete snapshot dropped")
    ] = False,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ResourcePage:
    """The inventory: resources from Terraform states and plans and driftctl scans, with the
    number of findings linked to each."""
    flt = ResourceFilter(
        asset=asset,
        provider=provider,
        type=type,
        managed=managed,
        has_findings=has_findings,
        drifted=drifted,
        include_retired=include_retired,
        q=q,
        limit=limit,
        offset=offset,
        asset_ids=None if principal.asset_ids is None else sorted(principal.asset_ids),
    )
    return service.list_resources(session, flt)


@router.get("/{resource_id}", name="get", response_model=ResourceDetail, dependencies=[ReadAccess])
def get_resource(session: SessionDep, resource_id: uuid.UUID) -> ResourceDetail:
    """One resource with its facts, its relations and the findings linked to it."""
    return service.get_resource(session, resource_id)
