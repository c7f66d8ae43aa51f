"""Tickets in Jira (Cloud REST v3, Data Center REST v2) and GitHub Issues against fake servers on
loopback that answer as the documented APIs do: created from findings after the commit, closed
when a later import fixes their findings, read back by polling and by signed webhooks, retried
through rate limits and outages."""

import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Role
from aspm.db.session import unit_of_work
from aspm.errors import InvalidInput
from aspm.integrations import tickets_config, tickets_service
from aspm.settings import Settings
from tests.conftest import ClientAs
from tests.factories import ingest_bytes
from tests.gate.helpers import CRITICAL, HIGH, sarif_report, sarif_result
from tests.integrations.conftest import Clock
from tests.integrations.tickets_fixtures import (
    DC_TOKEN,
    GH_TOKEN,
    HOOK_SECRET,
    JIRA_TOKEN,
    KEY,
    PUBLIC,
    URL,
    configured,
    github,
    jira,
    jira_dc,
    settings,
    tickets_file,
)
from tests.integrations.trackers import Fail, Tracker

__all__ = ["configured", "github", "jira", "jira_dc", "settings", "tickets_file"]  # fixtures


def report(*rules: tuple[str, str, float]) -> bytes:
    return sarif_report(
        *(sarif_result(rule, level="error", score=score, path=path) for rule, path, score in rules)
    )


def findings_of(client: TestClient, asset: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        "/api/v1/findings", params={"asset": asset, "limit": 100}
    ).json()["items"]
    return items


def send(sessions: sessionmaker[Session], settings: Settings, timeout: float = 5.0) -> int:
    return tickets_service.send_due(
        sessions, path=settings.tickets_file, instance_key=KEY, timeout=timeout
    )


def ticket_of(client: TestClient, finding_id: str) -> dict[str, Any]:
    (ticket,) = client.get(URL, params={"finding_id": finding_id}).json()["items"]
    assert isinstance(ticket, dict)
    return ticket


def test_a_ticket_from_a_finding_goes_to_jira_cloud_after_the_commit(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    (finding,) = findings_of(configured, "acme/api")
    assert finding["priority"] == "P1"
    created = configured.post(URL, json={"ids": [finding["id"]]})
    assert created.status_code == 201, created.text
    (ticket,) = created.json()["tickets"]
    assert (ticket["status"], ticket["tracker"], ticket["project"], ticket["key"]) == (
        "pending", "jira", "SEC", None,
    )  # fmt: skip
    assert jira.received == []  # nothing is sent from inside the request
    assert send(sessions, settings) == 1
    (call,) = jira.calls("POST")
    assert call.path == "/rest/api/3/issue"
    fields = call.body["fields"]
    assert fields["project"] == {"key": "SEC"}
    assert fields["priority"] == {"name": "Highest"}
    assert fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"].startswith("[P1] ")
    assert "acme/api" in fields["summary"]
    due = datetime.fromisoformat(finding["sla_due_at"]).date().isoformat()
    assert fields["duedate"] == due
    description = fields["description"]
    assert (description["type"], description["version"]) == ("doc", 1)
    flat = json.dumps(description)
    assert f"{PUBLIC}/findings/{finding['id']}" in flat  # the link back
    assert "db.py:10" in flat  # the location
    assert "Why this risk" in flat  # the explanation
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["status"], ticket["key"], ticket["url"]) == (
        "open", "SEC-1", f"{jira.url}/browse/SEC-1",
    )  # fmt: skip
    assert ticket["due_date"] == due
    assert [o["status"] for o in ticket["operations"]] == ["done"]
    again = configured.post(URL, json={"ids": [finding["id"]]}).json()
    assert (again["tickets"], again["already_linked"]) == ([], [finding["id"]])


def test_jira_data_center_gets_rest_v2_wiki_text_with_a_bearer_token(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira_dc: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("xss", "web/view.py", HIGH)), asset="acme/cli")
    (finding,) = findings_of(configured, "acme/cli")
    assert configured.post(URL, json={"ids": [finding["id"]]}).status_code == 201
    assert send(sessions, settings) == 1
    (call,) = jira_dc.calls("POST")
    assert call.path == "/rest/api/2/issue"
    assert call.headers["authorization"] == f"Bearer {DC_TOKEN}"
    fields = call.body["fields"]
    assert (fields["project"], fields["issuetype"]) == ({"key": "WEB"}, {"name": "Task"})
    assert isinstance(fields["description"], str)
    assert f"[{finding['title']}|{PUBLIC}/findings/{finding['id']}]" in fields["description"]
    assert ticket_of(configured, finding["id"])["key"] == "WEB-1"


