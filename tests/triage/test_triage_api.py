"""Triage over HTTP: decisions, 409s, optimistic concurrency, assignment, comments, history,
bulk actions, who may act, and the engineer's own queue."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from aspm.auth.principal import Role
from aspm.common.clock import utcnow
from tests.conftest import ClientAs
from tests.triage.helpers import by_path, findings, import_leaks, people


def _triage(client: TestClient, f: dict[str, Any], **body: Any) -> Any:
    return client.post(f"/api/v1/findings/{f['id']}/triage", json={"version": f["version"], **body})


def test_triage_moves_the_state_bumps_the_version_and_writes_history(client: TestClient) -> None:
    import_leaks(client, "acme/t1", ["a.env"])
    (f,) = findings(client, asset="acme/t1")
    assert (f["triage_state"], f["status"]) == ("new", "active")
    resp = _triage(client, f, state="confirmed", reason="real key")
    assert resp.status_code == 200, resp.text
    assert resp.json()["triage_state"] == "confirmed"
    assert resp.json()["version"] == f["version"] + 1
    detail = client.get(f"/api/v1/findings/{f['id']}").json()
    assert detail["triage_state"] == "confirmed"
    assert detail["status"] == "active"  # detector state is independent
    history = client.get(detail["links"]["history"]).json()["items"]
    event = history[-1]
    assert (event["action"], event["from_value"], event["to_value"], event["reason"]) == (
        "triage", "new", "confirmed", "real key",
    )  # fmt: skip
    assert event["actor"] == "user:admin-test"


def test_illegal_move_is_409_with_a_clear_message_and_changes_nothing(client: TestClient) -> None:
    import_leaks(client, "acme/t2", ["a.env"])
    (f,) = findings(client, asset="acme/t2")
    resp = _triage(client, f, state="false_positive", reason="test fixture")
    assert resp.status_code == 200
    f = findings(client, asset="acme/t2")[0]
    bad = _triage(client, f, state="in_progress")
    assert bad.status_code == 409
    assert bad.json()["error"] == "Conflict"
    assert "false_positive -> in_progress" in bad.json()["detail"]
    assert "confirmed" in bad.json()["detail"]  # says what is allowed instead
    again = findings(client, asset="acme/t2")[0]
    assert (again["triage_state"], again["version"]) == ("false_positive", f["version"])


def test_closing_moves_without_reason_or_expiry_are_422(client: TestClient) -> None:
    import_leaks(client, "acme/t3", ["a.env"])
    (f,) = findings(client, asset="acme/t3")
    for state in ("false_positive", "wont_fix"):
        resp = _triage(client, f, state=state)
        assert resp.status_code == 422, resp.text
        assert "requires a reason" in resp.json()["detail"]
    resp = _triage(client, f, state="accepted_risk", reason="WAF in front")
    assert resp.status_code == 422
    assert "expiry" in resp.json()["detail"]
    past = (utcnow() - timedelta(days=1)).isoformat()
    resp = _triage(client, f, state="accepted_risk", reason="WAF", expires_at=past)
    assert resp.status_code == 422
    assert findings(client, asset="acme/t3")[0]["version"] == f["version"]


def test_risk_acceptance_records_justification_approver_and_expiry(client: TestClient) -> None:
    import_leaks(client, "acme/t4", ["a.env"])
    (f,) = findings(client, asset="acme/t4")
    until = (utcnow() + timedelta(days=30)).replace(microsecond=0)
    resp = _triage(
        client, f, state="accepted_risk", reason="rotating next sprint", approver="ciso",
        expires_at=until.isoformat(),
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    acc = client.get(f"/api/v1/findings/{f['id']}/risk-acceptance").json()
    assert (acc["justification"], acc["approver"], acc["requested_by"]) == (
        "rotating next sprint", "ciso", "user:admin-test",
    )  # fmt: skip
    assert acc["expires_at"].startswith(until.strftime("%Y-%m-%dT%H:%M:%S"))
    # revoking (back to confirmed) ends the acceptance
    f = findings(client, asset="acme/t4")[0]
    assert _triage(client, f, state="confirmed", reason="fixed plan changed").status_code == 200
    assert client.get(f"/api/v1/findings/{f['id']}/risk-acceptance").json() is None


def test_a_stale_version_loses_with_409_and_the_first_change_is_kept(client: TestClient) -> None:
    import_leaks(client, "acme/t5", ["a.env"])
    (f,) = findings(client, asset="acme/t5")
    first = _triage(client, f, state="confirmed")
    assert first.status_code == 200
    second = _triage(client, f, state="in_progress")  # same (now stale) version
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]
    late_assign = client.post(
        f"/api/v1/findings/{f['id']}/assign", json={"assignee": "bob", "version": f["version"]}
    )
    assert late_assign.status_code == 409
    now = findings(client, asset="acme/t5")[0]
    assert (now["triage_state"], now["assignee"]) == ("confirmed", None)


def test_assignment_and_comments_are_audited(client: TestClient) -> None:
    import_leaks(client, "acme/t6", ["a.env"])
    people(client, users=("dana",), teams=("payments",))
    (f,) = findings(client, asset="acme/t6")
    resp = client.post(
        f"/api/v1/findings/{f['id']}/assign",
        json={"assignee": "dana", "team": "payments", "version": f["version"]},
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["assignee"], resp.json()["team"]) == ("dana", "payments")
    c = client.post(f"/api/v1/findings/{f['id']}/comments", json={"body": "rotating it now"})
    assert c.status_code == 201, c.text
    comments = client.get(f"/api/v1/findings/{f['id']}/comments").json()
    assert [x["body"] for x in comments["items"]] == ["rotating it now"]
    actions = [
        e["action"] for e in client.get(f"/api/v1/findings/{f['id']}/history").json()["items"]
    ]
    assert actions[-3:] == ["assigned", "team_assigned", "commented"]
    audit = client.get(
        "/api/v1/audit", params={"object_id": f["id"], "action": ["assigned", "commented"]}
    ).json()
    assert audit["total"] == 2


def test_bulk_triage_is_atomic_one_unknown_id_changes_nothing(client: TestClient) -> None:
    import_leaks(client, "acme/b1", ["a.env", "b.env", "c.env"])
    ids = [f["id"] for f in findings(client, asset="acme/b1")]
    bad = client.post(
        "/api/v1/findings/bulk",
        json={"ids": [*ids, "00000000-0000-0000-0000-000000000001"], "action": "triage",
              "state": "wont_fix", "reason": "decommissioned service"},
    )  # fmt: skip
    assert bad.status_code == 404
    assert {f["triage_state"] for f in findings(client, asset="acme/b1")} == {"new"}
    # one finding in a state the move is illegal from: nothing changes either
    f0 = findings(client, asset="acme/b1")[0]
    assert _triage(client, f0, state="false_positive", reason="test data").status_code == 200
    conflict = client.post(
        "/api/v1/findings/bulk",
        json={"ids": ids, "action": "triage", "state": "in_progress", "reason": "sprint 12"},
    )
    assert conflict.status_code == 409
    states = sorted(f["triage_state"] for f in findings(client, asset="acme/b1"))
    assert states == ["false_positive", "new", "new"]
    ok = client.post(
        "/api/v1/findings/bulk",
        json={"filter": {"asset": "acme/b1", "triage": ["new"]}, "action": "triage",
              "state": "wont_fix", "reason": "decommissioned service"},
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert ok.json()["changed"] == 2
    events = client.get("/api/v1/audit", params={"action": "triage", "limit": 500}).json()["items"]
    bulk_events = [e for e in events if e["reason"] == "decommissioned service"]
    assert len(bulk_events) == 2
    assert len({e["details"]["bulk_id"] for e in bulk_events}) == 1


def test_bulk_by_filter_takes_the_queue_priority_environment_and_sla_filters(
    client: TestClient,
) -> None:
    yaml = (
        "assets:\n  - name: acme/shop-prod\n    environment: prod\n    exposure: internet\n"
        "  - name: acme/shop-dev\n    environment: dev\n    exposure: isolated\n"
    )
    put = client.put("/api/v1/assets", content=yaml, headers={"content-type": "application/yaml"})
    assert put.status_code == 200, put.text
    people(client, teams=("payments", "sandbox"))
    import_leaks(client, "acme/shop-prod", ["a.env", "b.env"])
    import_leaks(client, "acme/shop-dev", ["a.env", "b.env"], start=10)
    prod = findings(client, asset="acme/shop-prod")
    dev = findings(client, asset="acme/shop-dev")
    assert {f["priority"] for f in prod} != {f["priority"] for f in dev}
    body = {"action": "assign", "team": "payments", "reason": "prod secrets are ours"}
    by_env = client.post(
        "/api/v1/findings/bulk", json={**body, "filter": {"environment": ["prod"]}}
    )
    assert by_env.status_code == 200, by_env.text
    assert sorted(by_env.json()["ids"]) == sorted(f["id"] for f in prod)
    dev_band = dev[0]["priority"]
    body = {"action": "assign", "team": "sandbox", "reason": "dev band"}
    by_band = client.post(
        "/api/v1/findings/bulk",
        json={**body, "filter": {"priority": [dev_band], "sla_status": ["on_track"]}},
    )
    assert by_band.status_code == 200, by_band.text
    assert sorted(by_band.json()["ids"]) == sorted(f["id"] for f in dev)
    teams = {f["asset"]: f["team"] for f in findings(client, q=".env")}
    assert teams == {"acme/shop-prod": "payments", "acme/shop-dev": "sandbox"}


def test_bulk_assign_by_ids(client: TestClient) -> None:
    import_leaks(client, "acme/b2", ["a.env", "b.env"])
    people(client, teams=("platform",))
    ids = [f["id"] for f in findings(client, asset="acme/b2")]
    resp = client.post(
        "/api/v1/findings/bulk",
        json={"ids": ids, "action": "assign", "team": "platform", "reason": "platform owns it"},
    )
    assert resp.status_code == 200, resp.text
    assert {f["team"] for f in findings(client, asset="acme/b2")} == {"platform"}


def test_engineers_act_only_on_their_teams_or_assigned_findings(
    client: TestClient, client_as: ClientAs
) -> None:
    import_leaks(client, "acme/own", ["mine.env", "theirs.env", "assigned.env"])
    people(client, teams=("payments", "search"))
    erin = client_as(Role.ENGINEER, teams=["payments"], username="erin")
    f = by_path(client, "acme/own")
    for path, body in (("mine.env", {"team": "payments"}), ("theirs.env", {"team": "search"}),
                       ("assigned.env", {"assignee": "erin", "team": "search"})):  # fmt: skip
        r = client.post(
            f"/api/v1/findings/{f[path]['id']}/assign",
            json={**body, "version": f[path]["version"]},
        )
        assert r.status_code == 200, r.text
    f = by_path(client, "acme/own")
    assert _triage(erin, f["mine.env"], state="in_progress").status_code == 200
    assert _triage(erin, f["assigned.env"], state="in_progress").status_code == 200
    denied = _triage(erin, f["theirs.env"], state="in_progress")
    assert denied.status_code == 403
    assert denied.json()["error"] == "PermissionDenied"
    c = erin.post(f"/api/v1/findings/{f['theirs.env']['id']}/comments", json={"body": "hi"})
    assert c.status_code == 403
    # a bulk action touching one foreign finding is refused as a whole
    ids = [f["mine.env"]["id"], f["theirs.env"]["id"]]
    bulk = erin.post(
        "/api/v1/findings/bulk",
        json={"ids": ids, "action": "assign", "assignee": "erin", "reason": "taking these"},
    )
    assert bulk.status_code == 403
    assert by_path(client, "acme/own")["mine.env"]["assignee"] is None
    viewer = client_as(Role.VIEWER)
    assert _triage(viewer, f["mine.env"], state="confirmed").status_code == 403
    # engineers may not write suppression rules
    rule = erin.post(
        "/api/v1/suppression-rules", json={"tool": "gitleaks", "justification": "noise"}
    )
    assert rule.status_code == 403


def test_my_queue_assignee_me_and_team_mine(client: TestClient, client_as: ClientAs) -> None:
    import_leaks(client, "acme/q", ["one.env", "two.env", "three.env"])
    people(client, teams=("payments", "search"))
    fay = client_as(Role.ENGINEER, teams=["payments"], username="fay")
    f = by_path(client, "acme/q")
    plan = {"one.env": {"assignee": "fay"}, "two.env": {"team": "payments"},
            "three.env": {"team": "search"}}  # fmt: skip
    for path, body in plan.items():
        r = client.post(
            f"/api/v1/findings/{f[path]['id']}/assign",
            json={**body, "version": f[path]["version"]},
        )
        assert r.status_code == 200
    assert [x["path"] for x in findings(fay, assignee="me")] == ["one.env"]
    assert [x["path"] for x in findings(fay, team="mine")] == ["two.env"]
    assert [x["path"] for x in findings(fay, team="search")] == ["three.env"]
    assert all(x["sla_status"] in {"on_track", "due_soon", "overdue", None}
               for x in findings(fay, asset="acme/q"))  # fmt: skip
    # a bulk action by filter resolves `me` and `mine` for the signed-in user, as the list does
    for who, expected in (({"assignee": "me"}, "one.env"), ({"team": "mine"}, "two.env")):
        bulk = fay.post(
            "/api/v1/findings/bulk",
            json={"filter": {"asset": "acme/q", **who}, "action": "triage",
                  "state": "in_progress", "reason": "on it"},
        )  # fmt: skip
        assert bulk.status_code == 200, bulk.text
        assert bulk.json()["ids"] == [f[expected]["id"]]
    assert by_path(client, "acme/q")["three.env"]["triage_state"] == "new"
