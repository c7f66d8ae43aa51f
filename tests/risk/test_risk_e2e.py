"""Risk end to end: imports are scored, context and policy changes re-score (audited), the
explanation reads back, human triage is never touched."""

import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.assets import service as assets_service
from aspm.assets.models import Asset
from aspm.audit.models import AuditEvent
from aspm.cli import app
from aspm.db.session import unit_of_work
from aspm.findings.models import Finding, RiskExplanation
from aspm.risk import service as risk_service
from aspm.risk.policy import DEFAULT_POLICY_PATH, load_file
from aspm.risk.scoring import Explanation, multiply_back
from aspm.risk.service import context_rescorer
from aspm.settings import get_settings
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes
from tests.risk.helpers import ASSETS_YAML, explanation, sarif, trufflehog

AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"
GENERIC = "k3y-" + "9f8e7d6c5b4a39281706"


def _findings(sessions: sessionmaker[Session]) -> list[tuple[Finding, str]]:
    with unit_of_work(sessions) as session:
        rows = session.execute(
            select(Finding, Asset.name)
            .join(Asset, Asset.id == Finding.asset_id)
            .order_by(Finding.risk_score.desc(), Finding.path)
        ).all()
        return [(f, name) for f, name in rows]


def _declare_and_import(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        assets_service.apply(
            session,
            yaml_text=ASSETS_YAML,
            source="assets.yaml",
            rescore=context_rescorer(actor="t"),
        )
    report = sarif(
        [
            ("CKV_AWS_19", "envs/dev/s3.tf", "bucket not encrypted"),
            ("CKV_AWS_19", "envs/prod/s3.tf", "bucket not encrypted"),
        ]
    )
    assert ingest_bytes(sessions, report, filename="c.sarif", asset=None).status == "ok"


def test_same_misconfiguration_ranks_prod_internet_pci_above_dev_sandbox(
    sessions: sessionmaker[Session],
) -> None:
    _declare_and_import(sessions)
    (prod, prod_asset), (dev, dev_asset) = _findings(sessions)
    assert (prod_asset, dev_asset) == ("acme/payments-prod", "acme/sandbox-dev")
    assert prod.severity == dev.severity == "high"
    # r = 8 x internet 1.25 x prod 1.1 x restricted (pci) 1.2 x tier 1 1.15 = 15.18, no cap:
    # 100 x ln(16.18) / ln(36.27) = 77.5; high, internet-facing, high value: P2 (P1 is rarer)
    assert (prod.risk_score, prod.priority) == (78, "P2")
    # r = 8 x internal 1.0 x dev 0.6 x public 0.8 x tier 3 0.85 = 3.26 -> 40.4; high: P3
    assert (dev.risk_score, dev.priority) == (40, "P3")
    assert prod.sla_due_at is not None
    assert dev.sla_due_at is not None
    assert (prod.sla_due_at - prod.first_seen_at).days == 30
    assert (dev.sla_due_at - dev.first_seen_at).days == 90
    assert prod.risk_policy_version == load_file().version
    factors = {e["factor"]: e for e in explanation(sessions, prod)}
    assert factors["data_sensitivity"]["value"] == "restricted"
    assert "pci" in factors["data_sensitivity"]["source"]
    policy = load_file()
    for finding, _ in ((prod, ""), (dev, "")):
        items = tuple(Explanation(**e) for e in explanation(sessions, finding))
        assert multiply_back(policy, items) == finding.risk_score


def test_verified_aws_key_ranks_above_unverified_generic_secret(
    sessions: sessionmaker[Session],
) -> None:
    verified = trufflehog("AWS", AWS_KEY, verified=True, file="deploy/aws.env")
    assert ingest_bytes(sessions, verified, filename="th.jsonl").status == "ok"
    generic = gitleaks_report(gitleaks_leak(GENERIC, file="app/config.py"))
    assert ingest_bytes(sessions, generic, filename="gl.json").status == "ok"
    (top, _), (low, _) = _findings(sessions)
    assert top.path == "deploy/aws.env"
    assert top.risk_score is not None
    assert low.risk_score is not None
    assert top.risk_score > low.risk_score
    assert top.priority == "P2"  # exploited (a verified live secret), exposure not known
    exploit = [e for e in explanation(sessions, top) if e["factor"] == "exploitability"]
    assert exploit
    assert exploit[0]["value"] == "verified live secret"
    assert not [e for e in explanation(sessions, low) if e["factor"] == "exploitability"]


def test_verified_secret_in_a_dev_repo_is_at_least_p2(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        assets_service.apply(
            session,
            yaml_text="assets:\n  - name: acme/toy\n    environment: dev\n    exposure: isolated\n",
            source="a.yaml",
            rescore=context_rescorer(actor="t"),
        )
    verified = trufflehog("AWS", AWS_KEY, verified=True)
    assert ingest_bytes(sessions, verified, filename="th.jsonl", asset="acme/toy").status == "ok"
    ((finding, _),) = _findings(sessions)
    assert finding.priority == "P2"
    decision = explanation(sessions, finding)[-1]
    assert (decision["factor"], decision["value"]) == ("decision", "P2")
    assert decision["source"].endswith("exploited (a verified live secret or known exploited)")


def test_context_change_rescores_audits_and_leaves_triage_alone(
    sessions: sessionmaker[Session],
) -> None:
    _declare_and_import(sessions)
    dev = _findings(sessions)[1][0]
    with unit_of_work(sessions) as session:
        session.execute(
            update(Finding).where(Finding.id == dev.id).values(triage_state="confirmed")
        )
    promoted = ASSETS_YAML.replace("environment: dev", "environment: prod").replace(
        "exposure: internal", "exposure: internet"
    )
    with unit_of_work(sessions) as session:
        result = assets_service.apply(
            session, yaml_text=promoted, source="a.yaml", rescore=context_rescorer(actor="lead")
        )
    assert result.updated == ["acme/sandbox-dev"]
    assert result.rescored == 1
    after = next(f for f, _ in _findings(sessions) if f.id == dev.id)
    assert after.triage_state == "confirmed"
    assert after.risk_score is not None
    assert dev.risk_score is not None
    assert after.risk_score > dev.risk_score
    with unit_of_work(sessions) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "asset_context_changed")
        ).one()
    assert (event.actor, event.details["rescored"]) == ("lead", 1)


