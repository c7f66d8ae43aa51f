"""HTTP: the append-only audit log (read only; there is no write or delete endpoint)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from aspm.api.deps import PrincipalDep, ReadAccess, SessionDep
from aspm.audit import service
from aspm.audit.schemas import AuditEventRead, AuditFilter
from aspm.common.paging import MAX_OFFSET, Page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", name="list", response_model=Page[AuditEventRead], dependencies=[ReadAccess])
def list_events(
    session: SessionDep,
    principal: PrincipalDep,  # noqa: ARG001 - authenticated read
    object_type: Annotated[str | None, Query(max_length=50)] = None,
    object_id: uuid.UUID | None = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[list[str] | None, Query()] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="from (inclusive), with a timezone")
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(description="to (exclusive), with a timezone")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[AuditEventRead]:
    """Who changed what, when, from what, to what and why; newest first."""
    return service.list_events(
        session,
        AuditFilter(
            object_type=object_type,
            object_id=object_id,
            actor=actor,
            action=action or [],
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        ),
    )
