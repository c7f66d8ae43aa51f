"""Issue 16 gap 13: saved views of the triage queue, per person, over the API."""

from fastapi.testclient import TestClient

from aspm.auth.principal import Role
from tests.conftest import ClientAs


def test_a_person_saves_lists_renames_and_deletes_their_views(client_as: ClientAs) -> None:
    lead = client_as(Role.SECURITY_LEAD)
    resp = lead.post(
        "/api/v1/views",
        json={"name": "  Prod  criticals ", "query": "?severity=critical,high&environment=prod"},
    )
    assert resp.status_code == 201, resp.text
    view = resp.json()
    assert view["name"] == "Prod criticals"
    assert view["query"] == "severity=critical,high&environment=prod"
    lead.post("/api/v1/views", json={"name": "accepted", "query": "view=all&triage=accepted_risk"})
    assert [v["name"] for v in lead.get("/api/v1/views").json()] == ["accepted", "Prod criticals"]

    renamed = lead.patch(f"/api/v1/views/{view['id']}", json={"name": "Prod"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Prod"
    assert lead.delete(f"/api/v1/views/{view['id']}").status_code == 204
    assert [v["name"] for v in lead.get("/api/v1/views").json()] == ["accepted"]


def test_a_view_drops_paging_so_it_opens_on_the_first_page(client_as: ClientAs) -> None:
    viewer = client_as(Role.VIEWER)
    resp = viewer.post(
        "/api/v1/views", json={"name": "p", "query": "q=CKV_AWS_18&offset=100&after=abc&page=3"}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["query"] == "q=CKV_AWS_18"


def test_the_same_name_conflicts_unless_replaced(client_as: ClientAs) -> None:
    engineer = client_as(Role.ENGINEER)
    assert (
        engineer.post("/api/v1/views", json={"name": "mine", "query": "team=mine"}).status_code
        == 201
    )
    again = engineer.post("/api/v1/views", json={"name": "mine", "query": "assignee=me"})
    assert again.status_code == 409
    replaced = engineer.post(
        "/api/v1/views", json={"name": "mine", "query": "assignee=me", "replace": True}
    )
    assert replaced.status_code == 200
    assert [(v["name"], v["query"]) for v in engineer.get("/api/v1/views").json()] == [
        ("mine", "assignee=me")
    ]


def test_views_are_private_to_their_owner(client_as: ClientAs) -> None:
    alice = client_as(Role.SECURITY_LEAD)
    bob = client_as(Role.SECURITY_LEAD)
    view = alice.post("/api/v1/views", json={"name": "mine", "query": "severity=high"}).json()
    assert bob.get("/api/v1/views").json() == []
    assert bob.patch(f"/api/v1/views/{view['id']}", json={"name": "x"}).status_code == 404
    assert bob.delete(f"/api/v1/views/{view['id']}").status_code == 404
    # bob may use the same name for his own
    assert bob.post("/api/v1/views", json={"name": "mine", "query": ""}).status_code == 201
    assert len(alice.get("/api/v1/views").json()) == 1


def test_api_tokens_have_no_saved_views(token_client: ClientAs) -> None:
    bot = token_client(["read"])
    assert bot.get("/api/v1/views").status_code == 403


def test_an_admin_resets_a_password_to_a_one_time_password_shown_once(
    client: TestClient, anon_client: TestClient
) -> None:
    created = client.post(
        "/api/v1/users", json={"username": "forgetful", "role": "engineer"}
    ).json()
    reset = client.post(f"/api/v1/users/{created['id']}/reset-password")
    assert reset.status_code == 200, reset.text
    body = reset.json()
    assert body["must_change_password"] is True
    assert body["password"]
    assert body["password"] != created["password"]
    # the new one-time password signs in (and must be changed); the old one no longer does
    old = anon_client.post(
        "/api/v1/auth/login", json={"username": "forgetful", "password": created["password"]}
    )
    assert old.status_code == 401
    new = anon_client.post(
        "/api/v1/auth/login", json={"username": "forgetful", "password": body["password"]}
    )
    assert new.status_code == 200, new.text
    assert new.json()["must_change_password"] is True
    # never readable again
    assert "password" not in client.get(f"/api/v1/users/{created['id']}").json()
    events = client.get("/api/v1/audit", params={"action": "user_password_reset"}).json()
    assert events["total"] >= 1
