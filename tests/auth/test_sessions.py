"""Browser sign-in: cookies, rate limit, expiry, logout, CSRF, one-time passwords, 401 vs 403."""

import asyncio
from http.cookies import SimpleCookie

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm import cli
from aspm.audit.models import AuditEvent
from aspm.auth.principal import Role
from aspm.db.session import unit_of_work
from aspm.settings import Settings
from tests.auth.conftest import PASSWORD, Clock, MakeUser
from tests.conftest import ClientAs

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"


def _login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    resp = client.post(LOGIN, json={"username": username, "password": password})
    return resp.status_code


def _set_cookie_headers(resp_headers: list[tuple[str, str]]) -> dict[str, str]:
    return {next(iter(SimpleCookie(v))): v.lower() for k, v in resp_headers if k == "set-cookie"}


def test_login_sets_a_strict_httponly_secure_session_cookie_and_a_readable_csrf_cookie(
    anon_client: TestClient, make_user: MakeUser
) -> None:
    make_user("alice", Role.ENGINEER, teams=("payments",))
    resp = anon_client.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["username"], body["role"], body["teams"]) == ("alice", "engineer", ["payments"])
    cookies = _set_cookie_headers(resp.headers.multi_items())
    session, csrf = cookies["aspm_session"], cookies["aspm_csrf"]
    for header in (session, csrf):
        assert "samesite=strict" in header
        assert "secure" in header
        assert "path=/" in header
    assert "httponly" in session
    assert "httponly" not in csrf
    me = anon_client.get(ME).json()
    assert (me["username"], me["kind"], me["scopes"]) == (
        "alice",
        "user",
        ["ingest", "read", "triage"],
    )


def test_cookies_are_not_secure_when_the_setting_says_so(
    api_app: FastAPI, make_user: MakeUser
) -> None:
    make_user("bob")
    api_app.state.settings = api_app.state.settings.model_copy(update={"cookie_secure": False})
    with TestClient(api_app) as plain_http:  # http://testserver
        resp = plain_http.post(LOGIN, json={"username": "bob", "password": PASSWORD})
        assert resp.status_code == 200
        assert "secure" not in _set_cookie_headers(resp.headers.multi_items())["aspm_session"]
        assert plain_http.get(ME).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(
    anon_client: TestClient, make_user: MakeUser
) -> None:
    make_user("carol")
    wrong = anon_client.post(LOGIN, json={"username": "carol", "password": "nope-nope-nope"})
    unknown = anon_client.post(LOGIN, json={"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "aspm_session" not in anon_client.cookies
    assert anon_client.get(ME).status_code == 401


def test_five_failures_lock_the_username_for_the_window_even_with_the_right_password(
    anon_client: TestClient, make_user: MakeUser, clock: Clock
) -> None:
    make_user("dave")
    for _ in range(5):
        assert _login(anon_client, "dave", "wrong-password!") == 401
    locked = anon_client.post(LOGIN, json={"username": "dave", "password": PASSWORD})
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60 + 1
    clock.advance(minutes=15, seconds=1)
    assert _login(anon_client, "dave") == 200


def test_a_successful_login_clears_the_username_failures(
    anon_client: TestClient, make_user: MakeUser, clock: Clock
) -> None:
    make_user("erin")
    for _ in range(4):
        assert _login(anon_client, "erin", "wrong-password!") == 401
    assert _login(anon_client, "erin") == 200
    for _ in range(4):
        assert _login(anon_client, "erin", "wrong-password!") == 401
    assert _login(anon_client, "erin") == 200


def test_many_failures_from_one_address_lock_that_address(
    anon_client: TestClient, make_user: MakeUser, clock: Clock
) -> None:
    make_user("frank")
    for i in range(20):  # 20 different usernames, 4 tries under the per-user limit each
        assert _login(anon_client, f"guess{i}", "wrong-password!") == 401
    resp = anon_client.post(LOGIN, json={"username": "frank", "password": PASSWORD})
    assert resp.status_code == 429
    assert "address" in resp.json()["detail"]


def test_a_session_ends_after_its_idle_time_and_after_its_absolute_lifetime(
    anon_client: TestClient, make_user: MakeUser, clock: Clock
) -> None:
    make_user("gina")
    assert _login(anon_client, "gina") == 200
    clock.advance(minutes=119)
    assert anon_client.get(ME).status_code == 200  # use keeps it alive
    clock.advance(minutes=121)
    resp = anon_client.get(ME)
    assert resp.status_code == 401
    assert "expired" in resp.json()["detail"]

    assert _login(anon_client, "gina") == 200
    for _ in range(12):  # active all day: the absolute limit (12 h) still ends it
        clock.advance(minutes=60)
        status = anon_client.get(ME).status_code
    assert status == 401


def test_logout_ends_the_session_on_the_server(
    anon_client: TestClient, make_user: MakeUser
) -> None:
    make_user("hank")
    assert _login(anon_client, "hank") == 200
    session_id = anon_client.cookies["aspm_session"]
    csrf = anon_client.cookies["aspm_csrf"]
    resp = anon_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert resp.status_code == 204
    assert "aspm_session" not in anon_client.cookies
    anon_client.cookies.set("aspm_session", session_id)  # a copy of the old cookie is useless
    assert anon_client.get(ME).status_code == 401


def test_sign_in_failure_sign_in_and_sign_out_are_audited_without_secrets(
    anon_client: TestClient, make_user: MakeUser, sessions: sessionmaker[Session]
) -> None:
    make_user("ivy")
    assert _login(anon_client, "ivy", "wrong-password!") == 401
    assert _login(anon_client, "nobody-here", "wrong-password!") == 401  # no user, no event
    assert _login(anon_client, "ivy") == 200
    csrf = anon_client.cookies["aspm_csrf"]
    assert (
        anon_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    )
    with unit_of_work(sessions) as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["sign_in_failed", "signed_in", "signed_out"]))
            .where(AuditEvent.actor.in_(["user:ivy", "user:nobody-here"]))  # not other tests'
            .order_by(AuditEvent.id)
        ).all()
    assert [(e.actor, e.action, e.object_type) for e in events] == [
        ("user:ivy", "sign_in_failed", "user"),
        ("user:ivy", "signed_in", "user"),
        ("user:ivy", "signed_out", "user"),
    ]
    assert len({e.object_id for e in events}) == 1
    assert "client_ip" in events[0].details
    text = repr([(e.details, e.reason, e.from_value, e.to_value) for e in events])
    assert PASSWORD not in text
    assert "wrong-password!" not in text


