"""HTTP: the metrics catalogue and each metric as JSON, CSV or XLSX."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from aspm.api.deps import PrincipalDep, ReadAccess, ReadAssetAccess, SessionDep
from aspm.metrics import service
from aspm.metrics.catalogue import CATALOGUE, Interval, MetricName
from aspm.metrics.schemas import MetricInfo, MetricQuery, MetricResult

router = APIRouter(prefix="/metrics", tags=["metrics"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_DEFINITIONS = "\n\n".join(
    f"**{m.name.value}** ({m.title}; group_by: {', '.join(m.group_by)}"
    f"{'; interval: day, week, month' if m.series else ''}): {m.definition}"
    for m in CATALOGUE
)


@router.get("", name="list", response_model=list[MetricInfo], dependencies=[ReadAccess])
def list_metrics() -> list[MetricInfo]:
    """Every metric with its definition (DESIGN.md section 8), groupings and source."""
    return service.catalogue()


@router.get(
    "/{name}",
    name="get",
    response_model=MetricResult,
    dependencies=[ReadAssetAccess],  # every role; a token bound to assets names one (asset=)
    description="One metric over a period, grouped and filtered; `format=csv|xlsx` downloads "
    "the same table. Periods are whole UTC days: 90d is the last 90 days, today included.\n\n"
    + _DEFINITIONS,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def get_metric(
    session: SessionDep,
    principal: PrincipalDep,
    name: Annotated[MetricName, Path(description="a metric of the catalogue")],
    period: Annotated[
        str, Query(pattern=r"^\d{1,4}[dwmy]$", description="7d, 12w, 6m (30 days each), 1y")
    ] = "90d",
    end: Annotated[date | None, Query(description="last day of the period (default today)")] = None,
    group_by: Annotated[
        str | None, Query(description="one of the metric's group_by values (see the catalogue)")
    ] = None,
    interval: Annotated[Interval | None, Query(description="series metrics: bucket size")] = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    asset: Annotated[str | None, Query(max_length=200, description="asset name")] = None,
    environment: Annotated[str | None, Query(max_length=20)] = None,
    severity: Annotated[str | None, Query(max_length=10)] = None,
    priority: Annotated[str | None, Query(max_length=4)] = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    families: Annotated[
        str | None, Query(max_length=200, description="coverage: comma-separated tool families")
    ] = None,
    framework: Annotated[
        str | None, Query(max_length=50, description="compliance: CIS, PCI DSS, SOC 2, ...")
    ] = None,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> MetricResult | Response:
    query = MetricQuery(
        period=period,
        end=end,
        group_by=group_by,
        interval=interval,
        team=team,
        asset=asset,
        environment=environment,
        severity=severity,
        priority=priority,
        category=category,
        families=[f.strip() for f in families.split(",") if f.strip()] if families else None,
        framework=framework,
    )
    result = service.compute(session, principal, name, query)
    if format == "json":
        return result
    filename = f"{name.value}-{result.period.end.date().isoformat()}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "csv":
        return Response(service.to_csv(result), media_type="text/csv", headers=headers)
    return Response(service.to_xlsx(result), media_type=XLSX, headers=headers)
