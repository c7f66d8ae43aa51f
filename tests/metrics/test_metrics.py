"""Each metric's definition (DESIGN.md section 8) on small hand-built data with known answers."""

import io
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.audit.models import AuditEvent
from aspm.auth.principal import SYSTEM, Principal, Role, Scope
from aspm.cli import app
from aspm.common.clock import reset_clock, set_clock
from aspm.errors import InvalidInput, NotFound, PermissionDenied
from aspm.findings.models import TriageState
from aspm.metrics import service
from aspm.metrics.models import MetricSnapshot
from aspm.metrics.schemas import MetricQuery, MetricResult
from aspm.settings import get_settings
from tests.conftest import ClientAs
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes
from tests.metrics.helpers import NOW, days_ago, make_asset, make_finding, make_scope

runner = CliRunner()


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    set_clock(lambda: NOW)
    yield
    reset_clock()


def metric(session: Session, name: str, **kw: Any) -> MetricResult:
    return service.compute(session, SYSTEM, name, MetricQuery(**kw))


def by(result: MetricResult, key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in result.rows}


@pytest.fixture
def resolved_set(session: Session) -> None:
    """high: A resolved in 10 days (late), B reopened once then resolved after 20 days (on
    time); a false positive resolved in 2 days; one still open; one resolved before the period;
    medium: C resolved in 4 days with no SLA."""
    repo = make_asset(session, "acme/api")
    make_finding(session, repo, first_seen_at=days_ago(40), detector_state="fixed",
                 resolved_at=days_ago(30), sla_due_at=days_ago(33))  # fmt: skip
    make_finding(session, repo, first_seen_at=days_ago(40), detector_state="fixed",
                 resolved_at=days_ago(20), reopen_count=1, sla_due_at=days_ago(10))  # fmt: skip
    make_finding(session, repo, first_seen_at=days_ago(40), detector_state="fixed",
                 resolved_at=days_ago(38), triage_state="false_positive")  # fmt: skip
    make_finding(session, repo, first_seen_at=days_ago(40))
    make_finding(session, repo, first_seen_at=days_ago(200), detector_state="fixed",
                 resolved_at=days_ago(150))  # fmt: skip
    make_finding(session, repo, severity="medium", priority=None, risk_score=0,
                 first_seen_at=days_ago(8), detector_state="fixed",
                 resolved_at=days_ago(4))  # fmt: skip
    service.take_snapshot(session)  # the daily flows MTTR, SLA and net resolve rate read


@pytest.mark.usefixtures("resolved_set")
def test_mttr_averages_resolved_findings_excluding_false_positives(session: Session) -> None:
    result = by(metric(session, "mttr", period="90d"), "severity")
    assert result["high"]["resolved"] == 2
    assert result["high"]["mttr_days"] == pytest.approx(15.0)  # (10 + 20) / 2, FP left out
    assert result["medium"]["mttr_days"] == pytest.approx(4.0)


@pytest.mark.usefixtures("resolved_set")
def test_mttr_of_a_reopened_finding_counts_from_its_original_first_seen(
    session: Session,
) -> None:
    result = metric(session, "mttr", period="25d", group_by="none")
    # only the reopened finding (resolved 20 days ago) and the medium one fall in 25 days
    assert result.rows == [{"resolved": 2, "mttr_days": pytest.approx(12.0)}]  # (20 + 4) / 2


@pytest.mark.usefixtures("resolved_set")
def test_mttr_by_week_puts_each_resolution_in_its_week(session: Session) -> None:
    result = metric(session, "mttr", period="90d", group_by="none", interval="week")
    assert [r["resolved"] for r in result.rows] == [1, 1, 1]  # three different weeks
    assert None not in [r["period"] for r in result.rows]


@pytest.mark.usefixtures("resolved_set")
def test_sla_compliance_is_the_share_resolved_by_their_due_date(session: Session) -> None:
    result = by(metric(session, "sla", period="90d", group_by="severity"), "severity")
    high = result["high"]
    assert (high["resolved_with_sla"], high["resolved_within_sla"]) == (2, 1)
    assert high["sla_compliance"] == pytest.approx(0.5)
    assert result["medium"]["sla_compliance"] is None  # no SLA: not counted either way