def test_state_changing_cookie_requests_need_the_csrf_header_matching_the_session(
    client_as: ClientAs, make_user: MakeUser
) -> None:
    lead = client_as(Role.SECURITY_LEAD)
    good = lead.headers.pop("X-CSRF-Token")
    put = {"environment": "prod"}
    missing = lead.put("/api/v1/assets/acme/x", json=put)
    assert missing.status_code == 403
    assert "X-CSRF-Token" in missing.json()["detail"]
    assert (
        lead.put("/api/v1/assets/acme/x", json=put, headers={"X-CSRF-Token": "x"}).status_code
        == 403
    )
    # double submit with a value planted in both cookie and header is refused: the value must be
    # the one issued for this session
    lead.cookies.set("aspm_csrf", "planted-value")
    planted = lead.put("/api/v1/assets/acme/x", json=put, headers={"X-CSRF-Token": "planted-value"})
    assert planted.status_code == 403
    lead.cookies.set("aspm_csrf", good)
    assert (
        lead.put("/api/v1/assets/acme/x", json=put, headers={"X-CSRF-Token": good}).status_code
        == 200
    )
    assert lead.get("/api/v1/assets/acme/x").status_code == 200  # reads need no header


def test_unauthenticated_is_401_and_authenticated_but_not_allowed_is_403(
    anon_client: TestClient, client_as: ClientAs
) -> None:
    viewer = client_as(Role.VIEWER)
    assert anon_client.put("/api/v1/assets/acme/y", json={}).status_code == 401
    assert anon_client.get("/api/v1/findings").headers["WWW-Authenticate"].startswith("Bearer")
    resp = viewer.put("/api/v1/assets/acme/y", json={"environment": "prod"})
    assert resp.status_code == 403
    assert resp.json()["error"] == "PermissionDenied"
    assert viewer.get("/api/v1/findings").status_code == 200
    assert viewer.get("/api/v1/users").status_code == 403


