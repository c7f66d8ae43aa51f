"""`aspm export findings`: the findings list's filters (FindingQuery, the one filter of the API,
`aspm findings list` and the bulk actions), written as CSV, XLSX or SARIF 2.1.0, from the local
database or (`aspm --server URL`) a server's GET /exports/findings. The file is written as it
comes, a chunk at a time: a CSV of a million findings never sits whole in memory."""

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from pydantic import ValidationError
from rich.console import Console

from aspm import cli_database
from aspm import client as server
from aspm.cli_errors import failing
from aspm.findings import cli as filter_options
from aspm.findings.schemas import FindingSort, SuppressedFilter
from aspm.triage import cli as triage_cli

export_app = typer.Typer(help="Export findings as CSV, XLSX or SARIF 2.1.0.")
err = Console(stderr=True)


@export_app.command("findings")
def export_findings(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or sarif")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")
    ] = None,
    asset: filter_options.AssetOption = None,
    severity: filter_options.SeverityOption = None,
    priority: filter_options.PriorityOption = None,
    status: filter_options.StatusOption = None,
    triage: filter_options.TriageOption = None,
    sla_status: filter_options.SlaStatusOption = None,
    environment: filter_options.EnvironmentOption = None,
    suppressed: filter_options.SuppressedOption = SuppressedFilter.EXCLUDE,
    import_id: filter_options.ImportIdOption = None,
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
    tool: filter_options.ToolOption = None,
    category: filter_options.CategoryOption = None,
    q: filter_options.TextOption = None,
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
    with failing():
        if (remote := server.current()) is not None:  # the token says who asks, not --as
            size = write_export(remote.export_findings(query, fmt=chosen.value), output)
        else:
            flt = findings_service.query_filter(triage_cli.principal(as_user), query)
            with unit_of_work(cli_database.factory()) as session:
                size = write_export(service.export_chunks(session, flt, chosen), output)
    if output is not None:
        err.print(f"wrote {output} ({size} bytes)")


def copy_chunks(chunks: Iterable[bytes], sink: BinaryIO) -> int:
    """Write each chunk as it comes (flushed, so the next is not read before this one is
    out); the number of bytes written."""
    size = 0
    for chunk in chunks:
        sink.write(chunk)
        sink.flush()
        size += len(chunk)
    return size


def write_export(chunks: Iterable[bytes], output: Path | None) -> int:
    """The export to stdout, or to `output` through a temporary file beside it, renamed when
    the last chunk is written: a failed export leaves no half file (nor replaces an old one).
    The number of bytes written."""
    if output is None:
        return copy_chunks(chunks, sys.stdout.buffer)
    partial = output.with_name(f".{output.name}.part")
    try:
        with partial.open("wb") as sink:
            size = copy_chunks(chunks, sink)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return size
