"""Terrascan JSON: unreadable files, identity, counting, detection (beyond the goldens)."""

import json
from pathlib import Path
from typing import Any

import pytest

from aspm.common.paths import normalize_path
from aspm.errors import MalformedReport
from aspm.findings.fingerprint import detection_fingerprint
from aspm.ingest.formats.terrascan import TerrascanIngestor, terraform_provider
from tests.ingest.harness import parse_file


def _write(tmp_path: Path, doc: Any, name: str = "terrascan.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _violation(name: str, line: int, **extra: Any) -> dict[str, Any]:
    return {
        "rule_name": "rdsPubliclyAccessible",
        "description": "RDS Instance publicly_accessible flag is true",
        "rule_id": "AC_AWS_0054",
        "severity": "HIGH",
        "category": "Network Security",
        "resource_name": name,
        "resource_type": "aws_db_instance",
        "module_name": "root",
        "file": "db.tf",
        "plan_root": "./",
        "line": line,
        **extra,
    }


def _report(violations: Any, skipped: Any = None) -> dict[str, Any]:
    return {
        "results": {
            "violations": violations,
            "skipped_violations": skipped,
            "scan_summary": {"iac_type": "terraform", "violated_policies": 0},
        }
    }


def _fingerprint(path: Path) -> list[str]:
    return [
        detection_fingerprint(
            f, asset_key="a", path=normalize_path(f.location.path), secret_hash=None
        )
        for f in parse_file(path).findings
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "a Terrascan report is a JSON object with 'results'; the file holds an array"),
        ("", "the file is empty"),
        ('{"summary": {}}', "not a Terrascan report"),
        ('{"results": []}', "'results' is an array, not an object"),
        ('{"results": {"violations": {"a": 1}}}', "'violations' is an object, not an array"),
        ('{"results": {"violations": [{"rule_id": "AC_AWS_0001", "line": ', "invalid Terrascan"),
    ],
)
def test_unreadable_terrascan_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, text), format_name="terrascan")


def test_identity_is_rule_file_and_resource_not_line(tmp_path: Path) -> None:
    before = _write(tmp_path, _report([_violation("orders", 3), _violation("users", 30)]), "a.json")
    after = _write(tmp_path, _report([_violation("orders", 9), _violation("users", 41)]), "b.json")
    assert _fingerprint(before) == _fingerprint(after)
    assert len(set(_fingerprint(before))) == 2
    findings = parse_file(before).findings
    assert [f.location.resource for f in findings] == [
        "aws_db_instance.orders",
        "aws_db_instance.users",
    ]
    assert {f.tool_fingerprint for f in findings} == {None}


def test_skipped_violations_are_neither_yielded_nor_counted(tmp_path: Path) -> None:
    parsed = parse_file(_write(tmp_path, _report(None, [_violation("scratch", 1)])))
    assert parsed.findings == []
    assert parsed.records == 0


@pytest.mark.parametrize(
    ("resource_type", "expected"),
    [
        ("aws_db_instance", "aws"),
        ("azurerm_key_vault", "azure"),
        ("google_sql_database_instance", "gcp"),
        ("kubernetes_deployment", "kubernetes"),
        ("docker_FROM", None),
        (None, None),
    ],
)
def test_terraform_provider(resource_type: str | None, expected: str | None) -> None:
    assert terraform_provider(resource_type) == expected


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (b'{\n  "results": {\n    "violations": [\n      {\n        "rule_name": "x",', True),
        (b'{\n  "results": {\n    "violations": null,\n    "skipped_violations": null,', True),
        (b'{"results": {"scan_errors": [{"iac_type": "helm"}]', True),
        (b'{"results": null}', False),  # tfsec
        (b'{"results": [{"rule_id": "AVD-AWS-0086", "long_id": "x"}]}', False),  # tfsec
        (b'{"check_type": "terraform", "results": {"failed_checks": []}}', False),  # checkov
    ],
)
def test_terrascan_is_recognised_from_its_head(head: bytes, claimed: bool) -> None:
    assert TerrascanIngestor().sniff(head, "out.json") is claimed