def test_a_one_time_password_must_be_changed_before_anything_else(
    client: TestClient, anon_client: TestClient
) -> None:
    created = client.post("/api/v1/users", json={"username": "ivy", "role": "viewer"})
    assert created.status_code == 201, created.text
    one_time = created.json()["password"]
    assert created.json()["must_change_password"] is True
    assert _login(anon_client, "ivy", one_time) == 200
    csrf = {"X-CSRF-Token": anon_client.cookies["aspm_csrf"]}
    assert anon_client.get(ME).json()["must_change_password"] is True
    assert anon_client.get("/api/v1/findings").status_code == 403
    same = {"current_password": one_time, "new_password": one_time}
    assert anon_client.post("/api/v1/auth/password", json=same, headers=csrf).status_code == 422
    change = {"current_password": one_time, "new_password": "a-new-long-password"}
    assert anon_client.post("/api/v1/auth/password", json=change, headers=csrf).status_code == 204
    assert anon_client.get("/api/v1/findings").status_code == 200
    assert (
        _login(TestClient(anon_client.app, base_url="https://testserver"), "ivy", one_time) == 401
    )


def _signed_in(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    c = TestClient(app, base_url="https://testserver")
    assert _login(c, username, password) == 200
    c.headers["X-CSRF-Token"] = c.cookies["aspm_csrf"]
    return c


def test_changing_ones_password_ends_ones_other_sessions_and_keeps_this_one_and_tokens(
    api_app: FastAPI, client: TestClient, make_user: MakeUser
) -> None:
    make_user("kim")
    token = client.post("/api/v1/tokens", json={"name": "ci", "user": "kim", "scopes": ["read"]})
    bot = TestClient(client.app, headers={"Authorization": f"Bearer {token.json()['token']}"})
    here, elsewhere = _signed_in(api_app, "kim"), _signed_in(api_app, "kim")
    change = {"current_password": PASSWORD, "new_password": "kims-new-password"}
    assert here.post("/api/v1/auth/password", json=change).status_code == 204
    assert here.get(ME).status_code == 200  # the session that changed it stays signed in
    ended = elsewhere.get(ME)
    assert ended.status_code == 401
    assert "not signed in" in ended.json()["detail"]
    assert bot.get("/api/v1/findings").status_code == 200  # tokens are separate credentials


def test_an_admin_password_reset_ends_every_session_of_the_user(
    api_app: FastAPI, client: TestClient, make_user: MakeUser
) -> None:
    make_user("lou")
    first, second = _signed_in(api_app, "lou"), _signed_in(api_app, "lou")
    lou = next(u for u in client.get("/api/v1/users").json() if u["username"] == "lou")
    reset = client.patch(f"/api/v1/users/{lou['id']}", json={"password": "an-admin-set-one"})
    assert reset.status_code == 200
    assert first.get(ME).status_code == second.get(ME).status_code == 401


@pytest.mark.parametrize(
    ("trusted_proxies", "limited"),
    [("", True), ("10.0.0.0/8, 127.0.0.1", False)],
    ids=["no-trusted-proxy", "local-proxy-trusted"],
)
def test_a_forwarded_address_counts_for_the_login_limit_only_from_a_trusted_proxy(
    api_app: FastAPI, settings: Settings, trusted_proxies: str, limited: bool
) -> None:
    """Through uvicorn's middleware as `aspm serve` configures it, from a local client that
    rotates X-Forwarded-For: by default the connection's address is counted (and locked)."""
    settings = settings.model_copy(
        update={"trusted_proxies": trusted_proxies, "login_max_failures_per_ip": 3}
    )
    api_app.state.settings = settings
    config = uvicorn.Config(api_app, log_config=None, **cli.proxy_options(settings))
    config.load()

    async def attempts() -> list[int]:
        transport = httpx.ASGITransport(app=config.loaded_app, client=("127.0.0.1", 50123))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            return [
                (
                    await c.post(
                        LOGIN,
                        json={"username": f"guess{i}", "password": "wrong-password!"},
                        headers={"X-Forwarded-For": f"203.0.113.{i}"},
                    )
                ).status_code
                for i in range(4)
            ]

    statuses = asyncio.run(attempts())
    assert statuses == ([401, 401, 401, 429] if limited else [401, 401, 401, 401])


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert Settings(trusted_proxies=" 10.0.0.0/8 ,::1").trusted_proxy_list() == [
        "10.0.0.0/8",
        "::1",
    ]
    with pytest.raises(ValueError, match="not an IP address"):
        Settings(trusted_proxies="proxy.example.com")