def test_sla_open_overdue_comes_from_the_latest_snapshot(session: Session) -> None:
    repo = make_asset(session, "acme/api")
    make_finding(session, repo, sla_due_at=days_ago(1))  # overdue
    make_finding(session, repo, sla_due_at=NOW + timedelta(days=5))  # on track
    make_finding(session, repo, sla_due_at=days_ago(1), triage_state="accepted_risk")
    make_finding(session, repo, sla_due_at=days_ago(1), suppressed=True)  # by the tool
    make_finding(session, repo, sla_due_at=days_ago(1), suppression_rule_id=uuid.uuid4())
    service.take_snapshot(session)
    result = metric(session, "sla", period="30d", group_by="none")
    assert result.rows[0]["open_overdue"] == 1


@pytest.mark.usefixtures("resolved_set")
def test_net_resolve_rate_is_resolved_over_created_in_the_period(session: Session) -> None:
    result = metric(session, "net_resolve_rate", period="45d", group_by="none")
    # created in 45 days: 4 (the false positive is left out); resolved: 3 (A, B, medium)
    assert result.rows == [{"created": 4, "resolved": 3, "net_resolve_rate": 0.75}]


def test_net_resolve_rate_is_empty_when_nothing_was_created(session: Session) -> None:
    repo = make_asset(session, "acme/api")
    make_finding(session, repo, first_seen_at=days_ago(100), detector_state="fixed",
                 resolved_at=days_ago(3))  # fmt: skip
    service.take_snapshot(session)
    result = metric(session, "net_resolve_rate", period="30d", group_by="none")
    assert result.rows == [{"created": 0, "resolved": 1, "net_resolve_rate": None}]


def test_coverage_is_the_share_of_assets_with_a_recent_import_per_required_family(
    session: Session,
) -> None:
    one = make_asset(session, "acme/one")
    two = make_asset(session, "acme/two")
    cloud = make_asset(session, "aws:1111", kind="cloud_account")
    make_scope(session, one, "semgrep", at=days_ago(2))
    make_scope(session, one, "gitleaks", at=days_ago(3))
    make_scope(session, two, "checkov", at=days_ago(40))  # too old for a 30-day window
    make_scope(session, cloud, "prowler", at=days_ago(1))
    rows = by(metric(session, "coverage", period="30d"), "family")
    assert {f: (r["covered_assets"], r["required_assets"]) for f, r in rows.items()} == {
        "sast": (1, 2), "secrets": (1, 2), "iac": (0, 2), "sca": (0, 2), "cspm": (1, 1),
    }  # fmt: skip
    assert rows["sast"]["coverage"] == 0.5
    assert rows["iac"]["missing"] == "acme/one, acme/two"
    wide = by(metric(session, "coverage", period="60d", families=["iac"]), "family")
    assert (wide["iac"]["covered_assets"], wide["iac"]["required_assets"]) == (1, 3)


def test_snapshot_of_today_is_replaced_and_past_days_are_kept(session: Session) -> None:
    repo = make_asset(session, "acme/api")
    first = make_finding(session, repo, risk_score=80, priority="P2")
    make_finding(session, repo, risk_score=30, priority="P4", first_seen_at=days_ago(2))
    yesterday = (NOW - timedelta(days=1)).date()
    service.take_snapshot(session, day=yesterday)
    service.take_snapshot(session)
    again = service.take_snapshot(session)
    assert again.rows == 2
    first.triage_state = TriageState.FALSE_POSITIVE
    session.flush()
    service.take_snapshot(session)

    def rows(day: object) -> dict[str, tuple[int, int]]:
        found = session.scalars(select(MetricSnapshot).where(MetricSnapshot.day == day))
        return {s.priority: (s.open_count, s.open_risk) for s in found}

    assert rows(NOW.date()) == {"P4": (1, 30)}
    assert rows(yesterday) == {"P2": (1, 80), "P4": (1, 30)}
    total = session.scalar(select(func.count()).select_from(MetricSnapshot))
    assert total == 3


