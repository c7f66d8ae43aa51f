"""Prowler 3.x JSON: identity, and files that cannot be read."""

import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import SAMPLES, parse_file


def test_empty_finding_unique_id_leaves_identity_to_the_resource() -> None:
    findings = parse_file(SAMPLES / "prowler-v3" / "many.json").findings
    imds = next(f for f in findings if f.rule_id == "ec2_instance_imdsv2_enabled")
    assert imds.tool_fingerprint is None
    assert imds.location.resource == "i-0123456789abcdef0"
    assert (imds.location.account_id, imds.location.region) == ("444455556666", "eu-central-1")


def test_finding_unique_id_is_the_fingerprint() -> None:
    (finding,) = parse_file(SAMPLES / "prowler-v3" / "one.json").findings
    assert finding.tool_fingerprint == (
        "prowler-aws-s3_bucket_public_access-444455556666-eu-central-1-acme-public"
    )
    assert finding.tool == "prowler"


def test_truncated_report_is_malformed(tmp_path: Path) -> None:
    text = (SAMPLES / "prowler-v3" / "many.json").read_text(encoding="utf-8")
    path = tmp_path / "prowler-output.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(MalformedReport, match=r"invalid JSON after record \d"):
        parse_file(path)


def test_top_level_object_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "prowler-output.json"
    path.write_text(json.dumps({"findings": []}), encoding="utf-8")
    with pytest.raises(MalformedReport, match="expected a JSON array at the top level"):
        parse_file(path, format_name="prowler-v3")
