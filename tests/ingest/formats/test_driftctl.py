"""driftctl scan JSON: unmanaged and missing resources, deep-mode differences, alerts."""

import io
import json

from aspm.common.severity import Severity
from aspm.ingest.contract import ParseContext
from aspm.ingest.formats.driftctl import DriftctlIngestor
from tests.ingest.harness import SAMPLES, parse_file

DRIFTCTL = DriftctlIngestor()


def test_unmanaged_is_a_record_and_a_finding_missing_a_finding() -> None:
    parsed = parse_file(SAMPLES / "driftctl" / "one.json")
    (record,) = parsed.ctx.resources
    assert (record.type, record.cloud_id, record.managed) == (
        "aws_security_group",
        "sg-0hand",
        False,
    )
    rules = sorted(f.rule_id for f in parsed.findings)
    assert rules == [
        "drift-deleted",
        "drift-other",
        "drift-public-access-block",
        "drift-tags",
        "drift-unmanaged",
    ]
    assert all(f.tool == "driftctl" for f in parsed.findings)
    assert parsed.warnings == [
        "driftctl alert: aws_iam_access_key: listing aws_iam_access_key is forbidden"
    ]


def test_differences_use_the_severity_table_and_redact_credentials() -> None:
    parsed = parse_file(SAMPLES / "driftctl" / "one.json")
    by_rule = {f.rule_id: f for f in parsed.findings}
    assert by_rule["drift-public-access-block"].severity is Severity.CRITICAL
    assert by_rule["drift-tags"].severity is Severity.LOW
    assert "sample-old" not in by_rule["drift-other"].description
    assert "sample-new" not in by_rule["drift-other"].description
    fingerprint = by_rule["drift-public-access-block"].tool_fingerprint
    assert fingerprint == "drift|aws_s3_bucket_public_access_block:acme-logs|public-access-block"


def test_null_lists_and_sniff() -> None:
    doc = {"summary": {"total_resources": 0}, "managed": None, "unmanaged": None, "missing": None}
    ctx = ParseContext(warn=lambda _m: None)
    assert list(DRIFTCTL.parse(io.BytesIO(json.dumps(doc).encode()), ctx)) == []
    assert DRIFTCTL.sniff(json.dumps(doc).encode(), "x.json")
    assert not DRIFTCTL.sniff(b'{"format_version":"0.1","planned_values":{}}', "x.json")
