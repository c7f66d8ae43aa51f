"""Links to code: a lead sets an asset's repository in the dashboard, and the finding page's
location links to those lines; the demo's repositories link from the start."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, snap

pytestmark = pytest.mark.browser

MODULES = "acme-corp/infra-modules"  # a demo asset without a repository URL of its own
PAYMENTS = "acme-corp/payments-api"  # the demo declares https://github.com/acme-corp/payments-api


def _iac_finding(page: Page, asset: str) -> dict[str, Any]:
    """An IaC finding of `asset` with a file and lines (its import names no commit)."""
    resp = page.request.get(
        "/api/v1/findings", params={"asset": asset, "category": "iac", "limit": 50}
    )
    assert resp.ok, resp.text()
    for item in resp.json()["items"]:
        detail = page.request.get(f"/api/v1/findings/{item['id']}").json()
        dets = [d for d in detail["detection_list"] if d["path"] and d["start_line"]]
        if dets and not any(d["commit"] for d in dets):
            return {"id": item["id"], "detection": dets[0]}
    raise AssertionError(f"no IaC finding with a file and lines on {asset}")


def _edit_repository(page: Page, asset: str, url: str, branch: str) -> None:
    page.goto("/assets")
    row = page.get_by_test_id("asset-row").filter(has_text=asset)
    row.get_by_role("button", name=f"Edit {asset}").click()
    dialog = page.get_by_role("dialog", name=f"Edit {asset}")
    dialog.get_by_label("Repository URL").fill(url)
    dialog.get_by_label("Default branch").fill(branch)
    if url:
        snap(page, "asset-repository")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text=f"Saved {asset}")).to_be_visible()


def test_a_lead_sets_a_repository_and_the_finding_links_to_its_lines(page: Page) -> None:
    login(page, "lead")
    _edit_repository(page, MODULES, "git@gitlab.com:acme-corp/infra-modules.git", "release")
    try:
        found = _iac_finding(page, MODULES)
        det = found["detection"]
        lines = f"#L{det['start_line']}"
        if det["end_line"] and det["end_line"] != det["start_line"]:
            lines += f"-{det['end_line']}"
        # tfsec reports the CI checkout's absolute path: the link is relative to the repository
        path = det["path"].removeprefix("github/workspace/")
        expected = f"https://gitlab.com/acme-corp/infra-modules/-/blob/release/{path}{lines}"
        page.goto(f"/findings/{found['id']}")
        link = page.get_by_test_id("code-link").filter(has_text=det["path"]).first
        expect(link).to_have_attribute("href", expected)
        expect(link).to_have_attribute("target", "_blank")
        snap(page, "finding-code-link")
    finally:  # put it back (other tests share the database)
        _edit_repository(page, MODULES, "", "")
    page.goto(f"/findings/{found['id']}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("code-link")).to_have_count(0)


def test_the_demo_links_its_repositories_code(page: Page) -> None:
    login(page, "engineer")
    found = _iac_finding(page, PAYMENTS)
    page.goto(f"/findings/{found['id']}")
    link = page.get_by_test_id("code-link").first
    expect(link).to_have_attribute(
        "href", re.compile(r"^https://github\.com/acme-corp/payments-api/blob/main/[^#]+#L\d+")
    )
