"""`aspm demo` with a history: imports spread over past days through the real pipeline, a snapshot
per day, and metrics that have something true to show."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import SYSTEM
from aspm.demo.generate import build_reports
from aspm.demo.schemas import DemoSummary
from aspm.demo.service import run_demo
from aspm.findings.models import Finding
from aspm.ingest.models import IngestRun
from aspm.metrics import service
from aspm.metrics.models import MetricSnapshot
from aspm.metrics.schemas import MetricQuery
from tests.conftest import TEST_SECRET

DAYS = 40


@pytest.fixture
def demo(sessions: sessionmaker[Session], tmp_path: Path) -> DemoSummary:
    return run_demo(
        sessions,
        out_dir=tmp_path,
        hmac_key=TEST_SECRET.encode(),
        batch_size=500,
        history_days=DAYS,
    )


def test_history_backdates_imports_through_the_pipeline_with_a_snapshot_a_day(
    demo: DemoSummary, session: Session
) -> None:
    assert {r.status for r in demo.imports} == {"ok"}
    assert len(demo.imports) == len(build_reports())
    assert demo.rescans > 0
    assert demo.reopened > 0
    assert demo.fixed > 0
    runs = session.scalar(select(func.count()).select_from(IngestRun))
    assert runs == len(demo.imports) + demo.rescans

    now = datetime.now(UTC)
    first_import = session.scalar(select(func.min(IngestRun.started_at)))
    assert first_import is not None
    # past days run at 09:00 UTC: compare dates (before 09:00 the first one is < DAYS x 24 h ago)
    assert (now.date() - first_import.date()).days >= DAYS
    oldest = session.scalar(select(func.min(Finding.first_seen_at)))
    assert oldest is not None
    assert oldest.date() == first_import.date()
    resolved = session.scalars(select(Finding).where(Finding.resolved_at.is_not(None))).all()
    assert resolved
    assert all(f.first_seen_at < f.resolved_at <= now for f in resolved if f.resolved_at)

    assert demo.snapshots == DAYS + 1
    days = session.scalars(select(MetricSnapshot.day).distinct()).all()
    assert len(days) == DAYS + 1
    series = service.compute(
        session, SYSTEM, "posture", MetricQuery(period=f"{DAYS}d", group_by="none")
    )
    risks = [r["open_risk"] for r in series.rows]
    assert len(risks) == DAYS  # the period's days after its start
    assert len(set(risks)) > 1, "fixes and reopenings move the open risk"


def test_every_metric_has_something_to_show_after_the_demo(
    demo: DemoSummary, session: Session
) -> None:
    del demo

    def rows(name: str, **kw: str) -> list[dict[str, object]]:
        return service.compute(session, SYSTEM, name, MetricQuery(period="90d", **kw)).rows  # type: ignore[return-value]

    assert rows("mttr")
    assert rows("sla")
    assert rows("net_resolve_rate", group_by="none")[0]["resolved"]
    coverage = {r["family"]: r["covered_assets"] for r in rows("coverage")}
    assert 0 not in (coverage["iac"], coverage["cspm"], coverage["secrets"])
    assert rows("compliance")
    assert rows("drift", group_by="none")[0]["cloud_regressions"]
    gates = rows("violations_blocked", group_by="none")[0]
    assert gates["evaluations"] == len(build_reports())  # each report's pull request was gated
    accepted = service.compute(
        session, SYSTEM, "posture", MetricQuery(period="1d", group_by="none")
    ).rows
    assert accepted[-1]["accepted_count"] == 1
