"""Hand-built assets and findings with known answers, and a fixed clock."""

import hashlib
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.findings.models import Finding
from aspm.ingest.models import IngestScope
from aspm.metrics import queries
from aspm.metrics.models import MetricFlow, MetricFlowByAsset

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
MIDNIGHT = datetime.combine(TODAY, time.min, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def make_asset(
    session: Session,
    name: str,
    *,
    kind: str = "repository",
    environment: str = "prod",
    owner_team: str | None = "payments",
) -> Asset:
    asset = Asset(
        id=uuid.uuid4(),
        name=name,
        kind=kind,
        environment=environment,
        owner_team=owner_team,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(asset)
    session.flush()
    return asset


def make_finding(session: Session, asset: Asset, **kw: Any) -> Finding:
    """A finding; `first_seen_at` defaults to 30 days ago, everything else to an open one."""
    fid = uuid.uuid4()
    values: dict[str, Any] = {
        "id": fid,
        "asset_id": asset.id,
        "finding_key": hashlib.sha256(fid.bytes).hexdigest(),
        "control_id": "test:rule",
        "title": "a finding",
        "category": "iac",
        "severity": "high",
        "severity_rank": 3,
        "detector_state": "active",
        "triage_state": "new",
        "risk_score": 50,
        "priority": "P3",
        "first_seen_at": days_ago(30),
        "last_seen_at": days_ago(1),
    }
    values.update(kw)
    finding = Finding(**values)
    session.add(finding)
    session.flush()
    return finding


def make_scope(session: Session, asset: Asset, tool: str, *, at: datetime) -> IngestScope:
    scope = IngestScope(id=uuid.uuid4(), asset_id=asset.id, tool=tool, target="", last_import_at=at)
    session.add(scope)
    session.flush()
    return scope


# --- today's flows against a recompute from every finding --------------------------------

Flows = dict[tuple[Any, ...], tuple[Any, ...]]


def rows_keyed(rows: Any, keys: int) -> Flows:
    """Rows as {keys: (count, seconds, with_sla, within_sla)}; seconds rounded (summed per
    asset, then over assets, a float may differ in its last bits)."""
    out: Flows = {}
    for row in rows:
        day = date.fromisoformat(str(row[0]))  # SQLite's date() is text
        count, seconds, with_sla, within_sla = row[keys:]
        out[(day, *row[1:keys])] = (int(count), round(float(seconds), 3), int(with_sla),
                                    int(within_sla))  # fmt: skip
    return out


def todays_flows(session: Session) -> Flows:
    t = MetricFlow.__table__.c
    stmt = select(*(t[c] for c in queries.FLOW_COLUMNS)).where(t.day == TODAY)
    return rows_keyed(session.execute(stmt), 6)


def recomputed_flows(session: Session) -> Flows:
    """What today's metric_flows rows would be if computed from every finding at once."""
    dialect = session.get_bind().dialect.name
    rows = rows_keyed(session.execute(queries.flows_source(dialect, since=MIDNIGHT)), 6)
    return {k: v for k, v in rows.items() if k[0] == TODAY}


def todays_flows_by_asset(session: Session) -> Flows:
    t = MetricFlowByAsset.__table__.c
    stmt = select(*(t[c] for c in queries.ASSET_FLOW_COLUMNS))
    return rows_keyed(session.execute(stmt), 7)


def recomputed_flows_by_asset(session: Session) -> Flows:
    dialect = session.get_bind().dialect.name
    stmt = queries.flows_source(dialect, since=MIDNIGHT, by_asset=True)
    return {k: v for k, v in rows_keyed(session.execute(stmt), 7).items() if k[0] == TODAY}


def assert_flows_exact(session: Session) -> Flows:
    """Today's metric_flows and per-asset rows are what a recompute from every finding gives
    (the clock at NOW); returns today's metric_flows rows."""
    session.expire_all()
    flows = todays_flows(session)
    assert flows == recomputed_flows(session)
    assert todays_flows_by_asset(session) == recomputed_flows_by_asset(session)
    return flows


def flow_kinds(flows: Flows) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, (count, *_) in flows.items():
        out[key[1]] = out.get(key[1], 0) + count
    return out