def test_toxic_combination_names_the_finding_that_shows_the_resource_public(
    sessions: sessionmaker[Session],
) -> None:
    def check(check_id: str, name: str) -> dict[str, object]:
        return {
            "check_id": check_id, "check_name": name,
            "check_result": {"result": "FAILED"}, "file_path": "/s3.tf",
            "file_line_range": [1, 3], "resource": "aws_s3_bucket.data", "severity": "MEDIUM",
        }  # fmt: skip

    report = {
        "check_type": "terraform",
        "results": {
            "passed_checks": [],
            "failed_checks": [
                check("CKV_AWS_20", "S3 Bucket has an ACL defined which allows public READ access"),
                check("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning"),
            ],
        },
        "summary": {"passed": 0, "failed": 2},
    }
    data = json.dumps(report).encode()
    assert ingest_bytes(sessions, data, filename="checkov.json").status == "ok"
    by_title = {f.title[:20]: f for f, _ in _findings(sessions)}
    public = next(f for t, f in by_title.items() if "public" in t.lower() or "ACL" in t)
    other = next(f for f in by_title.values() if f.id != public.id)
    exposure = next(e for e in explanation(sessions, other) if e["factor"] == "exposure")
    assert exposure["value"] == "internet"
    assert str(public.id) in exposure["source"]
    # a finding does not expose itself: its exposure stays unknown (neutral, not stored)
    assert not [e for e in explanation(sessions, public) if e["factor"] == "exposure"]
    # fixing the public ACL takes the internet factor away on the next full import
    report["results"]["failed_checks"] = report["results"]["failed_checks"][1:]  # type: ignore[index]
    data = json.dumps(report).encode()
    assert ingest_bytes(sessions, data, filename="checkov.json").status == "ok"
    again = next(f for f, _ in _findings(sessions) if f.id == other.id)
    assert not [e for e in explanation(sessions, again) if e["factor"] == "exposure"]


