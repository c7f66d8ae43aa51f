"""Daily posture snapshots (append-only history) and the current compliance status per asset.

The snapshot keeps what the findings table cannot: yesterday's posture. One row per
(day, asset, team, priority) holds the open findings' count and risk (also split by severity), the
overdue count and the accepted-risk count, so trend charts read a few thousand small rows instead
of a million findings, and survive later triage changes. The environment is the asset's at the
time of the snapshot. Rows of past days are never rewritten; the snapshot of "today" is replaced
each time it is taken again.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, UTCDateTime
from aspm.findings.models import Finding

NO_TEAM = ""  # team key of findings without a team (neither the finding's nor the asset owner's)
NO_PRIORITY = "none"  # priority key of findings that have no priority (unscored or score 0)
# The priority key is text, not an enum column as findings.priority (a Priority) is: it also
# takes NO_PRIORITY, which is no priority, and like the other keys here (severity, environment)
# it is written by INSERT ... SELECT and read into DataFrames only, so an enum would check nothing

SEVERITIES = ("critical", "high", "medium", "low", "info")


class MetricSnapshot(Base):
    __tablename__ = "metric_snapshots"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    priority: Mapped[str] = mapped_column(String(4), primary_key=True)
    environment: Mapped[str] = mapped_column(String(20))
    open_count: Mapped[int] = mapped_column(Integer)
    open_risk: Mapped[int] = mapped_column(Integer)  # sum of the open findings' risk scores
    overdue_count: Mapped[int] = mapped_column(Integer)  # open and past their SLA due date
    accepted_count: Mapped[int] = mapped_column(Integer)  # active, triaged accepted_risk
    open_critical: Mapped[int] = mapped_column(Integer)
    open_high: Mapped[int] = mapped_column(Integer)
    open_medium: Mapped[int] = mapped_column(Integer)
    open_low: Mapped[int] = mapped_column(Integer)
    open_info: Mapped[int] = mapped_column(Integer)
    risk_critical: Mapped[int] = mapped_column(Integer)
    risk_high: Mapped[int] = mapped_column(Integer)
    risk_medium: Mapped[int] = mapped_column(Integer)
    risk_low: Mapped[int] = mapped_column(Integer)
    risk_info: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetricSnapshotTotal(Base):
    """The daily snapshot summed over assets, per (day, team, environment, priority): what the
    trend charts read when they neither group nor filter by asset (a few hundred rows a day
    instead of a few per asset). Rewritten with its day's snapshot rows."""

    __tablename__ = "metric_snapshot_totals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    environment: Mapped[str] = mapped_column(String(20), primary_key=True)
    priority: Mapped[str] = mapped_column(String(4), primary_key=True)
    assets: Mapped[int] = mapped_column(Integer)  # assets with a row that day
    open_count: Mapped[int] = mapped_column(Integer)
    open_risk: Mapped[int] = mapped_column(Integer)
    overdue_count: Mapped[int] = mapped_column(Integer)
    accepted_count: Mapped[int] = mapped_column(Integer)
    open_critical: Mapped[int] = mapped_column(Integer)
    open_high: Mapped[int] = mapped_column(Integer)
    open_medium: Mapped[int] = mapped_column(Integer)
    open_low: Mapped[int] = mapped_column(Integer)
    open_info: Mapped[int] = mapped_column(Integer)
    risk_critical: Mapped[int] = mapped_column(Integer)
    risk_high: Mapped[int] = mapped_column(Integer)
    risk_medium: Mapped[int] = mapped_column(Integer)
    risk_low: Mapped[int] = mapped_column(Integer)
    risk_info: Mapped[int] = mapped_column(Integer)


class MetricFlow(Base):
    """Daily flows, summed per (day, kind, team, environment, priority, severity): findings
    created (first seen) that day, resolved that day (with the seconds from first seen and the
    SLA outcome) and drift findings created. MTTR, SLA compliance, net resolve rate and drift read
    these instead of scanning findings. `aspm metrics snapshot` rebuilds every day from the
    findings (a reopening or a false-positive decision changes past days); today's rows are the
    sum of today's per-asset rows (MetricFlowByAsset), which each import and triage change
    rewrites for its own assets only."""

    __tablename__ = "metric_flows"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # created, resolved, drift
    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    environment: Mapped[str] = mapped_column(String(20), primary_key=True)
    priority: Mapped[str] = mapped_column(String(4), primary_key=True)
    severity: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)  # resolved: sum of first seen -> resolved
    with_sla: Mapped[int] = mapped_column(Integer)  # resolved: how many had an SLA due date
    within_sla: Mapped[int] = mapped_column(Integer)  # resolved: ... and met it


class MetricFlowByAsset(Base):
    """Today's flows per asset: MetricFlow's rows of the current UTC day, split by asset (rows
    of earlier days are deleted when a new day's rows are first written). An import rewrites
    its assets' rows here, then today's MetricFlow rows as their sum, as the snapshot totals
    are kept. Recomputing today's flows from every finding first seen or resolved today, all
    assets, took 0.25-1.3 s per 10k-result import at 1M findings, growing through the day,
    under the metrics lock that concurrent imports take in turn."""

    __tablename__ = "metric_flows_by_asset"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    team: Mapped[str] = mapped_column(String(200), primary_key=True)
    environment: Mapped[str] = mapped_column(String(20), primary_key=True)
    priority: Mapped[str] = mapped_column(String(4), primary_key=True)
    severity: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    with_sla: Mapped[int] = mapped_column(Integer)
    within_sla: Mapped[int] = mapped_column(Integer)


class ComplianceStatus(Base):
    """Per asset and (framework, control) reference: how many of its findings are open and how
    many fixed. Rewritten for an asset whenever its snapshot is taken; not a history."""

    __tablename__ = "metric_compliance"

    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    framework: Mapped[str] = mapped_column(String(200), primary_key=True)
    control: Mapped[str] = mapped_column(String(200), primary_key=True)
    open_count: Mapped[int] = mapped_column(Integer)
    fixed_count: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Indexes the metrics need on the findings table (declared here, next to the queries that use
# them). Both are nearly free for ingestion: new findings have no resolved_at, so the partial
# index gains an entry only when a finding is resolved, and on PostgreSQL first_seen_at is a BRIN
# index (a few pages; rows are appended in first-seen order). The PostgreSQL resolved index
# carries most columns MTTR, SLA and net-resolve group on; not the risk result (priority,
# sla_due_at), which a policy change rewrites and which no index may hold (see Finding).
Index(
    "ix_findings_resolved_at",
    Finding.resolved_at,
    postgresql_where=text("resolved_at IS NOT NULL"),
    sqlite_where=text("resolved_at IS NOT NULL"),
    postgresql_include=[
        "first_seen_at", "triage_state", "detector_state", "severity", "team", "asset_id",
        "category",
    ],
)  # fmt: skip
Index("ix_findings_first_seen_at", Finding.first_seen_at, postgresql_using="brin")