def test_snapshot_of_a_past_day_counts_findings_open_at_its_end(session: Session) -> None:
    repo = make_asset(session, "acme/api")
    make_finding(session, repo, first_seen_at=days_ago(10), detector_state="fixed",
                 resolved_at=days_ago(3))  # fmt: skip
    make_finding(session, repo, first_seen_at=days_ago(2))  # not seen yet 5 days ago
    snap = service.take_snapshot(session, day=(NOW - timedelta(days=5)).date())
    assert snap.rows == 1
    row = session.scalars(select(MetricSnapshot)).one()
    assert row.open_count == 1
    with pytest.raises(InvalidInput):
        service.take_snapshot(session, day=(NOW + timedelta(days=1)).date())


def test_posture_is_a_daily_series_of_open_risk_by_priority_and_severity(
    session: Session,
) -> None:
    repo = make_asset(session, "acme/api")
    other = make_asset(session, "acme/web", owner_team="web", environment="dev")
    make_finding(session, repo, risk_score=80, priority="P2", severity="critical",
                 first_seen_at=days_ago(3))  # fmt: skip
    make_finding(session, repo, risk_score=30, priority="P4", severity="low")
    make_finding(session, other, risk_score=45, priority="P3", severity="high", team="payments")
    for back in (2, 1):
        service.take_snapshot(session, day=(NOW - timedelta(days=back)).date())
    service.take_snapshot(session)
    result = metric(session, "posture", period="7d")
    today = {r["priority"]: r for r in result.rows if r["day"] == NOW.date().isoformat()}
    assert {p: (r["open_count"], r["open_risk"]) for p, r in today.items()} == {
        "P2": (1, 80), "P3": (1, 45), "P4": (1, 30),
    }  # fmt: skip
    assert len({r["day"] for r in result.rows}) == 3
    sev = metric(session, "posture", period="1d", group_by="severity")
    assert {r["severity"]: r["open_risk"] for r in sev.rows if r["open_count"]} == {
        "critical": 80, "high": 45, "low": 30,
    }  # fmt: skip
    # the finding's own team wins over its asset's owner team
    teams = by(metric(session, "posture", period="1d", group_by="team"), "team")
    assert teams["payments"]["open_risk"] == 155
    dev = metric(session, "posture", period="1d", group_by="none", environment="dev")
    assert dev.rows[0]["open_risk"] == 45
    earlier = metric(
        session, "posture", period="2d", group_by="none", end=NOW.date() - timedelta(1)
    )
    assert [r["day"] for r in earlier.rows] == [
        (NOW - timedelta(days=d)).date().isoformat() for d in (2, 1)
    ]
    weekly = metric(session, "posture", period="14d", group_by="none", interval="week")
    assert weekly.rows[-1]["open_risk"] == 155  # the level on the last day, not a sum of days


def test_compliance_fails_controls_with_open_findings_and_passes_fixed_ones(
    session: Session,
) -> None:
    cloud = make_asset(session, "aws:1111", kind="cloud_account")
    make_finding(session, cloud, compliance=[["CIS-1.4", "2.1.1"], ["SOC2", "CC7.2"]])
    make_finding(session, cloud, compliance=[["SOC2", "CC6.1"]], detector_state="fixed",
                 resolved_at=days_ago(1))  # fmt: skip
    make_finding(session, cloud, compliance=[["HIPAA", "164.312(b)"]],
                 triage_state="false_positive")  # fmt: skip
    make_finding(session, cloud, compliance=[["ISO/IEC 27001:2022", "A.8.15"]],
                 triage_state="accepted_risk")  # fmt: skip
    service.take_snapshot(session)
    detail = metric(session, "compliance", group_by="control")
    status = {(r["family"], r["control"]): r["status"] for r in detail.rows}
    assert status == {
        ("CIS", "2.1.1"): "fail", ("SOC 2", "CC7.2"): "fail", ("SOC 2", "CC6.1"): "pass",
        ("ISO 27001", "A.8.15"): "fail",
    }  # fmt: skip
    summary = by(metric(session, "compliance"), "family")
    assert (summary["SOC 2"]["passing"], summary["SOC 2"]["failing"]) == (1, 1)
    assert summary["SOC 2"]["pass_rate"] == 0.5
    only_cis = metric(session, "compliance", group_by="control", framework="cis")
    assert [r["control"] for r in only_cis.rows] == ["2.1.1"]


