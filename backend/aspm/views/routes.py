"""HTTP: the caller's saved views of the triage queue (people only; each sees their own)."""

import uuid

from fastapi import APIRouter, Depends, Response, params, status

from aspm.api.deps import PrincipalDep, SessionDep, require
from aspm.views import service
from aspm.views.schemas import SavedViewCreate, SavedViewRead, SavedViewUpdate

# every role, but not API tokens: a view belongs to a person
PersonAccess: params.Depends = Depends(require(None, people_only=True))

router = APIRouter(prefix="/views", tags=["views"], dependencies=[PersonAccess])


@router.get("", name="list", response_model=list[SavedViewRead])
def list_views(session: SessionDep, principal: PrincipalDep) -> list[SavedViewRead]:
    """Your saved views, by name."""
    return service.list_views(session, principal=principal)


@router.post(
    "",
    name="create",
    response_model=SavedViewRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": SavedViewRead, "description": "replaced your view of that name"},
               409: {"description": "you have a view of that name (send `replace`)"}},
)  # fmt: skip
def create_view(
    session: SessionDep, principal: PrincipalDep, body: SavedViewCreate, response: Response
) -> SavedViewRead:
    """Save the queue's filters under a name (paging is dropped: a view opens on page 1)."""
    view, created = service.create_view(session, spec=body, principal=principal)
    if not created:
        response.status_code = status.HTTP_200_OK
    return view


@router.patch("/{view_id}", name="update", response_model=SavedViewRead)
def update_view(
    session: SessionDep, principal: PrincipalDep, view_id: uuid.UUID, body: SavedViewUpdate
) -> SavedViewRead:
    """Rename a view or change its filters."""
    return service.update_view(session, view_id=view_id, spec=body, principal=principal)


@router.delete("/{view_id}", name="delete", status_code=status.HTTP_204_NO_CONTENT)
def delete_view(session: SessionDep, principal: PrincipalDep, view_id: uuid.UUID) -> None:
    service.delete_view(session, view_id=view_id, principal=principal)
