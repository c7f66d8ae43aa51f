"""Writes of the metrics' own tables (snapshots, compliance status), set-based: one DELETE and one
INSERT ... SELECT each, whatever the number of findings. No pandas here: ingestion calls this."""

import uuid
from datetime import date, datetime

from sqlalchemy import bindparam, delete, exists, func, insert, select, text
from sqlalchemy.orm import Session

from aspm.db.base import UTCDateTime
from aspm.metrics import queries
from aspm.metrics.models import ComplianceStatus, MetricFlow, MetricSnapshot, MetricSnapshotTotal

_SNAPSHOT_COLUMNS = [
    "day", "asset_id", "team", "priority", "environment", *queries.SNAPSHOT_COUNTS, "taken_at",
]  # fmt: skip


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def snapshot_exists(session: Session, *, day: date) -> bool:
    return bool(session.scalar(select(exists().where(MetricSnapshot.day == day))))


def replace_snapshot(
    session: Session,
    *,
    day: date,
    as_of: datetime,
    taken_at: datetime,
    asset_ids: list[uuid.UUID] | None = None,
) -> int:
    """Replace the day's rows (of these assets, or all) by the findings' state at `as_of`."""
    gone = delete(MetricSnapshot).where(MetricSnapshot.day == day)
    if asset_ids is not None:
        gone = gone.where(MetricSnapshot.asset_id.in_(asset_ids))
    session.execute(gone)
    source = queries.snapshot_source(day=day, as_of=as_of, taken_at=taken_at, asset_ids=asset_ids)
    session.execute(insert(MetricSnapshot).from_select(_SNAPSHOT_COLUMNS, source))
    _replace_totals(session, day=day)
    # rows written, counted back: INSERT ... SELECT reports no row count through psycopg here
    written = select(func.count()).where(MetricSnapshot.day == day)
    if asset_ids is not None:
        written = written.where(MetricSnapshot.asset_id.in_(asset_ids))
    return int(session.scalar(written) or 0)


def _replace_totals(session: Session, *, day: date) -> None:
    session.execute(delete(MetricSnapshotTotal).where(MetricSnapshotTotal.day == day))
    columns = ["day", "team", "environment", "priority", "assets", *queries.SNAPSHOT_COUNTS]
    session.execute(
        insert(MetricSnapshotTotal).from_select(columns, queries.totals_source(day=day))
    )


def latest_day_before(session: Session, *, day: date) -> date | None:
    return session.scalar(select(func.max(MetricSnapshot.day)).where(MetricSnapshot.day < day))


def carry_forward(
    session: Session, *, day: date, source_day: date, exclude: list[uuid.UUID]
) -> None:
    """Copy `source_day`'s rows (but those of `exclude`) to `day`, keeping their taken_at."""
    source = queries.carried_forward(day=day, source_day=source_day, exclude=exclude)
    session.execute(insert(MetricSnapshot).from_select(_SNAPSHOT_COLUMNS, source))
    _replace_totals(session, day=day)


def replace_compliance(
    session: Session, *, taken_at: datetime, asset_ids: list[uuid.UUID] | None = None
) -> int:
    gone = delete(ComplianceStatus)
    if asset_ids is not None:
        gone = gone.where(ComplianceStatus.asset_id.in_(asset_ids))
    session.execute(gone)
    inner = queries.compliance_source(_dialect(session), asset_filter=asset_ids is not None)
    stmt = text(
        "INSERT INTO metric_compliance (asset_id, framework, control, open_count, fixed_count, "  # noqa: S608
        "taken_at) SELECT asset_id, substr(framework, 1, 200), substr(control, 1, 200), "
        f"open_count, fixed_count, :taken_at FROM ({inner.text}) q "
        "WHERE framework IS NOT NULL AND control IS NOT NULL"
    ).bindparams(bindparam("taken_at", type_=UTCDateTime()))
    params: dict[str, object] = {"taken_at": taken_at}
    if asset_ids is not None:
        stmt = stmt.bindparams(bindparam("asset_ids", expanding=True))
        params["asset_ids"] = [a if _dialect(session) == "postgresql" else a.hex for a in asset_ids]
    session.execute(stmt, params)
    written = select(func.count()).select_from(ComplianceStatus)
    if asset_ids is not None:
        written = written.where(ComplianceStatus.asset_id.in_(asset_ids))
    return int(session.scalar(written) or 0)


def snapshot_days(session: Session) -> int:
    return int(session.scalar(select(func.count(func.distinct(MetricSnapshot.day)))) or 0)


def replace_flows(session: Session, *, since: datetime | None) -> None:
    """Rebuild the daily flows: every day (since None), or the days from `since` on."""
    gone = delete(MetricFlow)
    if since is not None:
        gone = gone.where(MetricFlow.day >= since.date())
    session.execute(gone)
    source = queries.flows_source(_dialect(session), since=since)
    session.execute(insert(MetricFlow).from_select(list(queries.FLOW_COLUMNS), source))
