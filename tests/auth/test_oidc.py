"""Single sign-on end to end against a real OpenID Connect provider process on loopback
(tests/auth/oidc_provider.py: oidc-provider-mock, with PKCE enforced and a switch to tamper with
the next ID token). The app runs in a TestClient; the person's browser is played by that client
(cookies) and by httpx posting the provider's sign-in form."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.audit.models import AuditEvent
from aspm.auth import oidc_client
from aspm.auth.models import User, UserIdentity
from aspm.auth.principal import Role
from aspm.common.clock import reset_clock, set_clock
from aspm.main import create_app
from aspm.settings import Settings
from tests.auth.conftest import PASSWORD, MakeUser
from tests.auth.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider

MAPPING = """
claim: groups
roles:
  aspm-admins: admin
  security-leads: security_lead
  developers: engineer
teams:
  team-payments: payments
  team-web: web
default_role: viewer
"""


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProvider]:
    p = MockProvider.start(tmp_path_factory.mktemp("oidc"))
    yield p
    p.stop()


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "sso.yaml"
    path.write_text(MAPPING)
    return path


@pytest.fixture
def sso_settings(settings: Settings, provider: MockProvider, mapping_file: Path) -> Settings:
    return settings.model_copy(
        update={
            "oidc_issuer": provider.url,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_provider_name": "Acme ID",
            "oidc_mapping_file": mapping_file,
        }
    )


def _client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    oidc_client.forget_providers()
    app = create_app(settings)
    app.state.sessionmaker = sessions
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c
    oidc_client.forget_providers()


@pytest.fixture
def browser(sso_settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """A browser on the app with single sign-on configured (nobody signed in)."""
    yield from _client(sso_settings, sessions)


def start(browser: TestClient, next_path: str = "/findings") -> str:
    """Click "Sign in with Acme ID": the provider's authorization URL."""
    r = browser.get("/api/v1/auth/oidc/login", params={"next": next_path})
    assert r.status_code == 303, r.text
    return r.headers["location"]


