"""Each control links its rules to their tools' documentation, by the URL shape each tool uses."""

import re

import pytest
from fastapi.testclient import TestClient

from aspm.findings import control_service
from aspm.findings.rule_docs import rule_doc_url


@pytest.mark.parametrize(
    ("tool", "rule_id", "provider", "url"),
    [
        ("trivy", "AVD-AWS-0089", "aws", "https://avd.aquasec.com/misconfig/avd-aws-0089"),
        ("tfsec", "AVD-AZU-0011", "azure", "https://avd.aquasec.com/misconfig/avd-azu-0011"),
        ("kics", "f861041c-8c9f-4156-acfc-5e6e524f5884", "aws",
         "https://docs.kics.io/latest/queries/terraform-queries/aws/"
         "f861041c-8c9f-4156-acfc-5e6e524f5884/"),
        ("prowler", "s3_bucket_server_access_logging_enabled", "aws",
         "https://hub.prowler.com/check/s3_bucket_server_access_logging_enabled"),
        ("securityhub", "S3.9", "aws",
         "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-9"),
        ("securityhub", "EC2.19", "aws",
         "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19"),
    ],
)  # fmt: skip
def test_a_rule_links_to_its_tools_page(tool: str, rule_id: str, provider: str, url: str) -> None:
    assert rule_doc_url(tool, rule_id, provider=provider) == url


@pytest.mark.parametrize(
    ("tool", "rule_id", "provider"),
    [
        ("checkov", "CKV_AWS_18", "aws"),  # Checkov's pages are named after the policy
        ("prowler", "extra718", "aws"),  # v2 ids have no page
        ("terrascan", "AC_AWS_0497", "aws"),
        ("scoutsuite", "s3-bucket-no-logging", "aws"),
        ("kics", "f861041c-8c9f-4156-acfc-5e6e524f5884", "kubernetes"),
        ("tfsec", "aws-s3-enable-bucket-logging", "aws"),  # without its Trivy twin: no guess
    ],
)
def test_no_link_is_guessed_where_a_tool_has_no_page_per_rule(
    tool: str, rule_id: str, provider: str
) -> None:
    assert rule_doc_url(tool, rule_id, provider=provider) is None


def test_a_tfsec_long_id_borrows_the_page_of_its_trivy_twin() -> None:
    rules = {"tfsec": ["aws-s3-enable-bucket-logging"], "trivy": ["AVD-AWS-0089"]}
    url = rule_doc_url("tfsec", "aws-s3-enable-bucket-logging", provider="aws", rules=rules)
    assert url == "https://avd.aquasec.com/misconfig/avd-aws-0089"


SHAPE = re.compile(
    r"^https://(avd\.aquasec\.com/misconfig/avd-[a-z0-9]+-\d{4}"
    r"|docs\.kics\.io/latest/queries/terraform-queries/(aws|azure|gcp)/[0-9a-f-]{36}/"
    r"|hub\.prowler\.com/check/[A-Za-z0-9_]+"
    r"|docs\.aws\.amazon\.com/securityhub/latest/userguide/[a-z0-9]+-controls\.html#[a-z0-9]+-\d+)$"
)


def test_nearly_every_control_links_its_rules_and_every_link_has_a_known_shape() -> None:
    controls = control_service.list_controls()
    assert len(controls) >= 160
    linked = [c for c in controls if c.docs]
    assert len(linked) >= 150
    for control in controls:
        for doc in control.docs:
            assert SHAPE.match(doc.url), (control.id, doc)
            assert doc.rule_id in control.rules[doc.tool]


def test_the_api_serves_a_controls_documentation_links(client: TestClient) -> None:
    resp = client.get("/api/v1/controls/aws-s3-access-logging")
    assert resp.status_code == 200, resp.text
    docs = {(d["tool"], d["rule_id"]): d["url"] for d in resp.json()["docs"]}
    assert docs[("securityhub", "S3.9")].endswith("s3-controls.html#s3-9")
    assert docs[("trivy", "AVD-AWS-0089")] == "https://avd.aquasec.com/misconfig/avd-aws-0089"
    assert ("checkov", "CKV_AWS_18") not in docs


def test_controls_carry_remediation_and_the_map_refuses_a_blank_or_overlong_one() -> None:
    from aspm.errors import InvalidInput
    from aspm.findings.controls import REMEDIATION_MAX, parse_control_map

    controls = control_service.list_controls()
    fixes = {c.id: c.remediation for c in controls if c.remediation}
    assert [c.id for c in controls if not c.remediation] == []  # every control says its fix
    assert "aws_s3_bucket_public_access_block" in fixes["aws-s3-bucket-public-access-block"]
    base = (
        "version: 1\ncontrols:\n  - id: x-y\n    title: T\n    domain: storage\n"
        "    provider: aws\n    rules: {checkov: [CKV_AWS_1]}\n"
    )
    assert parse_control_map(base + '    remediation: "Do it."\n').get("x-y").remediation == (  # type: ignore[union-attr]
        "Do it."
    )
    with pytest.raises(InvalidInput, match="blank"):
        parse_control_map(base + '    remediation: "  "\n')
    with pytest.raises(InvalidInput, match="longer than"):
        parse_control_map(base + f'    remediation: "{"x" * (REMEDIATION_MAX + 1)}"\n')
