"""Prowler 4.x+ CSV: rows streamed by column name, and files that cannot be read."""

from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import SAMPLES, parse_file


def test_columns_are_found_by_name_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "prowler.csv"
    path.write_text(
        "STATUS;SEVERITY;CHECK_ID;FINDING_UID;PROVIDER;ACCOUNT_UID;REGION;RESOURCE_UID;MUTED\n"
        "FAIL;low;iam_no_root_access_key;prowler-aws-iam_no_root_access_key-1-us-east-1-root;"
        "aws;1;us-east-1;arn:aws:iam::1:root;False\n",
        encoding="utf-8",
    )
    parsed = parse_file(path)
    assert parsed.format == "prowler-csv"
    (finding,) = parsed.findings
    assert finding.rule_id == "iam_no_root_access_key"
    assert finding.tool_fingerprint == "prowler-aws-iam_no_root_access_key-1-us-east-1-root"
    assert finding.asset_key == "aws:1"


def test_header_without_check_columns_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "prowler.csv"
    path.write_text("A;B;C\n1;2;3\n", encoding="utf-8")
    with pytest.raises(MalformedReport, match="no CHECK_ID, STATUS column"):
        parse_file(path, format_name="prowler-csv")


def test_invalid_utf8_is_malformed(tmp_path: Path) -> None:
    header = (SAMPLES / "prowler-csv" / "empty.csv").read_bytes()
    path = tmp_path / "prowler.csv"
    path.write_bytes(header + b"x;\xff\xfe\xfa;FAIL\n")
    with pytest.raises(MalformedReport):
        parse_file(path)


def test_header_only_file_is_an_empty_report() -> None:
    parsed = parse_file(SAMPLES / "prowler-csv" / "empty.csv")
    assert (parsed.format, parsed.findings, parsed.ctx.tools) == ("prowler-csv", [], {"prowler"})
