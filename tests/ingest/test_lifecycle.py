"""Identity, de-duplication and lifecycle across imports (DESIGN §4)."""

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from aspm.audit.models import AuditEvent
from aspm.findings.models import Detection, Finding
from aspm.ingest.models import IngestRun
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes

KEY_A = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
KEY_B = "sk_live_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"
KEY_C = "xoxb-" + "1234567890-abcdefghijklmnop"


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _states(session: Session) -> dict[str, str]:
    return {f.path or "": f.detector_state for f in session.scalars(select(Finding)).all()}


def test_first_import_creates_one_finding_per_leak(
    sessions: sessionmaker[Session], session: Session
) -> None:
    result = ingest_bytes(
        sessions, gitleaks_report(gitleaks_leak(KEY_A), gitleaks_leak(KEY_B, file="b.env"))
    )
    assert result.status == "ok", result.error
    assert (result.records, result.findings, result.new, result.new_findings) == (2, 2, 2, 2)
    assert _count(session, Finding) == 2
    assert _count(session, Detection) == 2


def test_reupload_of_same_report_creates_no_new_findings(
    sessions: sessionmaker[Session], session: Session
) -> None:
    report = gitleaks_report(gitleaks_leak(KEY_A), gitleaks_leak(KEY_B, file="b.env"))
    ingest_bytes(sessions, report)
    again = ingest_bytes(sessions, report)
    assert (again.new, again.unchanged, again.resolved, again.reopened) == (0, 2, 0, 0)
    assert again.new_findings == 0
    assert _count(session, Finding) == 2
    assert _count(session, Detection) == 2
    assert _count(session, IngestRun) == 2


def test_moved_lines_and_new_commit_create_nothing_and_resolve_nothing(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A, line=3)))
    moved = ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A, line=40, commit="b" * 40)))
    assert (moved.new, moved.unchanged, moved.resolved) == (0, 1, 0)
    detection = session.scalars(select(Detection)).one()
    assert detection.start_line == 40  # display data follows the latest report


def test_duplicate_records_in_one_report_are_one_detection(
    sessions: sessionmaker[Session], session: Session
) -> None:
    result = ingest_bytes(
        sessions, gitleaks_report(gitleaks_leak(KEY_A, line=3), gitleaks_leak(KEY_A, line=9))
    )
    assert (result.findings, result.duplicates, result.new) == (2, 1, 1)
    assert _count(session, Detection) == 1


def test_full_import_resolves_what_it_no_longer_reports_and_audits_it(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A), gitleaks_leak(KEY_B, file="b")))
    later = ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A)))
    assert (later.resolved, later.resolved_findings, later.unchanged) == (1, 1, 1)
    assert _states(session) == {"config/app.env": "active", "b": "fixed"}
    fixed = session.scalars(select(Finding).where(Finding.path == "b")).one()
    assert fixed.resolved_at is not None
    event = session.scalars(select(AuditEvent).where(AuditEvent.object_id == fixed.id)).one()
    assert (event.action, event.from_value, event.to_value) == ("auto_resolved", "active", "fixed")


def test_reappearance_reopens_and_is_counted(
    sessions: sessionmaker[Session], session: Session
) -> None:
    both = gitleaks_report(gitleaks_leak(KEY_A), gitleaks_leak(KEY_B, file="b"))
    ingest_bytes(sessions, both)
    ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A)))
    back = ingest_bytes(sessions, both)
    assert (back.reopened, back.reopened_findings, back.new) == (1, 1, 0)
    finding = session.scalars(select(Finding).where(Finding.path == "b")).one()
    assert (finding.detector_state, finding.reopen_count, finding.resolved_at) == (
        "active",
        1,
        None,
    )
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == finding.id).order_by(AuditEvent.id)
    ).all()
    assert actions == ["auto_resolved", "reopened"]


def test_partial_import_never_resolves(sessions: sessionmaker[Session], session: Session) -> None:
    ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A), gitleaks_leak(KEY_B, file="b")))
    partial = ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_C)), partial=True)
    assert (partial.new, partial.resolved) == (1, 0)
    assert set(_states(session).values()) == {"active"}


def test_other_scope_is_not_resolved_by_a_full_import(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A)), scope="main")
    other = ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_B, file="b")), scope="dev")
    assert other.resolved == 0
    assert set(_states(session).values()) == {"active"}


def test_import_never_overwrites_triage_state(
    sessions: sessionmaker[Session], session: Session
) -> None:
    report = gitleaks_report(gitleaks_leak(KEY_A))
    ingest_bytes(sessions, report)
    session.execute(update(Finding).values(triage_state="false_positive"))
    session.flush()
    ingest_bytes(sessions, gitleaks_report(), fmt="gitleaks")  # an empty scan resolves
    ingest_bytes(sessions, report)  # reopens
    finding = session.scalars(select(Finding)).one()
    session.refresh(finding)
    assert (finding.triage_state, finding.detector_state, finding.reopen_count) == (
        "false_positive",
        "active",
        1,
    )


