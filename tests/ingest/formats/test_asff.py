"""ASFF: wrapper shapes, statuses that are not findings, and files that cannot be read."""

import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import SAMPLES, parse_file


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "findings.json"
    path.write_text(text, encoding="utf-8")
    return path


def _one_finding() -> dict[str, object]:
    data = json.loads((SAMPLES / "asff" / "one.json").read_text(encoding="utf-8"))
    finding: dict[str, object] = data["Findings"][0]
    return finding


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"Findings": {"Id": "x"}}', '"Findings" is not an array'),
        ('{"NextToken": "abc", "Items": []}', 'no "Findings" or "findings" array'),
        ('"Findings"', "found a string"),
        ("42", "found a number"),
    ],
)
def test_wrong_shape_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, text), format_name="asff")


def test_truncated_wrapper_is_malformed(tmp_path: Path) -> None:
    text = json.dumps({"Findings": [_one_finding(), _one_finding()]})
    with pytest.raises(MalformedReport, match="invalid JSON after record 1"):
        parse_file(_write(tmp_path, text[: len(text) * 3 // 4]))


def test_null_findings_is_an_empty_report(tmp_path: Path) -> None:
    parsed = parse_file(_write(tmp_path, '{"Findings": null, "NextToken": null}'), "asff")
    assert parsed.records == 0


@pytest.mark.parametrize(
    ("change", "yielded", "passed", "suppressed"),
    [
        ({"Compliance": {"Status": "PASSED"}}, 0, 1, False),
        ({"Compliance": {"Status": "WARNING"}}, 1, 0, False),
        ({"RecordState": "ARCHIVED"}, 0, 1, False),
        ({"Workflow": {"Status": "RESOLVED"}}, 0, 1, False),
        ({"Workflow": {"Status": "NOTIFIED"}}, 1, 0, False),
        ({"Workflow": {"Status": "SUPPRESSED"}}, 1, 0, True),
    ],
)
def test_status_decides_between_finding_passed_and_suppressed(
    tmp_path: Path, change: dict[str, object], yielded: int, passed: int, suppressed: bool
) -> None:
    finding = _one_finding() | change
    parsed = parse_file(_write(tmp_path, json.dumps([finding])))
    assert (len(parsed.findings), parsed.ctx.passed) == (yielded, passed)
    assert all(f.suppressed is suppressed for f in parsed.findings)


def test_guardduty_rule_is_the_finding_type_not_the_detector_arn(tmp_path: Path) -> None:
    data = json.loads((SAMPLES / "asff" / "many.json").read_text(encoding="utf-8"))
    parsed = parse_file(_write(tmp_path, json.dumps([data[0]])))
    (finding,) = parsed.findings
    assert finding.tool == "guardduty"
    assert finding.rule_id == "CryptoCurrency:EC2-BitcoinTool.B!DNS"
    assert finding.tool_fingerprint is not None
    assert finding.tool_fingerprint.endswith("/finding/a1b2c3d4e5f60718293a4b5c6d7e8f90")
