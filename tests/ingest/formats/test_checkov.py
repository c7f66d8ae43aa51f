"""Checkov JSON: unreadable files, report shapes, counting, secrets (beyond the goldens)."""

import json
from pathlib import Path
from typing import Any

import pytest

from aspm.errors import MalformedReport
from aspm.ingest.formats.checkov import CheckovIngestor
from tests.ingest.harness import parse_file

SECRET = "AKIAIOSFODNN7EXAMPLE"


def _check(check_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "check_name": f"name of {check_id}",
        "check_result": {"result": "FAILED"},
        "code_block": [[1, 'resource "aws_s3_bucket" "a" {\n'], [2, "}\n"]],
        "file_path": "/s3.tf",
        "repo_file_path": "/s3.tf",
        "file_line_range": [1, 2],
        "resource": "aws_s3_bucket.a",
        "severity": None,
        **extra,
    }


def _report(
    check_type: str, failed: list[Any], passed: int = 0, skipped: int = 0
) -> dict[str, Any]:
    return {
        "check_type": check_type,
        "results": {
            "passed_checks": [_check("CKV_AWS_21")] * passed,
            "failed_checks": failed,
            "skipped_checks": [_check("CKV_AWS_144")] * skipped,
            "parsing_errors": [],
        },
        "summary": {"passed": passed, "failed": len(failed), "checkov_version": "3.2.1"},
    }


def _write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "checkov.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"just a string"', "a Checkov report is a JSON object or a list of them"),
        ('{"foo": 1}', "not a Checkov report"),
        ('{"check_type": "terraform", "results": {"failed_checks": [{"check_id": "CKV_', "invalid"),
        ('[{"check_type": "terraform"}] [', "after the end of the JSON document"),
    ],
)
def test_unreadable_checkov_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, text), format_name="checkov")


def test_only_failed_checks_are_records(tmp_path: Path) -> None:
    doc = [_report("terraform", [_check("CKV_AWS_18"), _check("CKV_AWS_19")], passed=4, skipped=2)]
    parsed = parse_file(_write(tmp_path, doc))
    assert [f.rule_id for f in parsed.findings] == ["CKV_AWS_18", "CKV_AWS_19"]
    assert (parsed.ctx.passed, parsed.ctx.skipped, parsed.records) == (0, 0, 2)


def test_foreign_list_elements_are_ignored_with_a_warning_not_counted(tmp_path: Path) -> None:
    doc = [_report("terraform", [_check("CKV_AWS_18")]), [1, 2], {"other": "tool"}]
    parsed = parse_file(_write(tmp_path, doc))
    assert parsed.records == 1
    assert len(parsed.warnings) == 2


def test_null_severity_is_medium_without_warning_and_no_raw_label(tmp_path: Path) -> None:
    parsed = parse_file(_write(tmp_path, _report("terraform", [_check("CKV_AWS_18")])))
    (finding,) = parsed.findings
    assert (finding.severity, finding.raw_severity, parsed.warnings) == ("medium", None, [])


def test_secrets_results_carry_no_snippet(tmp_path: Path) -> None:
    leak = _check(
        "CKV_SECRET_2",
        code_block=[[3, f'aws_access_key_id = "{SECRET}"\n']],
        resource="25910f981e85ca04baf359199dd0bd4a3ae738b6",
    )
    (finding,) = parse_file(_write(tmp_path, _report("secrets", [leak]))).findings
    assert finding.category == "secret"
    assert finding.location.snippet is None
    assert SECRET not in json.dumps([finding.title, finding.description, finding.references])


def test_repo_relative_path_is_preferred(tmp_path: Path) -> None:
    check = _check(
        "CKV_AWS_18",
        repo_file_path="/infra/s3.tf",
        file_path="/s3.tf",
        file_abs_path="/home/ci/repo/infra/s3.tf",
    )
    (finding,) = parse_file(_write(tmp_path, _report("terraform", [check]))).findings
    assert finding.location.path == "/infra/s3.tf"
    del check["repo_file_path"]
    (finding,) = parse_file(_write(tmp_path, _report("terraform", [check]))).findings
    assert finding.location.path == "/s3.tf"


@pytest.mark.parametrize(
    "head",
    [
        b'{\n    "check_type": "terraform",\n    "results": {\n        "passed_checks": [',
        b'[{"check_type": "dockerfile", "results": {"failed_checks": [',
        b'{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "checkov_version": "2.1"}',
    ],
)
def test_checkov_is_recognised_from_its_head(head: bytes) -> None:
    assert CheckovIngestor().sniff(head, "results.json")


def test_checkov_sarif_is_not_taken_for_checkov_json() -> None:
    head = b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Checkov"}}}]}'
    assert not CheckovIngestor().sniff(head, "results.json")
