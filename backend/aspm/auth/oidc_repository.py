"""Every SQL statement of single sign-on: the users' identities at the provider."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from aspm.auth.models import UserIdentity


def get_identity(session: Session, *, issuer: str, subject: str) -> UserIdentity | None:
    return session.scalars(
        select(UserIdentity).where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    ).one_or_none()


def identity_of(session: Session, *, user_id: uuid.UUID, issuer: str) -> UserIdentity | None:
    return session.scalars(
        select(UserIdentity).where(UserIdentity.user_id == user_id, UserIdentity.issuer == issuer)
    ).first()


def add_identity(session: Session, identity: UserIdentity) -> None:
    session.add(identity)
    session.flush()
