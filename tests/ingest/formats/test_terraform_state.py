"""Terraform state: one record per instance, identity, facts, and what is refused."""

import io
import json

import pytest

from aspm.ingest.contract import MalformedReport, ParseContext
from aspm.ingest.formats.terraform_state import TerraformStateIngestor
from tests.ingest.harness import SAMPLES, parse_file

STATE = TerraformStateIngestor()


def test_module_instances_are_separate_resources_with_arn_identity() -> None:
    parsed = parse_file(SAMPLES / "terraform-state" / "one.tfstate")
    assert parsed.ctx.inventory_complete is True
    assert parsed.findings == []
    by_address = {r.address: r for r in parsed.ctx.resources}
    backend = by_address['module.vm["backend"].aws_instance.this[0]']
    assert 'module.vm["frontend"].aws_instance.this[0]' in by_address
    assert (backend.account_id, backend.region) == ("111122223333", "eu-west-1")
    assert ("security_group", "aws_security_group.web") in backend.relations
    assert ("env", "prod") in backend.tags
    sg = by_address["aws_security_group.web"]
    assert ("ingress", "tcp/443 0.0.0.0/0") in sg.facts
    assert ("public", "true") in sg.facts
    assert parsed.ctx.extra["data_sources"] == "1"
    assert len(parsed.ctx.resources) == 4


def test_state_version_3_is_refused_with_a_way_forward() -> None:
    ctx = ParseContext(warn=lambda _m: None)
    doc = {"version": 3, "terraform_version": "0.11.14", "serial": 1, "modules": []}
    with pytest.raises(MalformedReport, match="terraform show -json"):
        list(STATE.parse(io.BytesIO(json.dumps(doc).encode()), ctx))


def test_sniff_takes_states_and_not_plans() -> None:
    assert STATE.sniff(b'{\n  "version": 4,\n  "terraform_version": "1.9.5",', "x")
    assert STATE.sniff(b'{"format_version":"1.0","terraform_version":"1.5.0","values":{}}', "x")
    assert STATE.sniff(b'{"format_version":"1.0"}', "x")
    assert not STATE.sniff(b'{"format_version":"1.2","planned_values":{}}', "x")
