"""Imports: a report uploaded in the browser is imported, counted, and its findings are queued."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from aspm.demo import org
from tests.browser.conftest import login, snap

pytestmark = pytest.mark.browser

# the demo engineer is in teams payments and web; a report naming no asset goes into one of
# their teams' assets (a new asset would need an engineer in exactly one team)
WEB_ASSET = org.asset_name(org.FRONTEND)  # owner_team: web


def _sarif(tmp_path: Path, tool: str, title: str, count: int) -> Path:
    """A small SARIF 2.1.0 report written for the test (no scanner output copied)."""
    results = [
        {
            "ruleId": f"{tool}-rule",
            "level": "error",
            "message": {"text": f"{title} in handler {i}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"src/handler_{i}.py"},
                        "region": {"startLine": 10 + i},
                    }
                }
            ],
        }
        for i in range(count)
    ]
    driver = {
        "name": tool,
        "version": "1.0",
        "rules": [{"id": f"{tool}-rule", "shortDescription": {"text": title}}],
    }
    path = tmp_path / f"{tool}.sarif"
    path.write_text(
        json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]})
    )
    return path


def test_an_uploaded_report_is_imported_and_its_findings_reach_the_queue(
    page: Page, tmp_path: Path
) -> None:
    report = _sarif(tmp_path, "pickercheck", "Upload marker from the file picker", 3)
    login(page, "engineer")
    page.goto("/imports")
    page.get_by_label("Asset", exact=True).select_option(WEB_ASSET)
    page.get_by_test_id("report-file").set_input_files(str(report))
    result = page.get_by_test_id("import-result")
    expect(result).to_contain_text("Imported pickercheck.sarif as pickercheck", timeout=30_000)
    expect(result).to_contain_text(f"into {WEB_ASSET}")
    expect(result.get_by_test_id("count-new")).to_have_text("3")
    expect(result.get_by_test_id("count-unchanged")).to_have_text("0")
    snap(page, "imports-uploaded")
    # the history lists it, newest first, with its counts
    first = page.get_by_test_id("import-row").first
    expect(first).to_contain_text("pickercheck.sarif")
    expect(first).to_contain_text("imported")
    # and the queue holds its findings
    result.get_by_role("link", name=re.compile("in the triage queue")).click()
    expect(page).to_have_url(re.compile(r"/findings\?.*import_id="))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Upload marker from the file picker")

    # the same report again: nothing new, three unchanged
    page.goto("/imports")
    page.get_by_label("Asset", exact=True).select_option(WEB_ASSET)
    page.get_by_test_id("report-file").set_input_files(str(report))
    expect(page.get_by_test_id("count-unchanged")).to_have_text("3", timeout=30_000)
    expect(page.get_by_test_id("count-new")).to_have_text("0")


def test_an_engineer_uploads_into_one_of_their_teams_assets_never_unassigned(
    page: Page, tmp_path: Path
) -> None:
    report = _sarif(tmp_path, "nowherecheck", "Upload marker without an asset", 1)
    login(page, "engineer")
    page.goto("/imports")
    picker = page.get_by_label("Asset", exact=True)
    # an engineer picks among their teams' assets (or names a new one): no "unassigned"
    expect(picker.locator("option", has_text="unassigned")).to_have_count(0)
    expect(picker.locator("option", has_text="As the report says")).to_have_count(0)
    picker.select_option("New asset…")
    # a new asset needs a name before anything is sent
    expect(page.get_by_role("button", name="Choose a file…")).to_be_disabled()
    picker.select_option(WEB_ASSET)
    page.get_by_test_id("report-file").set_input_files(str(report))
    expect(page.get_by_test_id("import-result")).to_contain_text(
        f"into {WEB_ASSET}", timeout=30_000
    )


def test_a_report_dropped_on_the_page_is_imported(page: Page, tmp_path: Path) -> None:
    report = _sarif(tmp_path, "dropcheck", "Upload marker from drag and drop", 2)
    login(page, "lead")
    page.goto("/imports")
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], name, { type: "application/json" }));
            return dt;
        }""",
        [report.name, report.read_text()],
    )
    page.get_by_test_id("dropzone").dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.get_by_test_id("count-new")).to_have_text("2", timeout=30_000)
    page.goto("/findings?tool=dropcheck")
    expect(page.locator("tbody tr")).to_have_count(2)


def test_an_unreadable_report_says_why_and_stores_nothing(page: Page, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a scanner report\n")
    login(page, "lead")
    page.goto("/imports")
    page.get_by_test_id("report-file").set_input_files(str(junk))
    expect(page.get_by_role("alert")).to_contain_text(
        "The format of notes.txt was not recognised", timeout=30_000
    )


def test_a_viewer_sees_the_history_but_cannot_upload(page: Page) -> None:
    login(page, "viewer")
    page.goto("/imports")
    expect(page.get_by_test_id("import-row").first).to_be_visible()
    expect(page.get_by_role("heading", name="Upload a report")).to_have_count(0)
    expect(page.get_by_test_id("report-file")).to_have_count(0)
