"""The finding page tells how to fix a finding whose report gave no advice (the control map's
remediation) and links each tool's page for its rules."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import first_id, login, snap
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser


def test_a_finding_shows_the_controls_fix_and_each_tools_rule_page(page: Page) -> None:
    login(page, "engineer")
    page.goto("/findings?q=aws-rds-log-exports&view=all")
    page.goto(f"/findings/{first_id(page)}")
    expect(page).to_have_title(re.compile(r"^RDS .+ · Finding · ASPM$"))
    fix = page.get_by_test_id("control-remediation")
    expect(fix).to_contain_text("enabled_cloudwatch_logs_exports")
    docs = page.get_by_test_id("rule-docs")
    hub = docs.get_by_role("link", name="securityhub RDS.9")
    expect(hub).to_have_attribute(
        "href", "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-9"
    )
    expect(docs.get_by_role("link", name=re.compile(r"^prowler "))).to_have_attribute(
        "href", re.compile(r"^https://hub\.prowler\.com/check/rds_")
    )
    snap(page, "finding-remediation")
    violations = axe_violations(page)
    assert not violations, describe(violations)
