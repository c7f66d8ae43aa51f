"""Issue 16 gap 16: a suppression rule is previewed before it is saved ("this rule hides 37
findings", with the list), and each rule lists the findings it hides."""

from fastapi.testclient import TestClient

from aspm.auth.principal import Role
from tests.conftest import ClientAs
from tests.triage.helpers import findings, import_leaks

FILES = ["tests/a.env", "tests/b.env", "tests/fixtures/c.env", "src/app.env"]


def test_preview_counts_and_lists_what_a_rule_would_hide_and_saves_nothing(
    client: TestClient,
) -> None:
    import_leaks(client, "acme/prev", FILES)
    one = next(f for f in findings(client, asset="acme/prev") if f["path"] == "tests/b.env")
    client.post(
        f"/api/v1/findings/{one['id']}/triage",
        json={"state": "false_positive", "reason": "sample", "version": one["version"]},
    )
    resp = client.post(
        "/api/v1/suppression-rules/preview", json={"asset": "acme/prev", "path_glob": "tests/**"}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["findings"] == 3
    assert body["open"] == 2  # the false positive is not open work
    assert body["already_suppressed"] == 0
    assert sorted(i["path"] for i in body["items"]) == [
        "tests/a.env", "tests/b.env", "tests/fixtures/c.env",
    ]  # fmt: skip
    assert {i["asset"] for i in body["items"]} == {"acme/prev"}
    # a preview is a read: nothing is hidden, no rule exists
    assert len(findings(client, asset="acme/prev")) == 4
    assert client.get("/api/v1/suppression-rules").json() == []

    # the saved rule hides exactly what the preview said, and lists them
    rule = client.post(
        "/api/v1/suppression-rules",
        json={"asset": "acme/prev", "path_glob": "tests/**", "justification": "test fixtures"},
    ).json()
    assert rule["findings"] == 3
    hidden = client.get(f"/api/v1/suppression-rules/{rule['id']}/findings").json()
    assert hidden["total"] == 3
    assert {i["path"] for i in hidden["items"]} == {i["path"] for i in body["items"]}

    # a second rule over the same findings would hide nothing new
    again = client.post(
        "/api/v1/suppression-rules/preview", json={"path_glob": "tests/fixtures/**"}
    ).json()
    assert again["findings"] == 0
    assert again["already_suppressed"] == 1
    assert again["items"] == []


def test_preview_refuses_a_rule_that_would_match_everything(client: TestClient) -> None:
    resp = client.post("/api/v1/suppression-rules/preview", json={"path_glob": "**"})
    assert resp.status_code == 422
    assert "narrow" in resp.json()["detail"]
    unknown = client.post("/api/v1/suppression-rules/preview", json={"asset": "nope"})
    assert unknown.status_code == 422


def test_only_leads_preview_but_everyone_reads_what_a_rule_hides(
    client: TestClient, client_as: ClientAs
) -> None:
    import_leaks(client, "acme/prev2", ["tests/x.env"])
    rule = client.post(
        "/api/v1/suppression-rules",
        json={"asset": "acme/prev2", "justification": "sandbox"},
    ).json()
    engineer = client_as(Role.ENGINEER)
    denied = engineer.post("/api/v1/suppression-rules/preview", json={"asset": "acme/prev2"})
    assert denied.status_code == 403
    viewer = client_as(Role.VIEWER)
    listed = viewer.get(f"/api/v1/suppression-rules/{rule['id']}/findings")
    assert listed.status_code == 200
    assert listed.json()["total"] == 1
    missing = viewer.get("/api/v1/suppression-rules/00000000-0000-4000-8000-000000000000/findings")
    assert missing.status_code == 404
