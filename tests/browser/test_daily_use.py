"""Issue 16 (daily use) in the browser: the password change lands somewhere, uploads go into a
chosen asset, the drop zone lists what the server reads, posture moves with triage, assignment
takes real people, unknown filters are refused, and the queue opens on open work with search,
shortcuts, resources in the rows, exports and the findings of one import."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from aspm.ingest.registry import FORMATS
from tests.browser.conftest import LiveServer, first_id, login, snap
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_imports import _sarif

pytestmark = pytest.mark.browser


def test_changing_a_one_time_password_lands_on_the_home_page_and_says_so(
    page: Page, live_server: LiveServer
) -> None:
    out = live_server.aspm("users", "create", "otp-h16", "--role", "engineer")
    match = re.search(r"one-time password for otp-h16: (\S+)", out)
    assert match, out
    page.goto("/login")
    page.get_by_label("Username").fill("otp-h16")
    page.get_by_label("Password").fill(match.group(1))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/password$"))
    page.get_by_label("Current password", exact=True).fill(match.group(1))
    page.get_by_label("New password", exact=True).fill("h16-new-password-ok")
    page.get_by_label("New password again").fill("h16-new-password-ok")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Password changed")
    expect(page).not_to_have_url(re.compile(r"/password$"))
    page.reload()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    page.goto("/password")
    expect(page).not_to_have_url(re.compile(r"/password$"))


def test_an_upload_goes_into_the_chosen_new_asset_with_scope_and_format(
    page: Page, tmp_path: Path
) -> None:
    report = _sarif(tmp_path, "assetpick", "Upload marker into a chosen asset", 2)
    login(page, "lead")
    page.goto("/imports")
    # the drop zone lists what the server's registry reads, and nothing it does not
    readable = page.get_by_test_id("readable-formats")
    for fmt in FORMATS:
        expect(readable).to_contain_text(fmt.title)
    expect(readable).not_to_contain_text("ZAP")
    page.get_by_label("Asset", exact=True).select_option("New asset…")
    page.get_by_label("New asset name").fill("acme/h16-upload")
    page.get_by_label("Scope (optional)").fill("main")
    page.get_by_label("Format", exact=True).select_option("sarif")
    page.get_by_test_id("report-file").set_input_files(str(report))
    result = page.get_by_test_id("import-result")
    expect(result).to_contain_text("into acme/h16-upload", timeout=30_000)
    expect(result.get_by_test_id("count-new")).to_have_text("2")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    result.get_by_role("link", name=re.compile("what this import changed")).click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("acme/h16-upload")


def test_an_undetected_format_asks_for_the_format_in_the_dashboards_words(
    page: Page, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a scanner report\n")
    login(page, "lead")
    page.goto("/imports")
    page.get_by_test_id("report-file").set_input_files(str(junk))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("was not recognised", timeout=30_000)
    expect(alert).to_contain_text("under Format")
    expect(alert).not_to_contain_text("--format")


def test_accepting_a_risk_moves_the_posture_tile_at_once(page: Page) -> None:
    login(page, "lead")
    page.goto("/posture")
    tile = page.get_by_test_id("kpi-accepted")
    expect(tile).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("kpi-as-of")).to_contain_text("UTC")
    before = int(tile.inner_text().replace(",", ""))
    page.goto("/findings?severity=medium")
    fid = first_id(page)
    page.goto(f"/findings/{fid}")
    page.get_by_role("group", name="Finding actions").get_by_role(
        "button", name="Accept risk…"
    ).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason").fill("compensating control in place")
    dialog.get_by_role("button", name="Accept risk", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.goto("/posture")
    expect(page.get_by_test_id("kpi-accepted")).to_have_text(str(before + 1), timeout=30_000)


def test_the_assign_dialog_offers_real_people_and_refuses_a_typo(page: Page) -> None:
    login(page, "lead")
    page.goto("/findings")
    fid = first_id(page)
    page.goto(f"/findings/{fid}")
    page.get_by_role("group", name="Finding actions").get_by_role("button", name="Assign…").click()
    dialog = page.get_by_role("dialog")
    assignee = dialog.get_by_label("Assignee")
    options = page.locator(f"datalist#{assignee.get_attribute('list')} option")
    expect(options).not_to_have_count(0)
    assert "engineer" in [o.get_attribute("value") for o in options.all()]
    assignee.fill("enginer")
    expect(dialog.get_by_role("alert")).to_contain_text("No active user named")
    expect(dialog.get_by_role("button", name="Save")).to_be_disabled()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    assignee.fill("engineer")
    dialog.get_by_label("Team").fill("payments")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # and the API refuses a typo all the same
    version = page.request.get(f"/api/v1/findings/{fid}").json()["version"]
    resp = page.request.post(
        f"/api/v1/findings/{fid}/assign",
        data={"assignee": "enginer", "version": version},
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert resp.status == 422


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "aspm_csrf")


def test_an_unknown_filter_name_is_refused_not_ignored(page: Page) -> None:
    login(page, "lead")
    resp = page.request.get("/api/v1/findings?triage_state=accepted_risk")
    assert resp.status == 422
    assert "triage" in resp.json()["detail"]


def test_the_queue_opens_on_open_work_and_finds_rule_ids_with_shortcuts(page: Page) -> None:
    login(page, "lead")
    page.goto("/findings")
    expect(page.locator("tbody tr").first).to_be_visible()
    header = page.locator(".page-header")
    open_total = _total(page, "open=true")
    all_total = _total(page, "")
    assert all_total > open_total  # the demo has fixed and decided findings
    expect(header).to_contain_text(f"{open_total:,} open findings")
    view = page.get_by_test_id("queue-view")
    view.get_by_role("button", name="All").click()
    expect(page).to_have_url(re.compile(r"view=all"))
    expect(header).to_contain_text(f"{all_total:,} findings")
    view.get_by_role("button", name="Closed").click()
    expect(header).to_contain_text(f"{all_total - open_total:,} closed findings")
    view.get_by_role("button", name="Open").click()
    expect(header).to_contain_text(f"{open_total:,} open findings")

    # `/` jumps to search; a rule id finds its findings; IaC rows show their resource
    page.locator("body").click()
    page.keyboard.press("/")
    search = page.get_by_label("Search")
    expect(search).to_be_focused()
    search.fill("CKV_AWS")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q=CKV_AWS"))
    expect(page.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_test_id("finding-resource").first).to_be_visible()
    snap(page, "queue-search-rule-id")

    # `?` lists the shortcuts
    page.locator("body").click()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_contain_text("search")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.keyboard.press("Escape")

    # exports of exactly this selection
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    csv = Path(download.value.path()).read_text()
    lines = [line for line in csv.splitlines() if line.strip()]
    shown = _total(page, "open=true&q=CKV_AWS")
    expect(header).to_contain_text(f"{shown:,} open findings")
    assert 0 < shown < open_total
    assert len(lines) - 1 == shown
    assert page.get_by_test_id("export-xlsx").get_attribute("href")
    assert "format=sarif" in (page.get_by_test_id("export-sarif").get_attribute("href") or "")


def test_each_import_links_to_exactly_its_findings(page: Page) -> None:
    login(page, "lead")
    page.goto("/imports")
    row = page.get_by_test_id("import-row").filter(has=page.get_by_test_id("import-findings")).first
    expect(row).to_be_visible(timeout=30_000)
    link = row.get_by_test_id("import-findings")
    import_id = re.search(r"import_id=([0-9a-f-]{36})", link.get_attribute("href") or "")
    assert import_id, link.get_attribute("href")
    run = page.request.get(f"/api/v1/imports/{import_id.group(1)}").json()
    counts = run["counts"]
    changed = sum(
        counts.get(k, 0) for k in ("new_findings", "resolved_findings", "reopened_findings")
    )
    link.click()
    expect(page.get_by_test_id("import-filter")).to_be_visible()
    header = page.locator(".page-header")
    expect(header).to_contain_text(f"{changed:,} findings")
    assert changed == _total(page, f"import_id={import_id.group(1)}")


def _total(page: Page, query: str) -> int:
    """How many findings the API selects for a query string (the queue must say the same)."""
    resp = page.request.get(f"/api/v1/findings?limit=1&{query}")
    assert resp.ok, resp.text()
    total: int = resp.json()["total"]
    return total
