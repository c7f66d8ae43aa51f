"""The demo's Terraform state, refresh-only plan and driftctl scan: every finding about a resource
the state manages is tied to it in code and in the cloud, hand-made resources show as unmanaged,
and drift is reported with the severity of what drifted."""

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.assets.models import Asset
from aspm.cli import app
from aspm.demo import org
from aspm.demo.service import run_demo
from aspm.demo.terraform import refresh_only_plan, tfstate
from aspm.findings import service as findings_service
from aspm.findings.models import Detection, Finding
from aspm.resources.models import Resource, ResourceLink
from tests.conftest import TEST_SECRET
from tests.factories import ingest_bytes

runner = CliRunner()
STATE_ARNS = {str(r.attributes["arn"]) for r in org.PAYMENTS_STATE}
STATE_ADDRESSES = {r.address for r in org.PAYMENTS_STATE}
UNMANAGED_IDS = {u.id for u in org.PROD_UNMANAGED}


def _tail(resource: str) -> str:
    return resource.replace(":", "/").rsplit("/", 1)[-1]


@pytest.fixture
def demo(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run_demo(sessions, out_dir=tmp_path, hmac_key=TEST_SECRET.encode(), batch_size=50)


def _detections(session: Session) -> list[tuple[Detection, str, Resource | None]]:
    """(detection, asset kind, the resource its finding is linked to) for every detection."""
    rows = session.execute(
        select(Detection, Asset.kind, Resource)
        .join(Asset, Asset.id == Detection.asset_id)
        .outerjoin(ResourceLink, ResourceLink.finding_id == Detection.finding_id)
        .outerjoin(Resource, Resource.id == ResourceLink.resource_id)
    ).all()
    return [(d, kind, r) for d, kind, r in rows]


@pytest.mark.usefixtures("demo")
def test_every_cloud_finding_on_a_resource_the_state_manages_knows_its_code(
    session: Session,
) -> None:
    managed = [
        (d, r)
        for d, kind, r in _detections(session)
        if kind == "cloud_account" and d.resource in STATE_ARNS
    ]
    assert len(managed) >= 15  # Prowler and Security Hub on buckets, groups, the database...
    unlinked = [d.resource for d, r in managed if r is None or not r.address]
    assert unlinked == []
    assert {r.address for _, r in managed if r} >= {
        "aws_s3_bucket.receipts", "aws_s3_bucket.statement_exports", "aws_db_instance.ledger",
        "aws_security_group.bastion", "aws_kms_key.ledger", "aws_instance.bastion",
        "aws_lambda_function.refund_worker",
    }  # fmt: skip


@pytest.mark.usefixtures("demo")
def test_every_iac_finding_on_a_deployed_resource_knows_its_arn(session: Session) -> None:
    deployed = [
        (d, r)
        for d, kind, r in _detections(session)
        if kind == "repository" and d.category == "iac" and d.resource in STATE_ADDRESSES
    ]
    assert len(deployed) >= 50  # Checkov and tfsec on payments-api's infra/
    wrong = [
        (d.resource, r.cloud_id if r else None)
        for d, r in deployed
        if r is None or r.cloud_id != next(
            str(s.attributes["arn"]) for s in org.PAYMENTS_STATE if s.address == d.resource
        )
    ]  # fmt: skip
    assert wrong == []


@pytest.mark.usefixtures("demo")
def test_iac_and_cloud_pairs_on_one_resource_are_single_findings(session: Session) -> None:
    """The same control failing in code (Checkov, tfsec) and in the cloud (Prowler, Security
    Hub) on one bucket, key or database is one finding, on the repository that fixes it, whose
    detail shows each detection with its file and line or its ARN, account and region."""
    kinds = {a.id: a.kind for a in session.scalars(select(Asset))}
    by_finding: dict[uuid.UUID, list[Detection]] = {}
    for d in session.scalars(select(Detection)):
        by_finding.setdefault(d.finding_id, []).append(d)
    pairs = [
        fid
        for fid, ds in by_finding.items()
        if {kinds[d.asset_id] for d in ds} == {"repository", "cloud_account"}
        and {d.category for d in ds} == {"iac", "cspm"}
    ]
    assert len(pairs) >= 3
    for fid in pairs:
        detail = findings_service.get_finding(session, fid)  # what the API and CLI show
        assert (detail.category, detail.asset) == ("iac", "acme-corp/payments-api")
        code = [d for d in detail.detection_list if d.category == "iac"]
        cloud = [d for d in detail.detection_list if d.category == "cspm"]
        assert code  # file:line and the IaC address of each
        assert all(d.path and d.start_line and d.resource in STATE_ADDRESSES for d in code)
        assert cloud  # ARN, account and region of each
        assert all(d.resource in STATE_ARNS and d.account_id and d.region for d in cloud)
        c2c = detail.code_to_cloud  # "In code" and "In cloud"
        assert c2c is not None
        assert c2c.in_code is not None
        assert c2c.in_cloud is not None
        assert c2c.in_cloud.cloud_id in STATE_ARNS
    controls = {findings_service.get_finding(session, f).control_id for f in pairs}
    assert {"aws-s3-access-logging", "aws-kms-key-rotation",
            "aws-rds-instance-deletion-protection"} <= controls  # fmt: skip


@pytest.mark.usefixtures("demo")
def test_cloud_findings_on_hand_made_resources_show_them_unmanaged(session: Session) -> None:
    on_hand_made = [
        (d, r)
        for d, kind, r in _detections(session)
        if kind == "cloud_account" and d.tool != "driftctl" and _tail(d.resource or "")
        in UNMANAGED_IDS
    ]  # fmt: skip
    # the debug group (Prowler and Security Hub), the reconcile runner, the legacy export user
    assert {_tail(d.resource or "") for d, _ in on_hand_made} == UNMANAGED_IDS
    assert all(r is not None and not r.managed and r.address is None for _, r in on_hand_made)


@pytest.mark.usefixtures("demo")
def test_drift_findings_have_the_severity_of_what_drifted(session: Session) -> None:
    drift = {
        (f.resource, f.severity)
        for f in session.scalars(select(Finding).where(Finding.category == "drift"))
    }
    debug_sg = org.sg_id("prod-debug-temp-all-open")
    assert drift == {
        ("aws_security_group.ledger_db", "critical"),  # opened to 0.0.0.0/0
        ("aws_s3_bucket.receipts", "high"),  # access logging turned off
        ("aws_sqs_queue.settlement_events", "low"),  # a tag added
        (debug_sg, "high"),  # unmanaged (driftctl)
        ("svc-legacy-export", "high"),
        (org.instance_id("prod-reconcile-runner"), "medium"),
        (org.PROD_MISSING[0].id, "medium"),  # deleted outside Terraform
    }


def test_a_state_imported_after_the_plan_leaves_the_plans_drift_open(
    sessions: sessionmaker[Session], session: Session
) -> None:
    plan = refresh_only_plan(org.PAYMENTS_STATE, org.PAYMENTS_DRIFT, round_no=2)
    state = tfstate(org.PAYMENTS_STATE, serial=1, lineage_label="test")
    for data, name in ((plan, "plan.json"), (state, "terraform.tfstate")):
        result = ingest_bytes(sessions, data, filename=name, asset="infra")
        assert (result.status, result.resolved_findings) == ("ok", 0), result.error
    states = session.scalars(select(Finding.detector_state).where(Finding.category == "drift"))
    assert list(states) == ["active"] * len(org.PAYMENTS_DRIFT)


def test_cli_lists_the_demo_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aspm.settings import get_settings

    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "demo-cli-test-key")
    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(app, ["demo", "--out", str(tmp_path / "r")]).exit_code == 0
        listed = runner.invoke(app, ["resources", "list", "--json"])
        assert listed.exit_code == 0, listed.output
        rows = json.loads(listed.stdout)
        assert {r["address"] for r in rows if r["managed"]} == STATE_ADDRESSES
        assert {r["cloud_id"] for r in rows if not r["managed"]} == UNMANAGED_IDS
        assert all(r["findings"] > 0 for r in rows)
        shown = runner.invoke(app, ["resources", "show", "aws_security_group.ledger_db", "--json"])
        assert shown.exit_code == 0, shown.output
        detail = json.loads(shown.stdout)
        assert ["ingress", "tcp/5432 0.0.0.0/0"] in detail["facts"]  # the refreshed plan's view
    finally:
        get_settings.cache_clear()
