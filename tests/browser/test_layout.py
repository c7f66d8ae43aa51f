"""Gap 21 of issue 16: every page at a phone's 390x844 in the light and the dark colour scheme
(the system setting, prefers-color-scheme): no sideways scroll, a page title of its own, and
axe-core clean (WCAG 2.1 A/AA, serious or critical)."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser.conftest import ADMIN, LiveServer, first_id, snap
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
# path (or a function of the page giving one), what shows it is drawn, its document.title
PAGES: list[tuple[str, str, str]] = [
    ("/findings", "tbody tr", "Triage queue · ASPM"),
    ("finding", "#finding-title", r"(.+ · )?Finding · ASPM"),
    ("/my", "h1", "My findings · ASPM"),
    ("/posture", "[data-testid=kpi-open]", "Posture · ASPM"),
    ("/assets", "[data-testid=asset-row]", "Assets · ASPM"),
    ("/inventory", "[data-testid=resource-row]", "Inventory · ASPM"),
    ("resource", "[data-testid=resource-identity]", "Resource · ASPM"),
    ("/imports", "[data-testid=import-row]", "Imports · ASPM"),
    ("/rules", "text=Ownership rules", "Rules · ASPM"),
    ("/audit", "[data-testid=audit-row]", "Audit · ASPM"),
    ("/webhooks", "h1", "Webhooks · ASPM"),
    ("/admin", "h1", "Admin · ASPM"),
]
SIDEWAYS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# visible elements whose right edge passes the window's (outside any scrolling box of their own)
PAST_THE_EDGE = """() => [...document.querySelectorAll("main *, header *")].filter((el) => {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.right <= window.innerWidth + 1) return false;
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const o = getComputedStyle(a);
    if (["auto", "scroll", "hidden", "clip"].includes(o.overflowX)) return false;
  }
  return true;
}).slice(0, 5).map((el) => el.tagName.toLowerCase() + "." + el.className)"""


@pytest.fixture(params=["light", "dark"])
def phone(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, color_scheme=request.param, has_touch=True
    )  # not is_mobile: a mobile viewport zooms out to fit wide content, hiding the overflow
    context.set_default_timeout(30_000)
    yield context
    context.close()


def sign_in(page: Page) -> None:
    page.goto("/login")
    expect(page).to_have_title("Sign in · ASPM")
    check(page, "login")
    page.get_by_label("Username").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def check(page: Page, name: str) -> None:
    width, inner = page.evaluate(SIDEWAYS)
    assert inner == PHONE["width"]
    past = page.evaluate(PAST_THE_EDGE)
    assert width <= inner, f"{name}: the page scrolls sideways ({width} > {inner} px): {past}"
    assert not past, f"{name}: cut at the right edge: {past}"
    violations = axe_violations(page)
    assert not violations, f"{name}: {describe(violations)}"


def resolve(page: Page, path: str) -> str:
    if path == "finding":
        page.goto("/findings")
        return f"/findings/{first_id(page)}"
    if path == "resource":
        page.goto("/inventory")
        row = page.get_by_test_id("resource-row").first
        expect(row).to_be_visible()
        href = row.locator("a").first.get_attribute("href")
        assert href
        return href
    return path


def test_every_page_fits_a_phone_has_a_title_and_passes_axe(phone: BrowserContext) -> None:
    page = phone.new_page()
    scheme: Any = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    background = None
    sign_in(page)
    for path, ready, title in PAGES:
        url = resolve(page, path)
        page.goto(url)
        expect(page.locator(ready).first).to_be_visible()
        expect(page).to_have_title(re.compile(f"^{title}$"))
        check(page, url)
        background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        snap(page, f"layout-{'dark' if scheme else 'light'}{url.replace('/', '-')}")
    # the system setting decides the theme
    dark = background == "rgb(15, 20, 27)"  # --bg of the dark theme
    assert dark == bool(scheme), background
