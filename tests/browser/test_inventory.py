"""Inventory: a Terraform state imported through the API shows on /inventory, filtered from the
URL, and a resource opens with its identity, facts and relations linked to the inventory."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from aspm.demo import org
from tests.browser.conftest import login, snap

pytestmark = pytest.mark.browser

# a raw state (version 4) written for these tests: a security group with an ARN, open on 443, and
# an attachment without one whose relation names the group by its id
STATE = Path(__file__).parent / "fixtures" / "inventory.tfstate"
ASSET = org.asset_name(org.FRONTEND)
# a scope of its own: this complete snapshot retires nothing the demo or other tests stored
SCOPE = "browser-inventory"
GROUP = "aws_security_group.inventory_web"
ATTACHMENT = "aws_network_interface_sg_attachment.inventory_web"
GROUP_ARN = "arn:aws:ec2:eu-west-1:444455556666:security-group/sg-0b7e5a0e"


def import_state(page: Page) -> None:
    """POST the state to /api/v1/imports as the signed-in user (same again: nothing new)."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "aspm_csrf")
    answer = page.request.post(
        f"/api/v1/imports?filename=inventory.tfstate&asset={ASSET}&scope={SCOPE}",
        multipart={
            "file": {
                "name": "inventory.tfstate",
                "mimeType": "application/json",
                "buffer": STATE.read_bytes(),
            }
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.ok, answer.text()


def test_an_imported_state_is_listed_and_a_resource_opens(page: Page) -> None:
    login(page, "lead")
    import_state(page)

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inventory").click()
    expect(page.get_by_role("heading", level=1, name="Inventory")).to_be_visible()
    page.get_by_label("Search").fill("inventory_web")
    page.get_by_label("Provider").fill("aws")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/inventory\?.*q=inventory_web"))
    rows = page.get_by_test_id("resource-row")
    expect(rows).to_have_count(2)
    group = rows.filter(has=page.get_by_role("link", name=GROUP, exact=True))
    expect(group).to_contain_text(GROUP_ARN)
    expect(group).to_contain_text("444455556666")
    expect(group).to_contain_text("eu-west-1")
    expect(group).to_contain_text("managed")
    expect(group).to_contain_text(ASSET)
    snap(page, "inventory")

    # the filtered view is a link
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("inventory_web")
    expect(rows).to_have_count(2)

    # the attachment's relation leads to the group, by its inventory id
    rows.filter(has_text=ATTACHMENT).get_by_role("link", name=ATTACHMENT).click()
    expect(page.get_by_role("heading", level=1, name=ATTACHMENT)).to_be_visible()
    relations = page.get_by_test_id("resource-relations")
    expect(relations).to_contain_text("eni-0b7e5a0e")
    relations.get_by_role("link", name=GROUP).click()
    expect(page).to_have_url(re.compile(r"/inventory/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1, name=GROUP)).to_be_visible()
    identity = page.get_by_test_id("resource-identity")
    expect(identity).to_contain_text(GROUP_ARN)
    expect(identity).to_contain_text("444455556666")
    expect(page.get_by_test_id("resource-tags")).to_contain_text("inventory-web")
    facts = page.get_by_test_id("resource-facts")
    expect(facts).to_contain_text("tcp/443 0.0.0.0/0")
    expect(page.get_by_text("No finding is linked to this resource.")).to_be_visible()
    snap(page, "inventory-resource")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Inventory").click()
    expect(page).to_have_url(re.compile(r"/inventory$"))


# the demo's Security Hub finding on the receipts bucket: payments-api's state holds the bucket,
# tfsec names its address in infra/s3.tf, and the refresh-only plan turned its logging off. The
# same control fails in code (Checkov, tfsec), so it is one finding, on payments-api: found by
# the ARN that its cloud detection names
RECEIPTS_ARN = "arn:aws:s3:::acme-payments-receipts-prod"
RECEIPTS = "aws_s3_bucket.receipts"


def test_a_cloud_finding_shows_its_code_its_drift_and_its_resource(page: Page) -> None:
    login(page, "lead")
    page.goto("/findings?q=acme-payments-receipts-prod")
    row = page.locator("tbody tr").filter(has_text="bucket-level public access block").first
    expect(row).to_be_visible()
    fid = row.get_attribute("data-finding-id")
    assert fid
    page.goto(f"/findings/{fid}")

    c2c = page.get_by_role("region", name="Code to cloud")
    expect(c2c).to_be_visible()
    in_code = c2c.get_by_test_id("in-code")
    expect(in_code).to_contain_text(re.compile(r"infra/s3\.tf:\d+"))
    expect(in_code).to_contain_text(RECEIPTS)
    expect(c2c.get_by_test_id("in-cloud")).to_contain_text(RECEIPTS_ARN)
    expect(c2c.get_by_test_id("unmanaged")).to_have_count(0)
    drift = c2c.get_by_role("list", name="Drift").get_by_role("listitem")
    expect(drift.first).to_contain_text(re.compile(r"^Drift: logging of aws_s3_bucket .* since"))
    snap(page, "finding-code-to-cloud")

    # the drift finding is a link, and it knows the same resource
    drift.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/findings/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Drift: logging")
    expect(
        page.get_by_role("region", name="Code to cloud").get_by_test_id("in-cloud")
    ).to_contain_text(RECEIPTS_ARN)

    # the inventory lists the bucket among the drifted resources
    page.goto(f"/inventory?drifted=true&q={RECEIPTS}")
    expect(page.get_by_label("Drift")).to_have_value("true")
    rows = page.get_by_test_id("resource-row")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=RECEIPTS, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=RECEIPTS)).to_be_visible()
