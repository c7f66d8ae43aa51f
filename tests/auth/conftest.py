"""Helpers for the auth tests: a movable clock and users created straight through the service."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth import service as auth_service
from aspm.auth.principal import Role
from aspm.auth.schemas import UserCreate
from aspm.common.clock import reset_clock, set_clock
from aspm.db.session import unit_of_work
from aspm.settings import Settings

PASSWORD = "correct-horse-battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock()
    set_clock(lambda: c.now)
    yield c
    reset_clock()


MakeUser = Callable[..., str]


@pytest.fixture
def make_user(sessions: sessionmaker[Session], settings: Settings) -> MakeUser:
    """Create a user (password PASSWORD unless given) and return the username."""

    def make(
        username: str,
        role: Role = Role.ENGINEER,
        password: str | None = PASSWORD,
        teams: tuple[str, ...] = (),
    ) -> str:
        with unit_of_work(sessions) as s:
            auth_service.create_user(
                s,
                spec=UserCreate(username=username, role=role, password=password, teams=list(teams)),
                actor="system:test",
                settings=settings,
            )
        return username

    return make
