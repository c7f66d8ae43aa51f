"""Metric requests and results: one generic table shape, so every metric exports the same way."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from aspm.metrics.catalogue import Interval, MetricName

Cell = str | int | float | None


class MetricInfo(BaseModel):
    name: MetricName
    title: str
    definition: str
    unit: str
    group_by: list[str] = Field(description="accepted group_by values; the first is the default")
    series: bool = Field(description="accepts interval=day|week|month (a time series)")
    source: str = Field(description="where the numbers come from")


class MetricQuery(BaseModel):
    period: str = Field("90d", pattern=r"^\d{1,4}[dwmy]$", description="e.g. 7d, 12w, 6m, 1y")
    end: date | None = Field(None, description="last day of the period (default: today, UTC)")
    group_by: str | None = None
    interval: Interval | None = None
    team: str | None = None
    asset: str | None = None
    environment: str | None = None
    severity: str | None = None
    priority: str | None = None
    category: str | None = None
    families: list[str] | None = Field(None, description="coverage: required tool families")
    framework: str | None = Field(None, description="compliance: one framework family")


class Period(BaseModel):
    start: datetime = Field(description="00:00 UTC of the period's first day")
    end: datetime = Field(description="now, or 00:00 UTC after the requested end day")
    days: int


class MetricResult(BaseModel):
    metric: MetricName
    title: str
    definition: str
    period: Period
    group_by: str | None
    interval: Interval | None
    filters: dict[str, str] = Field(default_factory=dict)
    columns: list[str]
    rows: list[dict[str, Cell]]
    notes: list[str] = Field(default_factory=list, description="what the numbers do not cover")
    as_of: datetime | None = Field(
        None,
        description="how fresh the figures are: when today's snapshot was taken (posture, SLA, "
        "compliance), else when they were computed (always set by the metrics API)",
    )


class SnapshotResult(BaseModel):
    day: date
    rows: int = Field(description="snapshot rows written for the day")
    compliance_rows: int = Field(description="compliance status rows rewritten (today only)")
    assets: int | None = Field(None, description="assets re-snapshotted; None = all")