def test_unreadable_report_stores_nothing_and_records_why(
    sessions: sessionmaker[Session], session: Session
) -> None:
    result = ingest_bytes(sessions, b'[{"RuleID": "x", "Secret": "abc"', fmt="gitleaks")
    assert result.status == "error"
    assert result.error
    assert "report.json" in result.error
    assert _count(session, Finding) == 0
    assert _count(session, Detection) == 0
    run = session.scalars(select(IngestRun)).one()
    assert (run.status, run.error) == ("error", result.error)


def test_unknown_content_is_rejected_with_the_file_name(sessions: sessionmaker[Session]) -> None:
    result = ingest_bytes(sessions, b"hello, world\n", filename="notes.txt")
    assert result.status == "error"
    assert result.error
    assert "notes.txt" in result.error
    assert "format" in result.error


def test_same_leak_in_two_assets_is_two_findings(
    sessions: sessionmaker[Session], session: Session
) -> None:
    report = gitleaks_report(gitleaks_leak(KEY_A))
    ingest_bytes(sessions, report, asset="acme/one")
    second = ingest_bytes(sessions, report, asset="acme/two")
    assert second.new_findings == 1
    assert _count(session, Finding) == 2


def test_empty_report_without_asset_resolves_nothing(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ingest_bytes(sessions, gitleaks_report(gitleaks_leak(KEY_A)), asset=None)
    empty = ingest_bytes(sessions, gitleaks_report(), fmt="gitleaks", asset=None)
    assert (empty.status, empty.resolved) == ("ok", 0)
    assert set(_states(session).values()) == {"active"}


def test_report_broken_after_many_records_stores_nothing(
    sessions: sessionmaker[Session], session: Session
) -> None:
    leaks = [gitleaks_leak(f"ghp_{i:036d}", file=f"f{i}.env") for i in range(20)]
    truncated = gitleaks_report(*leaks)[:-40]  # several batches are already written by then
    result = ingest_bytes(sessions, truncated, fmt="gitleaks")
    assert result.status == "error"
    assert _count(session, Finding) == 0
    assert _count(session, Detection) == 0


def test_audited_false_positive_in_a_baseline_arrives_as_false_positive(
    sessions: sessionmaker[Session], session: Session
) -> None:
    import json

    baseline = {
        "version": "1.5.0",
        "plugins_used": [{"name": "AWSKeyDetector"}],
        "filters_used": [],
        "results": {
            "config/dev.env": [
                {
                    "type": "AWS Access Key",
                    "filename": "config/dev.env",
                    "hashed_secret": "25910f981e85ca04baf359199dd0bd4a3ae738b6",
                    "is_verified": False,
                    "line_number": 3,
                    "is_secret": False,
                },
                {
                    "type": "Secret Keyword",
                    "filename": "config/dev.env",
                    "hashed_secret": "0f3a7d1b0c7f1d2e3a4b5c6d7e8f9a0b1c2d3e4f",
                    "is_verified": False,
                    "line_number": 4,
                },
            ]
        },
        "generated_at": "2026-01-01T00:00:00Z",
    }
    result = ingest_bytes(sessions, json.dumps(baseline).encode(), filename=".secrets.baseline")
    assert (result.status, result.new) == ("ok", 2), result.error
    states = sorted(session.scalars(select(Finding.triage_state)).all())
    assert states == ["false_positive", "new"]


def test_a_secret_verified_by_a_later_scan_marks_the_finding_verified_and_raises_its_risk(
    sessions: sessionmaker[Session], session: Session
) -> None:
    line = (
        '{"SourceMetadata":{"Data":{"Filesystem":{"file":"config/.env","line":3}}},'
        '"DetectorName":"AWS","DecoderName":"PLAIN","Verified":%s,'
        '"Raw":"AKIA' + "Q7EXAMPLE3KEY0VERIFY" + '"}'
    )
    first = ingest_bytes(sessions, (line % "false").encode(), filename="th.jsonl")
    assert (first.status, first.new) == ("ok", 1), first.error
    before = session.scalars(select(Finding)).one()
    assert before.secret_verified is False
    score_before = before.risk_score
    assert score_before is not None
    again = ingest_bytes(sessions, (line % "true").encode(), filename="th.jsonl")
    assert (again.status, again.new, again.unchanged) == ("ok", 0, 1), again.error
    session.expire_all()
    after = session.scalars(select(Finding)).one()
    assert after.secret_verified is True
    assert after.risk_score is not None
    assert after.risk_score > score_before
