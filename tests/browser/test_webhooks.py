"""The webhooks page: create a webhook to a receiver on loopback, send a test, read the delivery
log; an import that fails is delivered by the server's sender after the import commits."""

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from aspm.integrations import signing
from tests.browser.conftest import PASSWORDS, snap
from tests.integrations.receiver import Receiver, receiver

pytestmark = pytest.mark.browser

SECRET = "browser-test-signing-secret"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def test_create_a_webhook_send_a_test_and_read_the_delivery_log(page: Page, hook: Receiver) -> None:
    # signed in through the API: the sign-in page is not what this test is about
    signed_in = page.request.post(
        "/api/v1/auth/login", data={"username": "lead", "password": PASSWORDS["lead"]}
    )
    assert signed_in.ok, signed_in.text()
    page.goto("/findings")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    expect(page).to_have_url(re.compile(r"/webhooks$"))
    page.get_by_role("button", name="New webhook").click()
    dialog = page.get_by_role("dialog", name="New webhook")
    dialog.get_by_label("Name", exact=True).fill("browser-ci")
    dialog.get_by_label("URL", exact=True).fill(hook.url)
    dialog.get_by_label("Signing secret").fill(SECRET)
    expect(dialog.get_by_role("checkbox", name=re.compile("import.failed"))).to_be_checked()
    dialog.get_by_role("button", name="Create webhook").click()
    expect(dialog).to_be_hidden()

    row = page.get_by_test_id("webhooks").get_by_role("row").filter(has_text="browser-ci")
    expect(row).to_contain_text(re.compile(r"http://127\.0\.0\.1:\d+/…"))
    expect(row).not_to_contain_text("/hook")  # the URL's path is never shown
    row.get_by_role("button", name="Send a test to browser-ci").click()
    expect(page.get_by_test_id("test-result")).to_contain_text("Test delivered (HTTP 200)")
    log = page.get_by_test_id("deliveries")
    expect(log.get_by_role("row").filter(has_text="webhook.test")).to_contain_text("delivered")
    (got,) = hook.received
    assert signing.verify(SECRET, got.headers["x-aspm-signature"], got.body, now=int(time.time()))
    snap(page, "webhooks")

    # an import that fails: the event goes out after its transaction, from the server's sender
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "aspm_csrf")
    answer = page.request.post(
        "/api/v1/imports?format=trivy&asset=acme-corp/webhook-test",
        data=b"{ this is not json",
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/octet-stream"},
    )
    assert answer.status in (201, 422), answer.text()
    deadline = time.monotonic() + 20
    while len(hook.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [r.headers["x-aspm-event"] for r in hook.received] == ["webhook.test", "import.failed"]
    page.reload()
    failed = page.get_by_test_id("deliveries").get_by_role("row").filter(has_text="import.failed")
    expect(failed).to_contain_text("delivered")
