"""Issue 16's acceptance walk, scripted: as lead, engineer, viewer and admin, in the browser, on
the demo data. The lead finds the top finding, reads why it ranks there, triages and assigns it,
accepts a risk, uploads a report into an asset, suppresses its test path after a preview and
exports the queue; the engineer works what was assigned; the viewer reads posture by team and
exports; the admin creates a user and a token (each shown once) and a saved view. axe-core is run
on every page visited and must find nothing serious or critical."""

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from aspm.common.clock import utcnow
from tests.browser.conftest import ADMIN, first_id, login, logout, snap
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

ASSET = "acme-corp/walk-service"


def _clean(page: Page, what: str) -> None:
    """axe-core on the page as it is now: nothing serious or critical."""
    violations = axe_violations(page)
    assert not violations, f"{what}: {describe(violations)}"


def _report(tmp_path: Path) -> Path:
    """A SARIF report with two findings in application code and three under tests/."""
    paths = ["src/api/orders.py", "src/api/users.py", "tests/fixtures/keys.py",
             "tests/test_login.py", "tests/e2e/test_pay.py"]  # fmt: skip
    results = [
        {
            "ruleId": "walk-rule",
            "level": "error",
            "message": {"text": f"Hard-coded credential in {p}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": p},
                        "region": {"startLine": 3 + i},
                    }
                }
            ],
        }
        for i, p in enumerate(paths)
    ]
    driver = {
        "name": "walkscan",
        "version": "1.0",
        "rules": [{"id": "walk-rule", "shortDescription": {"text": "Hard-coded credential"}}],
    }
    path = tmp_path / "walkscan.sarif"
    path.write_text(
        json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]})
    )
    return path


def _lead(page: Page, tmp_path: Path) -> str:
    login(page, "lead")
    # find the top finding: the queue opens on open work by risk; the most urgent are P1
    page.goto("/findings?priority=P1&triage=new")
    fid = first_id(page)
    _clean(page, "queue")
    row = page.locator("tbody tr").first
    title = row.locator(".col-title a").inner_text()
    row.locator(".col-title a").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()

    # understand why: the rule of the decision table that gave P1, and the factors
    expect(page.get_by_role("heading", name="Why P1")).to_be_visible()
    expect(page.locator(".explanation").first).to_contain_text(
        re.compile(r"Priority P1 \(rule \d+ of the decision table: [^)]+\)")
    )
    _clean(page, "finding page")

    # triage and assign it
    actions = page.get_by_role("group", name="Finding actions")
    actions.get_by_role("button", name="Confirm", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason (optional)").fill("walk: reproduced")
    _clean(page, "triage dialog")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.locator(".finding-meta")).to_contain_text("confirmed")
    actions.get_by_role("button", name="Assign…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Assignee").fill("engineer")
    _clean(page, "assign dialog")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("assignee")).to_have_text("engineer")

    # accept a risk: a low finding, until a date, with a reason
    page.goto("/findings?severity=low")
    low = page.locator("tbody tr").first
    expect(low).to_be_visible()
    low.locator(".col-title a").click()
    page.get_by_role("group", name="Finding actions").get_by_role(
        "button", name="Accept risk"
    ).click()
    dialog = page.get_by_role("dialog")
    until = (utcnow() + timedelta(days=60)).date().isoformat()
    dialog.get_by_label("Accepted until").fill(until)
    dialog.get_by_label("Reason", exact=True).fill("walk: compensating control, WAF rule 7")
    _clean(page, "accept risk dialog")
    dialog.get_by_role("button", name="Accept risk").click()
    expect(page.get_by_test_id("risk-acceptance")).to_contain_text("WAF rule 7")
    _clean(page, "accepted finding")

    # upload a report into an asset (a new one, named up front)
    page.goto("/imports")
    page.get_by_label("Asset", exact=True).select_option("New asset…")
    page.get_by_label("New asset name").fill(ASSET)
    page.get_by_test_id("report-file").set_input_files(str(_report(tmp_path)))
    result = page.get_by_test_id("import-result")
    expect(result).to_contain_text(f"into {ASSET}", timeout=30_000)
    expect(result.get_by_test_id("count-new")).to_have_text("5")
    _clean(page, "imports")

    # suppress its test path, after the preview says what the rule hides
    page.goto("/rules")
    page.get_by_role("button", name="New suppression rule").click()
    dialog = page.get_by_role("dialog", name="New suppression rule")
    dialog.get_by_label("Asset").fill(ASSET)
    dialog.get_by_label("Path").fill("tests/**")
    dialog.get_by_label("Justification").fill("walk: test code holds fake credentials")
    expect(dialog.get_by_role("button", name="Create rule")).to_be_disabled()
    dialog.get_by_role("button", name="Preview").click()
    preview = dialog.get_by_test_id("suppression-preview")
    expect(preview).to_contain_text("This rule hides 3 findings (3 open)")
    expect(preview.get_by_role("link")).to_have_count(3)
    expect(preview).not_to_contain_text("src/api/")
    _clean(page, "suppression preview")
    dialog.get_by_role("button", name="Create rule").click()
    expect(dialog).to_have_count(0)
    rules = page.get_by_test_id("suppression-rules")
    expect(rules).to_contain_text("path tests/**")
    rules.get_by_role("button", name=re.compile(r"Show the 3 findings hidden by")).click()
    expect(page.get_by_test_id("rule-findings")).to_contain_text("By user:lead")
    _clean(page, "rules")
    page.goto(f"/findings?asset={ASSET}")
    expect(page.locator("tbody tr")).to_have_count(2)
    page.goto(f"/findings?asset={ASSET}&view=all")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("suppressed-notice")).to_contain_text("3 more findings match")

    # export the queue: the CSV holds exactly the filtered rows
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2, text[:500]
    snap(page, "walk-lead")
    logout(page)
    return fid


