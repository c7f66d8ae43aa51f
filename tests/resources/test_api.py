"""GET /api/v1/resources[/{id}]: filters, detail, and the findings' read rules."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Role
from aspm.findings.models import DetectorState, Finding
from tests.conftest import ClientAs
from tests.factories import ingest_bytes
from tests.resources import reports
from tests.resources.conftest import FORMAT, bucket, report

API = "/api/v1/resources"


@pytest.fixture
def inventory(sessions: sessionmaker[Session]) -> None:
    sg = {"provider": "aws", "type": "aws_security_group", "address": "aws_security_group.web",
          "cloud_id": "sg-0123", "facts": [["ingress", "tcp/22 0.0.0.0/0"]]}  # fmt: skip
    logs = bucket("logs", relations=[["security_group", "aws_security_group.web"]])
    hand = {"provider": "aws", "type": "aws_s3_bucket", "cloud_id": "arn:aws:s3:::hand",
            "managed": False}  # fmt: skip
    for data, asset in (
        (report([logs, sg, hand]), "infra"),
        (report([bucket("other")]), "other-infra"),
        (report(findings=[{"tool": "checkov", "rule_id": "CKV_AWS_18",
                           "resource": "aws_s3_bucket.logs"}], complete=False, tool=None),
         "infra"),
    ):  # fmt: skip
        assert ingest_bytes(sessions, data, fmt=FORMAT, asset=asset).status == "ok"


def _list(client: TestClient, **params: Any) -> dict[str, Any]:
    resp = client.get(API, params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


@pytest.mark.usefixtures("inventory")
def test_list_filters_and_pages(client: TestClient) -> None:
    assert _list(client)["total"] == 4
    assert {r["address"] for r in _list(client, asset="infra")["items"]} == {
        "aws_s3_bucket.logs", "aws_security_group.web", None,
    }  # fmt: skip
    assert [r["cloud_id"] for r in _list(client, managed=False)["items"]] == ["arn:aws:s3:::hand"]
    assert _list(client, type="aws_security_group")["items"][0]["cloud_id"] == "sg-0123"
    linked = _list(client, has_findings=True)["items"]
    assert [(r["address"], r["findings"]) for r in linked] == [("aws_s3_bucket.logs", 1)]
    assert _list(client, has_findings=False)["total"] == 3
    page = _list(client, limit=2, offset=2)
    assert (page["total"], len(page["items"]), page["offset"]) == (4, 2, 2)
    assert _list(client, asset="nope")["total"] == 0


@pytest.mark.usefixtures("inventory")
def test_detail_has_relations_facts_and_linked_findings(client: TestClient) -> None:
    logs = _list(client, q="aws_s3_bucket.logs")["items"][0]
    detail = client.get(f"{API}/{logs['id']}").json()
    sg = _list(client, type="aws_security_group")["items"][0]
    assert detail["relations"] == [
        {"kind": "security_group", "target": "aws_security_group.web", "resource_id": sg["id"]}
    ]
    assert detail["facts"] == [["public", "false"], ["encrypted", "true"]]
    assert [(f["title"], f["severity"], f["status"], f["via"]) for f in detail["finding_list"]] == [
        ("S3 bucket server access logging is enabled", "high", "active", "address")
    ]
    assert client.get(f"{API}/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.usefixtures("inventory")
def test_every_role_reads_and_asset_bound_tokens_only_their_assets(
    client: TestClient,
    client_as: ClientAs,
    token_client: Callable[..., TestClient],
) -> None:
    for role in (Role.ENGINEER, Role.VIEWER):
        assert _list(client_as(role))["total"] == 4
    other = _list(client, asset="other-infra")["items"][0]["id"]
    mine = _list(client, asset="infra")["items"][0]["id"]
    bound = token_client(["read"], assets=["infra"])
    assert bound.get(API).status_code == 403  # spans all assets
    assert bound.get(API, params={"asset": "other-infra"}).status_code == 403
    assert _list(bound, asset="infra")["total"] == 3
    assert bound.get(f"{API}/{mine}").status_code == 200
    assert bound.get(f"{API}/{other}").status_code == 403
    assert token_client(["ingest"]).get(API).status_code == 403  # needs the read scope


def test_drifted_lists_resources_with_drift_still_reported(
    sessions: sessionmaker[Session],
    session: Session,
    client: TestClient,
    token_client: Callable[..., TestClient],
) -> None:
    # the bucket (state, Checkov, Security Hub) and, in another asset, a queue without findings
    reports.code_and_cloud(sessions)
    queue = reports.state_resource("aws_sqs_queue", "jobs", "arn:aws:sqs:eu-west-1:1:jobs")
    reports.imported(sessions, reports.tfstate(queue, bucket=False), "queues",
                     filename="terraform.tfstate")  # fmt: skip
    # linked findings, but none of them drift
    assert [r["address"] for r in _list(client, has_findings=True)["items"]] == [reports.ADDRESS]
    assert _list(client, drifted=True)["total"] == 0
    assert _list(client, drifted=False)["total"] == 2

    reports.imported(sessions, reports.drift_plan(), reports.CODE_ASSET, filename="plan.json")
    drifted = _list(client, drifted=True)["items"]
    assert [(r["address"], r["asset"]) for r in drifted] == [(reports.ADDRESS, reports.CODE_ASSET)]
    assert [r["address"] for r in _list(client, drifted=False)["items"]] == ["aws_sqs_queue.jobs"]
    assert _list(client, drifted=True, asset="queues")["total"] == 0
    bound = token_client(["read"], assets=[reports.CODE_ASSET])
    assert _list(bound, drifted=True, asset=reports.CODE_ASSET)["total"] == 1

    # drift the detector no longer reports does not count
    session.expire_all()
    for f in session.scalars(select(Finding).where(Finding.category == "drift")):
        f.detector_state = DetectorState.FIXED
    session.flush()
    assert _list(client, drifted=True)["total"] == 0
    assert _list(client, drifted=False)["total"] == 2


def test_openapi_documents_the_inventory(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/resources", "/api/v1/resources/{resource_id}"} <= set(paths)
    assert paths["/api/v1/resources"]["get"]["operationId"] == "resources-list"
    params = {p["name"] for p in paths["/api/v1/resources"]["get"]["parameters"]}
    assert {"managed", "has_findings", "drifted"} <= params