def test_drift_counts_drift_findings_and_reopened_cloud_findings(session: Session) -> None:
    cloud = make_asset(session, "aws:1111", kind="cloud_account")
    make_finding(session, cloud, category="drift", first_seen_at=days_ago(3))
    reopened = make_finding(session, cloud, category="cspm", reopen_count=1)
    iac = make_finding(session, cloud, category="iac", reopen_count=1)
    for f in (reopened, iac):
        session.add(
            AuditEvent(
                at=days_ago(2),
                actor="system:ingest",
                action="reopened",
                object_type="finding",
                object_id=f.id,
                details={},
            )
        )
    session.flush()
    service.take_snapshot(session)
    result = metric(session, "drift", period="7d", group_by="none")
    assert result.rows == [{"drift_findings": 1, "cloud_regressions": 1, "drift_alerts": 2}]


def test_cloud_regressions_from_flows_match_the_audit_events(session: Session) -> None:
    """Drift reads reopened cloud findings from metric_flows (kind `regressed`) when grouped by
    a flow dimension, and from the audit events themselves otherwise: the same counts."""
    for n, team in enumerate(("red", "blue", "red")):
        asset = make_asset(session, f"aws:{n}", kind="cloud_account", owner_team=team)
        for k in range(n + 1):
            f = make_finding(session, asset, category="cspm", reopen_count=1)
            for day in (2, 2, 4 + k):  # twice on one day: counted once that day
                session.add(
                    AuditEvent(at=days_ago(day), actor="system:ingest", action="reopened",
                               object_type="finding", object_id=f.id, details={})
                )  # fmt: skip
    session.flush()
    service.take_snapshot(session)

    def total(rows: list[dict[str, Any]]) -> int:
        return sum(r["cloud_regressions"] for r in rows)

    by_team = metric(session, "drift", period="30d", group_by="team").rows
    by_asset = metric(session, "drift", period="30d", group_by="asset").rows
    overall = metric(session, "drift", period="30d", group_by="none").rows
    assert total(by_team) == total(by_asset) == total(overall) == 12  # 6 findings x 2 days
    assert {r["team"]: r["cloud_regressions"] for r in by_team} == {"red": 8, "blue": 4}


@pytest.mark.parametrize(
    ("group_by", "rows"),
    [
        ("none", [{"evaluations": 0, "failed": 0, "failing_findings": 0, "blocked_share": None}]),
        ("asset", []),
        ("finding", []),
    ],
)
def test_violations_blocked_says_plainly_when_no_gate_ran(
    session: Session, group_by: str, rows: list[dict[str, Any]]
) -> None:
    make_finding(session, make_asset(session, "acme/api"), title="never gated")
    result = metric(session, "violations_blocked", period="30d", group_by=group_by)
    assert result.rows == rows
    assert any("no gate evaluations" in n for n in result.notes)


