"""Date fields write days as the rest of the page does ("06 Dec 2026"), not in the browser
locale's mm/dd/yyyy, and still hand the API an ISO day."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import first_id, login, snap

pytestmark = pytest.mark.browser

DAY = re.compile(r"^\d{2} [A-Z][a-z]{2,3} \d{4}$")  # en-GB writes "Sept"
# a date input that a person can see: its text would follow the browser's locale
VISIBLE_NATIVE = """els => els.filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 2 && r.height > 2 && getComputedStyle(e).opacity !== "0";
}).length"""


def test_the_audit_filters_take_and_show_days_in_the_page_format(page: Page) -> None:
    login(page, "lead")
    page.goto("/audit")
    expect(page.get_by_test_id("audit-row").first).to_be_visible(timeout=30_000)
    since = page.get_by_label("From (UTC)")
    expect(since).to_have_attribute("type", "text")
    expect(since).to_have_attribute("placeholder", "DD Mon YYYY")
    since.fill("1 dec 2026")
    page.get_by_label("To (UTC)").fill("2026-12-31")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(
        re.compile(r"since=2026-12-01.*until=2026-12-31|until=2026-12-31.*since=2026-12-01")
    )
    expect(since).to_have_value("01 Dec 2026")
    expect(page.get_by_label("To (UTC)")).to_have_value("31 Dec 2026")
    assert page.locator("input[type=date]").evaluate_all(VISIBLE_NATIVE) == 0
    # a reload reads the days back from the URL, in the same format
    page.reload()
    expect(page.get_by_label("From (UTC)")).to_have_value("01 Dec 2026")
    snap(page, "audit-date-filters")


def test_the_accept_risk_dialog_shows_its_day_like_the_page(page: Page) -> None:
    login(page, "lead")
    page.goto("/findings?severity=medium")
    page.goto(f"/findings/{first_id(page)}")
    page.get_by_role("group", name="Finding actions").get_by_role(
        "button", name="Accept risk…"
    ).click()
    dialog = page.get_by_role("dialog")
    until = dialog.get_by_label("Accepted until")
    expect(until).to_be_visible()
    value = until.input_value()
    assert DAY.fullmatch(value), value  # the default expiry, written like "06 Dec 2026"
    until.fill("12/31/2030")
    until.blur()
    expect(dialog.get_by_role("alert")).to_have_text("Write a date like 06 Dec 2026.")
    until.fill("31 Dec 2030")
    until.blur()
    expect(dialog.get_by_role("alert")).to_have_count(0)
    expect(until).to_have_value("31 Dec 2030")
    assert dialog.locator("input[type=date]").evaluate_all(VISIBLE_NATIVE) == 0
    snap(page, "accept-risk-date")


def test_the_suppression_rule_expiry_is_written_like_the_page(page: Page) -> None:
    login(page, "lead")
    page.goto("/rules")
    page.get_by_role("button", name="New suppression rule").click()
    dialog = page.get_by_role("dialog", name="New suppression rule")
    expires = dialog.get_by_label("Expires on")
    expect(expires).to_have_attribute("type", "text")
    expect(expires).to_have_attribute("placeholder", "DD Mon YYYY")
    expires.fill("2030-01-15")
    expires.blur()
    expect(expires).to_have_value("15 Jan 2030")
    assert dialog.locator("input[type=date]").evaluate_all(VISIBLE_NATIVE) == 0
