"""`aspm export findings`: the findings list's filters, written as CSV, XLSX or SARIF 2.1.0."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from aspm import cli_database
from aspm.common.severity import Severity
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import FindingSort, SlaStatus, SuppressedFilter

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
    status: Annotated[list[DetectorState] | None, typer.Option(help="active or fixed")] = None,
    triage: Annotated[list[TriageState] | None, typer.Option(help="repeatable")] = None,
    tool: Annotated[str | None, typer.Option()] = None,
    category: Annotated[str | None, typer.Option()] = None,
    q: Annotated[str | None, typer.Option(help="text in title, resource or path")] = None,
    assignee: Annotated[str | None, typer.Option(help="user name")] = None,
    team: Annotated[str | None, typer.Option(help="team name")] = None,
    sla_status: Annotated[list[SlaStatus] | None, typer.Option(help="repeatable")] = None,
    suppressed: Annotated[
        SuppressedFilter, typer.Option(help="findings hidden by suppression rules")
    ] = SuppressedFilter.EXCLUDE,
    sort: Annotated[FindingSort, typer.Option()] = FindingSort.SEVERITY,
) -> None:
    """Every finding the filters select (as `aspm findings list` would list them). Exit 2 on a
    usage error."""
    from aspm.db.session import unit_of_work
    from aspm.exports import service
    from aspm.exports.schemas import ExportFormat
    from aspm.findings.schemas import FindingFilter

    try:
        chosen = ExportFormat(fmt)
    except ValueError as exc:
        err.print(f"[red]error:[/red] --format {fmt!r}: choose csv, xlsx or sarif")
        raise typer.Exit(2) from exc
    if chosen is ExportFormat.XLSX and output is None and sys.stdout.isatty():
        err.print("[red]error:[/red] XLSX is binary: give -o FILE.xlsx")
        raise typer.Exit(2)
    flt = FindingFilter(
        asset=asset, severity=severity or [], status=status or [], triage=triage or [],
        tool=tool, category=category, q=q, sort=sort, assignee=assignee,
        teams=None if team is None else [team], sla_status=sla_status or [],
        suppressed=suppressed,
    )  # fmt: skip
    with unit_of_work(cli_database.factory()) as session:
        data = service.export(session, flt, chosen)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err.print(f"wrote {output} ({len(data)} bytes)")
