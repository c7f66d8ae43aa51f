"""POST /api/v1/gate/evaluations (server mode of `aspm gate`) and the recorded evaluations."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aspm.findings.models import Finding
from tests.conftest import ClientAs
from tests.exports.sarif_schema import assert_valid_sarif
from tests.gate.helpers import CRITICAL, LOW, sarif_report, sarif_result

pytestmark = pytest.mark.usefixtures("crown_jewels")

URL = "/api/v1/gate/evaluations"
CRIT = sarif_report(sarif_result("sql-injection", level="error", score=CRITICAL, path="db.py"))
LOW_REPORT = sarif_report(sarif_result("style", level="note", score=LOW, path="a.py"))


def files(*reports: bytes, policy: bytes | None = None) -> list[tuple[str, tuple[str, bytes]]]:
    parts = [("reports", (f"r{n}.sarif", r)) for n, r in enumerate(reports)]
    if policy is not None:
        parts.append(("policy", ("gate-policy.yaml", policy)))
    return parts


def findings(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Finding)) or 0


def test_failing_evaluation_is_returned_and_recorded(client: TestClient) -> None:
    response = client.post(
        URL, files=files(CRIT), params={"asset": "acme/api", "branch": "pr-7", "sarif": "true"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["passed"], body["exit_code"], body["failed"]) == (False, 1, 1)
    assert body["failing"][0]["where"] == "db.py:10"
    assert_valid_sarif(body["sarif"])
    listed = client.get(URL, params={"asset": "acme/api"}).json()
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert (item["id"], item["passed"], item["branch"]) == (body["evaluation_id"], False, "pr-7")
    assert item["finding_ids"] == [body["failing"][0]["id"]]
    assert item["actor"].startswith("user:")
    one = client.get(f"{URL}/{item['id']}")
    assert one.status_code == 200
    assert one.json()["failed_rules"] == ["critical", "no-p1"]  # sorted
    assert client.get(URL, params={"passed": "true"}).json()["total"] == 0


def test_uploaded_policy_decides(client: TestClient) -> None:
    lenient = b"version: 1\nname: lenient\nrules:\n  - id: p1\n    when: {priority: [P1]}\n"
    lenient += b"    max: 3\n"
    body = client.post(URL, files=files(CRIT, LOW_REPORT, policy=lenient)).json()
    assert body["passed"] is True
    assert body["policy"]["name"] == "lenient"
    assert len(body["imports"]) == 2


def test_invalid_policy_is_422_naming_the_line(client: TestClient, session: Session) -> None:
    bad = b"version: 1\nrules:\n  - id: p1\n    when: {priority: [P0]}\n"
    response = client.post(URL, files=files(CRIT, policy=bad))
    assert response.status_code == 422
    assert "gate-policy.yaml:4: rules.0.when.priority" in response.json()["detail"]
    assert findings(session) == 0


def test_unreadable_report_is_422_and_stores_nothing(client: TestClient, session: Session) -> None:
    response = client.post(URL, files=files(CRIT, b'{"runs": ['))
    assert response.status_code == 422
    assert findings(session) == 0
    assert client.get(URL).json()["total"] == 0


def test_dry_run_imports_nothing(client: TestClient, session: Session) -> None:
    body = client.post(URL, files=files(CRIT), params={"dry_run": "true"}).json()
    assert body["passed"] is False
    assert body["failing"][0]["id"] is None
    assert findings(session) == 0
    assert client.get(URL).json()["items"][0]["dry_run"] is True


def test_ingest_token_may_gate_read_token_and_viewer_may_not(
    token_client: ClientAs, client_as: ClientAs
) -> None:
    ingest = token_client(["ingest"])
    assert ingest.post(URL, files=files(LOW_REPORT)).status_code == 200
    assert token_client(["read"]).post(URL, files=files(LOW_REPORT)).status_code == 403
    assert client_as("viewer").post(URL, files=files(LOW_REPORT)).status_code == 403


def test_asset_bound_token_gates_only_its_asset(token_client: ClientAs, client: TestClient) -> None:
    client.put("/api/v1/assets/acme/bound", json={})
    bound = token_client(["ingest"], assets=["acme/bound"])
    assert bound.post(URL, files=files(LOW_REPORT)).status_code == 403  # must name the asset
    ok = bound.post(URL, files=files(LOW_REPORT), params={"asset": "acme/bound"})
    assert ok.status_code == 200, ok.text
    assert bound.post(URL, files=files(LOW_REPORT), params={"asset": "other"}).status_code == 403
