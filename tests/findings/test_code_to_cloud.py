"""A finding's `code_to_cloud`: its inventory resource, where code defines it, its cloud identity
and its open drift, built from real imports (state, Checkov, Security Hub, refresh-only plan)."""

import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from typer.testing import CliRunner

from aspm.cli import app
from aspm.findings import service
from aspm.findings.models import DetectorState, Finding
from tests.resources import reports
from tests.resources.reports import ADDRESS, ARN, CLOUD_ASSET, CODE_ASSET, REGION


def _finding_id(session: Session, *, category: str, tool_resource: str) -> str:
    session.expire_all()
    ids = session.scalars(
        select(Finding.id).where(Finding.category == category, Finding.resource == tool_resource)
    ).all()
    assert len(ids) >= 1, (category, tool_resource)
    return str(ids[0])


def _cloud_finding(session: Session) -> str:
    return _finding_id(session, category="cspm", tool_resource=ARN)


def _iac_finding(session: Session) -> str:
    return _finding_id(session, category="iac", tool_resource=ADDRESS)


def test_cloud_finding_knows_the_code_that_defines_its_resource(
    sessions: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    reports.code_and_cloud(sessions)
    body = client.get(f"/api/v1/findings/{_cloud_finding(session)}").json()
    c2c = body["code_to_cloud"]
    assert c2c["via"] == "cloud_id"
    resource = c2c["resource"]
    assert resource["type"] == "aws_s3_bucket"
    assert (resource["address"], resource["cloud_id"]) == (ADDRESS, ARN)
    # an S3 ARN names no account, and the state's bucket attributes neither
    assert (resource["account_id"], resource["region"]) == (None, REGION)
    assert resource["managed"] is True
    assert resource["active"] is True
    assert resource["asset"] == CODE_ASSET
    assert c2c["in_code"] == {
        "path": "storage/s3.tf",
        "start_line": 12,
        "tool": "checkov",
        "asset": CODE_ASSET,
        "asset_id": resource["asset_id"],
    }
    assert c2c["in_cloud"] == {"cloud_id": ARN, "account_id": None, "region": REGION}
    assert c2c["drift"] == []


def test_iac_finding_knows_its_live_resource(
    sessions: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    reports.code_and_cloud(sessions)
    c2c = client.get(f"/api/v1/findings/{_iac_finding(session)}").json()["code_to_cloud"]
    assert c2c["via"] == "address"
    assert c2c["in_cloud"]["cloud_id"] == ARN
    assert c2c["in_code"]["start_line"] == 12


def test_drift_of_the_resource_is_listed_worst_first(
    sessions: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    reports.code_and_cloud(sessions, drift=True)
    c2c = client.get(f"/api/v1/findings/{_cloud_finding(session)}").json()["code_to_cloud"]
    drift = c2c["drift"]
    assert len(drift) == 2  # ACL opened (network exposure) and versioning suspended
    assert all(d["title"].startswith("Drift:") for d in drift)
    ranks = ["info", "low", "medium", "high", "critical"]
    assert [ranks.index(d["severity"]) for d in drift] == sorted(
        (ranks.index(d["severity"]) for d in drift), reverse=True
    )
    assert all(d["first_seen_at"] for d in drift)
    # a drift finding is linked too, and lists itself among its resource's drift
    own = client.get(f"/api/v1/findings/{drift[0]['id']}").json()["code_to_cloud"]
    assert own["resource"]["id"] == c2c["resource"]["id"]
    assert {d["id"] for d in own["drift"]} == {d["id"] for d in drift}


def test_fixed_drift_is_not_listed(
    sessions: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    reports.code_and_cloud(sessions, drift=True)
    fid = _cloud_finding(session)
    session.expire_all()
    for f in session.scalars(select(Finding).where(Finding.category == "drift")):
        f.detector_state = DetectorState.FIXED
    session.flush()
    assert client.get(f"/api/v1/findings/{fid}").json()["code_to_cloud"]["drift"] == []


def test_unmanaged_resource_says_so_and_has_no_code(
    sessions: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    hand_made = "arn:aws:s3:::acme-hand-made"
    driftctl = {
        "summary": {"total_resources": 1, "total_changed": 0, "total_unmanaged": 1,
                    "total_missing": 0, "total_managed": 0, "coverage": 0},
        "managed": [],
        "unmanaged": [{"id": "acme-hand-made", "type": "aws_s3_bucket"}],
        "missing": [],
        "differences": [],
        "coverage": 0,
        "alerts": None,
        "provider_name": "aws",
        "provider_version": "5.0.0",
    }  # fmt: skip
    reports.imported(sessions, json.dumps(driftctl).encode(), CLOUD_ASSET, filename="drift.json")
    reports.imported(sessions, reports.asff(hand_made), CLOUD_ASSET)
    session.expire_all()
    linked = session.scalars(select(Finding.id).where(Finding.category == "cspm")).all()
    bodies = [client.get(f"/api/v1/findings/{i}").json()["code_to_cloud"] for i in linked]
    c2c = next(b for b in bodies if b is not None)
    assert c2c["resource"]["managed"] is False
    assert c2c["in_code"] is None


def test_finding_without_a_resource_has_none(
    sessions: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    reports.imported(sessions, reports.checkov(), CODE_ASSET)  # no state: nothing to link to
    assert client.get(f"/api/v1/findings/{_iac_finding(session)}").json()["code_to_cloud"] is None


def test_token_bound_to_the_cloud_asset_sees_no_other_asset(
    sessions: sessionmaker[Session],
    session: Session,
    token_client: Callable[..., TestClient],
) -> None:
    reports.code_and_cloud(sessions)
    bound = token_client(["read"], assets=[CLOUD_ASSET])
    resp = bound.get(f"/api/v1/findings/{_cloud_finding(session)}")
    assert resp.status_code == 200
    assert resp.json()["code_to_cloud"] is None  # the resource lives in the code asset
    both = token_client(["read"], assets=[CLOUD_ASSET, CODE_ASSET])
    c2c = both.get(f"/api/v1/findings/{_cloud_finding(session)}").json()["code_to_cloud"]
    assert c2c["in_code"]["asset"] == CODE_ASSET


def test_service_and_cli_show_the_same_summary(
    sessions: sessionmaker[Session], session: Session, monkeypatch: Any
) -> None:
    reports.code_and_cloud(sessions, drift=True)
    fid = _cloud_finding(session)
    detail = service.get_finding(session, uuid.UUID(fid))
    assert detail.code_to_cloud is not None
    assert detail.code_to_cloud.in_cloud is not None
    monkeypatch.setattr("aspm.cli_database.factory", lambda _settings=None: sessions)
    out = CliRunner().invoke(app, ["findings", "show", fid])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert f"In code: storage/s3.tf:12 (checkov, {CODE_ASSET})" in text
    assert f"In cloud: {ARN} ({REGION})" in text
    assert "Drift: Drift:" in text
    assert "managed by Terraform" in text
