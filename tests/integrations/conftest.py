"""Fixtures of the webhook tests: a receiver on loopback, a movable clock, crown-jewel assets."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.common.clock import reset_clock, set_clock
from aspm.db.session import unit_of_work
from aspm.risk.service import context_rescorer
from tests.gate.helpers import CROWN_JEWELS_YAML
from tests.integrations.receiver import Receiver, receiver


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock()
    set_clock(lambda: c.now)
    yield c
    reset_clock()


@pytest.fixture
def crown_jewels(sessions: sessionmaker[Session]) -> None:
    """Assets prod, internet-facing and tier 1, so a critical finding of theirs is P1."""
    with unit_of_work(sessions) as session:
        assets_service.apply(
            session,
            yaml_text=CROWN_JEWELS_YAML,
            source="assets.yaml",
            rescore=context_rescorer(actor="test"),
        )
