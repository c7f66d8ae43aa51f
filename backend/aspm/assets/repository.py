"""SQL for assets."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset


def get_by_name(session: Session, name: str) -> Asset | None:
    return session.scalars(select(Asset).where(Asset.name == name)).one_or_none()


def get_by_external_key(session: Session, key: str) -> Asset | None:
    return session.scalars(select(Asset).where(Asset.external_key == key)).one_or_none()


def get(session: Session, asset_id: uuid.UUID) -> Asset | None:
    return session.get(Asset, asset_id)


def list_all(session: Session) -> Sequence[Asset]:
    return session.scalars(select(Asset).order_by(Asset.name)).all()


def add(session: Session, asset: Asset, *, now: datetime) -> Asset:
    asset.created_at = now
    asset.updated_at = now
    session.add(asset)
    session.flush()
    return asset


def get_many(session: Session, ids: list[uuid.UUID]) -> Sequence[Asset]:
    if not ids:
        return []
    return session.scalars(select(Asset).where(Asset.id.in_(ids))).all()


def list_with_rules(session: Session) -> Sequence[Asset]:
    """Assets that declare match rules (the JSON holds a non-empty "match" list)."""
    return [a for a in list_all(session) if (a.match_rules or {}).get("match")]
