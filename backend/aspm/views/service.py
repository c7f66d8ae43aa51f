"""Saved views: each person keeps named filters of the triage queue. A view is the queue's URL
search string, so opening a view and opening a shared link are the same thing; a view is
private to its owner (a link is how one shares it)."""

import uuid
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.orm import Session

from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.errors import Conflict, InvalidInput, NotFound
from aspm.views import repository
from aspm.views.models import SavedView
from aspm.views.schemas import SavedViewCreate, SavedViewRead, SavedViewUpdate

MAX_VIEWS = 100
# where a list stands is not part of a view: opening one starts at its first page
PAGING_KEYS = frozenset({"offset", "after", "page"})


def _owner(principal: Principal) -> uuid.UUID:
    if principal.kind != "user" or principal.id is None:
        raise InvalidInput("only a signed-in person has saved views")
    return principal.id


def normalize_query(query: str) -> str:
    """The search string as stored: no leading `?`, no paging, commas kept readable."""
    text = query.strip().removeprefix("?")
    if any(ord(c) < 32 for c in text):
        raise InvalidInput("a view's query must not hold control characters")
    pairs = parse_qsl(text, keep_blank_values=False)
    return urlencode([(k, v) for k, v in pairs if k not in PAGING_KEYS], safe=",")


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("a view needs a name")
    return name


def _read(view: SavedView) -> SavedViewRead:
    return SavedViewRead(
        id=view.id, name=view.name, query=view.query, created_at=view.created_at,
        updated_at=view.updated_at,
    )  # fmt: skip


def list_views(session: Session, *, principal: Principal) -> list[SavedViewRead]:
    return [_read(v) for v in repository.list_for(session, _owner(principal))]


def create_view(
    session: Session, *, spec: SavedViewCreate, principal: Principal
) -> tuple[SavedViewRead, bool]:
    """Save a view; returns it and whether it is new (an existing name needs `replace`)."""
    owner = _owner(principal)
    name = _name(spec.name)
    query = normalize_query(spec.query)
    now = utcnow()
    existing = repository.get_by_name(session, owner, name)
    if existing is not None:
        if not spec.replace:
            raise Conflict(f"you have a view named {name!r} already")
        existing.query = query
        existing.updated_at = now
        session.flush()
        return _read(existing), False
    if repository.count_for(session, owner) >= MAX_VIEWS:
        raise InvalidInput(f"at most {MAX_VIEWS} saved views each; delete one first")
    view = SavedView(
        id=uuid.uuid4(), user_id=owner, name=name, query=query, created_at=now, updated_at=now
    )
    repository.add(session, view)
    return _read(view), True


def _own_or_raise(session: Session, view_id: uuid.UUID, owner: uuid.UUID) -> SavedView:
    view = repository.get(session, view_id)
    if view is None or view.user_id != owner:  # another person's view does not exist for you
        raise NotFound(f"no saved view with id {view_id}")
    return view


def update_view(
    session: Session, *, view_id: uuid.UUID, spec: SavedViewUpdate, principal: Principal
) -> SavedViewRead:
    owner = _owner(principal)
    view = _own_or_raise(session, view_id, owner)
    if spec.name is not None:
        name = _name(spec.name)
        clash = repository.get_by_name(session, owner, name)
        if clash is not None and clash.id != view.id:
            raise Conflict(f"you have a view named {name!r} already")
        view.name = name
    if spec.query is not None:
        view.query = normalize_query(spec.query)
    view.updated_at = utcnow()
    session.flush()
    return _read(view)


def delete_view(session: Session, *, view_id: uuid.UUID, principal: Principal) -> None:
    repository.delete(session, _own_or_raise(session, view_id, _owner(principal)))
