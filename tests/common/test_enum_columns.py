"""Enum columns (aspm.db.base.StrEnumType): the enum's value in a VARCHAR, a member back."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from aspm.auth.models import User
from aspm.auth.principal import Role


def _user(session: Session, name: str, role: Role | str) -> User:
    user = User(username=name, role=role, created_at=datetime.now(UTC))
    session.add(user)
    session.flush()
    return user


def test_a_member_is_stored_as_its_value_and_read_back_as_a_member(session: Session) -> None:
    _user(session, "lead", Role.SECURITY_LEAD)
    _user(session, "plain", "viewer")  # a plain value is accepted too
    session.expire_all()
    stored = session.execute(text("SELECT username, role FROM users ORDER BY username")).all()
    assert [tuple(r) for r in stored] == [("lead", "security_lead"), ("plain", "viewer")]
    roles = session.scalars(select(User.role).order_by(User.username)).all()
    assert roles == [Role.SECURITY_LEAD, Role.VIEWER]
    assert all(type(r) is Role for r in roles)
    assert session.scalars(select(User.username).where(User.role == Role.VIEWER)).all() == ["plain"]


def test_a_value_outside_the_enum_is_not_written(session: Session) -> None:
    with pytest.raises(StatementError, match="'owner' is not a valid Role"):
        _user(session, "bad", "owner")


def test_a_stored_value_outside_the_enum_is_not_read(session: Session) -> None:
    _user(session, "ok", Role.VIEWER)
    session.execute(update(User).values(role=Role.ENGINEER))
    assert session.scalars(select(User.role)).all() == [Role.ENGINEER]
    session.execute(text("UPDATE users SET role = 'owner'"))
    session.expire_all()
    with pytest.raises(ValueError, match="'owner' is not a valid Role"):
        session.scalars(select(User.role)).all()
