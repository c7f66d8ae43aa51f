"""TruffleHog v3 JSON lines: what never leaves the ingestor, and files it cannot read."""

import dataclasses
import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import parse_file

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _line(**overrides: object) -> str:
    record: dict[str, object] = {
        "SourceMetadata": {
            "Data": {
                "Git": {
                    "commit": "e" * 40,
                    "file": "deploy/env.sh",
                    "repository": "https://github.com/example-org/app.git",
                    "line": 4,
                }
            }
        },
        "SourceID": 1,
        "SourceType": 16,
        "SourceName": "trufflehog - git",
        "DetectorType": 2,
        "DetectorName": "AWS",
        "DecoderName": "PLAIN",
        "Verified": True,
        "Raw": KEY_ID,
        "RawV2": KEY_ID + SECRET_KEY,
        "Redacted": KEY_ID[:8] + "****",
        "ExtraData": {
            "account": "111122223333",
            "secret_access_key": SECRET_KEY,
            "note": f"paired with {SECRET_KEY}",
        },
        "StructuredData": None,
    }
    record.update(overrides)
    return json.dumps(record)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value) for t in _texts(getattr(value, f.name))]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _texts(v)]
    return []


def test_rawv2_and_redacted_never_reach_any_field(tmp_path: Path) -> None:
    path = tmp_path / "th.jsonl"
    path.write_text(_line() + "\n", encoding="utf-8")
    (finding,) = parse_file(path).findings
    assert finding.secret == KEY_ID
    assert finding.secret_verified is True
    for text in _texts(finding):
        assert SECRET_KEY not in text
        assert KEY_ID[:8] + "****" not in text


def test_commit_and_line_stay_out_of_identity_fields(tmp_path: Path) -> None:
    later = {
        "Git": {
            "commit": "f" * 40,
            "file": "deploy/env.sh",
            "repository": "https://github.com/example-org/app",
            "line": 9,
        }
    }
    path = tmp_path / "th.jsonl"
    path.write_text(_line() + "\n" + _line(SourceMetadata={"Data": later}) + "\n", encoding="utf-8")
    first, second = parse_file(path).findings
    assert first.tool_fingerprint is None
    assert second.tool_fingerprint is None
    assert (first.rule_id, first.location.path, first.secret, first.asset_key) == (
        second.rule_id,
        second.location.path,
        second.secret,
        second.asset_key,
    )
    assert first.asset_key == "https://github.com/example-org/app"


def test_base64_looking_raw_of_a_current_version_is_not_decoded(tmp_path: Path) -> None:
    path = tmp_path / "th.jsonl"
    path.write_text(_line(Raw="QUtJQUlPU0ZPRE5ON0VYQU1QTEU=", RawV2="") + "\n", encoding="utf-8")
    (finding,) = parse_file(path).findings
    assert finding.secret == "QUtJQUlPU0ZPRE5ON0VYQU1QTEU="


def test_file_without_a_single_json_line_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "th.jsonl"
    path.write_text("this is\nnot json lines\n", encoding="utf-8")
    with pytest.raises(MalformedReport, match="no line of the file is JSON"):
        parse_file(path, format_name="trufflehog")


def test_trufflehog_v2_lines_are_not_taken_for_v3(tmp_path: Path) -> None:
    v2 = {
        "branch": "origin/main",
        "commit": "Add settings\n",
        "commitHash": "a" * 40,
        "date": "2021-01-30 19:50:09",
        "diff": "+password = 'x'",
        "path": "settings.py",
        "printDiff": "+password = 'x'",
        "reason": "High Entropy",
        "stringsFound": ["x"],
    }
    path = tmp_path / "v2.jsonl"
    path.write_text(json.dumps(v2) + "\n", encoding="utf-8")
    # truffleHog 2.x lines have their own format (trufflehog-v2), not this one
    assert parse_file(path).format == "trufflehog-v2"


def test_log_lines_are_ignored_and_give_the_version(tmp_path: Path) -> None:
    log = {
        "level": "info-0",
        "logger": "trufflehog",
        "msg": "finished scanning",
        "trufflehog_version": "3.78.0",
    }
    path = tmp_path / "th.jsonl"
    path.write_text(_line() + "\n" + json.dumps(log) + "\n", encoding="utf-8")
    parsed = parse_file(path)
    assert len(parsed.findings) == 1
    assert parsed.ctx.skipped == 0
    assert parsed.warnings == []
    assert parsed.ctx.tool_version == "3.78.0"
    assert parsed.ctx.extra["log_lines"] == "1"
