"""A gate policy can fail on drift: a rule selecting category drift counts the drift findings of
a Terraform plan (read by the real terraform-plan reader) like any other finding."""

import io
import json

from sqlalchemy.orm import Session

from aspm.gate import policy as gate_policy
from aspm.gate import service
from aspm.gate.schemas import GateResult
from tests.conftest import TEST_SECRET
from tests.resources import reports

POLICY = """\
version: 1
name: drift
scope: all
rules:
  - id: no-risky-drift
    description: No drift of exposure, encryption, logging, IAM or deletion protection
    when: {category: [drift], severity: [high, critical]}
    max: 0
    fix: Re-apply the Terraform configuration, or bring the change into the code.
  - id: drift-budget
    when: {category: [drift]}
    max: 1
"""


def _run(session: Session, plan: bytes, policy_text: str = POLICY) -> GateResult:
    return service.evaluate(
        session,
        reports=[service.Report("plan.json", io.BytesIO(plan))],
        loaded=gate_policy.parse(policy_text, source="gate-policy.yaml"),
        options=service.GateOptions(asset=reports.CODE_ASSET),
        hmac_key=TEST_SECRET.encode(),
        batch_size=3,
        actor="test",
    )


def _tags_only_plan() -> bytes:
    doc = json.loads(reports.drift_plan())
    change = doc["resource_drift"][0]["change"]
    change["after"] = {**change["before"], "tags": {"team": "platform", "debug": "yes"}}
    return json.dumps(doc).encode()


def _failed(result: GateResult) -> list[str]:
    return [r.rule_id for r in result.rules if r.failed]


def test_exposure_and_versioning_drift_fail_a_drift_rule(session: Session) -> None:
    result = _run(session, reports.drift_plan())
    assert not result.passed
    assert result.exit_code == 1
    assert _failed(result) == ["no-risky-drift", "drift-budget"]
    assert len(result.failing) == 2
    assert all(f.title.startswith("Drift:") for f in result.failing)
    assert all("no-risky-drift" in f.failed_rules for f in result.failing)


def test_tags_drift_stays_within_the_budget(session: Session) -> None:
    result = _run(session, _tags_only_plan())
    assert result.passed, [r.rule_id for r in result.rules if r.failed]
    assert _failed(result) == []


def test_a_rule_on_any_drift_fails_on_tags_drift_too(session: Session) -> None:
    strict = "version: 1\nname: strict\nscope: all\nrules:\n  - id: no-drift\n" + (
        "    when: {category: [drift]}\n"
    )
    result = _run(session, _tags_only_plan(), strict)
    assert _failed(result) == ["no-drift"]
    (failing,) = result.failing
    assert failing.severity == "low"