def test_policy_change_through_api_rescores_everything_and_is_audited(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    _declare_and_import(sessions)
    text = DEFAULT_POLICY_PATH.read_text()
    text = text.replace("version: ranked-2026.12", "version: strict-1").replace(
        "  info: 0.0\n", "  info: 1.0\n"
    ).replace("  dev: 0.6\n", "  dev: 0.9\n")  # fmt: skip
    put = client.put("/api/v1/risk/policy", json={"yaml": text})
    assert put.status_code == 200, put.text
    assert (put.json()["selected"], put.json()["updated"]) == (2, 1)
    (prod, _), (dev, _) = _findings(sessions)
    assert dev.risk_score == 49  # r = 8 x 0.9 x 0.8 x 0.85 = 4.896 -> 49.4
    assert dev.risk_policy_version == "strict-1"
    # the prod finding's result is the same under both policies: it is not rewritten, and
    # keeps the version that produced it
    assert (prod.risk_score, prod.risk_policy_version) == (78, "ranked-2026.12")
    got = client.get("/api/v1/risk/policy").json()
    assert (got["version"], got["source"]) == ("strict-1", "api")
    with unit_of_work(sessions) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "risk_policy_applied")
            .order_by(AuditEvent.id.desc())
        ).first()  # fmt: skip
    assert event is not None
    assert (event.from_value, event.to_value) == ("ranked-2026.12", "strict-1")
    assert event.actor == "user:admin-test"  # the signed-in person, not "api"
    bad = client.put("/api/v1/risk/policy", json={"yaml": text.replace("dev: 0.9", "dev: 1.5")})
    assert bad.status_code == 422
    assert "environment multipliers must not decrease" in bad.json()["detail"]
    bad = client.put("/api/v1/risk/policy", json={"yaml": text.replace("  low: 2.5", "  low: x")})
    assert bad.status_code == 422
    assert "risk policy:11: severity.low" in bad.json()["detail"]
    reset = client.delete("/api/v1/risk/policy")
    assert reset.status_code == 200
    assert {f.risk_policy_version for f, _ in _findings(sessions)} == {"ranked-2026.12"}
    assert _findings(sessions)[1][0].risk_score == 40


