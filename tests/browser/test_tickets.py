"""Tickets in the browser: `aspm serve` (SQLite, so the server's own ticket sender sends them)
with a tickets file pointing at a fake Jira Cloud on loopback (tests/integrations/trackers.py).
An admin enters the API token; a lead creates a ticket from a finding page, which then shows
the ticket's key, link and status; the queue's bulk bar creates them for a selection."""

import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import (
    ADMIN,
    DIST,
    PASSWORDS,
    LiveServer,
    _free_port,
    _unavailable,
    first_id,
    snap,
)
from tests.integrations.trackers import Tracker, tracker_server

pytestmark = pytest.mark.browser

TOKEN = "browser-jira-token-8Hq2"


@pytest.fixture(scope="module")
def jira() -> Iterator[Tracker]:
    with tracker_server(TOKEN, projects={"SEC"}) as t:
        yield t


@pytest.fixture(scope="module")
def tickets_server(tmp_path_factory: pytest.TempPathFactory, jira: Tracker) -> Iterator[LiveServer]:
    if not DIST.is_file():
        _unavailable(f"{DIST} is missing: build the dashboard with `make frontend`")
    tmp = tmp_path_factory.mktemp("tickets-live")
    (tmp / "tickets.yaml").write_text(
        f"trackers:\n  jira:\n    kind: jira_cloud\n    url: {jira.url}\n"
        f"    email: {jira.email}\ndefault: {{tracker: jira, project: SEC}}\n"
    )
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ASPM_")},
        "ASPM_DATABASE_URL": f"sqlite:///{tmp / 'aspm.db'}",
        "ASPM_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "ASPM_TICKETS_FILE": str(tmp / "tickets.yaml"),
    }
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env)
    server.aspm("db", "upgrade")
    server.aspm("demo")
    server.aspm("users", "bootstrap", "--demo")
    server.aspm("users", "create", ADMIN[0], "--role", "admin", "--password-stdin", stdin=ADMIN[1])
    log_path = tmp / "server.log"
    with server.serving(log_path):
        yield server
    assert TOKEN not in log_path.read_text()  # never logged


@pytest.fixture
def context(browser: Browser, tickets_server: LiveServer) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=tickets_server.url, viewport={"width": 1440, "height": 900})
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


def sign_in(context: BrowserContext, username: str, password: str) -> Page:
    page = context.new_page()
    answer = page.request.post(
        "/api/v1/auth/login", data={"username": username, "password": password}
    )
    assert answer.ok, answer.text()
    return page


def test_create_a_ticket_from_a_finding_page_and_see_its_key_and_status(
    context: BrowserContext, jira: Tracker
) -> None:
    admin = sign_in(context, *ADMIN)
    admin.goto("/admin")
    row = admin.get_by_test_id("tracker-jira")
    expect(row).to_contain_text("token missing")
    row.get_by_label("API token").fill(TOKEN)
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("token set")
    expect(row.get_by_label("API token")).to_have_value("")  # write-only: never shown again
    snap(admin, "ticket-trackers")
    admin.get_by_role("button", name="Sign out").click()

    lead = sign_in(context, "lead", PASSWORDS["lead"])
    lead.goto("/findings")
    finding_id = first_id(lead)
    lead.goto(f"/findings/{finding_id}")
    section = lead.get_by_role("region", name="Ticket")
    expect(section).to_contain_text("No ticket yet.")
    section.get_by_role("button", name="Create ticket").click()
    key = section.get_by_test_id("ticket-key")
    expect(key).to_have_text("SEC-1")  # created by the server's sender, read back by the page
    expect(key).to_have_attribute("href", f"{jira.url}/browse/SEC-1")
    expect(section.get_by_test_id("ticket-status")).to_have_text("open")
    expect(section.get_by_role("button", name="Create ticket")).to_be_hidden()
    snap(lead, "finding-ticket")
    (created,) = [c for c in jira.calls("POST") if c.path == "/rest/api/3/issue"]
    fields: dict[str, Any] = created.body["fields"]
    assert fields["project"] == {"key": "SEC"}
    assert f"/findings/{finding_id}" in str(fields["description"])  # the link back

    # the queue's bulk bar: two more findings, one ticket each
    lead.goto("/findings")
    rows = lead.locator("tbody tr")
    expect(rows.nth(2)).to_be_visible()
    for i in (1, 2):
        rows.nth(i).get_by_role("checkbox").check()
    bar = lead.get_by_role("region", name="Bulk actions")
    bar.get_by_role("button", name="Create tickets…").click()
    dialog = lead.get_by_role("dialog", name=re.compile(r"Create tickets \(2\)"))
    dialog.get_by_role("button", name="Create").click()
    expect(lead.get_by_text("2 tickets asked for.")).to_be_visible()
    deadline = time.monotonic() + 20
    while len(jira.issues) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(jira.issues) == ["SEC-1", "SEC-2", "SEC-3"]
