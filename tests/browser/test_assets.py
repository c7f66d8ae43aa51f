"""Assets: context for everyone, editing for leads only; rules: managing for leads only."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, snap

pytestmark = pytest.mark.browser

AZURE = "azure:6b0e2c4d-1f3a-4e5b-8c7d-9e0f1a2b3c4d"


def test_a_lead_edits_an_assets_context(page: Page) -> None:
    login(page, "lead")
    page.goto("/assets")
    row = page.get_by_test_id("asset-row").filter(has_text=AZURE)
    expect(row).to_contain_text("tier 3")
    row.get_by_role("button", name=f"Edit {AZURE}").click()
    dialog = page.get_by_role("dialog", name=f"Edit {AZURE}")
    dialog.get_by_label("Criticality").select_option("2")
    dialog.get_by_label("Data tags").fill("pii")
    snap(page, "asset-edit")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text=f"Saved {AZURE}")).to_be_visible()
    expect(row).to_contain_text("tier 2")
    expect(row).to_contain_text("pii")
    # the change is audited against the asset
    page.goto("/audit?object_type=asset")
    expect(page.get_by_test_id("audit-row").first).to_be_visible()

    # put it back (other tests share the database)
    page.goto("/assets")
    row.get_by_role("button", name=f"Edit {AZURE}").click()
    dialog.get_by_label("Criticality").select_option("3")
    dialog.get_by_label("Data tags").fill("")
    dialog.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("tier 3")


def test_assets_link_to_their_open_findings(page: Page) -> None:
    login(page, "engineer")
    page.goto("/assets")
    row = page.get_by_test_id("asset-row").filter(has_text="acme-corp/payments-api")
    expect(row).to_contain_text("restricted")
    count = row.get_by_role("link", name="open findings of acme-corp/payments-api")
    count.click()
    expect(page).to_have_url(re.compile(r"/findings\?asset=acme-corp%2Fpayments-api"))
    expect(page.locator("tbody tr").first).to_be_visible()


def test_a_viewer_sees_assets_and_rules_without_any_edit_action(page: Page) -> None:
    login(page, "viewer")
    page.goto("/assets")
    expect(page.get_by_test_id("asset-row").first).to_be_visible()
    expect(page.get_by_test_id("asset-row").filter(has_text=AZURE)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Edit"))).to_have_count(0)
    snap(page, "assets-viewer")
    page.goto("/rules")
    expect(page.get_by_role("heading", name="Suppression rules")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^New "))).to_have_count(0)


def test_a_lead_creates_and_ends_a_suppression_rule(page: Page) -> None:
    login(page, "lead")
    page.goto("/rules")
    page.get_by_role("button", name="New suppression rule").click()
    dialog = page.get_by_role("dialog", name="New suppression rule")
    dialog.get_by_label("Tool").fill("no-such-scanner")
    dialog.get_by_label("Justification").fill("browser test: a rule that matches nothing")
    dialog.get_by_label("Expires on").fill("2099-01-31")
    # a rule is created only once its criteria were previewed ("This rule hides N findings")
    dialog.get_by_role("button", name="Preview").click()
    expect(dialog.get_by_text(re.compile(r"This rule hides \d+ finding"))).to_be_visible()
    dialog.get_by_role("button", name="Create rule").click()
    table = page.get_by_test_id("suppression-rules")
    rule = table.locator("tr").filter(has_text="tool no-such-scanner")
    expect(rule).to_contain_text("a rule that matches nothing")
    expect(rule).to_contain_text("in force")
    expect(rule).to_contain_text("31 Jan 2099")
    snap(page, "rules")
    rule.get_by_role("button", name=re.compile("^End suppression rule")).click()
    page.get_by_role("dialog", name="End suppression rule").get_by_label("Reason").fill("done")
    page.get_by_role("button", name="End rule").click()
    expect(rule).to_have_count(0)
    page.get_by_label("Show ended rules").check()
    expect(page).to_have_url(re.compile(r"/rules\?ended=true"))
    expect(table.locator("tr").filter(has_text="tool no-such-scanner")).to_contain_text("ended")
