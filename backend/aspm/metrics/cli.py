"""`aspm metrics [NAME] [--json] [--period 90d]` and `aspm metrics snapshot [--date D]`."""

import sys
from datetime import date
from typing import Annotated

import typer

from aspm import cli_database

EXIT_OK = 0
EXIT_FAILED = 2


def metrics(
    name: Annotated[
        str | None,
        typer.Argument(
            help="a metric (posture, mttr, sla, net_resolve_rate, violations_blocked, drift, "
            "coverage, iac_coverage, compliance), or `snapshot` to write today's snapshot; "
            "none: the catalogue"
        ),
    ] = None,
    period: Annotated[str, typer.Option(help="7d, 12w, 6m, 1y")] = "90d",
    group_by: Annotated[str | None, typer.Option("--group-by")] = None,
    interval: Annotated[str | None, typer.Option(help="day, week or month")] = None,
    team: Annotated[str | None, typer.Option()] = None,
    asset: Annotated[str | None, typer.Option()] = None,
    environment: Annotated[str | None, typer.Option()] = None,
    severity: Annotated[str | None, typer.Option()] = None,
    priority: Annotated[str | None, typer.Option()] = None,
    families: Annotated[str | None, typer.Option(help="coverage: e.g. sast,secrets")] = None,
    framework: Annotated[str | None, typer.Option(help="compliance: e.g. CIS")] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="snapshot: the day (YYYY-MM-DD; default today)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts")] = False,
) -> None:
    """Posture metrics (DESIGN.md section 8): show one (a table, or --json), list them all
    (no NAME), or write today's daily snapshot (`snapshot [--date D]`). Exit 2 on bad input."""
    from rich.console import Console
    from rich.markup import escape

    from aspm.cli_tables import Col, fit_table
    from aspm.db.session import unit_of_work
    from aspm.errors import AspmError
    from aspm.metrics import service
    from aspm.metrics.schemas import MetricQuery

    out, err = Console(), Console(stderr=True)
    factory = cli_database.factory()
    try:
        with unit_of_work(factory) as session:
            if name is None:
                infos = service.catalogue()
                if as_json:
                    sys.stdout.write("[" + ",".join(i.model_dump_json() for i in infos) + "]\n")
                    return
                columns = (
                    Col("metric", 0), Col("title", 2, min_width=14, fold=True),
                    Col("group by", 3, min_width=16, fold=True),
                    Col("definition", 1, min_width=36, fold=True),
)  # fmt: skip
                rows = [(i.name.value, i.title, ", ".join(i.group_by), i.definition) for i in infos]
                out.print(fit_table(out, columns, rows, title="Metrics"))
                return
            if name == "snapshot":
                snap = service.take_snapshot(session, day=date.fromisoformat(day) if day else None)
                if as_json:
                    sys.stdout.write(snap.model_dump_json() + "\n")
                else:
                    out.print(
                        f"snapshot {snap.day}: {snap.rows} rows, "
                        f"{snap.compliance_rows} compliance rows"
                    )
                return
            from aspm.auth.principal import SYSTEM

            query = MetricQuery.model_validate(
                {
                    "period": period,
                    "group_by": group_by,
                    "interval": interval,
                    "team": team,
                    "asset": asset,
                    "environment": environment,
                    "severity": severity,
                    "priority": priority,
                    "families": [f.strip() for f in families.split(",")] if families else None,
                    "framework": framework,
                }
            )
            result = service.compute(session, SYSTEM, name, query)
    except (AspmError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_FAILED) from exc
    if as_json:
        sys.stdout.write(result.model_dump_json() + "\n")
        return
    # the first columns name the group (team, day...): they stay, the later ones give way
    cols = [Col(c, min(i, 1) * (i + 1)) for i, c in enumerate(result.columns)]
    cells = [
        ["" if row[c] is None else escape(str(row[c])) for c in result.columns]
        for row in result.rows
    ]
    title = f"{result.title} ({result.period.days} days)"
    out.print(fit_table(out, cols, cells, title=title))
    for note in result.notes:
        err.print(f"note: {note}")
