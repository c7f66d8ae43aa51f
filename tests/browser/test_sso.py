"""Single sign-on in the browser: chromium, `aspm serve` configured for an OpenID Connect provider
(oidc-provider-mock in its own process, tests/auth/oidc_provider.py) with password sign-in
switched off, and the person clicking through the provider's pages.

The provider is addressed as `localhost` and the app as `127.0.0.1`: two sites, as in real life,
so the cookies' SameSite rules are exercised (the flow cookie must survive the cross-site
redirect back; the session cookie is SameSite=Strict).
"""

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.auth.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider
from tests.browser.conftest import DIST, LiveServer, _free_port, _unavailable

pytestmark = pytest.mark.browser

BREAK_GLASS = ("admin", "break-glass-password-1")
MAPPING = """
claim: groups
roles:
  security-leads: security_lead
  developers: engineer
teams:
  team-payments: payments
default_role: viewer
"""


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProvider]:
    p = MockProvider.start(tmp_path_factory.mktemp("oidc"), host="localhost")
    yield p
    p.stop()


@pytest.fixture(scope="module")
def sso_server(
    tmp_path_factory: pytest.TempPathFactory, provider: MockProvider
) -> Iterator[LiveServer]:
    if not DIST.is_file():
        _unavailable(f"{DIST} is missing: build the dashboard with `make frontend`")
    tmp = tmp_path_factory.mktemp("sso-live")
    (tmp / "sso.yaml").write_text(MAPPING)
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ASPM_")},
        "ASPM_DATABASE_URL": f"sqlite:///{tmp / 'aspm.db'}",
        "ASPM_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "ASPM_OIDC_ISSUER": provider.url,
        "ASPM_OIDC_CLIENT_ID": CLIENT_ID,
        "ASPM_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "ASPM_OIDC_PROVIDER_NAME": "Acme ID",
        "ASPM_OIDC_MAPPING_FILE": str(tmp / "sso.yaml"),
        "ASPM_LOCAL_LOGIN": "false",
        "ASPM_BREAK_GLASS_ADMINS": BREAK_GLASS[0],
    }
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env)
    server.aspm("db", "upgrade")
    server.aspm("users", "create", BREAK_GLASS[0], "--role", "admin", "--password-stdin",
                stdin=BREAK_GLASS[1])  # fmt: skip
    log_path = tmp / "server.log"
    with server.serving(log_path):
        yield server
    assert CLIENT_SECRET not in log_path.read_text()  # never logged, whatever happened


@pytest.fixture
def context(browser: Browser, sso_server: LiveServer) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=sso_server.url, viewport={"width": 1440, "height": 900})
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def sso_page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in_at_provider(page: Page, sub: str) -> None:
    """From the login page: the provider's button, then the provider's own form."""
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Acme ID").click()
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/oauth2/authorize"))
    page.locator("input[name=sub][type=text]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_login_page_offers_the_provider_and_hides_the_password_form(sso_page: Page) -> None:
    sso_page.goto("/login")
    expect(sso_page.get_by_role("link", name="Sign in with Acme ID")).to_be_visible()
    expect(sso_page.get_by_label("Username")).to_be_hidden()
    sso_page.get_by_text("Emergency administrator sign-in").click()
    expect(sso_page.get_by_label("Username")).to_be_visible()


def test_sign_in_with_role_and_team_from_groups_then_sign_out_at_the_provider(
    sso_page: Page, provider: MockProvider, sso_server: LiveServer
) -> None:
    provider.set_user(
        "sub-lena",
        {"preferred_username": "lena", "name": "Lena Lead",
         "groups": ["security-leads", "team-payments"]},
    )  # fmt: skip

    sign_in_at_provider(sso_page, "sub-lena")

    expect(sso_page.get_by_test_id("current-user")).to_have_text("Lena Lead")
    expect(sso_page.get_by_test_id("current-role")).to_have_text("Security lead")
    assert sso_page.url.startswith(sso_server.url)
    me = sso_page.request.get("/api/v1/auth/me").json()
    assert (me["username"], me["role"], me["teams"]) == ("lena", "security_lead", ["payments"])

    sso_page.get_by_role("button", name="Sign out").click()
    # the provider's sign-out page, then back to our login page
    sso_page.get_by_role("button", name="End session").click()
    expect(sso_page.get_by_role("link", name="Sign in with Acme ID")).to_be_visible()
    assert sso_page.url.startswith(f"{sso_server.url}/login")
    assert sso_page.request.get("/api/v1/auth/me").status == 401


def test_groups_that_map_to_nothing_sign_in_as_viewer(
    sso_page: Page, provider: MockProvider
) -> None:
    provider.set_user("sub-vic", {"preferred_username": "vic", "groups": ["marketing"]})
    sign_in_at_provider(sso_page, "sub-vic")
    expect(sso_page.get_by_test_id("current-role")).to_have_text("Viewer")


@pytest.mark.parametrize(
    ("mode", "message"),
    [("signature", "could not be verified"), ("claims", "could not be verified"),
     ("expired", "had expired")],
)  # fmt: skip
def test_tampered_or_expired_tokens_land_back_on_the_login_page_signed_out(
    sso_page: Page, provider: MockProvider, mode: str, message: str
) -> None:
    provider.set_user("sub-tess", {"preferred_username": "tess", "groups": ["developers"]})
    sso_page.goto("/login")
    provider.tamper_next(mode)
    sign_in_at_provider(sso_page, "sub-tess")
    expect(sso_page.get_by_role("alert")).to_contain_text(message)
    assert "sso_error=" in sso_page.url
    assert sso_page.request.get("/api/v1/auth/me").status == 401


def test_the_break_glass_admin_signs_in_with_a_password(sso_page: Page) -> None:
    sso_page.goto("/login")
    sso_page.get_by_text("Emergency administrator sign-in").click()
    sso_page.get_by_label("Username").fill(BREAK_GLASS[0])
    sso_page.get_by_label("Password").fill(BREAK_GLASS[1])
    sso_page.get_by_role("button", name="Sign in", exact=True).click()
    expect(sso_page.get_by_test_id("current-role")).to_have_text("Admin")


def test_anyone_else_is_refused_a_password_sign_in(sso_page: Page) -> None:
    sso_page.goto("/login")
    sso_page.get_by_text("Emergency administrator sign-in").click()
    sso_page.get_by_label("Username").fill("lena")
    sso_page.get_by_label("Password").fill("whatever-password")
    sso_page.get_by_role("button", name="Sign in", exact=True).click()
    expect(sso_page.get_by_role("alert")).to_contain_text("single sign-on")
