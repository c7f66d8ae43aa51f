"""Hand-built assets and findings with known answers, and a fixed clock."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.findings.models import Finding
from aspm.ingest.models import IngestScope

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


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
