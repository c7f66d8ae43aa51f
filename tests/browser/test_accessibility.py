"""Accessibility basics checked by axe-core in the browser: labelled controls, contrast, ARIA use,
landmarks. Any violation of impact serious or critical fails, with axe's own description."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, login

pytestmark = pytest.mark.browser

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not Path(AXE).is_file():
        pytest.fail(f"{AXE} is missing: `cd frontend && npm ci`")
    # evaluated, not added as a <script> tag: the dashboard's policy allows no inline script
    page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [
            {
                "rule": v["id"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in violations
        ],
        indent=2,
    )


def test_the_sign_in_page_passes_axe(page: Page) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in to ASPM")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_queue_finding_and_my_findings_pages_pass_axe(page: Page) -> None:
    login(page, "lead")
    page.goto("/findings")
    expect(page.locator("tbody tr").first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.locator("tbody tr").first.locator(".col-title a").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Why "))).to_be_visible()
    expect(page.get_by_role("group", name="Finding actions")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("group", name="Finding actions").get_by_role("button", name="Assign…").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.goto("/my")
    expect(page.get_by_role("heading", name="My findings", level=1)).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_queue_works_from_the_keyboard_alone(page: Page) -> None:
    login(page, "lead")
    page.goto("/findings")
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"row-active"))
    page.keyboard.press("x")
    expect(rows.nth(1).get_by_role("checkbox")).to_be_checked()
    bar = page.get_by_role("region", name="Bulk actions")
    expect(bar).to_contain_text("1 selected")
    # Tab reaches the bulk buttons; Enter opens the dialog, whose first field has focus
    bar.get_by_role("button", name="Assign…").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Assignee")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