def at_provider(authorize_url: str, sub: str) -> str:
    """The person signs in at the provider: where it sends the browser back."""
    answer = httpx.post(authorize_url, data={"sub": sub}, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def back(browser: TestClient, callback_url: str) -> httpx2.Response:
    parts = urlsplit(callback_url)
    return browser.get(f"{parts.path}?{parts.query}")


def sign_in(browser: TestClient, sub: str, next_path: str = "/findings") -> httpx2.Response:
    return back(browser, at_provider(start(browser, next_path), sub))


def sso_error(response: httpx2.Response) -> str | None:
    assert response.status_code == 303, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return query.get("sso_error", [None])[0]


def me(browser: TestClient) -> dict[str, object]:
    r = browser.get("/api/v1/auth/me")
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()
    return data


def test_first_sign_in_creates_the_user_with_role_and_teams_from_groups(
    browser: TestClient, provider: MockProvider, sessions: sessionmaker[Session]
) -> None:
    groups = ["security-leads", "team-payments", "other"]
    provider.set_user(
        "sub-alice", {"preferred_username": "alice", "name": "Alice Lead", "groups": groups}
    )
    authorize = start(browser)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert "code_verifier" not in query
    assert query["nonce"][0]
    assert query["state"][0]
    assert query["client_id"] == [CLIENT_ID]
    assert CLIENT_SECRET not in authorize
    flow_cookie = next(c for c in browser.cookies.jar if c.name == "aspm_oidc")
    assert flow_cookie.secure
    assert flow_cookie.path == "/api/v1/auth/oidc"
    assert flow_cookie.value
    assert query["state"][0] not in flow_cookie.value  # sealed, not readable

    r = back(browser, at_provider(authorize, "sub-alice"))

    assert r.status_code == 303
    assert r.headers["location"] == "/findings"
    set_cookie = r.headers.get_list("set-cookie")
    assert any(h.startswith("aspm_session=") and "HttpOnly" in h and "SameSite=strict" in h
               for h in set_cookie)  # fmt: skip
    assert any(h.startswith("aspm_csrf=") for h in set_cookie)
    user = me(browser)
    assert (user["username"], user["role"], user["teams"]) == (
        "alice", "security_lead", ["payments"],
    )  # fmt: skip
    assert user["display_name"] == "Alice Lead"
    with sessions() as s:
        row = s.scalars(select(User).where(User.username == "alice")).one()
        assert row.password_hash is None  # no password: cannot sign in locally
        link = s.scalars(select(UserIdentity).where(UserIdentity.user_id == row.id)).one()
        assert (link.issuer, link.subject) == (provider.url, "sub-alice")
        events = s.scalars(select(AuditEvent).where(AuditEvent.object_id == row.id)).all()
        signed_in = [e for e in events if e.action == "signed_in"]
        assert signed_in
        assert signed_in[0].details["method"] == "sso"


def test_the_sso_session_follows_the_usual_csrf_rule(
    browser: TestClient, provider: MockProvider
) -> None:
    provider.set_user("sub-carol", {"preferred_username": "carol", "groups": ["developers"]})
    sign_in(browser, "sub-carol")
    assert browser.post("/api/v1/auth/oidc/logout").status_code == 403  # no X-CSRF-Token
    browser.headers["X-CSRF-Token"] = browser.cookies["aspm_csrf"]
    assert browser.post("/api/v1/auth/oidc/logout").status_code == 200


def test_a_mapping_change_and_a_group_change_count_at_the_next_sign_in(
    browser: TestClient, provider: MockProvider, mapping_file: Path
) -> None:
    groups = ["developers", "team-web", "team-payments"]
    provider.set_user("sub-dan", {"preferred_username": "dan", "groups": groups})
    sign_in(browser, "sub-dan")
    assert (me(browser)["role"], me(browser)["teams"]) == ("engineer", ["payments", "web"])

    mapping_file.write_text(MAPPING.replace("developers: engineer", "developers: security_lead"))
    provider.set_user(
        "sub-dan", {"preferred_username": "dan", "groups": ["developers", "team-web"]}
    )
    assert me(browser)["role"] == "engineer"  # nothing changes before the next sign-in
    sign_in(browser, "sub-dan")

    assert (me(browser)["role"], me(browser)["teams"]) == ("security_lead", ["web"])


def test_teams_the_mapping_does_not_name_are_left_to_admins(
    browser: TestClient, provider: MockProvider, client: TestClient
) -> None:
    provider.set_user("sub-erin", {"preferred_username": "erin", "groups": ["team-web"]})
    sign_in(browser, "sub-erin")
    assert client.post("/api/v1/teams", json={"name": "data"}).status_code == 201
    assert client.put("/api/v1/teams/data/members/erin").status_code == 200
    provider.set_user("sub-erin", {"preferred_username": "erin", "groups": []})
    sign_in(browser, "sub-erin")
    assert me(browser)["teams"] == ["data"]


def test_groups_that_map_to_nothing_give_the_least_role(
    browser: TestClient, provider: MockProvider
) -> None:
    provider.set_user("sub-finn", {"preferred_username": "finn", "groups": ["marketing"]})
    sign_in(browser, "sub-finn")
    assert (me(browser)["role"], me(browser)["teams"]) == ("viewer", [])


def test_without_a_default_role_unmapped_groups_are_refused(
    sso_settings: Settings,
    sessions: sessionmaker[Session],
    provider: MockProvider,
    mapping_file: Path,
) -> None:
    mapping_file.write_text(MAPPING.replace("default_role: viewer", "default_role: null"))
    provider.set_user("sub-gail", {"preferred_username": "gail", "groups": ["marketing"]})
    for browser in _client(sso_settings, sessions):
        assert sso_error(sign_in(browser, "sub-gail")) == "no_role"
        assert "aspm_session" not in browser.cookies
        assert browser.get("/api/v1/auth/me").status_code == 401
    with sessions() as s:
        assert s.scalars(select(User).where(User.username == "gail")).first() is None


def test_groups_never_demote_the_last_active_admin(
    browser: TestClient, provider: MockProvider
) -> None:
    provider.set_user("sub-root", {"preferred_username": "root", "groups": ["aspm-admins"]})
    sign_in(browser, "sub-root")
    assert me(browser)["role"] == "admin"
    provider.set_user("sub-root", {"preferred_username": "root", "groups": ["developers"]})
    assert sso_error(sign_in(browser, "sub-root")) == "conflict"


def test_the_person_is_found_by_subject_never_by_a_username_claim(
    browser: TestClient, provider: MockProvider, make_user: MakeUser
) -> None:
    make_user("bob", role=Role.ADMIN)
    provider.set_user("sub-bob", {"preferred_username": "bob", "groups": []})
    sign_in(browser, "sub-bob")
    user = me(browser)
    assert user["username"] != "bob"
    assert str(user["username"]).startswith("bob-")
    assert user["role"] == "viewer"
    provider.set_user("sub-bob", {"preferred_username": "robert", "groups": []})
    sign_in(browser, "sub-bob")
    assert me(browser)["id"] == user["id"]  # same subject, same user


def test_a_deactivated_user_cannot_sign_in_through_the_provider(
    browser: TestClient, provider: MockProvider, client: TestClient
) -> None:
    provider.set_user("sub-hal", {"preferred_username": "hal", "groups": ["developers"]})
    sign_in(browser, "sub-hal")
    user_id = me(browser)["id"]
    assert client.delete(f"/api/v1/users/{user_id}").status_code == 200
    assert sso_error(sign_in(browser, "sub-hal")) == "deactivated"


def test_a_state_that_is_not_this_browsers_is_refused(
    browser: TestClient, provider: MockProvider, sso_settings: Settings,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    provider.set_user("sub-ivy", {"preferred_username": "ivy", "groups": ["developers"]})
    callback = at_provider(start(browser), "sub-ivy")
    forged = callback.replace("state=", "state=x")
    assert sso_error(back(browser, forged)) == "state_mismatch"
    assert "aspm_session" not in browser.cookies
    assert sso_error(back(browser, callback)) == "no_flow"  # a failed answer spends the flow
    # an answer delivered to another browser (no flow cookie there): login CSRF refused
    callback = at_provider(start(browser), "sub-ivy")
    for other in _client(sso_settings, sessions):
        assert sso_error(back(other, callback)) == "no_flow"
        assert "aspm_session" not in other.cookies
    # and the untouched answer still works in the browser that asked
    assert sso_error(back(browser, callback)) is None
    assert me(browser)["username"] == "ivy"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("signature", "bad_token"),
        ("claims", "bad_token"),
        ("foreign_key", "bad_token"),
        ("nonce", "bad_token"),
        ("expired", "expired_token"),
        ("audience", "bad_token"),
        ("issuer", "bad_token"),
    ],
)
def test_tampered_and_expired_id_tokens_are_refused(
    browser: TestClient, provider: MockProvider, mode: str, reason: str,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    sub = f"sub-{mode}"
    provider.set_user(sub, {"preferred_username": f"user-{mode}", "groups": ["developers"]})
    authorize = start(browser)
    provider.tamper_next(mode)

    r = back(browser, at_provider(authorize, sub))

    assert sso_error(r) == reason
    assert "aspm_session" not in browser.cookies
    assert browser.get("/api/v1/auth/me").status_code == 401
    with sessions() as s:
        assert s.scalars(select(User).where(User.username == f"user-{mode}")).first() is None


def test_the_provider_refuses_a_code_without_the_pkce_verifier(
    browser: TestClient, provider: MockProvider
) -> None:
    """The harness enforces PKCE (so every successful sign-in here proves the app sends it)."""
    provider.set_user("sub-pkce", {"preferred_username": "pkce", "groups": []})
    callback = at_provider(start(browser), "sub-pkce")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = httpx.post(
        f"{provider.url}/oauth2/token",
        data={"grant_type": "authorization_code", "code": code,
              "redirect_uri": callback.split("?")[0], "code_verifier": "guessed" * 7},
        auth=(CLIENT_ID, CLIENT_SECRET), timeout=10,
    )  # fmt: skip
    assert token.status_code == 400
    assert sso_error(back(browser, callback)) == "token_refused"  # the code is spent


def test_signing_keys_rotated_at_the_provider_are_fetched_again(
    browser: TestClient, provider: MockProvider
) -> None:
    provider.set_user("sub-kim", {"preferred_username": "kim", "groups": ["developers"]})
    sign_in(browser, "sub-kim")
    old_kids = {k["kid"] for k in provider.jwks()["keys"]}
    provider.rotate_keys()
    assert not old_kids & {k["kid"] for k in provider.jwks()["keys"]}
    oidc_client.JWKS_MIN_REFETCH, saved = 0.0, oidc_client.JWKS_MIN_REFETCH
    try:
        assert sso_error(sign_in(browser, "sub-kim")) is None
    finally:
        oidc_client.JWKS_MIN_REFETCH = saved
    assert me(browser)["username"] == "kim"


@pytest.mark.parametrize(("offset", "reason"), [(50, None), (-90, "bad_token"),
                                                (3600 + 90, "expired_token")])  # fmt: skip
def test_clock_skew_is_tolerated_up_to_the_configured_bound(
    browser: TestClient, provider: MockProvider, offset: int, reason: str | None
) -> None:
    """Our clock `offset` seconds ahead of the provider's (60 s allowed): 50 s passes; 90 s
    behind makes the token issued in our future; an hour and 90 s ahead, expired."""
    provider.set_user("sub-lou", {"preferred_username": "lou", "groups": []})
    set_clock(lambda: datetime.now(UTC) + timedelta(seconds=offset))
    try:
        assert sso_error(sign_in(browser, "sub-lou")) == reason
    finally:
        reset_clock()


def test_sign_out_ends_the_session_and_points_at_the_providers_end_session(
    browser: TestClient, provider: MockProvider
) -> None:
    provider.set_user("sub-max", {"preferred_username": "max", "groups": ["developers"]})
    sign_in(browser, "sub-max")
    browser.headers["X-CSRF-Token"] = browser.cookies["aspm_csrf"]

    r = browser.post("/api/v1/auth/oidc/logout")

    assert r.status_code == 200
    url = r.json()["end_session_url"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider.url}/oauth2/end_session"
    assert parse_qs(parts.query) == {
        "client_id": [CLIENT_ID], "post_logout_redirect_uri": ["https://testserver/login"],
    }  # fmt: skip
    assert browser.get("/api/v1/auth/me").status_code == 401
    assert httpx.get(url, timeout=10).status_code == 200  # the provider's sign-out page


def test_a_local_user_signing_out_is_not_sent_to_the_provider(
    client: TestClient, browser: TestClient
) -> None:
    r = client.post("/api/v1/auth/oidc/logout")
    assert r.status_code == 200
    assert r.json() == {"end_session_url": None}
    assert client.get("/api/v1/auth/me").status_code == 401


def test_sign_in_options_name_the_provider_and_never_the_secret(browser: TestClient) -> None:
    r = browser.get("/api/v1/auth/options")
    assert r.json() == {
        "local_login": True,
        "sso": {"name": "Acme ID", "login_url": "/api/v1/auth/oidc/login"},
    }
    assert CLIENT_SECRET not in browser.get("/openapi.json").text


def test_next_is_a_path_of_this_site_only(browser: TestClient, provider: MockProvider) -> None:
    provider.set_user("sub-ned", {"preferred_username": "ned", "groups": []})
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = sign_in(browser, "sub-ned", next_path=evil)
        assert r.status_code == 303
        assert r.headers["location"] == "/"


def test_the_client_secret_is_never_logged_nor_returned(
    browser: TestClient, provider: MockProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider.set_user("sub-oz", {"preferred_username": "oz", "groups": ["developers"]})
    responses = [browser.get("/api/v1/auth/options")]
    responses.append(sign_in(browser, "sub-oz"))
    responses.append(browser.get("/api/v1/auth/me"))
    provider.tamper_next("signature")
    responses.append(sign_in(browser, "sub-oz"))
    assert all(CLIENT_SECRET not in r.text and CLIENT_SECRET not in str(r.headers)
               for r in responses)  # fmt: skip
    assert caplog.records
    assert not [r for r in caplog.records if CLIENT_SECRET in r.getMessage()]
    assert CLIENT_SECRET not in repr(Settings(oidc_client_secret=CLIENT_SECRET))


def test_without_sso_configured_there_is_no_button_and_no_flow(anon_client: TestClient) -> None:
    assert anon_client.get("/api/v1/auth/options").json() == {"local_login": True, "sso": None}
    assert anon_client.get("/api/v1/auth/oidc/login").status_code == 404


# --- local password sign-in switched off -------------------------------------------------------


@pytest.fixture
def no_local(sso_settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    yield from _client(
        sso_settings.model_copy(update={"local_login": False, "break_glass_admins": "admin"}),
        sessions,
    )


def test_with_local_login_off_only_the_break_glass_admin_uses_a_password(
    no_local: TestClient, make_user: MakeUser
) -> None:
    make_user("admin", role=Role.ADMIN)
    make_user("eng", role=Role.ENGINEER)
    assert no_local.get("/api/v1/auth/options").json()["local_login"] is False

    refused = no_local.post("/api/v1/auth/login", json={"username": "eng", "password": PASSWORD})
    assert refused.status_code == 403
    assert "single sign-on" in refused.json()["detail"]
    wrong = no_local.post("/api/v1/auth/login", json={"username": "admin", "password": "nope"})
    assert wrong.status_code == 401
    ok = no_local.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
    assert ok.status_code == 200
    assert me(no_local)["role"] == "admin"


def test_a_break_glass_name_that_is_no_admin_gets_no_password_sign_in(
    no_local: TestClient, make_user: MakeUser
) -> None:
    make_user("admin", role=Role.ENGINEER)  # the name alone is not enough
    r = no_local.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403


def test_with_local_login_off_sso_still_signs_in(
    no_local: TestClient, provider: MockProvider
) -> None:
    provider.set_user("sub-pat", {"preferred_username": "pat", "groups": ["aspm-admins"]})
    assert sso_error(sign_in(no_local, "sub-pat")) is None
    assert me(no_local)["role"] == "admin"
