"""API tokens: shown once, stored hashed, scoped, bound to assets, expiring, revocable."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from aspm.audit.models import AuditEvent
from aspm.auth.models import ApiToken
from aspm.common.hashing import sha256_hex
from tests.auth.conftest import Clock, MakeUser
from tests.conftest import ClientAs
from tests.factories import gitleaks_leak, gitleaks_report

LOGIN = "/api/v1/auth/login"
REPORT = gitleaks_report(gitleaks_leak("AKIA" + "Z" * 16 + "tokens-test"))


def _create(client: TestClient, **body: object) -> dict[str, object]:
    resp = client.post("/api/v1/tokens", json={"name": "ci", **body})
    assert resp.status_code == 201, resp.text
    data: dict[str, object] = resp.json()
    return data


def _bearer(client: TestClient, token: object) -> TestClient:
    c = TestClient(client.app, base_url="https://testserver")
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def test_a_token_is_shown_once_and_stored_only_as_its_sha256(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    make_user("ci-bot")
    created = _create(client, user="ci-bot", scopes=["ingest", "read"])
    secret = str(created["token"])
    assert secret.startswith("aspm_")
    assert len(secret) > 40
    row = session.get(ApiToken, uuid.UUID(str(created["id"])))
    assert row is not None
    assert row.token_hash == sha256_hex(secret)
    assert secret not in str([row.name, row.prefix, row.token_hash, row.scopes])
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["ci"]
    assert secret not in str(listed)
    assert "token" not in listed[0]


def test_token_scopes_limit_what_it_may_do(client: TestClient, make_user: MakeUser) -> None:
    make_user("ci-bot", teams=("web",))  # an engineer imports only with a team (new asset: theirs)
    reader = _bearer(client, _create(client, user="ci-bot", scopes=["read"])["token"])
    ingester = _bearer(client, _create(client, user="ci-bot", scopes=["ingest"])["token"])
    assert reader.get("/api/v1/findings").status_code == 200
    assert reader.post("/api/v1/imports?asset=acme/t", content=REPORT).status_code == 403
    assert ingester.post("/api/v1/imports?asset=acme/t", content=REPORT).status_code == 201
    assert ingester.get("/api/v1/findings").status_code == 403
    assert reader.get("/api/v1/auth/me").json()["scopes"] == ["read"]


def test_a_token_needs_no_csrf_header_but_may_not_administer(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("lead-bot", role="security_lead")
    lead = _bearer(client, _create(client, user="lead-bot", scopes=["ingest"])["token"])
    assert lead.post("/api/v1/imports?asset=acme/t", content=REPORT).status_code == 201
    assert lead.put("/api/v1/assets/acme/t", json={"environment": "prod"}).status_code == 403
    assert lead.put("/api/v1/risk/policy", json={"yaml": "x"}).status_code == 403


def test_a_token_cannot_hold_scopes_beyond_its_users_role(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("watcher", role="viewer")
    resp = client.post(
        "/api/v1/tokens", json={"name": "x", "user": "watcher", "scopes": ["ingest"]}
    )
    assert resp.status_code == 422
    assert "viewer" in resp.json()["detail"]


def test_a_token_bound_to_an_asset_acts_on_that_asset_only(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("ci-bot")
    assert client.put("/api/v1/assets/acme/mine", json={}).status_code == 200
    assert client.put("/api/v1/assets/acme/other", json={}).status_code == 200
    created = _create(client, user="ci-bot", scopes=["ingest", "read"], assets=["acme/mine"])
    bound = _bearer(client, created["token"])
    assert bound.post("/api/v1/imports?asset=acme/mine", content=REPORT).status_code == 201
    assert bound.post("/api/v1/imports?asset=acme/other", content=REPORT).status_code == 403
    assert bound.post("/api/v1/imports", content=REPORT).status_code == 403
    assert bound.get("/api/v1/findings", params={"asset": "acme/mine"}).json()["total"] == 1
    assert bound.get("/api/v1/findings", params={"asset": "acme/other"}).status_code == 403
    assert bound.get("/api/v1/findings").status_code == 403
    assert bound.get("/api/v1/imports").status_code == 403  # spans every asset
    mine = client.get("/api/v1/findings", params={"asset": "acme/mine"}).json()["items"][0]
    client.post("/api/v1/imports?asset=acme/other", content=REPORT)
    other = client.get("/api/v1/findings", params={"asset": "acme/other"}).json()["items"][0]
    assert bound.get(f"/api/v1/findings/{mine['id']}").status_code == 200
    assert bound.get(f"/api/v1/risk/findings/{mine['id']}").status_code == 200
    assert bound.get(f"/api/v1/findings/{other['id']}").status_code == 403
    assert bound.get(f"/api/v1/findings/{uuid.uuid4()}").status_code == 403
    unknown = client.post(
        "/api/v1/tokens", json={"name": "x", "user": "ci-bot", "scopes": ["read"], "assets": ["no"]}
    )
    assert unknown.status_code == 404


def test_an_expired_token_is_refused(
    clock: Clock, client: TestClient, make_user: MakeUser, client_as: ClientAs
) -> None:
    make_user("ci-bot")
    token = _create(client, user="ci-bot", scopes=["read"], expires_days=1)["token"]
    bot = _bearer(client, token)
    assert bot.get("/api/v1/findings").status_code == 200
    clock.advance(days=1, seconds=1)
    resp = bot.get("/api/v1/findings")
    assert resp.status_code == 401
    assert "expired" in resp.json()["detail"]
    admin = client_as("admin")  # the first admin's session has expired meanwhile
    assert admin.get("/api/v1/tokens").json()[0]["active"] is False


def test_a_revoked_token_is_refused_and_the_revocation_is_audited(
    client: TestClient, make_user: MakeUser, session: Session
) -> None:
    make_user("ci-bot")
    created = _create(client, user="ci-bot", scopes=["read"])
    bot = _bearer(client, created["token"])
    assert bot.get("/api/v1/findings").status_code == 200
    revoked = client.delete(f"/api/v1/tokens/{created['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert bot.get("/api/v1/findings").status_code == 401
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "token")
    ).all()
    assert sorted(actions) == ["token_created", "token_revoked"]


def test_a_token_records_when_it_was_last_used(
    clock: Clock, client: TestClient, make_user: MakeUser
) -> None:
    make_user("ci-bot")
    created = _create(client, user="ci-bot", scopes=["read"])
    assert created["last_used_at"] is None
    clock.advance(minutes=5)
    used_at = clock.now
    _bearer(client, created["token"]).get("/api/v1/findings/not-a-uuid")  # a failing call counts
    (listed,) = client.get("/api/v1/tokens").json()
    assert listed["last_used_at"].startswith(used_at.isoformat()[:19])


def test_tokens_of_a_deactivated_user_stop_working(
    client: TestClient, token_client: ClientAs
) -> None:
    bot = token_client(["read"], role="engineer")
    me = bot.get("/api/v1/auth/me").json()
    assert me["kind"] == "token"
    assert client.delete(f"/api/v1/users/{me['id']}").status_code == 200
    assert bot.get("/api/v1/findings").status_code == 401


def test_a_malformed_authorization_header_is_401(anon_client: TestClient) -> None:
    anon_client.headers["Authorization"] = "Basic YWRtaW46YWRtaW4="
    assert anon_client.get("/api/v1/findings").status_code == 401


def test_no_token_is_created_for_a_user_who_still_holds_a_one_time_password(
    client: TestClient,
) -> None:
    assert client.post("/api/v1/users", json={"username": "fresh", "role": "engineer"}).is_success
    resp = client.post("/api/v1/tokens", json={"name": "ci", "user": "fresh", "scopes": ["read"]})
    assert resp.status_code == 422
    assert "one-time password" in resp.json()["detail"]


def test_tokens_of_a_user_whose_password_an_admin_reset_wait_until_they_set_their_own(
    client: TestClient, make_user: MakeUser, anon_client: TestClient
) -> None:
    make_user("ci-owner")
    bot = _bearer(client, _create(client, user="ci-owner", scopes=["read"])["token"])
    assert bot.get("/api/v1/findings").status_code == 200
    user_id = next(
        u["id"] for u in client.get("/api/v1/users").json() if u["username"] == "ci-owner"
    )
    reset = "an-admin-chosen-password"
    assert client.patch(f"/api/v1/users/{user_id}", json={"password": reset}).status_code == 200
    refused = bot.get("/api/v1/findings")
    assert refused.status_code == 403
    assert "one-time password" in refused.json()["detail"]
    assert bot.get("/api/v1/auth/me").status_code == 403  # not even this
    login = anon_client.post(LOGIN, json={"username": "ci-owner", "password": reset})
    assert login.status_code == 200
    changed = anon_client.post(
        "/api/v1/auth/password",
        json={"current_password": reset, "new_password": "the-owners-own-password"},
        headers={"X-CSRF-Token": anon_client.cookies["aspm_csrf"]},
    )
    assert changed.status_code == 204
    assert bot.get("/api/v1/findings").status_code == 200  # paused, not revoked
