"""Toxic combinations on the loaded demo: the refresh-only plan shows the ledger database's group
opened to the internet by hand, the receipts bucket (pci) lost its access logging, and driftctl
finds a hand-made group open on every port."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.demo.service import run_demo
from aspm.findings.models import Finding
from aspm.resources.exposure import finding_contexts
from aspm.resources.models import Resource, ResourceLink
from tests.conftest import TEST_SECRET

# the shipped policy's public-exposure patterns, without the ones a missing public access block
# setting matches (a guard left off is not a public bucket)
PUBLIC = ("*public*", "*0.0.0.0*", "*from_internet*", "*open_to_internet*")
NOT_PUBLIC = ("*egress*", "*block-public*", "*public-access-block*", "*restrict-public*",
              "*ignore-public*")  # fmt: skip


@pytest.fixture
def demo(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run_demo(sessions, out_dir=tmp_path, hmac_key=TEST_SECRET.encode(), batch_size=50)


@pytest.mark.usefixtures("demo")
def test_demo_shows_toxic_combinations_as_paths(session: Session) -> None:
    ctx = finding_contexts(
        session, selection=None, sensitivity_tags=("data-classification", "DataClass"),
        public_controls=PUBLIC, not_public_controls=NOT_PUBLIC,
    )  # fmt: skip
    found: dict[str, set[tuple[str | None, str]]] = {}
    for fid, c in ctx.items():
        f = session.get(Finding, fid)
        assert f is not None
        for combo in c.combinations:
            found.setdefault(combo.name, set()).add((f.resource, f.control_id))
    assert found["drift_opened_to_internet"] == {
        ("aws_security_group.ledger_db", "terraform:drift-network-exposure")
    }
    assert found["internet_data_store_restricted"] == {
        ("aws_security_group.ledger_db", "terraform:drift-network-exposure")
    }
    assert found["restricted_data_logging_disabled"] == {
        ("aws_s3_bucket.receipts", "terraform:drift-logging"),
        ("aws_db_instance.ledger", "aws-rds-log-exports"),
    }
    unmanaged = found["unmanaged_internet_resource"]
    assert {c for _, c in unmanaged} == {
        "driftctl:drift-unmanaged", "aws-ec2-security-group-all-ports-public"
    }  # fmt: skip
    assert len(found) >= 4
    drift = next(
        combo
        for c in ctx.values()
        for combo in c.combinations
        if combo.name == "drift_opened_to_internet"
    )
    assert drift.path[0] == "internet"
    assert drift.path[-1] == "attached to aws_db_instance.ledger"
    assert any("allows tcp/5432 from 0.0.0.0/0" in step for step in drift.path)


@pytest.mark.usefixtures("demo")
def test_demo_exposure_is_per_resource(session: Session) -> None:
    """On payments-api, the database behind the opened group is internet-exposed, and so is the
    bastion, whose public IP the state shows (its group allows SSH from the VPC only: one rule
    change away); the receipts bucket is internal."""
    ctx = finding_contexts(
        session, selection=None, sensitivity_tags=("DataClass",), public_controls=PUBLIC,
        not_public_controls=NOT_PUBLIC,
    )  # fmt: skip
    links = select(ResourceLink.finding_id, Resource.address).join(
        Resource, Resource.id == ResourceLink.resource_id
    )
    address = dict(session.execute(links).all())
    by_resource = {address[fid]: c.exposure.value for fid, c in ctx.items() if c.exposure}
    assert by_resource["aws_db_instance.ledger"] == "internet"
    assert by_resource["aws_security_group.api_alb"] == "internet"
    assert by_resource["aws_instance.bastion"] == "internet"
    assert by_resource["aws_s3_bucket.receipts"] == "internal"
