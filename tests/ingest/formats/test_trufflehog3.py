"""trufflehog3 JSON: what never leaves the ingestor, identity fields, and files it cannot read."""

import dataclasses
import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport, UnsupportedFormat
from tests.ingest.harness import SAMPLES, parse_file

OTHER_LINE_SECRET = "ZmFrZS1vdGhlci1zZWNyZXQtdmFsdWU"


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value) for t in _texts(getattr(value, f.name))]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _texts(v)]
    return []


def _write(tmp_path: Path, records: object, name: str = "th3.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _issue(**overrides: object) -> dict[str, object]:
    issue: dict[str, object] = {
        "rule": {"id": "generic-api-key", "message": "Generic API Key", "severity": "HIGH"},
        "path": "app/settings.py",
        "line": "8",
        "secret": "example-api-key-0123456789abcdef",
        "context": {
            "7": f"OTHER_TOKEN = '{OTHER_LINE_SECRET}'",
            "8": "API_KEY = 'example-api-key-0123456789abcdef'",
        },
        "id": "0f0f0f0f-0000-3000-8000-000000000001",
        "branch": "main",
        "message": "Add API key",
        "author": "Dev <dev@example.com>",
        "commit": "a" * 40,
        "date": "2022-01-01T00:00:00+00:00",
    }
    issue.update(overrides)
    return issue


def test_snippet_is_only_the_findings_own_line(tmp_path: Path) -> None:
    (finding,) = parse_file(_write(tmp_path, [_issue()])).findings
    assert finding.location.snippet == "API_KEY = 'example-api-key-0123456789abcdef'"
    assert not any(OTHER_LINE_SECRET in text for text in _texts(finding))
    assert not any("dev@example.com" in text for text in _texts(finding))


def test_commit_line_and_id_stay_out_of_identity(tmp_path: Path) -> None:
    later = _issue(line="30", commit="b" * 40, id="0f0f0f0f-0000-3000-8000-000000000002")
    first, second = parse_file(_write(tmp_path, [_issue(), later])).findings
    for finding in (first, second):
        assert finding.tool_fingerprint is None
    keys = [(f.tool, f.rule_id, f.location.path, f.secret) for f in (first, second)]
    assert keys[0] == keys[1]


def test_legacy_extra_strings_never_reach_any_field(tmp_path: Path) -> None:
    record = {
        "date": "2019-01-01 00:00:00",
        "path": "config.yml",
        "branch": "origin/main",
        "commit": "Rotate: +pass: second-value-000000000002\n",
        "commitHash": "c" * 40,
        "reason": "High entropy",
        "stringsFound": ["+pass: first-value-000000000001", "+pass: second-value-000000000002"],
    }
    (finding,) = parse_file(_write(tmp_path, [record])).findings
    assert finding.secret == "+pass: first-value-000000000001"
    assert not any("second-value-000000000002" in text for text in _texts(finding))


def test_truncated_report_is_malformed(tmp_path: Path) -> None:
    text = (SAMPLES / "trufflehog3" / "many.json").read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(MalformedReport, match=r"invalid JSON after record \d"):
        parse_file(path, format_name="trufflehog3")


def test_top_level_object_is_malformed(tmp_path: Path) -> None:
    path = _write(tmp_path, {"issues": []})
    with pytest.raises(MalformedReport, match="expected a JSON array at the top level"):
        parse_file(path, format_name="trufflehog3")


def test_empty_array_is_claimed_only_for_trufflehog3_file_names(tmp_path: Path) -> None:
    assert parse_file(_write(tmp_path, [], "trufflehog3-report.json")).format == "trufflehog3"
    with pytest.raises(UnsupportedFormat):
        parse_file(_write(tmp_path, [], "report.json"))


def test_tool_family_is_known_without_findings() -> None:
    parsed = parse_file(SAMPLES / "trufflehog3" / "empty.trufflehog3.json")
    assert parsed.ctx.tools == {"trufflehog3"}
