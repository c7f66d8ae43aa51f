"""ASFF numbers that are not finite or not on their scale are ignored with a warning."""

import json
from pathlib import Path
from typing import Any

import pytest

from aspm.common.severity import Severity
from tests.ingest.harness import parse_file

OFF_SCALE = ("1e999", "-1e999", '"NaN"', '"Infinity"', "101", "-1", "1" + "0" * 400)


def _finding(**fields: Any) -> dict[str, Any]:
    return {
        "SchemaVersion": "2018-10-08",
        "Id": "arn:aws:securityhub:eu-west-1:111122223333:finding/1",
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/inspector",
        "GeneratorId": "AWSInspector",
        "AwsAccountId": "111122223333",
        "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
        "Title": "CVE-1 - openssl",
        "Resources": [{"Type": "AwsEc2Instance", "Id": "i-1", "Region": "eu-west-1"}],
        "Compliance": {"Status": "FAILED"},
        **fields,
    }


def _parse(tmp_path: Path, finding: dict[str, Any], score: str) -> Any:
    path = tmp_path / "asff.json"
    path.write_text(json.dumps({"Findings": [finding]}).replace('"SCORE"', score))
    return parse_file(path, format_name="asff")


@pytest.mark.parametrize("score", OFF_SCALE)
def test_an_off_scale_normalized_severity_falls_back_to_the_product_score(
    tmp_path: Path, score: str
) -> None:
    parsed = _parse(tmp_path, _finding(Severity={"Normalized": "SCORE", "Product": 75}), score)
    (finding,) = parsed.findings
    assert finding.severity is Severity.HIGH  # from Product 75
    assert "Severity.Normalized" in parsed.warnings[0]
    assert "ignored" in parsed.warnings[0]


@pytest.mark.parametrize("score", OFF_SCALE)
def test_an_off_scale_product_severity_is_not_a_severity(tmp_path: Path, score: str) -> None:
    parsed = _parse(tmp_path, _finding(Severity={"Product": "SCORE"}), score)
    (finding,) = parsed.findings
    assert finding.raw_severity is None  # the default severity, not one made of the number
    assert any("Severity.Product" in w and "ignored" in w for w in parsed.warnings)


@pytest.mark.parametrize("score", OFF_SCALE)
def test_off_scale_cvss_criticality_and_epss_are_ignored(tmp_path: Path, score: str) -> None:
    vuln = {
        "Id": "CVE-1",
        "Cvss": [{"BaseScore": "SCORE"}, {"BaseScore": 5.5}],
        "EpssScore": "SCORE",
    }
    finding = _finding(Severity={"Label": "HIGH"}, Criticality="SCORE", Vulnerabilities=[vuln])
    parsed = _parse(tmp_path, finding, score)
    (raw,) = parsed.findings
    assert raw.cvss == 5.5
    assert [k for k, _ in raw.context if k in ("asff:criticality", "epss")] == []
    for what in ("Cvss.BaseScore", "Criticality", "EpssScore"):
        assert any(what in w and "ignored" in w for w in parsed.warnings), (what, parsed.warnings)


def test_scores_on_their_scale_count_without_a_warning(tmp_path: Path) -> None:
    vuln = {"Id": "CVE-1", "Cvss": [{"BaseScore": 9.8}], "EpssScore": 0.5}
    finding = _finding(Severity={"Normalized": 95}, Criticality=70, Vulnerabilities=[vuln])
    parsed = _parse(tmp_path, finding, "0")
    (raw,) = parsed.findings
    assert (raw.severity, raw.cvss, parsed.warnings) == (Severity.CRITICAL, 9.8, [])
    assert ("asff:criticality", "70") in raw.context
    assert ("epss", "0.5") in raw.context
