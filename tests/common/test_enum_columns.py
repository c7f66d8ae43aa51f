"""Enum columns (aspm.db.base.StrEnumType): the enum's value in a VARCHAR, a member back."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, select, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from aspm.assets.models import Asset, AssetKind, DataSensitivity, Environment, Exposure
from aspm.auth.models import User
from aspm.auth.principal import Role
from aspm.common.severity import Severity
from aspm.db.base import StrEnumType
from aspm.db.bulk import db_uuid


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


def test_processing_binds_plain_strings_and_reads_members(session: Session) -> None:
    column = StrEnumType(Severity, 10)
    dialect = session.get_bind().dialect
    bind = column.bind_processor(dialect)
    result = column.result_processor(dialect, None)
    assert bind is not None
    assert result is not None
    for given in (Severity.HIGH, "high"):
        assert type(bind(given)) is str  # what the driver gets is never an enum member
        assert bind(given) == "high"
    assert result("high") is Severity.HIGH
    assert bind(None) is None
    assert result(None) is None
    for process in (bind, result):
        with pytest.raises(ValueError, match="'urgent' is not a valid Severity"):
            process("urgent")


class _Shouting(String):
    """An impl type with processing of its own: stores upper case, reads lower case."""

    def bind_processor(self, dialect: Dialect) -> Callable[[str | None], str | None]:  # noqa: ARG002
        return lambda value: None if value is None else value.upper()

    def result_processor(
        self,
        dialect: Dialect,  # noqa: ARG002
        coltype: object,  # noqa: ARG002
    ) -> Callable[[str | None], str | None]:
        return lambda value: None if value is None else value.lower()


class _ShoutedSeverity(StrEnumType[Severity]):
    impl = _Shouting
    cache_ok = True


def test_the_impl_types_own_processing_is_kept(session: Session) -> None:
    column = _ShoutedSeverity(Severity, 10)
    dialect = session.get_bind().dialect
    bind = column.bind_processor(dialect)
    result = column.result_processor(dialect, None)
    assert bind is not None
    assert result is not None
    assert bind(Severity.LOW) == "LOW"  # the enum's value first, then the impl's
    assert result("LOW") is Severity.LOW  # the impl's first, then the member


def test_asset_enum_columns_read_back_as_members(session: Session) -> None:
    asset = Asset(name="enum-columns", created_at=datetime.now(UTC), updated_at=datetime.now(UTC))
    session.add(asset)
    session.flush()
    assert asset.kind is AssetKind.REPOSITORY
    session.execute(
        text("UPDATE assets SET environment = 'prod', exposure = 'internet' WHERE id = :id"),
        {"id": db_uuid(session, asset.id)},
    )
    session.expire_all()
    row = session.execute(
        select(Asset.kind, Asset.environment, Asset.exposure, Asset.data_sensitivity).where(
            Asset.id == asset.id
        )
    ).one()
    assert tuple(row) == (
        AssetKind.REPOSITORY,
        Environment.PROD,
        Exposure.INTERNET,
        DataSensitivity.UNKNOWN,
    )
    assert [type(v) for v in row] == [AssetKind, Environment, Exposure, DataSensitivity]


def test_a_compared_value_outside_the_enum_matches_nothing(session: Session) -> None:
    _user(session, "v", Role.VIEWER)
    names = select(User.username).order_by(User.username)
    assert session.scalars(names.where(User.role == "owner")).all() == []
    assert session.scalars(names.where(User.role != "owner")).all() == ["v"]
    assert session.scalars(names.where(User.role.in_(["viewer", "owner"]))).all() == ["v"]
    assert session.scalars(names.where(User.role.in_([Role.VIEWER]))).all() == ["v"]
    with pytest.raises(StatementError, match="'owner' is not a valid Role"):
        session.execute(update(User).values(role="owner"))  # written: still refused
