"""Gitleaks JSON: unreadable files, identity inputs, detection edge cases (beyond the goldens)."""

import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport, UnsupportedFormat
from aspm.ingest.formats.gitleaks import GitleaksIngestor
from tests.ingest.harness import parse_file

SECRET = "s3cr3t-EXAMPLE-9d8c7b6a"


def _leak(line: int, commit: str) -> dict[str, object]:
    return {
        "RuleID": "generic-api-key",
        "Description": "Generic API Key",
        "StartLine": line,
        "EndLine": line,
        "Match": f"API_KEY={SECRET}",
        "Secret": SECRET,
        "File": "app/config.py",
        "Commit": commit,
        "Author": "Dev Example",
        "Fingerprint": f"{commit}:app/config.py:generic-api-key:{line}",
        "Tags": [],
    }


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_same_leak_at_another_line_in_a_later_commit_has_the_same_identity_inputs(
    tmp_path: Path,
) -> None:
    report = [_leak(10, "a" * 40), _leak(17, "b" * 40)]
    parsed = parse_file(_write(tmp_path, "leaks.json", json.dumps(report)))
    first, second = parsed.findings
    for finding in (first, second):
        assert finding.tool_fingerprint is None  # gitleaks' Fingerprint embeds commit and line
        assert "a" * 40 not in finding.rule_id
    key = ("tool", "rule_id", "secret", "asset_key")
    assert [getattr(first, k) for k in key] == [getattr(second, k) for k in key]
    assert first.location.path == second.location.path
    assert first.location.start_line != second.location.start_line


def test_truncated_report_is_malformed_without_echoing_the_secret(tmp_path: Path) -> None:
    text = json.dumps([_leak(1, "c" * 40), _leak(2, "d" * 40)])
    path = _write(tmp_path, "cut.json", text[: text.rindex(SECRET) + 5])
    with pytest.raises(MalformedReport, match="invalid JSON after record 1") as exc:
        parse_file(path, format_name="gitleaks")
    assert SECRET[:8] not in str(exc.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"leaks": []}', "expected a JSON array or null at the top level, found an object"),
        ('"leaks"', "found a string"),
        ("nul", "neither a JSON array nor null"),
        ("null null", "neither a JSON array nor null"),
    ],
)
def test_wrong_top_level_shape_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, "report.json", text), format_name="gitleaks")


def test_bare_empty_array_is_only_claimed_when_the_file_name_says_gitleaks(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat):
        parse_file(_write(tmp_path, "report.json", "[]"))
    assert parse_file(_write(tmp_path, "gitleaks-report.json", "[]")).format == "gitleaks"


@pytest.mark.parametrize(
    "head",
    [
        # Trivy JSON has secret findings with RuleID/StartLine/Match, but inside an object
        b'{"SchemaVersion": 2, "Results": [{"Secrets": [{"RuleID": "aws-access-key-id", '
        b'"StartLine": 3, "File": "x", "Match": "y"}]}]}',
        # gitleaks SARIF
        b'{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [{"tool": '
        b'{"driver": {"name": "gitleaks"}}, "results": [{"ruleId": "generic-api-key"}]}]}',
    ],
)
def test_sniff_does_not_claim_other_formats(head: bytes) -> None:
    assert not GitleaksIngestor().sniff(head, "gitleaks.json")