def test_violations_blocked_counts_failed_gate_evaluations(session: Session) -> None:
    repo = make_asset(session, "acme/api")
    insert = text(
        "INSERT INTO gate_evaluations (id, evaluated_at, actor, asset_id, passed, failed_count, "
        "evaluated_count, ignored_count, finding_ids, failed_rules, policy_name, policy_digest, "
        "scope, dry_run, import_ids) VALUES (:id, :at, 'cli', :asset, :passed, :failed, 3, 0, "
        ":ids, '[]', 'default', 'x', 'new', false, '[]')"
    )
    leak = make_finding(session, repo, title="leaked key", category="secret")
    bucket = make_finding(session, repo, title="public bucket")
    is_pg = session.get_bind().dialect.name == "postgresql"
    blocking = {2: [leak.id, bucket.id], 1: [leak.id], 0: []}
    for passed, failed in ((False, 2), (False, 1), (True, 0)):
        session.execute(
            insert,
            {
                "ids": json.dumps([str(i) for i in blocking[failed]]),
                "id": uuid.uuid4() if is_pg else uuid.uuid4().hex,
                "at": days_ago(2) if is_pg else days_ago(2).replace(tzinfo=None).isoformat(" "),
                "asset": repo.id if is_pg else repo.id.hex,
                "passed": passed,
                "failed": failed,
            },
        )
    result = metric(session, "violations_blocked", period="30d", group_by="asset")
    assert result.rows == [
        {
            "asset": "acme/api",
            "evaluations": 3,
            "failed": 2,
            "failing_findings": 3,
            "blocked_share": pytest.approx(0.6667),
        }
    ]
    causes = metric(session, "violations_blocked", period="30d", group_by="finding")
    assert [(r["title"], r["blocked"]) for r in causes.rows] == [
        ("leaked key", 2),
        ("public bucket", 1),
    ]
    assert causes.rows[0]["finding_id"] == str(leak.id)


def test_bad_queries_are_refused_with_clear_errors(session: Session) -> None:
    with pytest.raises(NotFound, match="known metrics"):
        metric(session, "velocity")
    with pytest.raises(InvalidInput, match="cannot group by"):
        metric(session, "mttr", group_by="colour")
    with pytest.raises(InvalidInput, match="not a time series"):
        metric(session, "coverage", interval="week")
    with pytest.raises(InvalidInput, match="unknown tool families"):
        metric(session, "coverage", families=["dast"])


def test_a_token_without_read_scope_or_bound_elsewhere_cannot_read_metrics(
    session: Session,
) -> None:
    repo = make_asset(session, "acme/api")
    ingest_only = Principal(kind="token", id=uuid.uuid4(), name="ci", role=Role.ENGINEER,
                            scopes=frozenset({Scope.INGEST}))  # fmt: skip
    with pytest.raises(PermissionDenied):
        service.compute(session, ingest_only, "mttr", MetricQuery())
    bound = Principal(kind="token", id=uuid.uuid4(), name="ci", role=Role.VIEWER,
                      asset_ids=frozenset({repo.id}))  # fmt: skip
    with pytest.raises(PermissionDenied):
        service.compute(session, bound, "mttr", MetricQuery())
    assert service.compute(session, bound, "mttr", MetricQuery(asset="acme/api")).rows == []


def test_an_import_writes_todays_snapshot(
    sessions: sessionmaker[Session], session: Session
) -> None:
    leak = gitleaks_leak("glpat-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7")
    result = ingest_bytes(sessions, gitleaks_report(leak), asset="acme/leaky")
    assert result.status == "ok", result.error
    rows = session.scalars(select(MetricSnapshot).where(MetricSnapshot.day == NOW.date())).all()
    assert sum(r.open_count for r in rows) == 1
    # an import of another asset the same day replaces only that asset's rows
    ingest_bytes(sessions, gitleaks_report(), asset="acme/clean")
    again = session.scalars(select(MetricSnapshot).where(MetricSnapshot.day == NOW.date())).all()
    assert sum(r.open_count for r in again) == 1


def test_an_identical_reimport_leaves_todays_snapshot_and_a_changed_one_rewrites_it(
    sessions: sessionmaker[Session], session: Session
) -> None:
    leak = gitleaks_leak("glpat-" + "Zz1Yy2Xx3Ww4Vv5Uu6Tt7")
    report = gitleaks_report(leak)
    assert ingest_bytes(sessions, report, asset="acme/same").status == "ok"
    later = NOW + timedelta(hours=2)
    set_clock(lambda: later)

    def taken() -> set[Any]:
        session.expire_all()
        rows = session.scalars(select(MetricSnapshot).where(MetricSnapshot.day == NOW.date()))
        return {r.taken_at for r in rows}

    assert ingest_bytes(sessions, report, asset="acme/same").unchanged == 1
    assert taken() == {NOW}  # nothing changed: the snapshot was not recomputed
    other = gitleaks_leak("glpat-" + "Ss1Rr2Qq3Pp4Oo5Nn6Mm7", file="other.env")
    assert ingest_bytes(sessions, gitleaks_report(leak, other), asset="acme/same").new == 1
    assert taken() == {later}


