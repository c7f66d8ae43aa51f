"""The dashboard works under its Content-Security-Policy: no page (sign-in, queue, a finding,
posture charts, assets, the inventory and a resource, imports, audit, rules) has anything
blocked."""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import ADMIN, first_id, login
from tests.browser.test_inventory import GROUP, import_state

pytestmark = pytest.mark.browser

# `securitypolicyviolation` events, kept on window (Playwright's init script runs before the
# page's own scripts and is not subject to the page's policy)
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}`);
});
"""
PAGES = ("/findings", "/posture", "/assets", "/inventory", "/imports", "/audit", "/rules")


def test_no_page_breaks_the_content_security_policy(page: Page) -> None:
    console: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if "content security policy" in msg.text.lower():
            console.append(msg.text)

    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto("/login")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert response.headers["x-frame-options"] == "DENY"
    login(page, *ADMIN)
    import_state(page)  # the inventory and a resource page with something to show
    for path in PAGES:
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        # charts and tables are drawn from API answers: wait until they are in
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        assert violations == [], (path, violations, console)
    page.goto("/findings")
    finding = first_id(page)
    page.goto(f"/findings/{finding}")
    expect(page.locator("h1#finding-title")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    page.goto("/inventory?q=inventory_web")
    page.get_by_role("link", name=GROUP, exact=True).click()
    expect(page.get_by_test_id("resource-identity")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert console == []
    assert re.search(r"frame-ancestors 'none'", csp)
