"""Terraform plan JSON: inventory, relations, drift findings and their identity."""

import io
import json
from typing import Any

from aspm.common.severity import Severity
from aspm.ingest.contract import Category, ParseContext, RawFinding
from aspm.ingest.formats.terraform_plan import TerraformPlanIngestor
from tests.ingest.harness import CORPUS, SAMPLES, parse_file

PLAN = TerraformPlanIngestor()


def _parse(doc: dict[str, Any]) -> tuple[list[RawFinding], ParseContext]:
    ctx = ParseContext(warn=lambda _m: None)
    return list(PLAN.parse(io.BytesIO(json.dumps(doc).encode()), ctx)), ctx


def _drift(before: dict[str, Any], after: dict[str, Any], **extra: Any) -> dict[str, Any]:
    entry = {
        "address": "aws_s3_bucket_public_access_block.logs",
        "mode": "managed",
        "type": "aws_s3_bucket_public_access_block",
        "name": "logs",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["update"], "before": before, "after": after},
        **extra,
    }
    return {"format_version": "1.2", "resource_drift": [entry]}


def test_sniff_takes_plans_and_not_states() -> None:
    assert PLAN.sniff(b'{"format_version":"1.2","planned_values":{}}', "x.json")
    assert not PLAN.sniff(b'{"format_version":"1.0","terraform_version":"1.5","values":{}}', "x")
    assert not PLAN.sniff(b'{"version": 4, "terraform_version": "1.5.0"}', "x")


def test_drift_is_one_finding_per_attribute_group_with_stable_identity() -> None:
    parsed = parse_file(SAMPLES / "terraform-plan" / "one.json")
    by_rule = {f.rule_id: f for f in parsed.findings}
    assert set(by_rule) == {"drift-network-exposure", "drift-tags"}  # tags + tags_all: one
    assert by_rule["drift-network-exposure"].severity is Severity.CRITICAL  # 0.0.0.0/0 newly
    assert by_rule["drift-tags"].severity is Severity.LOW
    network = by_rule["drift-network-exposure"]
    assert network.category is Category.DRIFT
    assert network.tool == "terraform"
    assert network.tool_fingerprint == (
        'drift|module.web["eu"].aws_security_group.web|network-exposure'
    )
    assert network.location.account_id == "111122223333"


def test_resources_relations_follow_configuration_references_in_their_module_instance() -> None:
    parsed = parse_file(SAMPLES / "terraform-plan" / "one.json")
    assert parsed.ctx.inventory_complete is False
    app = next(r for r in parsed.ctx.resources if r.type == "aws_instance")
    assert app.address == 'module.web["eu"].aws_instance.app[0]'
    assert ("security_group", 'module.web["eu"].aws_security_group.web') in app.relations
    assert ("security_group", "sg-0abc") not in app.relations  # named by address instead
    assert ("subnet", "subnet-01") in app.relations


def test_public_access_block_turned_off_is_critical() -> None:
    on = {"block_public_acls": True, "restrict_public_buckets": True}
    off = {"block_public_acls": False, "restrict_public_buckets": True}
    findings, _ = _parse(_drift(on, off))
    assert [f.severity for f in findings] == [Severity.CRITICAL]
    findings, _ = _parse(_drift(off, on))  # turned back on: still drift, not critical
    assert [f.severity for f in findings] == [Severity.HIGH]


def test_values_marked_sensitive_are_redacted_but_the_drift_is_reported() -> None:
    doc = _drift({"policy": "old-secret"}, {"policy": "new-secret"})
    doc["resource_drift"][0]["change"]["before_sensitive"] = {"policy": True}
    doc["resource_drift"][0]["change"]["after_sensitive"] = {"policy": True}
    findings, _ = _parse(doc)
    assert len(findings) == 1
    assert "secret" not in findings[0].description
    assert "redacted" in findings[0].description


def test_identity_ignores_values_and_follows_moved_blocks() -> None:
    first, _ = _parse(_drift({"block_public_acls": True}, {"block_public_acls": False}))
    again, _ = _parse(_drift({"block_public_acls": True}, {"block_public_acls": None}))
    assert first[0].tool_fingerprint == again[0].tool_fingerprint
    moved = parse_file(CORPUS / "terraform-plan" / "terraform-1.5.7-show-json-moved-drift.json")
    (finding,) = moved.findings
    assert finding.tool_fingerprint == "drift|test_instance.should_refresh_with_move|ami"
    assert "test_instance.should_refresh" in finding.description


def test_resource_deleted_outside_terraform_is_one_finding() -> None:
    doc = _drift({"id": "logs"}, None)  # type: ignore[arg-type]
    doc["resource_drift"][0]["change"]["actions"] = ["delete"]
    findings, _ = _parse(doc)
    assert [f.rule_id for f in findings] == ["drift-deleted"]
    assert findings[0].severity is Severity.HIGH  # a public access block: exposure type


def test_prior_state_wins_over_planned_values_and_data_sources_are_skipped() -> None:
    resource = {
        "address": "aws_s3_bucket.b",
        "mode": "managed",
        "type": "aws_s3_bucket",
        "name": "b",
        "provider_name": "registry.terraform.io/hashicorp/aws",
    }
    data = {**resource, "address": "data.aws_s3_bucket.b", "mode": "data"}
    doc = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [{**resource, "values": {}}, data]}},
        "prior_state": {
            "values": {
                "root_module": {
                    "resources": [{**resource, "values": {"arn": "arn:aws:s3:::b", "id": "b"}}]
                }
            }
        },
    }
    _, ctx = _parse(doc)
    (record,) = ctx.resources
    assert record.cloud_id == "arn:aws:s3:::b"
    assert ctx.extra["data_sources"] == "1"
