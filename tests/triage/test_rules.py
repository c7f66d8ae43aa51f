"""Suppression rules (at ingest, retroactive, restored on removal and expiry, refused when they
would match everything) and ownership rules (new findings, last match wins)."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aspm.common.clock import reset_clock, set_clock, utcnow
from tests.triage.helpers import by_path, findings, import_leaks


@pytest.fixture
def clock() -> Iterator[list[Any]]:
    """`clock[0] += timedelta(...)` moves the application's time."""
    now = [utcnow()]
    set_clock(lambda: now[0])
    yield now
    reset_clock()


def _rule(client: TestClient, **body: Any) -> Any:
    return client.post("/api/v1/suppression-rules", json={"justification": "test data", **body})


def test_a_new_rule_suppresses_existing_findings_and_removing_it_restores_them(
    client: TestClient,
) -> None:
    import_leaks(client, "acme/s1", ["tests/fixtures/a.env", "tests/fixtures/b.env", "app.env"])
    resp = _rule(client, asset="acme/s1", path_glob="tests/**")  # every depth: `**`
    assert resp.status_code == 201, resp.text
    rule = resp.json()
    assert (rule["findings"], rule["author"]) == (2, "user:admin-test")
    assert list(by_path(client, "acme/s1")) == ["app.env"]
    page = client.get("/api/v1/findings", params={"asset": "acme/s1"}).json()
    assert (page["total"], page["suppressed_total"]) == (1, 2)
    only = findings(client, asset="acme/s1", suppressed="only")
    assert {f["suppression_rule_id"] for f in only} == {rule["id"]}
    assert {f["suppressed"] for f in only} == {False}  # the tool's own flag stays separate
    assert len(findings(client, asset="acme/s1", suppressed="include")) == 3
    history = client.get(f"/api/v1/findings/{only[0]['id']}/history").json()["items"]
    assert history[-1]["action"] == "suppressed"

    removed = client.delete(f"/api/v1/suppression-rules/{rule['id']}", params={"reason": "done"})
    assert removed.status_code == 200, removed.text
    assert removed.json()["ended_reason"] == "removed"
    assert len(by_path(client, "acme/s1")) == 3
    assert client.get("/api/v1/suppression-rules").json() == []
    ended = client.get("/api/v1/suppression-rules", params={"include_ended": True}).json()
    assert [r["id"] for r in ended] == [rule["id"]]
    history = client.get(f"/api/v1/findings/{only[0]['id']}/history").json()["items"]
    assert history[-1]["action"] == "unsuppressed"


def test_a_rule_applies_to_findings_of_later_imports(client: TestClient) -> None:
    import_leaks(client, "acme/s2", ["app.env"])
    assert _rule(client, asset="acme/s2", path_glob="**/*.example").status_code == 201
    result = import_leaks(client, "acme/s2", ["app.env", "config/sample.env.example"], start=0)
    assert result["new_findings"] == 1
    assert list(by_path(client, "acme/s2")) == ["app.env"]
    hidden = findings(client, asset="acme/s2", suppressed="only")
    assert [f["path"] for f in hidden] == ["config/sample.env.example"]
    assert result["new_findings"] == 1
    events = client.get(
        "/api/v1/audit", params={"object_type": "suppression_rule", "action": "applied_at_import"}
    ).json()["items"]
    assert [(e["to_value"], e["details"]["import_id"]) for e in events] == [
        ("1", result["import_id"])
    ]


def test_removing_one_of_two_matching_rules_keeps_the_finding_suppressed(
    client: TestClient,
) -> None:
    import_leaks(client, "acme/s3", ["vendor/x.env"])
    first = _rule(client, asset="acme/s3", path_glob="vendor/*").json()
    second = _rule(client, tool="gitleaks", rule="generic-api-*").json()
    assert (first["findings"], second["findings"]) == (1, 0)  # first created wins
    client.delete(f"/api/v1/suppression-rules/{first['id']}")
    (f,) = findings(client, asset="acme/s3", suppressed="only")
    assert f["suppression_rule_id"] == second["id"]


def test_an_expired_rule_ends_and_restores_its_findings(
    client: TestClient, clock: list[Any]
) -> None:
    import_leaks(client, "acme/s4", ["a.env"])
    until = (clock[0] + timedelta(minutes=30)).isoformat()  # (sessions expire after 2 h idle)
    rule = _rule(client, asset="acme/s4", expires_at=until).json()
    assert rule["findings"] == 1
    assert by_path(client, "acme/s4") == {}
    clock[0] += timedelta(minutes=31)
    result = client.post("/api/v1/triage/expire")
    assert result.status_code == 200, result.text
    assert result.json() == {"acceptances_expired": 0, "rules_expired": 1, "findings_restored": 1}
    assert list(by_path(client, "acme/s4")) == ["a.env"]
    ended = client.get("/api/v1/suppression-rules", params={"include_ended": True}).json()
    assert ended[0]["ended_reason"] == "expired"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"path_glob": "*"},
        {"path_glob": "**/*", "resource_pattern": "*"},
        {"rule": "*", "path_glob": "*.*"},
        {"rule": "  "},
    ],
)
def test_a_rule_that_would_match_everything_is_refused(
    client: TestClient, body: dict[str, str]
) -> None:
    import_leaks(client, "acme/s5", ["a.env"])
    resp = _rule(client, **body)
    assert resp.status_code == 422, resp.text
    assert "narrow" in resp.json()["detail"]
    assert client.get("/api/v1/suppression-rules").json() == []
    assert len(by_path(client, "acme/s5")) == 1


