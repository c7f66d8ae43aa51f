"""The imports history filtered by asset, tool and status from the dashboard: the URL keeps the
filters, each row names its asset, and the page stays axe-clean."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, snap
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

ASSET = "acme-corp/payments-api"


def test_a_lead_filters_the_imports_by_asset_tool_and_status(page: Page) -> None:
    login(page, "lead")
    page.goto("/imports")
    rows = page.get_by_test_id("import-row")
    expect(rows.first).to_be_visible(timeout=30_000)
    filters = page.get_by_role("form", name="Filter imports")

    filters.get_by_label("Into asset").select_option(ASSET)
    expect(page).to_have_url(re.compile(r"asset=acme-corp%2Fpayments-api"))
    expect(rows.first).to_contain_text(ASSET)
    for text in rows.all_inner_texts():
        assert ASSET in text

    tool = page.get_by_role("form", name="Filter imports").get_by_label("Tool or format")
    tool.fill("checkov")
    tool.press("Enter")
    expect(page).to_have_url(re.compile(r"tool=checkov"))
    expect(rows.first).to_contain_text("checkov")
    texts = rows.all_inner_texts()
    assert texts
    for text in texts:
        assert "checkov" in text
        assert ASSET in text
        assert "tfsec" not in text
    snap(page, "imports-filtered")

    status = page.get_by_role("form", name="Filter imports").get_by_label("Status")
    status.select_option("error")
    expect(page).to_have_url(re.compile(r"status=error"))
    expect(page.get_by_text("No imports match these filters.")).to_be_visible()

    # the link is the filter: a reload shows the same selection
    status.select_option("")
    page.reload()
    expect(
        page.get_by_role("form", name="Filter imports").get_by_label("Tool or format")
    ).to_have_value("checkov")
    expect(rows.first).to_contain_text("checkov")
    violations = axe_violations(page)
    assert not violations, describe(violations)