def test_a_fixed_finding_comments_on_and_closes_its_jira_ticket(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    (finding,) = findings_of(configured, "acme/api")
    configured.post(URL, json={"ids": [finding["id"]]})
    send(sessions, settings)
    # the same report again: the finding keeps its id and its ticket
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    assert send(sessions, settings) == 0
    assert ticket_of(configured, finding["id"])["status"] == "open"
    # a full import without it: fixed, and the ticket is commented on and closed
    ingest_bytes(sessions, report(("other-rule", "x.py", HIGH)), asset="acme/api")
    assert send(sessions, settings) == 1
    (comment,) = jira.comments["SEC-1"]
    assert comment["type"] == "doc"  # ADF on Cloud
    assert "fixed" in json.dumps(comment)
    transition = jira.calls("POST")[-1]
    assert transition.path == "/rest/api/3/issue/SEC-1/transitions"
    assert transition.body == {"transition": {"id": "31"}}  # "Done"
    assert jira.issues["SEC-1"]["status"] == "Done"
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["status"], ticket["resolution"], ticket["wont_do"]) == ("closed", "Done", False)
    assert [o["action"] for o in ticket["operations"]] == ["create", "close"]


def test_a_github_issue_gets_a_priority_label_and_is_closed_as_completed(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    github: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/srv")
    (finding,) = findings_of(configured, "acme/srv")  # team ci: mapped to acme/payments
    configured.post(URL, json={"ids": [finding["id"]]})
    assert send(sessions, settings) == 1
    (call,) = github.calls("POST")
    assert call.path == "/repos/acme/payments/issues"
    assert call.headers["x-github-api-version"] == "2022-11-28"
    assert call.headers["authorization"] == f"Bearer {GH_TOKEN}"
    assert call.body["labels"] == ["aspm", "priority: P1"]
    assert f"({PUBLIC}/findings/{finding['id']})" in call.body["body"]
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["key"], ticket["url"], ticket["tracker_status"]) == (
        "acme/payments#1", "https://github.com/acme/payments/issues/1", "open",
    )  # fmt: skip
    ingest_bytes(sessions, report(("other-rule", "x.py", HIGH)), asset="acme/srv")
    assert send(sessions, settings) == 1
    assert "fixed" in github.comments["acme/payments#1"][0]
    patch = github.calls("PATCH")[-1]
    assert patch.body == {"state": "closed", "state_reason": "completed"}
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["status"], ticket["resolution"]) == ("closed", "completed")


def test_a_429_waits_for_retry_after_and_an_outage_loses_nothing(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    clock: Clock,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    (finding,) = findings_of(configured, "acme/api")
    configured.post(URL, json={"ids": [finding["id"]]})
    jira.fail(Fail(429, retry_after=300), Fail(503), Fail(503, delay=1.5))
    assert send(sessions, settings) == 1
    (op,) = ticket_of(configured, finding["id"])["operations"]
    assert (op["status"], op["response_code"]) == ("retrying", 429)
    wait = datetime.fromisoformat(op["next_attempt_at"]) - datetime.fromisoformat(
        op["last_attempt_at"]
    )
    assert wait == timedelta(seconds=300)  # Retry-After, longer than the 30 s backoff
    clock.advance(299)
    assert send(sessions, settings) == 0
    clock.advance(1)
    assert send(sessions, settings) == 1  # 503
    clock.advance(tickets_service.LEASE_SECONDS)
    assert send(sessions, settings, timeout=0.5) == 1  # no answer
    with unit_of_work(sessions) as session:
        (op,) = tickets_service.get_ticket(
            session, uuid.UUID(ticket_of(configured, finding["id"])["id"])
        ).operations
    assert (op.status, op.attempts, op.error) == ("retrying", 3, "no answer within 0.5 s")
    clock.advance(3600)
    assert send(sessions, settings) == 1
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["status"], ticket["key"]) == ("open", "SEC-1")
    assert len(jira.calls("POST")) == 4
    assert list(jira.issues) == ["SEC-1"]  # one issue: nothing lost, nothing doubled


