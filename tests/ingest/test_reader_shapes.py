"""Reader shapes of issue 15 beyond SARIF: Trivy's legacy `null`, Prowler 2's older CSV header,
Prowler MANUAL results, ASFF without AwsAccountId, Trivy's ASFF per package, and the root account
named two ways by Prowler and Security Hub (small fixtures of our own)."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.errors import IngestError
from aspm.findings.models import Detection, Finding
from tests.factories import ingest_bytes
from tests.ingest.harness import Parsed, parse_file


def _file(tmp_path: Path, name: str, content: str | Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


# --- 3. Trivy's legacy `null` ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["null", "null\n", "  null  \r\n"])
def test_trivy_legacy_null_is_zero_records_when_the_name_says_trivy(
    tmp_path: Path, text: str
) -> None:
    parsed = parse_file(_file(tmp_path, "trivy-results.json", text))
    assert (parsed.format, parsed.records, parsed.warnings) == ("trivy", 0, [])
    forced = parse_file(_file(tmp_path, "scan.json", text), format_name="trivy")
    assert (forced.format, forced.records) == ("trivy", 0)


def test_an_anonymous_null_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError):
        parse_file(_file(tmp_path, "report.json", "null"))


# --- 4. Prowler 2.x CSV, older header -----------------------------------------------------------

_OLD_HEADER = (
    "PROFILE,ACCOUNT_NUM,REGION,TITLE_ID,RESULT,SCORED,LEVEL,TITLE_TEXT,NOTES,COMPLIANCE,SEVERITY,"
    "SERVICENAME,\n"
)


def test_prowler_2_older_csv_header_is_read(tmp_path: Path) -> None:
    rows = (
        'default,123456789012,us-east-1,1.1,FAIL,Scored,Level 1,"[check11] Avoid the use of the '
        'root account (Scored)",Root user in the account was last accessed 1 day ago,'
        "ens-op.acc.1.aws.iam.1,HIGH,iam,\n"
        "default,123456789012,us-east-1,1.2,PASS,Scored,Level 1,[check12] Ensure MFA is enabled "
        "for all IAM users,No users found,,HIGH,iam,\n"
    )
    for name in ("prowler-output.csv", "report.csv"):
        parsed = parse_file(_file(tmp_path, name, _OLD_HEADER + rows), format_name="prowler-v2")
        (finding,) = parsed.findings
        assert (parsed.records, parsed.ctx.passed) == (2, 1)
        assert finding.rule_id == "check11"
        assert finding.location.account_id == "123456789012"
        assert "last accessed 1 day ago" in finding.description
    detected = parse_file(_file(tmp_path, "x.csv", _OLD_HEADER + rows))
    assert detected.format == "prowler-v2"


# --- 6. Prowler MANUAL: neither passed nor failed -----------------------------------------------


def _ocsf(status: str, check: str, n: int) -> dict[str, Any]:
    return {
        "metadata": {"event_code": check, "product": {"name": "Prowler", "version": "5.0.0"}},
        "severity": "High",
        "status_code": status,
        "finding_info": {"uid": f"prowler-aws-{check}-111122223333-us-east-1-{n}", "title": check},
        "resources": [{"uid": "arn:aws:iam::111122223333:root", "region": "us-east-1"}],
        "cloud": {"provider": "aws", "account": {"uid": "111122223333"}, "region": "us-east-1"},
    }


def test_prowler_ocsf_manual_is_neither_passed_nor_failed(tmp_path: Path) -> None:
    doc = [
        _ocsf("FAIL", "iam_root_mfa_enabled", 1),
        _ocsf("PASS", "iam_no_root_access_key", 2),
        _ocsf("MANUAL", "account_security_contact_information_is_registered", 3),
        _ocsf("MANUAL", "account_maintain_current_contact_details", 4),
    ]
    parsed: Parsed = parse_file(_file(tmp_path, "prowler.ocsf.json", doc))
    assert parsed.format == "prowler-ocsf"
    assert (len(parsed.findings), parsed.ctx.passed, parsed.ctx.manual, parsed.records) == (
        1,
        1,
        2,
        4,
    )


# --- 2. ASFF without AwsAccountId; Trivy's ASFF per package -------------------------------------


def _asff(**fields: Any) -> dict[str, Any]:
    base = {
        "SchemaVersion": "2018-10-08",
        "Id": "finding-1",
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aquasecurity/aquasecurity",
        "GeneratorId": "custom-check",
        "Types": ["Software and Configuration Checks"],
        "Severity": {"Label": "HIGH"},
        "Title": "a problem",
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::logs", "Region": "eu-west-1"}],
    }
    return {**base, **fields}


def test_asff_without_account_takes_it_from_the_resource_arn(tmp_path: Path) -> None:
    resources = [
        {"Type": "AwsEc2Instance", "Id": "arn:aws:ec2:eu-west-1:444455556666:instance/i-1"}
    ]
    parsed = parse_file(_file(tmp_path, "asff.json", {"Findings": [_asff(Resources=resources)]}))
    (finding,) = parsed.findings
    assert (parsed.format, finding.location.account_id, finding.asset_key) == (
        "asff",
        "444455556666",
        "aws:444455556666",
    )
    assert parsed.warnings == []


def test_asff_without_any_account_is_unknown_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_file(_file(tmp_path, "asff.json", {"Findings": [_asff()]}))  # s3: no account
    (finding,) = parsed.findings
    assert (finding.location.account_id, finding.asset_key) == (None, None)
    assert any("account is unknown" in w for w in parsed.warnings)


def _trivy_asff(package: str) -> dict[str, Any]:
    return _asff(
        Id="alpine:3.10 (alpine 3.10.2)/CVE-2019-1549",
        ProductArn="arn:aws:securityhub:us-east-1::product/aquasecurity/aquasecurity",
        ProductFields={"Product Name": "Trivy"},
        GeneratorId="Trivy/CVE-2019-1549",
        AwsAccountId="123456789012",
        Types=["Software and Configuration Checks/Vulnerabilities/CVE"],
        Resources=[{"Type": "Container", "Id": "alpine:3.10", "Region": "us-east-1"}],
        Vulnerabilities=[
            {
                "Id": "CVE-2019-1549",
                "VulnerablePackages": [{"Name": package, "Version": "1.1.1c-r0"}],
            }
        ],
    )


def test_trivy_asff_same_cve_in_two_packages_is_two_detections(
    sessions: sessionmaker[Session], session: Session
) -> None:
    report = json.dumps([_trivy_asff("libcrypto1.1"), _trivy_asff("libssl1.1")]).encode()
    result = ingest_bytes(sessions, report, filename="trivy.asff.json")
    assert result.status == "ok", result.error
    assert (result.findings, result.new, result.duplicates) == (2, 2, 0)
    again = ingest_bytes(sessions, report, filename="trivy.asff.json")
    assert (again.new, again.unchanged) == (0, 2)


# --- cross-tool: the root account named two ways -----------------------------------------------


def test_root_mfa_from_prowler_and_security_hub_is_one_finding(
    sessions: sessionmaker[Session], session: Session
) -> None:
    prowler = json.dumps([_ocsf("FAIL", "iam_root_mfa_enabled", 1)]).encode()
    hub = {
        "Findings": [
            _asff(
                Id="arn:aws:securityhub:us-east-1:111122223333:security-control/IAM.9/finding/1",
                ProductArn="arn:aws:securityhub:us-east-1::product/aws/securityhub",
                ProductName="Security Hub",
                GeneratorId="security-control/IAM.9",
                AwsAccountId="111122223333",
                Compliance={"Status": "FAILED", "SecurityControlId": "IAM.9"},
                ProductFields={"ControlId": "IAM.9"},
                Resources=[
                    {"Type": "AwsAccount", "Id": "AWS::::Account:111122223333", "Partition": "aws"}
                ],
            )
        ]
    }
    first = ingest_bytes(sessions, prowler, filename="prowler.ocsf.json")
    second = ingest_bytes(sessions, json.dumps(hub).encode(), filename="securityhub.json")
    assert first.status == second.status == "ok", (first.error, second.error)
    assert (first.new_findings, second.new_findings, second.new) == (1, 0, 1)
    assert session.scalar(select(func.count()).select_from(Finding)) == 1
    tools = session.scalars(select(Detection.tool).order_by(Detection.tool)).all()
    assert tools == ["prowler", "securityhub"]
