"""detect-secrets baselines: identity from the hash, audited false positives, unreadable files."""

import dataclasses
import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport, UnsupportedFormat
from tests.ingest.harness import SAMPLES, parse_file


def _write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / ".secrets.baseline"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


def _baseline(line: int, **entry: object) -> dict[str, object]:
    secret = {
        "type": "Secret Keyword",
        "filename": "app/config.py",
        "hashed_secret": "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15",
        "is_verified": False,
        "line_number": line,
    }
    secret.update(entry)
    return {
        "version": "1.5.0",
        "plugins_used": [{"name": "KeywordDetector"}],
        "filters_used": [],
        "results": {"app/config.py": [secret]},
        "generated_at": "2024-01-01T00:00:00Z",
    }


def test_the_hash_is_the_secret_and_the_line_number_no_identity(tmp_path: Path) -> None:
    """The hash goes only to `secret`, which the pipeline turns into a keyed HMAC."""
    (first,) = parse_file(_write(tmp_path, _baseline(3))).findings
    (moved,) = parse_file(_write(tmp_path, _baseline(40))).findings
    assert first.secret == moved.secret == "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15"
    assert (first.tool_fingerprint, first.rule_id, first.location.path) == (
        moved.tool_fingerprint,
        moved.rule_id,
        moved.location.path,
    )
    assert first.tool_fingerprint is None
    assert "f1d2d2f924e986ac86fdf7b36c94bcdf32beec15" not in repr(
        dataclasses.replace(first, secret=None)
    )


def test_audited_not_a_secret_arrives_as_false_positive(tmp_path: Path) -> None:
    (finding,) = parse_file(_write(tmp_path, _baseline(3, is_secret=False))).findings
    assert finding.triage_hint == "false_positive"
    (real,) = parse_file(_write(tmp_path, _baseline(3, is_secret=True))).findings
    assert real.triage_hint is None


def test_verified_secret_is_flagged_and_critical(tmp_path: Path) -> None:
    (finding,) = parse_file(_write(tmp_path, _baseline(3, is_verified=True))).findings
    assert finding.secret_verified is True
    assert finding.severity == "critical"


def test_truncated_baseline_is_malformed(tmp_path: Path) -> None:
    text = (SAMPLES / "detect-secrets" / "many.json").read_text(encoding="utf-8")
    with pytest.raises(MalformedReport, match="invalid detect-secrets baseline JSON"):
        parse_file(_write(tmp_path, text[: len(text) * 2 // 3]), format_name="detect-secrets")


def test_top_level_array_is_malformed(tmp_path: Path) -> None:
    with pytest.raises(MalformedReport, match="a detect-secrets baseline is a JSON object"):
        parse_file(_write(tmp_path, []), format_name="detect-secrets")


def test_object_without_results_is_malformed(tmp_path: Path) -> None:
    doc = {"version": "1.5.0", "plugins_used": []}
    with pytest.raises(MalformedReport, match='no "results"'):
        parse_file(_write(tmp_path, doc), format_name="detect-secrets")


def test_results_that_are_not_an_object_are_malformed(tmp_path: Path) -> None:
    doc = {"version": "1.5.0", "plugins_used": [], "results": ["app.py"]}
    with pytest.raises(MalformedReport, match='"results" should be an object'):
        parse_file(_write(tmp_path, doc), format_name="detect-secrets")


def test_other_json_objects_are_not_detected(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat):
        parse_file(_write(tmp_path, {"results": {}, "version": "1"}))