def test_a_days_first_import_carries_other_assets_forward_and_recomputes_its_own(
    sessions: sessionmaker[Session], session: Session
) -> None:
    quiet = make_asset(session, "acme/quiet")
    make_finding(session, quiet, risk_score=40, priority="P3", first_seen_at=days_ago(5))
    set_clock(lambda: NOW - timedelta(days=1))  # yesterday's snapshot, taken yesterday
    service.take_snapshot(session)
    set_clock(lambda: NOW)
    leak = gitleaks_leak("glpat-" + "Qq1Rr2Ss3Tt4Uu5Vv6Ww7")
    assert ingest_bytes(sessions, gitleaks_report(leak), asset="acme/leaky").status == "ok"
    today = session.scalars(select(MetricSnapshot).where(MetricSnapshot.day == NOW.date())).all()
    by_asset = {r.asset_id: r for r in today}
    assert by_asset[quiet.id].open_risk == 40
    assert by_asset[quiet.id].taken_at == NOW - timedelta(days=1)  # carried forward
    fresh = [r for r in today if r.asset_id != quiet.id]
    assert [(r.open_count, r.taken_at) for r in fresh] == [(1, NOW)]
    total = metric(session, "posture", period="1d", group_by="none").rows
    assert total[-1]["open_count"] == 2


