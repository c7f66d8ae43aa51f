"""SQL of saved views."""

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aspm.views.models import SavedView


def list_for(session: Session, user_id: uuid.UUID) -> Sequence[SavedView]:
    stmt = (
        select(SavedView)
        .where(SavedView.user_id == user_id)
        .order_by(func.lower(SavedView.name), SavedView.id)
    )
    return session.scalars(stmt).all()


def get(session: Session, view_id: uuid.UUID) -> SavedView | None:
    return session.get(SavedView, view_id)


def get_by_name(session: Session, user_id: uuid.UUID, name: str) -> SavedView | None:
    stmt = select(SavedView).where(SavedView.user_id == user_id, SavedView.name == name)
    return session.scalars(stmt).one_or_none()


def count_for(session: Session, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(SavedView).where(SavedView.user_id == user_id)
    return int(session.scalar(stmt) or 0)


def add(session: Session, view: SavedView) -> None:
    session.add(view)
    session.flush()


def delete(session: Session, view: SavedView) -> None:
    session.delete(view)
    session.flush()
