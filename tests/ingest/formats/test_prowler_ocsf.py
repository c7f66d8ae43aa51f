"""Prowler OCSF JSON: files that cannot be read, and detection of keyless documents."""

from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import SAMPLES, parse_file


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_truncated_report_is_malformed(tmp_path: Path) -> None:
    text = (SAMPLES / "prowler-ocsf" / "many.json").read_text(encoding="utf-8")
    path = _write(tmp_path, "cut.ocsf.json", text[: len(text) // 2])
    with pytest.raises(MalformedReport, match=r"invalid JSON after record \d"):
        parse_file(path)


def test_top_level_object_is_malformed(tmp_path: Path) -> None:
    path = _write(tmp_path, "report.ocsf.json", '{"findings": []}')
    with pytest.raises(MalformedReport, match="expected a JSON array at the top level"):
        parse_file(path, format_name="prowler-ocsf")


def test_empty_array_is_claimed_only_for_ocsf_file_names(tmp_path: Path) -> None:
    assert parse_file(_write(tmp_path, "scan.ocsf.json", "[]")).format == "prowler-ocsf"
    # Prowler v3's own JSON format is another format: its `[]` must not be taken for OCSF
    assert parse_file(_write(tmp_path, "prowler-output.json", "[]")).format == "prowler-v3"


def test_placeholder_finding_uid_is_not_a_fingerprint() -> None:
    parsed = parse_file(SAMPLES / "prowler-ocsf" / "placeholders.json")
    assert [f.tool_fingerprint for f in parsed.findings] == [None, None]
    assert all(f.asset_key is None for f in parsed.findings)
    assert parsed.ctx.tool_version is None
