"""tfsec JSON: unreadable files, the shared identity recipe, detection (beyond the goldens)."""

import json
from pathlib import Path
from typing import Any

import pytest

from aspm.errors import MalformedReport
from aspm.ingest.formats.tfsec import (
    TfsecIngestor,
    scan_relative_paths,
    terraform_resource_type,
    tfsec_fingerprints,
)
from tests.ingest.harness import parse_file


def _result(long_id: str, filename: str, start: int, **extra: Any) -> dict[str, Any]:
    return {
        "rule_id": "AVD-AWS-0001",
        "long_id": long_id,
        "rule_description": long_id,
        "severity": "HIGH",
        "status": 0,
        "resource": "aws_s3_bucket.a",
        "location": {"filename": filename, "start_line": start, "end_line": start + 2},
        **extra,
    }


def _write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "tfsec.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "a tfsec report is a JSON object with 'results'; the file holds an array"),
        ('{"findings": []}', "no 'results'"),
        ('{"results": {"a": 1}}', "'results' is an object, not an array"),
        ('{"results": [{"rule_id": "AVD-AWS-0001", "location": {"filename": ', "invalid tfsec"),
    ],
)
def test_unreadable_tfsec_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, text), format_name="tfsec")


def test_ordinal_follows_start_line_within_rule_and_path() -> None:
    items = [
        ("r1", "main.tf", 30, 31),
        ("r1", "main.tf", 10, 12),
        ("r2", "main.tf", 5, 5),
        ("r1", "other.tf", 1, 1),
        ("r1", "main.tf", 10, 11),
    ]
    assert tfsec_fingerprints(items) == [
        "r1|main.tf|2",
        "r1|main.tf|1",
        "r2|main.tf|0",
        "r1|other.tf|0",
        "r1|main.tf|0",
    ]


def test_shifted_lines_keep_the_fingerprints() -> None:
    before = [("r1", "main.tf", 10, 12), ("r1", "main.tf", 30, 31)]
    after = [("r1", "main.tf", 14, 16), ("r1", "main.tf", 34, 35)]
    assert tfsec_fingerprints(before) == tfsec_fingerprints(after)


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["/u/p/tf/main.tf", "/u/p/tf/mod/s3.tf"], ["main.tf", "mod/s3.tf"]),
        (["/u/p/tf/main.tf"], ["main.tf"]),
        (["C:\\ci\\tf\\main.tf", "C:\\ci\\tf\\m\\a.tf"], ["main.tf", "m/a.tf"]),
        (["main.tf", "./mod/s3.tf", None], ["main.tf", "mod/s3.tf", ""]),
    ],
)
def test_paths_relative_to_the_scan_directory(paths: list[str | None], expected: list[str]) -> None:
    assert scan_relative_paths(paths) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("aws_s3_bucket.logs", "aws_s3_bucket"),
        ("module.net.module.sg.aws_security_group_rule.ssh[0]", "aws_security_group_rule"),
        ("data.aws_iam_policy_document.p", "aws_iam_policy_document"),
        ("/Dockerfile.", None),
        (None, None),
    ],
)
def test_terraform_resource_type(address: str | None, expected: str | None) -> None:
    assert terraform_resource_type(address) == expected


def test_json_and_absolute_paths_give_scan_relative_fingerprints(tmp_path: Path) -> None:
    doc = {
        "results": [
            _result("aws-s3-enable-versioning", "/home/ci/tf/main.tf", 30),
            _result("aws-s3-enable-versioning", "/home/ci/tf/main.tf", 10),
            _result("aws-s3-enable-versioning", "/home/ci/tf/mod/s3.tf", 1, status=1),
        ]
    }
    parsed = parse_file(_write(tmp_path, doc))
    assert [f.tool_fingerprint for f in parsed.findings] == [
        "aws-s3-enable-versioning|main.tf|1",
        "aws-s3-enable-versioning|main.tf|0",
    ]
    assert parsed.ctx.passed == 1


@pytest.mark.parametrize(
    "head",
    [
        b'{\n\t"results": null\n}\n',
        b'{"results": []}',
        b'{\n\t"results": [\n\t\t{\n\t\t\t"rule_id": "AVD-AWS-0124",\n\t\t\t"long_id": "a",',
        b'{"results": [{"rule_id": "AWS018", "rule_description": "x", "rule_provider": "aws"',
    ],
)
def test_tfsec_is_recognised_from_its_head(head: bytes) -> None:
    assert TfsecIngestor().sniff(head, "out.json")


@pytest.mark.parametrize(
    "head",
    [
        b'{"results": [], "errors": [], "version": "1.50.0"}',  # semgrep JSON
        b'{"results": [{"test_id": "B101", "filename": "a.py"}]}',  # bandit JSON
        b'{"Issues": [{"rule_id": "G101"}], "Stats": {}}',  # gosec JSON
    ],
)
def test_other_json_is_not_taken_for_tfsec(head: bytes) -> None:
    assert not TfsecIngestor().sniff(head, "out.json")
