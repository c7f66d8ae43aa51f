"""The iac_coverage metric: share of live cloud resources that a Terraform state manages,
overall and per asset, from real imports of a state and a driftctl scan."""

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from typer.testing import CliRunner

from aspm.auth.principal import SYSTEM
from aspm.cli import app
from aspm.metrics import service
from aspm.metrics.catalogue import BY_NAME, MetricName
from aspm.metrics.schemas import Cell, MetricQuery
from tests.resources import reports
from tests.resources.reports import CLOUD_ASSET, CODE_ASSET

ROLE_ARN = "arn:aws:iam::111122223333:role/deployer"


def _driftctl_unmanaged(*bucket_ids: str) -> bytes:
    doc = {
        "summary": {"total_resources": len(bucket_ids), "total_changed": 0,
                    "total_unmanaged": len(bucket_ids), "total_missing": 0, "total_managed": 0,
                    "coverage": 0},
        "managed": [],
        "unmanaged": [{"id": b, "type": "aws_s3_bucket"} for b in bucket_ids],
        "missing": [],
        "differences": [],
        "coverage": 0,
        "alerts": None,
        "provider_name": "aws",
        "provider_version": "5.0.0",
    }  # fmt: skip
    return json.dumps(doc).encode()


def _inventory(sessions: sessionmaker[Session]) -> None:
    """acme/infra: a state with a bucket and a role (both managed); aws-prod: a driftctl scan
    with one hand-made bucket; acme/legacy: an older state holding the same bucket again."""
    state = reports.tfstate(reports.state_resource("aws_iam_role", "deployer", ROLE_ARN))
    reports.imported(sessions, state, CODE_ASSET, filename="terraform.tfstate")
    reports.imported(sessions, _driftctl_unmanaged("acme-hand-made"), CLOUD_ASSET)
    reports.imported(sessions, reports.tfstate(), "acme/legacy", filename="legacy.tfstate")


def _compute(session: Session, **query: str) -> list[dict[str, Cell]]:
    result = service.compute(session, SYSTEM, "iac_coverage", MetricQuery(**query))
    assert result.columns[-4:] == ["cloud_resources", "managed", "unmanaged", "iac_coverage"]
    return result.rows


def test_overall_counts_each_cloud_resource_once(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _inventory(sessions)
    assert _compute(session) == [
        {"cloud_resources": 3, "managed": 2, "unmanaged": 1, "iac_coverage": 0.6667}
    ]


def test_per_asset_counts_what_each_inventory_shows(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _inventory(sessions)
    rows = {r["asset"]: r for r in _compute(session, group_by="asset")}
    assert rows[CODE_ASSET] == {
        "asset": CODE_ASSET, "cloud_resources": 2, "managed": 2, "unmanaged": 0,
        "iac_coverage": 1.0,
    }  # fmt: skip
    assert rows[CLOUD_ASSET]["iac_coverage"] == 0.0
    assert rows[CLOUD_ASSET]["unmanaged"] == 1
    assert rows["acme/legacy"]["cloud_resources"] == 1
    assert _compute(session, asset=CLOUD_ASSET) == [
        {"cloud_resources": 1, "managed": 0, "unmanaged": 1, "iac_coverage": 0.0}
    ]


def test_retired_resources_leave_the_figure(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _inventory(sessions)
    # the same state without the role: a complete snapshot retires it
    reports.imported(sessions, reports.tfstate(), CODE_ASSET, filename="terraform.tfstate")
    assert _compute(session)[0]["cloud_resources"] == 2


def test_empty_inventory_gives_one_row_and_a_note(session: Session) -> None:
    result = service.compute(session, SYSTEM, "iac_coverage", MetricQuery())
    assert result.rows == [
        {"cloud_resources": 0, "managed": 0, "unmanaged": 0, "iac_coverage": None}
    ]
    assert any("no cloud resource" in n for n in result.notes)


def test_api_lists_the_definition_and_serves_the_metric(
    sessions: sessionmaker[Session], client: TestClient
) -> None:
    _inventory(sessions)
    listed = {m["name"]: m for m in client.get("/api/v1/metrics").json()}
    assert listed["iac_coverage"]["definition"] == BY_NAME[MetricName.IAC_COVERAGE].definition
    assert listed["iac_coverage"]["group_by"] == ["none", "asset"]
    body = client.get("/api/v1/metrics/iac_coverage", params={"group_by": "asset"}).json()
    assert {r["asset"] for r in body["rows"]} == {CODE_ASSET, CLOUD_ASSET, "acme/legacy"}
    csv = client.get("/api/v1/metrics/iac_coverage", params={"format": "csv"})
    assert csv.text.splitlines()[0] == "cloud_resources,managed,unmanaged,iac_coverage"
    bad = client.get("/api/v1/metrics/iac_coverage", params={"interval": "week"})
    assert bad.status_code == 422


def test_cli_prints_the_metric(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    _inventory(sessions)
    monkeypatch.setattr("aspm.cli_database.factory", lambda _settings=None: sessions)
    out = CliRunner().invoke(app, ["metrics", "iac_coverage", "--group-by", "asset", "--json"])
    assert out.exit_code == 0, out.output
    rows = {r["asset"]: r for r in json.loads(out.stdout)["rows"]}
    assert rows[CODE_ASSET]["iac_coverage"] == 1.0
