"""`aspm export findings`: the findings list's filters (FindingQuery, the one filter of the API,
`aspm findings list` and the bulk actions), written as CSV, XLSX or SARIF 2.1.0."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from aspm import cli_database
from aspm.assets.models import Environment
from aspm.common.severity import Severity
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import FindingSort, PriorityFilter, SlaStatus, SuppressedFilter
from aspm.triage import cli as triage_cli

export_app = typer.Typer(help="Export findings as CSV, XLSX or SARIF 2.1.0.")
err = Console(stderr=True)


@export_app.command("findings")
def export_findings(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or sarif")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
    asset: Annotated[str | None, typer.Option()] = None,
    severity: Annotated[list[Severity] | None, typer.Option(help="repeatable")] = None,
    priority: Annotated[
        list[PriorityFilter] | None, typer.Option(help="P1-P4 or none; repeatable")
    ] = None,
    status: Annotated[list[DetectorState] | None, typer.Option(help="active or fixed")] = None,
    triage: Annotated[list[TriageState] | None, typer.Option(help="repeatable")] = None,
    sla_status: Annotated[list[SlaStatus] | None, typer.Option(help="repeatable")] = None,
    environment: Annotated[
        list[Environment] | None, typer.Option(help="the asset's; repeatable")
    ] = None,
    suppressed: Annotated[
        SuppressedFilter, typer.Option(help="findings hidden by suppression rules")
    ] = SuppressedFilter.EXCLUDE,
    import_id: Annotated[
        str | None, typer.Option(help="what one import created, resolved or reopened")
    ] = None,
    open: Annotated[
        bool | None,
        typer.Option(
            "--open/--closed", help="open: active and not closed by triage (default: both)"
        ),
    ] = None,
    toxic: Annotated[
        bool | None,
        typer.Option("--toxic/--not-toxic", help="in a toxic combination, or not (default: both)"),
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="a user name, or me")] = None,
    team: Annotated[
        str | None, typer.Option(help="a team name (of the finding or its asset), or mine")
    ] = None,
    tool: Annotated[str | None, typer.Option()] = None,
    category: Annotated[str | None, typer.Option()] = None,
    q: Annotated[str | None, typer.Option(help="text in title, rule, control, path...")] = None,
    sort: Annotated[
        FindingSort | None,
        typer.Option(help="default: priority with --assignee/--team, else severity"),
    ] = None,
    descending: Annotated[bool, typer.Option("--descending/--ascending")] = True,
    as_user: triage_cli.AsOption = None,
) -> None:
    """Every finding the filters select (as `aspm findings list` would list them). Exit 2 on a
    usage error."""
    from aspm.db.session import unit_of_work
    from aspm.exports import service
    from aspm.exports.schemas import ExportFormat
    from aspm.findings import service as findings_service
    from aspm.findings.schemas import FindingOrderQuery

    try:
        chosen = ExportFormat(fmt)
    except ValueError as exc:
        err.print(f"[red]error:[/red] --format {fmt!r}: choose csv, xlsx or sarif")
        raise typer.Exit(2) from exc
    if chosen is ExportFormat.XLSX and output is None and sys.stdout.isatty():
        err.print("[red]error:[/red] XLSX is binary: give -o FILE.xlsx")
        raise typer.Exit(2)
    try:
        query = FindingOrderQuery(
            asset=asset, severity=severity or [], priority=priority or [], status=status or [],
            triage=triage or [], sla_status=sla_status or [], environment=environment or [],
            suppressed=suppressed, import_id=import_id, open=open, toxic=toxic,
            assignee=assignee, team=team, tool=tool, category=category, q=q, sort=sort,
            descending=descending,
        )  # fmt: skip
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    flt = findings_service.query_filter(triage_cli.principal(as_user), query)
    with unit_of_work(cli_database.factory()) as session:
        data = service.export(session, flt, chosen)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err.print(f"wrote {output} ({len(data)} bytes)")