def _engineer(page: Page, fid: str) -> None:
    login(page, "engineer")
    expect(page).to_have_url(re.compile(r"/my$"))
    mine = page.get_by_role("region", name=re.compile(r"^Assigned to me"))
    expect(mine.locator(f'tr[data-finding-id="{fid}"]')).to_be_visible()
    _clean(page, "my findings")
    mine.locator(f'tr[data-finding-id="{fid}"] .col-title a').click()
    page.get_by_role("group", name="Finding actions").get_by_role(
        "button", name="Start work"
    ).click()
    page.get_by_role("dialog").get_by_role("button", name="Start work").click()
    expect(page.locator(".finding-meta")).to_contain_text("in progress")
    _clean(page, "engineer's finding")
    logout(page)


def _viewer(page: Page) -> None:
    login(page, "viewer")
    page.goto("/posture")
    by_team = page.get_by_test_id("chart-open-by-team")
    expect(by_team).to_be_visible()
    expect(by_team).to_contain_text("payments", timeout=30_000)
    _clean(page, "posture")
    page.goto("/findings")
    first_id(page)
    expect(page.get_by_role("group", name="Finding actions")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    assert Path(download.value.path()).read_text(encoding="utf-8-sig").count("\n") > 1
    _clean(page, "viewer's queue")
    logout(page)


def _admin(page: Page) -> None:
    login(page, *ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Admin", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    _clean(page, "admin")

    # a user with a one-time password, shown once
    page.get_by_role("button", name="New user").click()
    dialog = page.get_by_role("dialog", name="New user")
    dialog.get_by_label("Username").fill("walk-newcomer")
    dialog.get_by_label("Role").select_option("engineer")
    _clean(page, "new user dialog")
    dialog.get_by_role("button", name="Create user").click()
    secret = page.get_by_test_id("secret-value")
    expect(secret).not_to_be_empty()
    password = secret.inner_text()
    assert len(password) >= 12
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("secret-value")).to_have_count(0)
    expect(page.get_by_test_id("user-walk-newcomer")).to_contain_text("one-time password")

    # a CI token for the engineer: ingest and read, one asset, 30 days; shown once; revoked
    page.get_by_role("button", name="New token").click()
    dialog = page.get_by_role("dialog", name="New API token")
    dialog.get_by_label("Acts for").select_option("engineer")
    dialog.get_by_label("Name", exact=True).fill("walk-ci")
    dialog.get_by_role("checkbox", name=re.compile(r"^\s*read \(")).check()
    dialog.get_by_label("every asset").uncheck()
    dialog.get_by_label(ASSET).check()
    dialog.get_by_label("Expires after").select_option("30")
    _clean(page, "new token dialog")
    dialog.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("secret-value").inner_text()
    assert token.startswith("aspm_"), token
    bearer = {"Authorization": f"Bearer {token}"}
    mine = page.request.get(f"/api/v1/findings?asset={ASSET}&limit=1", headers=bearer)
    assert mine.status == 200, mine.text()
    # bound to its asset: the whole backlog is refused
    assert page.request.get("/api/v1/findings?limit=1", headers=bearer).status == 403
    # shown once: a reload shows the token's use, never its secret again
    page.reload()
    expect(page.get_by_test_id("secret-value")).to_have_count(0)
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()
    assert token not in page.content()
    row = page.get_by_test_id("token-walk-ci")
    expect(row).to_contain_text(ASSET)
    expect(row).not_to_contain_text("never used")  # the request above used it
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Revoke token walk-ci").click()
    expect(row).to_contain_text("revoked")
    _clean(page, "admin after changes")

    # a saved view, in the navigation, opening its filters
    page.goto("/findings?severity=critical,high&view=all")
    first_id(page)
    page.get_by_test_id("save-view").click()
    dialog = page.get_by_role("dialog", name="Save this view")
    dialog.get_by_label("Name").fill("Walk: critical and high")
    _clean(page, "save view dialog")
    dialog.get_by_role("button", name="Save view").click()
    page.goto("/posture")
    nav = page.get_by_test_id("saved-views")
    nav.locator("summary").click()
    nav.get_by_role("link", name="Walk: critical and high").click()
    expect(page).to_have_url(re.compile(r"/findings\?.*severity=critical%2Chigh"))
    expect(page.get_by_role("button", name="critical", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    _clean(page, "saved view")
    snap(page, "walk-admin")


def test_the_daily_walk_as_lead_engineer_viewer_and_admin(page: Page, tmp_path: Path) -> None:
    fid = _lead(page, tmp_path)
    _engineer(page, fid)
    _viewer(page)
    _admin(page)
