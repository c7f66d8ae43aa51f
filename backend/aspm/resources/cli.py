"""`aspm resources list|show`: the resource inventory on the local database."""

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aspm import cli_database
from aspm.cli_errors import failing
from aspm.cli_tables import Col, fit_table

resources_app = typer.Typer(help="The resource inventory: Terraform states and plans, driftctl.")
out = Console()
err = Console(stderr=True)


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


@resources_app.command("list")
def resources_list(
    asset: Annotated[str | None, typer.Option()] = None,
    provider: Annotated[str | None, typer.Option()] = None,
    type_: Annotated[str | None, typer.Option("--type")] = None,
    managed: Annotated[
        bool | None, typer.Option("--managed/--unmanaged", help="managed by IaC or not")
    ] = None,
    has_findings: Annotated[
        bool | None, typer.Option("--has-findings/--no-findings", help="linked to a finding")
    ] = None,
    drifted: Annotated[
        bool | None,
        typer.Option("--drifted/--not-drifted", help="with drift still reported, or without"),
    ] = None,
    include_retired: Annotated[bool, typer.Option("--include-retired")] = False,
    q: Annotated[str | None, typer.Option(help="text in address, cloud id or name")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List resources with the number of findings linked to each."""
    from aspm.db.session import unit_of_work
    from aspm.resources import service
    from aspm.resources.schemas import ResourceFilter

    flt = ResourceFilter(
        asset=asset, provider=provider, type=type_, managed=managed, has_findings=has_findings,
        drifted=drifted, include_retired=include_retired, q=q, limit=limit, offset=offset,
    )  # fmt: skip
    with failing(), unit_of_work(cli_database.factory()) as session:
        page = service.list_resources(session, flt)
    if as_json:
        sys.stdout.write(json.dumps([i.model_dump(mode="json") for i in page.items]) + "\n")
        return
    # `resources show` takes the full id (or a unique address): the id is never folded
    columns = (
        Col("id", 0), Col("asset", 4, min_width=8, fold=True),
        Col("type", 2, min_width=12, fold=True), Col("address", 0, min_width=16, fold=True),
        Col("cloud id", 3, min_width=12, fold=True), Col("region", 6), Col("managed", 5),
        Col("findings", 1, justify="right"),
    )  # fmt: skip
    rows = [
        (
            str(r.id),
            escape(r.asset),
            r.type,
            escape(r.address or "-"),
            escape(r.cloud_id or "-"),
            r.region or "-",
            _yes_no(r.managed) + ("" if r.active else " (retired)"),
            str(r.findings),
        )
        for r in page.items
    ]
    title = f"Resources {offset + 1}-{offset + len(page.items)} of {page.total}"
    out.print(fit_table(out, columns, rows, title=title))


@resources_app.command("show")
def resources_show(
    ref: Annotated[str, typer.Argument(help="resource id, IaC address or cloud id")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One resource with its facts, relations and linked findings."""
    from aspm.db.session import unit_of_work
    from aspm.resources import service

    with failing(), unit_of_work(cli_database.factory()) as session:
        detail = service.get_resource(session, service.resolve_id(session, ref))
    if as_json:
        sys.stdout.write(detail.model_dump_json() + "\n")
        return
    out.print(f"[bold]{detail.address or detail.cloud_id}[/bold]  ({detail.type})")
    out.print(
        f"id {detail.id}  asset {detail.asset}  provider {detail.provider}  managed "
        f"{_yes_no(detail.managed)}  {'active' if detail.active else 'retired'}"
    )
    out.print(
        f"cloud id {detail.cloud_id or '-'}  account {detail.account_id or '-'}  region "
        f"{detail.region or '-'}  name {detail.name or '-'}"
    )
    out.print(f"first seen {detail.first_seen_at}  last seen {detail.last_seen_at}")
    if detail.tags:
        out.print("tags " + ", ".join(f"{k}={v}" for k, v in sorted(detail.tags.items())))
    for key, value in detail.facts:
        out.print(f"  {key}: {value}")
    if detail.relations:
        table = Table(title="Relations")
        for col in ("kind", "target", "in inventory"):
            table.add_column(col)
        for rel in detail.relations:
            table.add_row(rel.kind, rel.target, str(rel.resource_id or "-"))
        out.print(table)
    table = Table(title="Findings")
    for col in ("id", "severity", "status", "title", "via"):
        table.add_column(col)
    for f in detail.finding_list:
        table.add_row(str(f.id)[-12:], f.severity.value, f.status, f.title[:70], f.via)
    out.print(table)