def test_a_rule_needs_a_justification_and_a_known_asset(client: TestClient) -> None:
    resp = client.post("/api/v1/suppression-rules", json={"tool": "gitleaks", "justification": ""})
    assert resp.status_code == 422
    resp = _rule(client, asset="no/such-asset")
    assert resp.status_code == 422
    assert "no asset named" in resp.json()["detail"]


def test_ownership_rules_assign_new_findings_last_match_wins(client: TestClient) -> None:
    import_leaks(client, "acme/o1", ["old/x.env"])  # before any rule: stays unowned
    for body in (
        {"asset": "acme/o1", "team": "platform"},
        {"path_glob": "services/payments/*", "team": "payments"},
        {"path_glob": "services/payments/legacy/*", "team": "legacy"},
    ):
        assert client.post("/api/v1/ownership-rules", json=body).status_code == 201
    rules = client.get("/api/v1/ownership-rules").json()
    assert [r["team"] for r in rules] == ["platform", "payments", "legacy"]
    import_leaks(
        client, "acme/o1",
        ["old/x.env", "services/payments/a.env", "services/payments/legacy/b.env", "web/c.env"],
    )  # fmt: skip
    teams = {p: f["team"] for p, f in by_path(client, "acme/o1").items()}
    assert teams == {
        "old/x.env": None,
        "services/payments/a.env": "payments",
        "services/payments/legacy/b.env": "legacy",
        "web/c.env": "platform",
    }
    # a finding is born with its team: each rule's share of the import is one audit event
    events = client.get(
        "/api/v1/audit", params={"object_type": "ownership_rule", "action": "applied_at_import"}
    ).json()["items"]
    taken = {e["object_id"]: (e["actor"], e["to_value"]) for e in events}
    assert taken == {
        rules[0]["id"]: ("system:ownership", "1"),
        rules[1]["id"]: ("system:ownership", "1"),
        rules[2]["id"]: ("system:ownership", "1"),
    }
    # a rule inserted at position 0 goes first (so it loses to every later match)
    first = client.post(
        "/api/v1/ownership-rules", json={"path_glob": "web/*", "team": "web", "position": 0}
    ).json()
    assert next(r["team"] for r in client.get("/api/v1/ownership-rules").json()) == "web"
    assert client.delete(f"/api/v1/ownership-rules/{first['id']}").status_code == 204
    assert len(client.get("/api/v1/ownership-rules").json()) == 3


def test_an_expired_risk_acceptance_returns_to_confirmed_with_an_audit_event(
    client: TestClient, clock: list[Any]
) -> None:
    import_leaks(client, "acme/e1", ["a.env"])
    (f,) = findings(client, asset="acme/e1")
    until = (clock[0] + timedelta(minutes=60)).isoformat()
    resp = client.post(
        f"/api/v1/findings/{f['id']}/triage",
        json={"state": "accepted_risk", "reason": "WAF", "expires_at": until,
              "version": f["version"]},
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    clock[0] += timedelta(minutes=59)
    assert client.post("/api/v1/triage/expire").json()["acceptances_expired"] == 0
    clock[0] += timedelta(minutes=2)
    # the next import runs expiry too
    import_leaks(client, "acme/e1", ["a.env"])
    (f,) = findings(client, asset="acme/e1")
    assert f["triage_state"] == "confirmed"
    event = client.get(f"/api/v1/findings/{f['id']}/history").json()["items"][-1]
    assert (event["action"], event["actor"], event["from_value"], event["to_value"]) == (
        "risk_acceptance_expired", "system:expiry", "accepted_risk", "confirmed",
    )  # fmt: skip
    assert client.get(f"/api/v1/findings/{f['id']}/risk-acceptance").json() is None


def test_at_ingest_one_finding_gets_both_its_team_and_the_oldest_matching_suppression(
    client: TestClient,
) -> None:
    import_leaks(client, "acme/both", ["seed.env"])
    older = _rule(client, tool="gitleaks", rule="generic-*", path_glob="fixtures/*").json()
    newer = _rule(client, asset="acme/both", path_glob="fixtures/*").json()
    assert (
        client.post(
            "/api/v1/ownership-rules", json={"asset": "acme/both", "team": "qa"}
        ).status_code
        == 201
    )
    import_leaks(client, "acme/both", ["seed.env", "fixtures/k.env", "src/k.env"])
    hidden = findings(client, asset="acme/both", suppressed="only")
    assert [(f["path"], f["team"], f["suppression_rule_id"]) for f in hidden] == [
        ("fixtures/k.env", "qa", older["id"])
    ]
    teams = {p: f["team"] for p, f in by_path(client, "acme/both").items()}
    assert teams == {"seed.env": None, "src/k.env": "qa"}
    assert newer["findings"] == 0
