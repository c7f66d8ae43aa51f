"""The gate against a real database: imports through the pipeline, new vs all, baselines,
accepted risks and suppressions honoured, dry runs store nothing, evaluations recorded."""

import io
import uuid

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.all_models import Base
from aspm.errors import IngestError, InvalidInput
from aspm.findings.models import Finding
from aspm.gate import policy as gate_policy
from aspm.gate import service
from aspm.gate.models import GateEvaluation
from aspm.gate.schemas import GateResult
from tests.conftest import TEST_SECRET
from tests.factories import ingest_bytes
from tests.gate.helpers import (
    CRITICAL,
    HIGH,
    LOW,
    sarif_report,
    sarif_result,
    trufflehog_line,
    trufflehog_report,
)

pytestmark = pytest.mark.usefixtures("crown_jewels")

POLICY = """\
version: 1
name: ci
scope: all
rules:
  - id: no-p1
    when: {priority: [P1]}
    fix: Fix it or accept the risk.
  - id: high-budget
    when: {severity: [high]}
    max: 1
  - id: live-secrets
    when: {category: [secret], verified_secret: true}
"""
ASSET = "acme/gate"


def run(
    session: Session,
    *reports: bytes,
    policy_text: str = POLICY,
    **options: object,
) -> GateResult:
    loaded = gate_policy.parse(policy_text, source="gate-policy.yaml")
    opts = service.GateOptions(**{"asset": ASSET, **options})  # type: ignore[arg-type]
    return service.evaluate(
        session,
        reports=[service.Report(f"r{n}.sarif", io.BytesIO(r)) for n, r in enumerate(reports)],
        loaded=loaded,
        options=opts,
        hmac_key=TEST_SECRET.encode(),
        batch_size=3,
        actor="test",
    )


def critical(rule: str = "sql-injection", path: str = "src/db.py") -> bytes:
    return sarif_report(sarif_result(rule, level="error", score=CRITICAL, path=path, line=7))


def test_critical_finding_fails_and_says_which_rule_and_how_to_fix(session: Session) -> None:
    result = run(session, critical())
    assert not result.passed
    assert result.exit_code == 1
    assert [r.rule_id for r in result.rules if r.failed] == ["no-p1"]
    (failing,) = result.failing
    assert failing.failed_rules == ["no-p1"]
    assert failing.priority == "P1"
    assert failing.where == "src/db.py:7"
    assert "How to fix sql-injection" in failing.remediation
    assert failing.fix == ["Fix it or accept the risk."]
    assert failing.id is not None
    assert failing.accept
    assert failing.id in failing.accept
    assert session.get(Finding, uuid.UUID(failing.id)) is not None  # really imported


def test_low_findings_pass(session: Session) -> None:
    result = run(session, sarif_report(sarif_result("style", level="note", score=LOW)))
    assert result.passed
    assert result.exit_code == 0
    assert result.evaluated == 1
    assert result.failing == []


def test_threshold_counts_across_reports(session: Session) -> None:
    one = sarif_report(sarif_result("a", score=HIGH, path="a.py"))
    two = sarif_report(sarif_result("b", score=HIGH, path="b.py"), tool="bandit")
    assert run(session, one).passed
    result = run(session, one, two)
    assert not result.passed
    assert [r.rule_id for r in result.rules if r.failed] == ["high-budget"]
    assert result.failed == 2


