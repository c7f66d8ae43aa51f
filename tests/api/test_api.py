"""REST API: upload (multipart and raw), imports, findings; errors in one envelope."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import gitleaks_leak, gitleaks_report

KEY = "ghp_" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8"


def test_upload_multipart_then_list_and_read_findings(client: TestClient) -> None:
    report = gitleaks_report(gitleaks_leak(KEY), gitleaks_leak(KEY, file="other.env"))
    resp = client.post(
        "/api/v1/imports",
        params={"asset": "acme/api"},
        files={"file": ("gitleaks.json", report, "application/json")},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["status"], body["format"], body["tool"], body["new"]) == (
        "ok",
        "gitleaks",
        "gitleaks",
        2,
    )
    page = client.get("/api/v1/findings", params={"asset": "acme/api"}).json()
    assert page["total"] == 2
    first = page["items"][0]
    assert first["tools"] == ["gitleaks"]
    assert first["detections"] == 1
    detail = client.get(f"/api/v1/findings/{first['id']}").json()
    assert detail["detection_list"][0]["secret_preview"].startswith("ghp_")
    assert KEY not in resp.text + str(page) + str(detail)


def test_upload_raw_body(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/imports?asset=acme/raw&filename=leaks.json",
        content=gitleaks_report(gitleaks_leak(KEY)),
        headers={"content-type": "application/octet-stream"},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["file"] == "leaks.json"


def test_unreadable_upload_is_422_with_envelope_and_recorded(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/imports?filename=broken.json&format=gitleaks",
        content=b'[{"RuleID": ',
        headers={"content-type": "application/octet-stream"},
    )
    assert resp.status_code == 422
    body = resp.json()
    assert body["error"] == "IngestError"
    assert "broken.json" in body["detail"]
    runs = client.get("/api/v1/imports", params={"status": "error"}).json()
    assert runs["total"] == 1
    assert runs["items"][0]["error"] == body["detail"]


def test_empty_upload_is_rejected(client: TestClient) -> None:
    resp = client.post("/api/v1/imports", content=b"")
    assert resp.status_code == 422
    assert resp.json()["error"] == "InvalidInput"


def test_unknown_finding_is_404_envelope(client: TestClient) -> None:
    resp = client.get("/api/v1/findings/00000000-0000-0000-0000-000000000000")
    assert resp.status_code == 404
    assert resp.json()["error"] == "NotFound"


def test_validation_errors_use_the_envelope(client: TestClient) -> None:
    resp = client.get("/api/v1/findings", params={"severity": "catastrophic"})
    assert resp.status_code == 422
    assert resp.json()["error"] == "ValidationError"


def test_findings_filter_sort_and_paginate(client: TestClient) -> None:
    leaks = [gitleaks_leak(f"ghp_{i:036d}", file=f"f{i}.env") for i in range(5)]
    client.post("/api/v1/imports?asset=acme/page", content=gitleaks_report(*leaks))
    page = client.get(
        "/api/v1/findings", params={"limit": 2, "offset": 2, "sort": "title", "descending": False}
    ).json()
    assert (page["total"], len(page["items"]), page["offset"]) == (5, 2, 2)
    assert client.get("/api/v1/findings", params={"q": "f3.env"}).json()["total"] == 1
    assert client.get("/api/v1/findings", params={"tool": "checkov"}).json()["total"] == 0


def test_openapi_documents_every_operation_with_stable_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"imports-upload", "imports-list", "imports-get", "findings-list", "findings-get"} <= ids


def test_uploads_and_asset_changes_name_the_signed_in_person(client_as: Any) -> None:
    lead = client_as("security_lead", username="lena")
    resp = lead.post(
        "/api/v1/imports",
        params={"asset": "acme/who"},
        files={"file": ("gitleaks.json", gitleaks_report(gitleaks_leak(KEY)), "application/json")},
    )
    assert resp.status_code == 201, resp.text
    run = lead.get(f"/api/v1/imports/{resp.json()['import_id']}").json()
    assert run["uploaded_by"] == "user:lena"
    put = lead.put(
        "/api/v1/assets/acme/who",
        json={"environment": "prod", "exposure": "internet"},
    )
    assert put.status_code == 200, put.text
    events = lead.get("/api/v1/audit", params={"object_type": "asset"}).json()["items"]
    assert events
    assert {e["actor"] for e in events} == {"user:lena"}
