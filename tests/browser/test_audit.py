"""The audit page shows a triage change made during the test, and filters from the URL."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, snap

pytestmark = pytest.mark.browser


def test_a_triage_change_appears_in_the_audit_trail_and_filters_are_links(page: Page) -> None:
    login(page, "lead")
    # a finding to change: the first new one of the payments API
    found = page.request.get(
        "/api/v1/findings?asset=acme-corp/payments-api&triage=new&limit=1"
    ).json()["items"][0]
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "aspm_csrf")
    reason = "browser test: confirmed from the audit test"
    answer = page.request.post(
        f"/api/v1/findings/{found['id']}/triage",
        data={"state": "confirmed", "reason": reason, "version": found["version"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.ok, answer.text()

    page.goto("/audit")
    page.get_by_label("Actor").fill("user:lead")
    page.get_by_label("Action").fill("triage")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/audit\?.*actor=user%3Alead"))
    row = page.get_by_test_id("audit-row").filter(has_text=reason)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("new → confirmed")
    snap(page, "audit")

    # the filtered view is a link: reloading it keeps the filters and the form
    page.reload()
    expect(page.get_by_label("Actor")).to_have_value("user:lead")
    expect(page.get_by_test_id("audit-row").filter(has_text=reason)).to_have_count(1)

    # the object link opens the finding
    row.get_by_role("link", name=re.compile("…")).click()
    expect(page).to_have_url(re.compile(rf"/findings/{found['id']}$"))


def test_a_filter_that_matches_nothing_says_so(page: Page) -> None:
    login(page, "viewer")
    page.goto("/audit?actor=user:nobody-at-all")
    expect(page.get_by_text("No event matches these filters.")).to_be_visible()
