"""Today's flows are kept per asset (metric_flows_by_asset) and summed into metric_flows: after
any sequence of imports, triage changes and rule changes, today's metric_flows rows are exactly
what a recompute from every finding gives."""

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Asset
from aspm.audit.models import AuditEvent
from aspm.auth.principal import SYSTEM
from aspm.common.clock import reset_clock, set_clock
from aspm.findings.models import Finding, TriageState
from aspm.metrics import queries, service
from aspm.metrics.models import MetricFlow, MetricFlowByAsset
from aspm.risk import service as risk_service
from aspm.risk.policy import DEFAULT_POLICY_PATH
from aspm.triage import service as triage_service
from aspm.triage.schemas import BulkAction, BulkRequest, SuppressionRuleCreate, TriageRequest
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes
from tests.metrics.helpers import (
    MIDNIGHT,
    NOW,
    TODAY,
    assert_flows_exact,
    days_ago,
    flow_kinds,
    make_asset,
    make_finding,
    recomputed_flows_by_asset,
    rows_keyed,
)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    set_clock(lambda: NOW)
    yield
    reset_clock()


def asset_id(session: Session, name: str) -> uuid.UUID:
    found = session.scalar(select(Asset.id).where(Asset.name == name))
    assert found is not None
    return found


def finding_ids(session: Session, asset: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(Finding.id).where(Finding.asset_id == asset).order_by(Finding.path)
    return list(session.scalars(stmt))


def leaks(*files: str) -> bytes:
    return gitleaks_report(
        *(
            gitleaks_leak(f"glpat-{n:02d}" + "Ab1Cd2Ef3Gh4Ij5Kl6", file=f)
            for n, f in enumerate(files)
        )
    )


def cloud_asset_with_todays_flows(session: Session, name: str) -> Asset:
    """A cloud account whose findings make every kind of flow today: created, resolved (with
    an SLA met), drift and regressed (a reopened cloud finding)."""
    cloud = make_asset(session, name, kind="cloud_account", owner_team="platform")
    make_finding(session, cloud, category="cspm", first_seen_at=NOW - timedelta(hours=3))
    make_finding(session, cloud, category="drift", first_seen_at=NOW - timedelta(hours=2))
    make_finding(session, cloud, category="cspm", first_seen_at=days_ago(3),
                 detector_state="fixed", resolved_at=NOW - timedelta(hours=1),
                 sla_due_at=NOW + timedelta(days=5))  # fmt: skip
    reopened = make_finding(session, cloud, category="cspm", first_seen_at=days_ago(9),
                            reopen_count=1)  # fmt: skip
    session.add(
        AuditEvent(at=NOW - timedelta(minutes=30), actor="system:ingest", action="reopened",
                   object_type="finding", object_id=reopened.id, details={})
    )  # fmt: skip
    session.flush()
    return cloud


def triage_to(session: Session, finding_id: uuid.UUID, state: TriageState) -> None:
    version = session.get_one(Finding, finding_id).version
    triage_service.triage(
        session,
        finding_id=finding_id,
        request=TriageRequest(state=state, reason="checked", version=version),
        principal=SYSTEM,
    )


def test_todays_flows_equal_a_full_recompute_after_imports_triage_and_rules(
    sessions: sessionmaker[Session], session: Session
) -> None:
    assert ingest_bytes(sessions, leaks("a.env", "b.env", "c.env"), asset="acme/one").new == 3
    assert flow_kinds(assert_flows_exact(session)) == {
        "created": 3
    }  # the first snapshot: every asset
    assert ingest_bytes(sessions, leaks("a.env", "b.env"), asset="acme/two").new == 2
    assert flow_kinds(assert_flows_exact(session)) == {"created": 5}  # acme/one's rows are kept

    cloud = cloud_asset_with_todays_flows(session, "aws:1111")
    service.refresh_after_change(session, asset_ids=[cloud.id])
    flows = assert_flows_exact(session)
    assert flow_kinds(flows) == {"created": 7, "drift": 1, "resolved": 1, "regressed": 1}

    # later today, acme/one again without two of its leaks: they are resolved
    set_clock(lambda: NOW + timedelta(hours=2))
    assert ingest_bytes(sessions, leaks("a.env"), asset="acme/one").resolved == 2
    flows = assert_flows_exact(session)
    assert flow_kinds(flows)["resolved"] == 3
    resolved_seconds = sum(v[1] for k, v in flows.items() if k[1] == "resolved")
    assert resolved_seconds == pytest.approx(2 * 7200 + 3 * 86400 - 3600)

    # a false positive on acme/two leaves "created": only its rows are recomputed
    two = asset_id(session, "acme/two")
    first, second = finding_ids(session, two)
    triage_to(session, first, TriageState.FALSE_POSITIVE)
    assert flow_kinds(assert_flows_exact(session))["created"] == 6

    # one bulk decision over two assets
    one_left = finding_ids(session, asset_id(session, "acme/one"))[0]
    triage_service.bulk(
        session,
        request=BulkRequest(ids=[second, one_left], action=BulkAction.TRIAGE,
                            state=TriageState.FALSE_POSITIVE, reason="test keys"),
        principal=SYSTEM,
    )  # fmt: skip
    assert flow_kinds(assert_flows_exact(session))["created"] == 4

    # a rule change recomputes every asset: a finding of today written without a metrics
    # refresh is counted then, and kept by the imports of other assets after it
    quiet = make_asset(session, "acme/quiet", owner_team="web")
    make_finding(session, quiet, severity="low", first_seen_at=NOW - timedelta(minutes=5))
    triage_service.create_suppression_rule(
        session,
        request=SuppressionRuleCreate(path_glob="a.env", justification="test data"),
        principal=SYSTEM,
    )
    assert flow_kinds(assert_flows_exact(session))["created"] == 5
    assert ingest_bytes(sessions, leaks("x.env"), asset="acme/three").new == 1
    flows = assert_flows_exact(session)
    assert flow_kinds(flows)["created"] == 6
    assert ("web", "low") in {(k[2], k[5]) for k in flows}  # acme/quiet's row


def test_a_days_first_write_recomputes_every_asset_and_drops_earlier_days(
    sessions: sessionmaker[Session], session: Session
) -> None:
    yesterday = NOW - timedelta(days=1)
    set_clock(lambda: yesterday)
    assert ingest_bytes(sessions, leaks("a.env", "b.env"), asset="acme/one").new == 2
    assert ingest_bytes(sessions, leaks("a.env"), asset="acme/two").new == 1
    by_asset_days = select(MetricFlowByAsset.day).distinct()
    assert list(session.scalars(by_asset_days)) == [yesterday.date()]
    yesterdays = select(func.sum(MetricFlow.count)).where(MetricFlow.day == yesterday.date())
    assert session.scalar(yesterdays) == 3

    # today: a cloud account's findings change without a metrics refresh of that account, then
    # another asset is imported: the day's first write counts every asset's flows of today
    set_clock(lambda: NOW)
    cloud_asset_with_todays_flows(session, "aws:2222")
    assert ingest_bytes(sessions, leaks("a.env", "z.env"), asset="acme/two").new == 1
    flows = assert_flows_exact(session)
    assert flow_kinds(flows) == {"created": 3, "drift": 1, "resolved": 1, "regressed": 1}
    assert list(session.scalars(by_asset_days)) == [TODAY]  # yesterday's rows are gone
    assert session.scalar(yesterdays) == 3  # metric_flows keeps its past days
    service.take_snapshot(session)
    assert assert_flows_exact(session) == flows
    assert list(session.scalars(by_asset_days)) == [TODAY]


def test_a_risk_policy_change_recomputes_every_assets_flows_of_today(
    sessions: sessionmaker[Session], session: Session
) -> None:
    assert ingest_bytes(sessions, leaks("a.env", "b.env"), asset="acme/one").new == 2
    assert ingest_bytes(sessions, leaks("a.env"), asset="acme/two").new == 1
    before = {k[4] for k in assert_flows_exact(session)}  # the flows' priorities
    # the same policy, but critical or high findings are P2 rather than P3
    text = DEFAULT_POLICY_PATH.read_text()
    p3 = "    when: {severity: [critical, high]}\n    priority: P3\n"
    assert p3 in text
    text = text.replace(p3, p3.replace("P3", "P2")).replace("version: ", "version: p2-", 1)
    assert risk_service.set_policy(session, yaml_text=text, actor="tester").updated == 3
    after = {k[4] for k in assert_flows_exact(session)}
    assert (before, after) == ({"P3"}, {"P2"})


def test_the_asset_filtered_source_reads_only_those_assets_findings(session: Session) -> None:
    one = cloud_asset_with_todays_flows(session, "aws:1")
    two = cloud_asset_with_todays_flows(session, "aws:2")
    dialect = session.get_bind().dialect.name
    stmt = queries.flows_source(dialect, since=MIDNIGHT, asset_ids=[one.id], by_asset=True)
    # each of the four flows (created, resolved, drift, regressed) filters by asset
    sql = str(stmt.compile(dialect=session.get_bind().dialect))
    assert sql.count("findings.asset_id IN") == 4
    rows = rows_keyed(session.execute(stmt), 7)
    everyone = recomputed_flows_by_asset(session)
    assert rows == {k: v for k, v in everyone.items() if k[1] == one.id}
    assert {k[1] for k in everyone} == {one.id, two.id}