def test_a_refused_request_fails_until_someone_retries_it(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    (finding,) = findings_of(configured, "acme/api")
    configured.post(URL, json={"ids": [finding["id"]]})
    jira.projects.discard("SEC")
    send(sessions, settings)
    ticket = ticket_of(configured, finding["id"])
    assert ticket["status"] == "failed"
    (op,) = ticket["operations"]
    assert (op["status"], op["response_code"]) == ("failed", 400)
    assert "project: valid project is required" in op["error"]
    assert send(sessions, settings) == 0
    jira.projects.add("SEC")
    assert configured.post(f"{URL}/{ticket['id']}/retry").json()["status"] == "pending"
    assert send(sessions, settings) == 1
    assert ticket_of(configured, finding["id"])["key"] == "SEC-1"


def test_without_a_token_the_request_waits_and_goes_once_one_is_entered(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    clock: Clock,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    (finding,) = findings_of(client, "acme/api")
    client.post(URL, json={"ids": [finding["id"]]})
    assert send(sessions, settings) == 1
    (op,) = ticket_of(client, finding["id"])["operations"]
    assert (op["status"], op["error"]) == ("retrying", "no API token is set for tracker 'jira'")
    assert jira.received == []
    client.put(f"{URL}/trackers/jira/credentials", json={"token": JIRA_TOKEN})
    clock.advance(30)
    assert send(sessions, settings) == 1
    assert ticket_of(client, finding["id"])["status"] == "open"


def test_one_ticket_per_control_and_asset_from_the_bulk_filter(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(
        sessions,
        report(("sql-injection", "a.py", CRITICAL), ("sql-injection", "b.py", CRITICAL),
               ("xss", "c.py", HIGH)),
        asset="acme/api",
    )  # fmt: skip
    created = configured.post(
        URL, json={"filter": {"asset": "acme/api"}, "grouping": "control_asset"}
    )
    assert created.status_code == 201, created.text
    tickets = created.json()["tickets"]
    assert sorted(len(t["finding_ids"]) for t in tickets) == [1, 2]
    assert send(sessions, settings) == 2
    summaries = sorted(c.body["fields"]["summary"] for c in jira.calls("POST"))
    assert any("(2 findings)" in s for s in summaries)
    two = next(c for c in jira.calls("POST") if "(2 findings)" in c.body["fields"]["summary"])
    flat = json.dumps(two.body["fields"]["description"])
    assert "a.py:10" in flat
    assert "b.py:10" in flat


def test_a_ticket_closed_as_wont_do_is_shown_by_polling_and_triage_is_unchanged(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    clock: Clock,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    (finding,) = findings_of(configured, "acme/api")
    configured.post(URL, json={"ids": [finding["id"]]})
    send(sessions, settings)
    jira.jira_set("SEC-1", "Done", "Won't Do")
    result = tickets_service.poll(sessions, path=settings.tickets_file, instance_key=KEY)
    assert result == {"closes": 0, "polled": 0}  # read at most every poll_minutes
    clock.advance(10 * 60 + 1)
    result = tickets_service.poll(sessions, path=settings.tickets_file, instance_key=KEY)
    assert result == {"closes": 0, "polled": 1}
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["status"], ticket["resolution"], ticket["wont_do"]) == (
        "closed", "Won't Do", True,
    )  # fmt: skip
    assert ticket["tracker_status"] == "Done"
    detail = configured.get(f"/api/v1/findings/{finding['id']}").json()
    assert detail["triage_state"] == finding["triage_state"] == "new"


def _sign(body: bytes) -> str:
    return "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_github_issues_webhook_is_checked_and_applies_not_planned(
    configured: TestClient,
    anon_client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    github: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/srv")
    (finding,) = findings_of(configured, "acme/srv")
    configured.post(URL, json={"ids": [finding["id"]]})
    send(sessions, settings)
    github.github_set("acme/payments#1", "closed", "not_planned")
    body = json.dumps({
        "action": "closed", "issue": github.github_issue("acme/payments#1"),
        "repository": {"full_name": "acme/payments"},
    }).encode()  # fmt: skip
    hook = f"{URL}/hooks/github/gh"
    headers = {"X-GitHub-Event": "issues", "Content-Type": "application/json"}
    bad = anon_client.post(hook, content=body, headers={**headers,
                           "X-Hub-Signature-256": "sha256=" + "0" * 64})  # fmt: skip
    assert bad.status_code == 401
    assert anon_client.post(hook, content=body, headers=headers).status_code == 401
    assert ticket_of(configured, finding["id"])["status"] == "open"
    good = anon_client.post(hook, content=body, headers={**headers,
                            "X-Hub-Signature-256": _sign(body)})  # fmt: skip
    assert good.status_code == 200, good.text
    assert good.json()["matched"] is True
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["status"], ticket["resolution"], ticket["wont_do"]) == (
        "closed", "not_planned", True,
    )  # fmt: skip
    # reopened in GitHub: open again
    github.github_set("acme/payments#1", "open", "reopened")
    body = json.dumps({"action": "reopened", "issue": github.github_issue("acme/payments#1"),
                       "repository": {"full_name": "acme/payments"}}).encode()  # fmt: skip
    anon_client.post(hook, content=body, headers={**headers, "X-Hub-Signature-256": _sign(body)})
    assert ticket_of(configured, finding["id"])["status"] == "open"


def test_jira_webhook_is_checked_and_applies_the_resolution(
    configured: TestClient,
    anon_client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    crown_jewels: None,
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/api")
    (finding,) = findings_of(configured, "acme/api")
    configured.post(URL, json={"ids": [finding["id"]]})
    send(sessions, settings)
    jira.jira_set("SEC-1", "Done", "Won't Fix")
    body = json.dumps({"webhookEvent": "jira:issue_updated", "timestamp": 1,
                       "issue": jira.jira_issue("SEC-1")}).encode()  # fmt: skip
    hook = f"{URL}/hooks/jira/jira"
    assert anon_client.post(hook, content=body, headers={"X-Hub-Signature": "sha256=00"}
                            ).status_code == 401  # fmt: skip
    good = anon_client.post(hook, content=body, headers={"X-Hub-Signature": _sign(body)})
    assert good.status_code == 200, good.text
    ticket = ticket_of(configured, finding["id"])
    assert (ticket["status"], ticket["resolution"], ticket["wont_do"]) == (
        "closed", "Won't Fix", True,
    )  # fmt: skip
    assert anon_client.post(f"{URL}/hooks/github/jira", content=body).status_code == 404


def test_engineers_make_tickets_only_for_their_teams_findings(
    client_as: ClientAs, sessions: sessionmaker[Session], crown_jewels: None, client: TestClient
) -> None:
    ingest_bytes(sessions, report(("sql-injection", "db.py", CRITICAL)), asset="acme/srv")
    (finding,) = findings_of(client, "acme/srv")  # asset owned by team ci
    other = client_as(Role.ENGINEER, teams=["web"])
    assert other.post(URL, json={"ids": [finding["id"]]}).status_code == 403
    mine = client_as(Role.ENGINEER, teams=["ci"])
    assert mine.post(URL, json={"ids": [finding["id"]]}).status_code == 201
    viewer = client_as(Role.VIEWER)
    assert viewer.get(URL, params={"finding_id": finding["id"]}).json()["total"] == 1


def test_settings_show_the_file_and_which_credentials_are_set(
    configured: TestClient, settings: Settings
) -> None:
    body = configured.get(f"{URL}/settings").json()
    assert (body["configured"], body["error"], body["default"]) == (True, None, "jira:SEC")
    assert body["teams"] == {"ci": "gh:acme/payments"}
    by_name = {t["name"]: t for t in body["trackers"]}
    assert by_name["gh"]["webhook_path"] == "/api/v1/tickets/hooks/github/gh"
    assert by_name["jira"]["token_set"] is True
    cleared = configured.put(f"{URL}/trackers/jira/credentials", json={"token": ""}).json()
    assert {t["name"]: t["token_set"] for t in cleared["trackers"]}["jira"] is False
    assert configured.put(f"{URL}/trackers/nope/credentials", json={}).status_code == 404


def test_the_tickets_file_is_validated_with_clear_errors(tmp_path: Path) -> None:
    def error(text: str) -> str:
        with pytest.raises(InvalidInput) as caught:
            tickets_config.parse(text)
        return str(caught.value)

    assert "not valid YAML" in error("trackers: [")
    assert "trackers: Field required" in error("default: {tracker: x, project: SEC}")
    assert "needs `email`" in error("trackers: {j: {kind: jira_cloud, url: https://j.example}}")
    assert "default: no tracker 'x'" in error(
        "trackers: {g: {kind: github}}\ndefault: {tracker: x, project: a/b}"
    )
    assert "a GitHub project is owner/repository" in error(
        "trackers: {g: {kind: github}}\nassets: {acme/web: {tracker: g, project: SEC}}"
    )
    assert "a Jira project is its key" in error(
        "trackers: {j: {kind: jira_server, url: https://j.example}}\n"
        "default: {tracker: j, project: acme/web}"
    )
    assert "unknown priorities ['P7']" in error("trackers: {g: {kind: github, labels: {P7: x}}}")
    assert "kind: Input should be" in error("trackers: {g: {kind: gitlab}}")
    config = tickets_config.parse(
        "trackers: {g: {kind: github}}\ndefault: {tracker: g, project: a/default}\n"
        "teams: {pay: {tracker: g, project: a/pay}}\nassets: {web: {tracker: g, project: a/web}}"
    )
    assert config.target_for(asset="web", team="pay").project == "a/web"  # type: ignore[union-attr]
    assert config.target_for(asset="x", team="pay").project == "a/pay"  # type: ignore[union-attr]
    assert config.target_for(asset="x", team=None).project == "a/default"  # type: ignore[union-attr]
    missing = tmp_path / "none.yaml"
    with pytest.raises(InvalidInput, match="cannot read the tickets file"):
        tickets_config.load(missing)


def test_without_a_tickets_file_asking_for_a_ticket_says_how_to_configure_it(
    client_as: ClientAs, api_app: Any
) -> None:
    api_app.state.settings = api_app.state.settings.model_copy(update={"tickets_file": None})
    admin = client_as(Role.ADMIN)
    response = admin.post(URL, json={"ids": [str(uuid.uuid4())]})
    assert response.status_code == 422
    assert "ASPM_TICKETS_FILE" in response.text
    assert admin.get(f"{URL}/settings").json()["configured"] is False