def test_new_only_ignores_findings_the_database_already_knows(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    ingest_bytes(sessions, critical(), asset=ASSET, filename="old.sarif")
    both = sarif_report(
        sarif_result("sql-injection", level="error", score=CRITICAL, path="src/db.py", line=7),
        sarif_result("xss", level="error", score=CRITICAL, path="src/web.py"),
    )
    everything = run(session, both)
    assert everything.failed == 2
    new_only = run(session, both, new_only=True)
    assert new_only.scope == "new"
    # the second run created nothing: the first run of the gate already imported "xss"
    assert new_only.passed
    assert {i.reason for i in new_only.ignored} == {"not new"}


def test_new_only_fails_on_a_finding_first_seen_now(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    ingest_bytes(sessions, critical(), asset=ASSET, filename="old.sarif")
    both = sarif_report(
        sarif_result("sql-injection", level="error", score=CRITICAL, path="src/db.py", line=7),
        sarif_result("xss", level="error", score=CRITICAL, path="src/web.py"),
    )
    result = run(session, both, new_only=True)
    assert not result.passed
    assert [(f.where, f.new) for f in result.failing] == [("src/web.py:10", True)]


def test_baseline_compares_with_the_main_branch_scope(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    ingest_bytes(sessions, critical(), asset=ASSET, scope="main", filename="main.sarif")
    branch = sarif_report(
        sarif_result("sql-injection", level="error", score=CRITICAL, path="src/db.py", line=7),
        sarif_result("xss", level="error", score=CRITICAL, path="src/web.py"),
    )
    result = run(session, branch, branch="feature/x", baseline="main")
    assert (result.scope, result.baseline) == ("new", "main")
    assert [f.where for f in result.failing] == ["src/web.py:10"]
    # the branch import has its own scope: main's detection stays active
    main_only = run(session, critical(), branch="main", record=False)
    assert main_only.evaluated == 1


def test_baseline_in_the_policy_applies_when_no_flag_is_given(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    ingest_bytes(sessions, critical(), asset=ASSET, scope="main", filename="main.sarif")
    text = POLICY.replace("scope: all", "scope: new\nbaseline: main")
    assert run(session, critical(), policy_text=text, branch="feature/y").passed


def test_accepted_risk_and_false_positive_are_honoured(session: Session) -> None:
    first = run(session, critical())
    fid = uuid.UUID(first.failing[0].id or "")
    session.execute(update(Finding).where(Finding.id == fid).values(triage_state="accepted_risk"))
    again = run(session, critical())
    assert again.passed
    assert [(i.id, i.reason) for i in again.ignored] == [(str(fid), "accepted_risk")]
    session.execute(update(Finding).where(Finding.id == fid).values(triage_state="confirmed"))
    assert not run(session, critical()).passed


def test_suppressed_findings_are_honoured(session: Session) -> None:
    first = run(session, critical())
    fid = uuid.UUID(first.failing[0].id or "")
    session.execute(update(Finding).where(Finding.id == fid).values(suppressed=True))
    result = run(session, critical())
    assert result.passed
    assert [i.reason for i in result.ignored] == ["suppressed"]


def test_verified_secret_fails_unverified_is_counted_by_other_rules(session: Session) -> None:
    token = "ghp_" + "Q" * 36
    unverified = run(session, trufflehog_report(trufflehog_line(token, verified=False)))
    assert [r.rule_id for r in unverified.rules if r.failed] == []
    live = run(session, trufflehog_report(trufflehog_line(token, verified=True)))
    assert "live-secrets" in [r.rule_id for r in live.rules if r.failed]
    assert token not in live.model_dump_json()


def _row_counts(session: Session) -> dict[str, int]:
    return {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in Base.metadata.sorted_tables
    }


def test_dry_run_stores_nothing_but_the_evaluation(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    ingest_bytes(sessions, critical(), asset=ASSET, filename="old.sarif")
    before = _row_counts(session)
    report = sarif_report(
        sarif_result("sql-injection", level="error", score=CRITICAL, path="src/db.py", line=7),
        sarif_result("xss", level="error", score=CRITICAL, path="src/web.py"),
    )
    result = run(session, report, dry_run=True)
    assert not result.passed
    assert result.dry_run
    assert {(f.id is None, f.new) for f in result.failing} == {(True, True), (False, False)}
    after = _row_counts(session)
    assert after.pop("gate_evaluations") == before.pop("gate_evaluations") + 1
    assert after == before
    row = session.get(GateEvaluation, result.evaluation_id)
    assert row is not None
    assert (row.dry_run, row.passed, row.failed_count, row.import_ids) == (True, False, 2, [])
    existing = next(f.id for f in result.failing if f.id)
    assert row.finding_ids == [existing]  # the new one was rolled back: no id to record


def test_dry_run_on_a_new_asset_records_no_asset_id(session: Session) -> None:
    before = _row_counts(session)
    result = run(session, critical(), dry_run=True, asset="brand/new")
    row = session.get(GateEvaluation, result.evaluation_id)
    assert row is not None
    assert (row.asset_id, row.asset_name) == (None, "brand/new")
    after = _row_counts(session)
    after.pop("gate_evaluations")
    before.pop("gate_evaluations")
    assert after == before


def test_no_record_keeps_no_evaluation(session: Session) -> None:
    before = _row_counts(session)
    result = run(session, critical(), dry_run=True, record=False)
    assert result.evaluation_id is None
    assert _row_counts(session) == before


def test_evaluation_is_recorded_with_its_failing_findings(session: Session) -> None:
    result = run(session, critical(), branch="feature/z", commit="c0ffee")
    row = session.get(GateEvaluation, result.evaluation_id)
    assert row is not None
    assert (row.passed, row.failed_count, row.branch, row.commit) == (
        False, 1, "feature/z", "c0ffee",
    )  # fmt: skip
    assert row.finding_ids == [result.failing[0].id]
    assert row.failed_rules == ["no-p1"]
    assert row.asset_name == ASSET
    assert row.asset_id is not None
    assert row.policy_name == "ci"
    assert len(row.policy_digest) == 64
    assert row.import_ids == [str(result.imports[0].import_id)]
    assert row.actor == "test"


def test_unreadable_report_is_an_input_error(session: Session) -> None:
    with pytest.raises(IngestError):
        run(session, b'{"runs": [')


def test_new_only_and_baseline_exclude_each_other(session: Session) -> None:
    with pytest.raises(InvalidInput):
        run(session, critical(), new_only=True, baseline="main")


def test_sarif_of_failing_findings_is_built_on_request(session: Session) -> None:
    result = run(session, critical(), with_sarif=True, dry_run=True)
    assert result.sarif is not None
    (res,) = result.sarif["runs"][0]["results"]
    assert res["properties"]["findingId"] == "new"
    assert "Fails gate rule(s) no-p1." in res["message"]["text"]


def test_findings_hidden_by_a_suppression_rule_are_honoured(session: Session) -> None:
    first = run(session, critical())
    fid = uuid.UUID(first.failing[0].id or "")
    session.execute(
        update(Finding).where(Finding.id == fid).values(suppression_rule_id=uuid.uuid4())
    )
    result = run(session, critical())
    assert result.passed
    assert [i.reason for i in result.ignored] == ["suppressed"]


def test_an_unchanged_report_gated_again_lists_the_same_findings(session: Session) -> None:
    # a full re-import rewrites nothing; the gate must still see every finding the report lists
    first = run(session, critical())
    again = run(session, critical())
    assert (first.evaluated, again.evaluated) == (1, 1)
    assert again.failing[0].id == first.failing[0].id
    assert not again.failing[0].new


def test_findings_first_seen_on_another_branch_are_still_listed(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    # the detection belongs to the scope that saw it first (pr-1); main's gate still lists it
    ingest_bytes(sessions, critical(), asset=ASSET, scope="pr-1", filename="pr.sarif")
    result = run(session, critical(), branch="main")
    assert result.evaluated == 1
    assert not result.passed


def test_the_real_import_is_full_and_retires_what_the_report_no_longer_lists(
    session: Session,
) -> None:
    both = sarif_report(
        sarif_result("sql-injection", level="error", score=CRITICAL, path="src/db.py", line=7),
        sarif_result("style", level="note", score=LOW, path="src/a.py"),
    )
    run(session, both, branch="main")
    fixed = run(session, sarif_report(sarif_result("style", score=LOW, path="src/a.py")),
                branch="main")  # fmt: skip
    assert fixed.passed
    assert fixed.imports[0].resolved == 1
    states = session.scalars(select(Finding.detector_state).order_by(Finding.severity_rank)).all()
    assert list(states) == ["active", "fixed"]
