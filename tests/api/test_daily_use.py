"""Issue 16 (daily use) over the API: unknown filters are refused, assignment takes real people,
posture moves with triage, one definition of "open", search over ids and locations, the
findings of one import, and the formats the platform reads."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from aspm.common.clock import utcnow
from aspm.ingest.registry import FORMATS
from tests.triage.helpers import findings, import_leaks, people


def _upload(client: TestClient, path: Path, asset: str, **params: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/imports",
        params={"asset": asset, "filename": path.name, **params},
        content=path.read_bytes(),
        headers={"content-type": "application/octet-stream"},
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _total(client: TestClient, **params: Any) -> int:
    resp = client.get("/api/v1/findings", params={"limit": 1, **params})
    assert resp.status_code == 200, resp.text
    total: int = resp.json()["total"]
    return total


# ---- bug 6: unknown query parameters -----------------------------------------------------------


def test_an_unknown_filter_name_is_422_naming_the_accepted_ones(client: TestClient) -> None:
    import_leaks(client, "acme/q6", ["a.env", "b.env"])
    resp = client.get("/api/v1/findings", params={"triage_state": "accepted_risk"})
    assert resp.status_code == 422
    body = resp.json()
    assert body["error"] == "InvalidInput"
    assert "triage_state" in body["detail"]
    assert "triage" in body["detail"].split("accepts:")[1]
    # the same for any operation, and known names still work
    assert client.get("/api/v1/imports", params={"stauts": "ok"}).status_code == 422
    assert client.get("/api/v1/findings", params={"triage": "new"}).status_code == 200


# ---- bug 5: assignment takes existing, active users and teams ---------------------------------


def test_assigning_to_a_user_or_team_that_does_not_exist_is_refused_and_not_audited(
    client: TestClient,
) -> None:
    import_leaks(client, "acme/a5", ["a.env"])
    people(client, users=("engineer-5",), teams=("payments",))
    (f,) = findings(client, asset="acme/a5")
    url = f"/api/v1/findings/{f['id']}/assign"
    typo = client.post(url, json={"assignee": "enginer", "version": f["version"]})
    assert typo.status_code == 422, typo.text
    assert "enginer" in typo.json()["detail"]
    no_team = client.post(url, json={"team": "paymnets", "version": f["version"]})
    assert no_team.status_code == 422
    assert "payments" in no_team.json()["detail"]  # names the teams there are
    bulk = client.post(
        "/api/v1/findings/bulk",
        json={"ids": [f["id"]], "action": "assign", "assignee": "enginer", "reason": "x"},
    )
    assert bulk.status_code == 422
    history = client.get(f"/api/v1/findings/{f['id']}/history").json()["items"]
    assert not [e for e in history if e["action"] in ("assigned", "team_assigned")]

    ok = client.post(
        url, json={"assignee": "engineer-5", "team": "payments", "version": f["version"]}
    )
    assert ok.status_code == 200, ok.text
    # a deactivated user is no longer assignable, and leaves the pickers
    user = next(u for u in client.get("/api/v1/users").json() if u["username"] == "engineer-5")
    assert client.delete(f"/api/v1/users/{user['id']}").status_code in (200, 204)
    (f,) = findings(client, asset="acme/a5")
    again = client.post(url, json={"assignee": None, "version": f["version"]})
    assert again.status_code == 200
    (f,) = findings(client, asset="acme/a5")
    gone = client.post(url, json={"assignee": "engineer-5", "version": f["version"]})
    assert gone.status_code == 422
    directory = client.get("/api/v1/auth/directory").json()
    assert "engineer-5" not in [u["username"] for u in directory["users"]]
    assert "payments" in directory["teams"]


# ---- bug 4: posture is fresh after triage; one "open" -----------------------------------------


def _posture(client: TestClient) -> dict[str, Any]:
    resp = client.get("/api/v1/metrics/posture", params={"period": "1d", "group_by": "none"})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_accepting_a_risk_moves_posture_at_once_and_assets_count_open_the_same_way(
    client: TestClient,
) -> None:
    import_leaks(client, "acme/p4", ["a.env", "b.env", "c.env"])
    before = _posture(client)
    assert before["as_of"]
    (row,) = before["rows"]
    assert (row["open_count"], row["accepted_count"]) == (3, 0)
    f = findings(client, asset="acme/p4")[0]
    accepted = client.post(
        f"/api/v1/findings/{f['id']}/triage",
        json={
            "version": f["version"],
            "state": "accepted_risk",
            "reason": "compensating control",
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
    )
    assert accepted.status_code == 200, accepted.text
    after = _posture(client)
    (row,) = after["rows"]
    assert (row["open_count"], row["accepted_count"]) == (2, 1)
    assert after["as_of"] >= before["as_of"]
    # the asset page, the queue's open view and posture: one definition of open
    (asset,) = [a for a in client.get("/api/v1/assets").json() if a["name"] == "acme/p4"]
    assert asset["findings"] == 2
    assert _total(client, asset="acme/p4", open="true") == 2
    assert _total(client, asset="acme/p4", open="false") == 1
    assert _total(client, asset="acme/p4") == 3


def test_a_suppression_rule_moves_posture_at_once(client: TestClient) -> None:
    import_leaks(client, "acme/p4s", ["docs/a.env", "svc/b.env"])
    assert _posture(client)["rows"][0]["open_count"] == 2
    rule = client.post(
        "/api/v1/suppression-rules",
        json={"path_glob": "docs/*", "justification": "examples"},
    )
    assert rule.status_code == 201, rule.text
    assert _posture(client)["rows"][0]["open_count"] == 1


# ---- gap 12: search over ids and locations ------------------------------------------------------


def test_search_finds_rule_ids_control_ids_cves_addresses_arns_and_paths(
    client: TestClient, samples: Path
) -> None:
    _upload(client, samples / "checkov" / "many.json", "acme/infra")
    _upload(client, samples / "trivy" / "legacy.json", "acme/image")
    _upload(client, samples / "prowler-ocsf" / "one.json", "aws:111122223333")
    for q, expected in (
        ("ckv_aws_18", "acme/infra"),  # rule id, any case
        ("CVE-2021-23337", "acme/image"),
        ("module.site.aws_s3_bucket.www", "acme/infra"),  # IaC address
        ("arn:aws:s3:::example-public-assets", "aws:111122223333"),
        ("app/package-lock.json", "acme/image"),
    ):
        found = findings(client, q=q)
        assert found, q
        assert {f["asset"] for f in found} == {expected}, q
    control = findings(client, q="module.site.aws_s3_bucket.www")[0]["control_id"]
    assert any(f["control_id"] == control for f in findings(client, q=control))
    assert findings(client, q="no_such_thing_%") == []  # % and _ are not wildcards


# ---- gap 19: one import's findings -------------------------------------------------------------


def test_the_findings_of_one_import_are_what_it_created_resolved_or_reopened(
    client: TestClient,
) -> None:
    first = import_leaks(client, "acme/i19", ["a.env", "b.env"])
    second = import_leaks(client, "acme/i19", ["a.env", "c.env"], start=0)
    other = import_leaks(client, "acme/other", ["x.env"], start=50)

    def paths(import_id: str) -> set[str]:
        return {f["path"] for f in findings(client, import_id=import_id)}

    assert paths(first["import_id"]) == {"a.env", "b.env"}
    # the second import created c.env and resolved b.env (a full import of the same scope)
    assert second["new_findings"] + second["resolved_findings"] == 2
    assert paths(second["import_id"]) == {"b.env", "c.env"}
    assert paths(other["import_id"]) == {"x.env"}


# ---- bug 3: the readable formats come from the registry ----------------------------------------


def test_the_formats_the_upload_reads_come_from_the_registry(client: TestClient) -> None:
    resp = client.get("/api/v1/imports/formats")
    assert resp.status_code == 200, resp.text
    names = [f["name"] for f in resp.json()]
    assert names == sorted(f.name for f in FORMATS)
    assert all(f["title"] for f in resp.json())
    assert "zap" not in names
