"""Posture read by team, asset and environment from the dashboard, each tile with its change
since the previous period, and the page axe-clean."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, snap
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

MINUS = "\u2212"  # the page writes a real minus sign; JS regexes take no \N{...}
CHANGE = re.compile(
    rf"(no change|[▲▼] [+{MINUS}][\d,]+) since \d{{2}} [A-Z][a-z]{{2,3}} \d{{4}}"
    r"|no earlier snapshot"
)


def open_count(page: Page) -> int:
    return int(page.get_by_test_id("kpi-open").inner_text().replace(",", ""))


def test_a_viewer_reads_posture_by_team_asset_and_environment(page: Page) -> None:
    login(page, "viewer")
    page.goto("/posture")
    tile = page.get_by_test_id("kpi-open")
    expect(tile).to_be_visible(timeout=30_000)
    # the demo has 90 days of history: every tile says how it moved since the previous period
    for test_id in ("kpi-open-risk", "kpi-open", "kpi-p1", "kpi-overdue", "kpi-accepted"):
        expect(page.get_by_test_id(f"{test_id}-change")).to_have_text(CHANGE)
    expect(page.get_by_test_id("kpi-open-change")).to_contain_text("since")
    everything = open_count(page)

    page.get_by_label("Team", exact=True).select_option("payments")
    expect(page).to_have_url(re.compile(r"team=payments"))
    expect(page.locator("dl.kpis")).to_have_attribute("aria-label", re.compile("Latest snapshot"))
    expect(tile).not_to_have_text(str(everything))
    payments = open_count(page)
    assert 0 < payments < everything
    by_team = page.get_by_test_id("chart-open-by-team")
    by_team.get_by_text("Table").click()
    expect(by_team.locator("tbody tr")).to_have_count(1)
    expect(by_team.locator("tbody tr").first).to_contain_text("payments")
    snap(page, "posture-team-payments")

    page.get_by_label("Environment", exact=True).select_option("dev")
    expect(page).to_have_url(re.compile(r"environment=dev"))
    expect(page.get_by_test_id("kpi-open")).to_have_text("0")

    page.goto("/posture?asset=acme-corp%2Fweb-frontend")
    expect(page.get_by_label("Asset", exact=True)).to_have_value("acme-corp/web-frontend")
    expect(tile).to_be_visible(timeout=30_000)
    assert open_count(page) < everything
    violations = axe_violations(page)
    assert not violations, describe(violations)
