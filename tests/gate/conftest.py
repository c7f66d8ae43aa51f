"""Fixtures of the gate tests."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.db.session import unit_of_work
from aspm.risk.service import context_rescorer
from tests.gate.helpers import CROWN_JEWELS_YAML


@pytest.fixture
def crown_jewels(sessions: sessionmaker[Session]) -> None:
    """Declare the gated assets prod, internet-facing and tier 1, so a critical finding is P1."""
    with unit_of_work(sessions) as session:
        assets_service.apply(
            session,
            yaml_text=CROWN_JEWELS_YAML,
            source="assets.yaml",
            rescore=context_rescorer(actor="test"),
        )