@pytest.mark.usefixtures("resolved_set")
def test_api_lists_the_catalogue_and_serves_json_csv_and_xlsx(client: TestClient) -> None:
    listed = client.get("/api/v1/metrics")
    assert listed.status_code == 200
    names = {m["name"] for m in listed.json()}
    assert names == {"posture", "mttr", "sla", "net_resolve_rate", "violations_blocked",
                     "drift", "coverage", "iac_coverage", "compliance"}  # fmt: skip
    mttr = next(m for m in listed.json() if m["name"] == "mttr")
    assert "false positives excluded" in mttr["definition"]

    got = client.get("/api/v1/metrics/mttr", params={"period": "90d", "group_by": "severity"})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["columns"] == ["severity", "resolved", "mttr_days"]
    assert {r["severity"]: r["mttr_days"] for r in body["rows"]} == {"high": 15.0, "medium": 4.0}

    csv = client.get("/api/v1/metrics/mttr", params={"format": "csv"})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.text.splitlines()[0] == "severity,resolved,mttr_days"
    assert "high,2,15.0" in csv.text

    xlsx = client.get("/api/v1/metrics/mttr", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book["mttr"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["severity", "resolved", "mttr_days"]
    assert ["high", 2, 15] in values
    assert "about" in book.sheetnames


def test_rows_hold_python_values_and_none_where_a_value_is_missing() -> None:
    import numpy as np
    import pandas as pd

    from aspm.metrics import posture

    frame = pd.DataFrame(
        {
            "team": ["a", None, np.nan],
            "count": [1, 2, 3],
            "share": [0.5, np.nan, 1.0],
            "mixed": pd.Series([np.int64(4), "x", None], dtype=object),
            "assets": pd.array([1, None, 3], dtype="Int64"),
            "flag": [True, False, True],
        }
    )
    columns, rows = posture.to_rows(frame)
    assert columns == ["team", "count", "share", "mixed", "assets", "flag"]
    assert rows == [
        {"team": "a", "count": 1, "share": 0.5, "mixed": 4, "assets": 1, "flag": True},
        {"team": None, "count": 2, "share": None, "mixed": "x", "assets": None, "flag": False},
        {"team": None, "count": 3, "share": 1.0, "mixed": None, "assets": 3, "flag": True},
    ]
    assert [type(v) for v in rows[0].values()] == [str, int, float, int, int, bool]
    assert posture.to_rows(frame.iloc[0:0]) == (columns, [])


def test_xlsx_cells_are_numbers_text_or_blank_and_never_formulas_or_links() -> None:
    """The XLSX export writes each cell by its type: numbers as numbers, text as text (never a
    formula, a hyperlink or a number), None and empty text as blank cells, infinities as text."""
    from datetime import UTC, datetime

    from aspm.metrics.catalogue import MetricName
    from aspm.metrics.schemas import Period

    result = MetricResult(
        metric=MetricName.COVERAGE,
        title="Coverage",
        definition="share of assets",
        period=Period(
            start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 31, tzinfo=UTC), days=30
        ),
        group_by="team",
        interval=None,
        filters={"team": "@ops"},
        columns=["team", "required", "coverage", "missing"],
        rows=[
            {"team": "http://evil.example/x", "required": 4, "coverage": 0.25, "missing": "a, b"},
            {"team": "=1+1", "required": 0, "coverage": None, "missing": ""},
            {"team": "007", "required": 2, "coverage": float("inf"), "missing": "c"},
            {"team": "ops", "required": 1},  # a column left out is blank
        ],
        notes=["one note"],
    )
    book = openpyxl.load_workbook(io.BytesIO(service.to_xlsx(result)))
    assert book.sheetnames == ["coverage", "about"]
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" or c.hyperlink is not None for c in cells)
    assert [[c.value for c in row] for row in book["coverage"].iter_rows()] == [
        ["team", "required", "coverage", "missing"],
        ["http://evil.example/x", 4, 0.25, "a, b"],
        ["'=1+1", 0, None, None],
        ["007", 2, "inf", "c"],
        ["ops", 1, None, None],
    ]
    assert [[c.value for c in row] for row in book["about"].iter_rows()] == [
        ["field", "value"],
        ["metric", "coverage"],
        ["definition", "share of assets"],
        ["period", "2026-01-01T00:00:00+00:00 .. 2026-01-31T00:00:00+00:00"],
        ["group_by", "team"],
        ["interval", None],
        ["filter team", "'@ops"],
        ["note", "one note"],
    ]


def test_api_errors_use_the_envelope(client: TestClient) -> None:
    assert client.get("/api/v1/metrics/velocity").status_code == 422  # not in the enum
    bad = client.get("/api/v1/metrics/mttr", params={"group_by": "colour"})
    assert bad.status_code == 422
    assert "cannot group by" in bad.json()["detail"]
    assert client.get("/api/v1/metrics/mttr", params={"period": "forever"}).status_code == 422


def test_openapi_documents_every_metric_definition(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    op = schema["paths"]["/api/v1/metrics/{name}"]["get"]
    assert op["operationId"] == "metrics-get"
    assert "mean time from first_seen to resolved" in op["description"]
    assert "share of assets with an import" in op["description"]
    assert "text/csv" in op["responses"]["200"]["content"]


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "cli-test-key")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_cli_lists_shows_and_snapshots(cli_db: Path) -> None:
    report = cli_db / "g.json"
    report.write_bytes(gitleaks_report(gitleaks_leak("glpat-" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3")))
    assert runner.invoke(app, ["ingest", str(report), "--asset", "acme/cli"]).exit_code == 0
    listed = runner.invoke(app, ["metrics", "--json"])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 9
    snap = runner.invoke(app, ["metrics", "snapshot", "--json"])
    assert snap.exit_code == 0, snap.output
    assert json.loads(snap.stdout)["rows"] == 1
    shown = runner.invoke(app, ["metrics", "posture", "--json", "--period", "7d"])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    assert sum(r["open_count"] for r in body["rows"]) == 1
    table = runner.invoke(app, ["metrics", "coverage", "--period", "30d"])
    assert table.exit_code == 0, table.output
    assert "secrets" in table.stdout
    bad = runner.invoke(app, ["metrics", "mttr", "--group-by", "colour"])
    assert bad.exit_code == 2


def test_a_viewer_reads_metrics(client_as: ClientAs) -> None:
    viewer = client_as(Role.VIEWER)
    assert viewer.get("/api/v1/metrics").status_code == 200
    assert viewer.get("/api/v1/metrics/coverage", params={"format": "csv"}).status_code == 200
