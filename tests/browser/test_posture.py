"""The posture page draws its charts from the metrics API and offers each as CSV."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, snap

pytestmark = pytest.mark.browser

# every chart: the demo company's history fills them all
DRAWN = (
    "chart-open-risk",
    "chart-open-by-team",
    "chart-open-by-environment",
    "chart-mttr",
    "chart-sla",
    "chart-net-resolve",
    "chart-violations",
    "chart-drift",
    "chart-coverage",
    "chart-compliance",
)


def test_the_posture_charts_draw_from_the_metrics_api(page: Page) -> None:
    login(page, "viewer")
    page.goto("/posture")
    expect(page.get_by_role("heading", name="Posture", level=1)).to_be_visible()
    for test_id in DRAWN:
        card = page.get_by_test_id(test_id)
        # the chart itself (legend icons are small svg surfaces too)
        surface = card.locator(".recharts-wrapper > svg.recharts-surface").first
        # the first metric request imports pandas on the server: allow a slow, loaded machine
        expect(surface).to_be_visible(timeout=30_000)
        # drawn marks, not just an empty frame: bars, areas or dots with a size
        marks = card.locator(
            ".recharts-bar-rectangle path, .recharts-area-area, .recharts-area-dots circle, "
            ".recharts-line-curve"
        )
        expect(marks.first).to_be_attached()
        box = surface.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 100
    # the headline is the latest snapshot day, as the metrics API reports it
    rows = page.request.get("/api/v1/metrics/posture?group_by=priority&period=90d").json()["rows"]
    last = max(r["day"] for r in rows)
    open_now = sum(r["open_count"] for r in rows if r["day"] == last)
    kpis = page.get_by_label(f"Latest snapshot ({last})")
    expect(kpis.get_by_test_id("kpi-open")).to_have_text(f"{open_now:,}")
    snap(page, "posture")


def test_the_period_is_held_in_the_url_and_each_chart_downloads_as_csv(page: Page) -> None:
    login(page, "lead")
    page.goto("/posture")
    page.get_by_label("Period").select_option("30d")
    expect(page).to_have_url(re.compile(r"/posture\?period=30d$"))
    page.reload()
    expect(page.get_by_label("Period")).to_have_value("30d")

    card = page.get_by_test_id("chart-sla")
    link = card.get_by_role("link", name=re.compile("Download CSV of "))
    expect(card.locator("svg.recharts-surface").first).to_be_visible(timeout=30_000)
    expect(link).to_have_attribute(
        "href", re.compile(r"/api/v1/metrics/sla\?.*period=30d.*format=csv")
    )
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",")[:2] == ["priority", "resolved_with_sla"]

    # a chart combining several queries builds its CSV in the browser
    team_card = page.get_by_test_id("chart-open-by-team")
    expect(team_card.locator("svg.recharts-surface").first).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        team_card.get_by_role("button", name=re.compile("Download CSV of ")).click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "team,P1,P2,P3,P4"
    assert any(line.startswith("payments,") for line in lines[1:])
