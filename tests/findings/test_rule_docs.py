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
        # Checkov documents ids in its policy index, a page per framework
        ("checkov", "CKV_AWS_18", "aws", "https://www.checkov.io/5.Policy%20Index/terraform.html"),
        ("checkov", "CKV2_GCP_1", "gcp", "https://www.checkov.io/5.Policy%20Index/terraform.html"),
        ("checkov", "CKV_K8S_20", "kubernetes",
         "https://www.checkov.io/5.Policy%20Index/kubernetes.html"),
        # Terrascan: a policy page per provider, listing IDs and reference IDs
        ("terrascan", "AC_AWS_0497", "aws", "https://runterrascan.io/docs/policies/aws/"),
        ("terrascan", "AC_AZURE_0131", "azure", "https://runterrascan.io/docs/policies/azure/"),
        ("terrascan", "accurics.gcp.IAM.106", "gcp", "https://runterrascan.io/docs/policies/gcp/"),
        ("terrascan", "AC_K8S_0069", "kubernetes", "https://runterrascan.io/docs/policies/k8s/"),
    ],
)  # fmt: skip
def test_a_rule_links_to_its_tools_page(tool: str, rule_id: str, provider: str, url: str) -> None:
    assert rule_doc_url(tool, rule_id, provider=provider) == url


@pytest.mark.parametrize(
    ("tool", "rule_id", "provider"),
    [
        ("checkov", "CKV_AWS_18", "azure"),  # not a Terraform check of the control's provider
        ("checkov", "CKV_DOCKER_2", "aws"),  # no framework index checked for it
        ("prowler", "extra718", "aws"),  # a v2 id without its v3 twin: no page
        ("terrascan", "AC_GITHUB_0001", "aws"),
        ("scoutsuite", "s3-bucket-no-logging", "aws"),  # ScoutSuite has no page per rule
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


def test_a_prowler_2_id_borrows_the_page_of_its_prowler_3_twin() -> None:
    rules = {"prowler": ["extra718", "s3_bucket_server_access_logging_enabled"]}
    url = rule_doc_url("prowler", "extra718", provider="aws", rules=rules)
    assert url == "https://hub.prowler.com/check/s3_bucket_server_access_logging_enabled"
    two = {"prowler": ["check41", "ec2_a", "ec2_b"]}
    assert rule_doc_url("prowler", "check41", provider="aws", rules=two) is None


# Prowler's "Check Mapping Prowler v4/v3 to v2" (docs: user-guide/providers/aws/
# v2_to_v3_checks_mapping), for the v2 ids of the control map
PROWLER_V3_OF_V2 = {
    "extra718": "s3_bucket_server_access_logging_enabled",
    "extra78": "rds_instance_no_public_access",
    "check41": "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
    "check42": "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
    "check29": "vpc_flow_logs_enabled",
    "check21": "cloudtrail_multi_region_enabled",
    "check22": "cloudtrail_log_file_validation_enabled",
    "check27": "cloudtrail_kms_encryption_enabled",
    "check24": "cloudtrail_cloudwatch_logging_enabled",
    "check26": "cloudtrail_logs_s3_bucket_access_logging_enabled",
    "check23": "cloudtrail_logs_s3_bucket_is_not_publicly_accessible",
    "check28": "kms_cmk_rotation_enabled",
    "check116": "iam_policy_attached_only_to_group_or_roles",
    "check112": "iam_no_root_access_key",
    "check113": "iam_root_mfa_enabled",
    "check114": "iam_root_hardware_mfa_enabled",
    "check11": "iam_avoid_root_usage",
    "check12": "iam_user_mfa_enabled_console_access",
    "check19": "iam_password_policy_minimum_length_14",
    "check110": "iam_password_policy_reuse_24",
    "check15": "iam_password_policy_uppercase",
    "check16": "iam_password_policy_lowercase",
    "check17": "iam_password_policy_symbol",
    "check18": "iam_password_policy_number",
    "check111": "iam_password_policy_expires_passwords_within_90_days_or_less",
}


def test_every_prowler_2_id_of_the_map_links_to_the_v3_check_prowler_maps_it_to() -> None:
    seen = set()
    for control in control_service.list_controls(tool="prowler"):
        for doc in control.docs:
            if doc.tool == "prowler" and doc.rule_id.startswith(("check", "extra")):
                seen.add(doc.rule_id)
                v3 = PROWLER_V3_OF_V2[doc.rule_id]
                assert doc.url == f"https://hub.prowler.com/check/{v3}", control.id
    assert seen == set(PROWLER_V3_OF_V2)


SHAPE = re.compile(
    r"^https://(avd\.aquasec\.com/misconfig/avd-[a-z0-9]+-\d{4}"
    r"|docs\.kics\.io/latest/queries/terraform-queries/(aws|azure|gcp)/[0-9a-f-]{36}/"
    r"|hub\.prowler\.com/check/[A-Za-z0-9_]+"
    r"|docs\.aws\.amazon\.com/securityhub/latest/userguide/[a-z0-9]+-controls\.html#[a-z0-9]+-\d+"
    r"|www\.checkov\.io/5\.Policy%20Index/(terraform|kubernetes)\.html"
    r"|runterrascan\.io/docs/policies/(aws|azure|gcp|k8s|docker)/)$"
)


def test_nearly_every_control_links_its_rules_and_every_link_has_a_known_shape() -> None:
    controls = control_service.list_controls()
    assert len(controls) >= 160
    linked = [c for c in controls if c.docs]
    assert len(linked) >= 150
    # every rule of Checkov, Terrascan and Prowler (v2 and v3) links; ScoutSuite's none
    for control in controls:
        linked_rules = {(d.tool, d.rule_id) for d in control.docs}
        for tool in ("checkov", "terrascan", "prowler"):
            for rule_id in control.rules.get(tool, []):
                assert (tool, rule_id) in linked_rules, (control.id, tool, rule_id)
        assert not [d for d in control.docs if d.tool == "scoutsuite"]
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
    assert docs[("checkov", "CKV_AWS_18")] == (
        "https://www.checkov.io/5.Policy%20Index/terraform.html"
    )
    assert docs[("prowler", "extra718")].endswith("/s3_bucket_server_access_logging_enabled")
    assert ("scoutsuite", "s3-bucket-no-logging") not in docs


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
