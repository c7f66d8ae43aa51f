"""Context a report carries (resource tags, ASFF Criticality, OCSF data classification, KEV, EPSS)
fills in what the asset does not declare, and the explanation names the report as the source."""

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.db.session import unit_of_work
from aspm.findings.models import Finding
from aspm.risk import service as risk_service
from aspm.risk.context import decode, encode, facts_from_pairs, pairs_text
from aspm.risk.policy import DEFAULT_POLICY_PATH, load_file
from aspm.risk.repository import Signature
from aspm.risk.scoring import Explanation, multiply_back, score
from aspm.risk.service import _inputs, context_rescorer
from tests.factories import ingest_bytes
from tests.risk.helpers import curved, explanation

ACCOUNT = "111122223333"


def _asff(resource: str, *, tags: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "SchemaVersion": "2018-10-08",
        "Id": f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:finding/{resource}",
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "ProductName": "Security Hub",
        "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/S3.1",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "CreatedAt": "2024-05-01T08:00:00.000Z",
        "UpdatedAt": "2024-06-01T08:00:00.000Z",
        "Severity": {"Label": "HIGH"},
        "Title": "S3 general purpose buckets should block public access",
        "Description": "Block public access is not enabled.",
        "ProductFields": {"ControlId": "S3.1"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": f"arn:aws:s3:::{resource}"}],
        "Compliance": {"Status": "FAILED"},
        "RecordState": "ACTIVE",
    }
    if tags is not None:
        record["Resources"][0]["Tags"] = tags
    record.update(extra)
    return record


def _report(*records: dict[str, Any]) -> bytes:
    return json.dumps({"Findings": list(records)}).encode()


def _by_resource(sessions: sessionmaker[Session]) -> dict[str, Finding]:
    with unit_of_work(sessions) as session:
        rows = session.scalars(select(Finding)).all()
        return {str(f.resource).rsplit(":", 1)[-1]: f for f in rows}


def _factor(sessions: sessionmaker[Session], finding: Finding, name: str) -> dict[str, Any]:
    found = [e for e in explanation(sessions, finding) if e["factor"] == name]
    assert found, f"no {name} factor in {explanation(sessions, finding)}"
    return found[0]


def test_asff_prod_tag_and_criticality_rank_an_unassigned_finding_above_the_dev_one(
    sessions: sessionmaker[Session],
) -> None:
    report = _report(
        _asff("prod-bucket", tags={"environment": "prod"}, Criticality=90),
        _asff("dev-bucket", tags={"environment": "dev"}),
    )
    assert ingest_bytes(sessions, report, filename="sh.json", asset=None).status == "ok"
    found = _by_resource(sessions)
    prod, dev = found["prod-bucket"], found["dev-bucket"]
    assert prod.risk_score is not None
    assert dev.risk_score is not None
    assert prod.risk_score > dev.risk_score
    env = _factor(sessions, prod, "environment")
    assert (env["value"], env["source"]) == ("prod", "report tag environment=prod")
    crit = _factor(sessions, prod, "criticality")
    assert (crit["value"], crit["source"]) == ("tier 1", "ASFF Criticality 90")
    assert _factor(sessions, dev, "environment")["source"] == "report tag environment=dev"
    # r = 8 x prod 1.1 x tier 1 1.15 = 10.12; 8 x dev 0.6 = 4.8
    assert (prod.risk_score, dev.risk_score) == (curved(8 * 1.1 * 1.15), curved(8 * 0.6))
    pol = load_file()
    for f in (prod, dev):
        assert f.context is not None
        assert f.risk_key is not None
        facts = tuple(
            (e["factor"], e["value"], e["multiplier"], e["source"])
            for e in explanation(sessions, f)
        )
        assert facts  # explanations multiply back to the score
        assert multiply_back(pol, tuple(Explanation(*e) for e in facts)) == f.risk_score


def test_declared_asset_context_wins_over_the_reports(sessions: sessionmaker[Session]) -> None:
    assets_yaml = f"""\
assets:
  - name: acme/aws-sandbox
    kind: cloud_account
    environment: dev
    exposure: internal
    match:
      accounts: ["{ACCOUNT}"]
"""
    with unit_of_work(sessions) as session:
        assets_service.apply(
            session,
            yaml_text=assets_yaml,
            source="assets.yaml",
            rescore=context_rescorer(actor="t"),
        )
    report = _report(_asff("bucket", tags={"environment": "prod"}, Criticality=90))
    assert ingest_bytes(sessions, report, filename="sh.json", asset=None).status == "ok"
    finding = _by_resource(sessions)["bucket"]
    env = _factor(sessions, finding, "environment")
    assert (env["value"], env["source"]) == ("dev", "asset acme/aws-sandbox")
    # the asset declares no criticality: the report's fills it in
    assert _factor(sessions, finding, "criticality")["source"] == "ASFF Criticality 90"


def test_epss_and_exploit_in_a_report_raise_exploitability_naming_the_source(
    sessions: sessionmaker[Session],
) -> None:
    vuln = {"Id": "CVE-2024-0001", "EpssScore": 0.93, "ExploitAvailable": "NO"}
    report = _report(
        _asff("epss-bucket", Vulnerabilities=[vuln]),
        _asff("plain-bucket"),
        _asff("low-epss-bucket", Vulnerabilities=[{"Id": "CVE-2024-0002", "EpssScore": 0.01}]),
    )
    assert ingest_bytes(sessions, report, filename="sh.json", asset=None).status == "ok"
    found = _by_resource(sessions)
    ex = _factor(sessions, found["epss-bucket"], "exploitability")
    assert (ex["value"], ex["multiplier"], ex["source"]) == (
        "EPSS 0.93",
        1.05,
        "EPSS 0.93 in the report",
    )
    assert found["epss-bucket"].risk_score == curved(8 * 1.05)
    assert found["plain-bucket"].risk_score == found["low-epss-bucket"].risk_score == curved(8)
    assert not [
        e
        for e in explanation(sessions, found["low-epss-bucket"])
        if e["factor"] == "exploitability"
    ]


def test_kev_in_the_context_scores_as_known_exploited_with_its_source() -> None:
    pol = load_file()
    raw = pairs_text((("kev", "true"), ("epss", "0.7")))
    sig = Signature(uuid.uuid4(), "high", None, 1, False, None, encode(raw))
    result = score(pol, _inputs(pol, sig, None, {}))
    (ex,) = [e for e in result.explanation if e.factor == "exploitability"]
    assert (ex.value, ex.multiplier) == ("known exploited (KEV)", pol.exploitability.kev)
    assert "KEV" in ex.source
    assert result.score == curved(8 * pol.exploitability.kev)
    assert result.priority == "P2"  # known exploited: "exploited" in the decision table


def test_policy_change_keeps_report_context_and_rewrites_only_what_changes(
    sessions: sessionmaker[Session],
) -> None:
    report = _report(
        _asff("staging-bucket", tags={"Environment": "Staging"}),
        _asff("untagged-bucket"),
    )
    assert ingest_bytes(sessions, report, filename="sh.json", asset=None).status == "ok"
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    # (a change below each factor's largest multiplier leaves the curve's top where it is)
    text = text.replace("version: ranked-2026.12", "version: staging-up").replace(
        "  staging: 0.9\n", "  staging: 0.95\n"
    )
    with unit_of_work(sessions) as session:
        result = risk_service.set_policy(session, yaml_text=text, actor="t")
    assert (result.selected, result.updated) == (2, 1)
    found = _by_resource(sessions)
    staging = found["staging-bucket"]
    assert (staging.risk_score, staging.risk_policy_version) == (curved(8 * 0.95), "staging-up")
    env = _factor(sessions, staging, "environment")
    assert (env["multiplier"], env["source"]) == (0.95, "report tag Environment=Staging")
    assert found["untagged-bucket"].risk_policy_version == "ranked-2026.12"


def test_report_context_is_ignored_when_the_policy_has_no_report_context_section(
    sessions: sessionmaker[Session],
) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    start = text.index("report_context:")
    end = text.index("# Mission and asset value")
    text = text[:start] + text[end:]
    text = text.replace("version: ranked-2026.12", "version: no-report-context")
    with unit_of_work(sessions) as session:
        risk_service.set_policy(session, yaml_text=text, actor="t")
    report = _report(_asff("prod-bucket", tags={"environment": "prod"}, Criticality=90))
    assert ingest_bytes(sessions, report, filename="sh.json", asset=None).status == "ok"
    finding = _by_resource(sessions)["prod-bucket"]
    assert finding.risk_score == curved(8)
    assert {e["factor"] for e in explanation(sessions, finding)} == {
        "severity",
        "curve",
        "decision_points",
        "decision",
    }


def test_facts_from_tags_and_ocsf_classification() -> None:
    facts = facts_from_pairs(
        [
            ("Name", "payments"),
            ("envtype", "production"),
            ("data-classification", "pii"),
            ("ocsf:confidentiality", "Secret"),
            ("ocsf:data_category", "Personal"),
            ("epss", "0.2"),
            ("epss", "0.6"),
            ("exploit_available", "true"),
        ]
    )
    assert facts.environment is not None
    assert facts.environment.value == "prod"
    assert facts.environment.source == "report tag envtype=production"
    assert facts.data_sensitivity is not None
    assert facts.data_sensitivity.value == "restricted"
    assert [t.value for t in facts.data_tags] == ["pii"]
    assert facts.epss is not None
    assert facts.epss.value == "0.6"
    assert facts.exploit is not None
    # the stored facts text round-trips
    raw = pairs_text((("environment", "staging"), ("pci", "true")))
    assert decode(encode(raw)) == facts_from_pairs([("environment", "staging"), ("pci", "true")])
    assert encode(None) == encode(pairs_text((("Name", "x"),))) == ""


def test_ocsf_pii_classification_raises_sensitivity_of_an_unassigned_finding() -> None:
    pol = load_file()
    raw = pairs_text((("ocsf:data_category", "Personal"),))
    sig = Signature(uuid.uuid4(), "medium", None, 1, False, None, encode(raw))
    result = score(pol, _inputs(pol, sig, None, {}))
    (sens,) = [e for e in result.explanation if e.factor == "data_sensitivity"]
    assert sens.value == "confidential"  # pii -> confidential (policy data_tags)
    assert sens.source == "OCSF data classification ocsf:data_category=Personal (pii data)"
    assert result.score == curved(5.5 * 1.1)


def test_report_context_scored_at_import_equals_a_full_rescore(
    sessions: sessionmaker[Session],
) -> None:
    vuln = {"Id": "CVE-2024-0001", "EpssScore": 0.93, "ExploitAvailable": "YES"}
    report = _report(
        _asff("a", tags={"environment": "prod", "data-classification": "pii"}, Criticality=55),
        _asff("b", tags={"env": "dev"}, Vulnerabilities=[vuln]),
        _asff("c"),
    )
    assert ingest_bytes(sessions, report, filename="sh.json", asset=None).status == "ok"
    before = {
        r: (f.risk_score, f.risk_key, explanation(sessions, f))
        for r, f in _by_resource(sessions).items()
    }
    with unit_of_work(sessions) as session:
        result = risk_service.rescore_all(session)
    assert (result.selected, result.updated) == (3, 0)
    after = {
        r: (f.risk_score, f.risk_key, explanation(sessions, f))
        for r, f in _by_resource(sessions).items()
    }
    assert after == before
    assert _factor(sessions, _by_resource(sessions)["a"], "criticality")["value"] == "tier 2"