def test_explanation_in_words_through_api(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    _declare_and_import(sessions)
    top = _findings(sessions)[0][0]
    detail = client.get(f"/api/v1/findings/{top.id}").json()
    assert detail["priority"] == "P2"
    texts = [f["text"].lower() for f in detail["risk_explanation"]]
    assert any("reachable from the internet" in t for t in texts)
    assert any("in production" in t for t in texts)
    explained = client.get(f"/api/v1/risk/findings/{top.id}").json()
    assert explained["summary"][-1].startswith("Risk 78/100, priority P2, fix by")
    assert client.get(f"/api/v1/risk/findings/{uuid.uuid4()}").status_code == 404
    listed = client.get("/api/v1/findings", params={"sort": "risk"}).json()["items"]
    assert [i["priority"] for i in listed] == ["P2", "P3"]


def test_reimport_keeps_scores(sessions: sessionmaker[Session]) -> None:
    _declare_and_import(sessions)
    before = {f.id: (f.risk_score, f.sla_due_at) for f, _ in _findings(sessions)}
    report = sarif(
        [
            ("CKV_AWS_19", "envs/dev/s3.tf", "bucket not encrypted"),
            ("CKV_AWS_19", "envs/prod/s3.tf", "bucket not encrypted"),
        ]
    )
    assert ingest_bytes(sessions, report, filename="c.sarif", asset=None).status == "ok"
    assert {f.id: (f.risk_score, f.sla_due_at) for f, _ in _findings(sessions)} == before


def test_cli_findings_explain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        path = tmp_path / "th.jsonl"
        path.write_bytes(trufflehog("AWS", AWS_KEY, verified=True))
        assert runner.invoke(app, ["ingest", str(path), "--asset", "acme/x"]).exit_code == 0
        listed = json.loads(runner.invoke(app, ["findings", "list", "--json"]).stdout)
        fid = listed[0]["id"]
        result = runner.invoke(app, ["findings", "explain", fid[:8]])
        assert result.exit_code == 0, result.output
        assert "verified live secret" in result.output
        assert "priority P2" in result.output
        assert "Not known for asset acme/x, so neutral" in result.output
        as_json = json.loads(runner.invoke(app, ["findings", "explain", fid, "--json"]).stdout)
        assert as_json["priority"] == "P2"
        assert AWS_KEY not in result.output
        policy = tmp_path / "p.yaml"
        mine = DEFAULT_POLICY_PATH.read_text().replace("ranked-2026.12", "mine-2")
        policy.write_text(mine.replace("verified_secret: 1.3", "verified_secret: 1.2"))
        applied = runner.invoke(app, ["risk", "apply", str(policy)])
        assert applied.exit_code == 0, applied.output
        assert "mine-2: 1 findings evaluated, 1 changed" in applied.output
    finally:
        get_settings.cache_clear()


def test_policy_change_scores_findings_that_were_never_scored(
    sessions: sessionmaker[Session],
) -> None:
    _declare_and_import(sessions)
    with unit_of_work(sessions) as session:
        session.execute(update(Finding).values(risk_score=None, risk_key=None))
        session.execute(delete(RiskExplanation))
    text = DEFAULT_POLICY_PATH.read_text().replace("ranked-2026.12", "same-numbers")
    with unit_of_work(sessions) as session:
        result = risk_service.set_policy(session, yaml_text=text, actor="t")
    assert (result.selected, result.updated) == (2, 2)
    assert [f.risk_score for f, _ in _findings(sessions)] == [78, 40]


def test_score_import_with_nothing_selected_is_cheap(session: Session) -> None:
    risk_service.current_policy(session)
    result = risk_service.score_import(session, run_id=uuid.uuid4(), affected=[])
    assert result.updated == 0


def test_scores_written_during_an_import_equal_a_full_rescore(
    sessions: sessionmaker[Session],
) -> None:
    """New findings are scored in Python as they are written; the set-based pass must agree."""
    _declare_and_import(sessions)
    leak = trufflehog("AWS", AWS_KEY, verified=True)
    assert ingest_bytes(sessions, leak, filename="t.jsonl", asset=None).status == "ok"
    with unit_of_work(sessions) as session:
        result = risk_service.rescore_all(session)
    assert result.selected >= 3
    assert result.updated == 0


def test_reading_the_policy_never_puts_a_changed_file_in_force(
    client: TestClient, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Issue 18: a read (GET /risk/policy, an import's scoring) leaves the policy in force alone;
    a changed policy file takes effect at start-up (sync_file) or by `aspm risk apply`."""
    _declare_and_import(sessions)
    changed = tmp_path / "policy.yaml"
    changed.write_text(DEFAULT_POLICY_PATH.read_text().replace("ranked-2026.12", "edited-1"))
    with unit_of_work(sessions) as session:
        before = _applied(session)
        got = risk_service.get_policy(session, path=changed)
        assert got.version == "ranked-2026.12"
        pol, applied = risk_service.current_policy(session, path=changed)
        assert (pol.version, applied) == ("ranked-2026.12", False)
    assert client.get("/api/v1/risk/policy").json()["version"] == "ranked-2026.12"
    assert ingest_bytes(sessions, sarif([("CKV_AWS_19", "x/s3.tf", "b")]), filename="c.sarif")
    with unit_of_work(sessions) as session:
        assert _applied(session) == before  # nothing was put in force by the reads or import
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "risk_policy_applied",
                                     AuditEvent.to_value == "edited-1")
        ).first()  # fmt: skip
        assert risk_service.sync_file(session, path=changed, actor="system:startup")
        assert not risk_service.sync_file(session, path=changed)  # applied once
    assert {f.risk_policy_version for f, _ in _findings(sessions)} <= {"ranked-2026.12", "edited-1"}
    assert client.get("/api/v1/risk/policy").json()["version"] == "edited-1"
    # a policy set through the API is not replaced by the file at start-up
    text = DEFAULT_POLICY_PATH.read_text().replace("ranked-2026.12", "via-api")
    assert client.put("/api/v1/risk/policy", json={"yaml": text}).status_code == 200
    with unit_of_work(sessions) as session:
        assert not risk_service.sync_file(session, path=changed)
    assert client.get("/api/v1/risk/policy").json()["version"] == "via-api"


def _applied(session: Session) -> int:
    stmt = select(func.count()).where(AuditEvent.action == "risk_policy_applied")
    return int(session.scalar(stmt) or 0)
