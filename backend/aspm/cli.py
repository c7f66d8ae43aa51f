"""The `aspm` command line: ingest reports, read findings, run the server, manage the database."""

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from aspm import cli_database
from aspm import client as server
from aspm.auth import cli as auth_cli
from aspm.cli_errors import EXIT_FAILED, failing
from aspm.cli_tables import Col, fit_table
from aspm.db.bulk import is_postgres
from aspm.db.session import unit_of_work
from aspm.exports import cli as export_cli
from aspm.findings import cli as filter_options
from aspm.findings import search_index
from aspm.findings import service as findings_service
from aspm.findings.schemas import (
    FindingListQuery,
    FindingSort,
    SuppressedFilter,
)
from aspm.gate import cli as gate_cli
from aspm.ingest import service as ingest_service
from aspm.ingest.schemas import IngestResult
from aspm.metrics import cli as metrics_cli
from aspm.resources import cli as resources_cli
from aspm.settings import Settings
from aspm.triage import cli as triage_cli

app = typer.Typer(help="ASPM: every scanner's findings in one de-duplicated, risk-ranked backlog.")
db_app = typer.Typer(help="Database schema.")
findings_app = typer.Typer(help="The findings backlog.")
app.add_typer(db_app, name="db")
app.add_typer(findings_app, name="findings")
controls_app = typer.Typer(help="The control map: equivalent rules of different tools.")
app.add_typer(controls_app, name="controls")
assets_app = typer.Typer(help="Assets: context (environment, exposure, data) and match rules.")
risk_app = typer.Typer(help="The risk policy and scores.")
app.add_typer(assets_app, name="assets")
app.add_typer(risk_app, name="risk")
app.command("metrics")(metrics_cli.metrics)
app.add_typer(auth_cli.users_app, name="users")
app.add_typer(auth_cli.teams_app, name="teams")
app.add_typer(auth_cli.tokens_app, name="tokens")
app.add_typer(triage_cli.triage_app, name="triage")
app.add_typer(triage_cli.rules_app, name="rules")
app.command("gate")(gate_cli.gate)
app.add_typer(export_cli.export_app, name="export")
app.add_typer(resources_cli.resources_app, name="resources")

out = Console()
err = Console(stderr=True)

EXIT_OK = 0
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
# the CLI prints a finding id's last 12 hex digits (48 random bits of a UUIDv7: unique in
# practice; `findings show` says when a suffix is ambiguous); one import's ids share their start
ID_CHARS = 12


@app.callback()
def main(
    server_url: Annotated[
        str | None,
        typer.Option(
            "--server",
            envvar="ASPM_SERVER",
            help="ingest, findings, gate and export use this ASPM server, not the local database",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="ASPM_TOKEN", help="API token for --server (aspm tokens create)"),
    ] = None,
) -> None:
    """ASPM: every scanner's findings in one de-duplicated, risk-ranked backlog."""
    with failing():
        server.configure(server_url, token)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest version (Alembic)."""
    from aspm.db.migrate import upgrade

    settings = cli_database.settings()
    upgrade(settings.database_url)
    err.print("database is at the latest schema")


@db_app.command("refresh-search")
def db_refresh_search() -> None:
    """Bring text search up to date with every import now (PostgreSQL; workers do it every 5
    seconds, and a search is exact meanwhile, only slower on the assets not yet refreshed)."""
    settings = cli_database.settings()
    factory = cli_database.factory(settings)
    with failing(), factory() as session:
        if not is_postgres(session):
            err.print("nothing to refresh: on SQLite a search reads the findings themselves")
            return
    with failing():
        done = search_index.refresh(factory)
    err.print(f"search refreshed: {done.assets} assets, {done.rows} rows, {done.seconds:.1f} s")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="API processes (uvicorn workers) sharing the port")
    ] = 1,
) -> None:
    """Serve the REST API (and dashboard) with uvicorn. On PostgreSQL, uploads are queued:
    run `aspm worker` too."""
    import uvicorn

    from aspm.risk import service as risk_service

    settings = cli_database.settings()
    # start-up is where a changed policy file takes effect (reads never apply one)
    with failing(), unit_of_work(cli_database.factory(settings)) as session:
        if risk_service.sync_file(session, path=settings.risk_policy):
            out.print("risk policy file applied: every finding re-scored")
    uvicorn.run(
        "aspm.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        workers=workers,
        **proxy_options(settings),
    )


@app.command()
def worker(
    processes: Annotated[
        int, typer.Option("--processes", "-n", min=1, help="worker processes, one job each")
    ] = 1,
    burst: Annotated[
        bool, typer.Option(help="exit once the queue is empty (one process), e.g. in a test")
    ] = False,
) -> None:
    """Run job workers (PostgreSQL): queued imports, expiry (hourly), metrics snapshot
    (daily). Stop with SIGTERM/SIGINT: each finishes its job first."""
    import logging

    from aspm.jobs import worker as jobs_worker

    settings = cli_database.settings()
    with failing():
        from aspm.jobs.queue import conninfo

        conninfo(settings.database_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if processes == 1 or burst:
        jobs_worker.run(settings, wait=not burst)
        return
    raise typer.Exit(jobs_worker.run_many(processes))


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's forwarded-header options: believe X-Forwarded-For / -Proto only from the
    ASPM_TRUSTED_PROXIES (uvicorn's own default believes any local client, which could then pick
    the address that the sign-in limit counts)."""
    proxies = settings.trusted_proxy_list()
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


def _ingest_one(
    factory: sessionmaker[Session],
    settings: Settings,
    path: Path,
    options: ingest_service.IngestOptions,
    show_progress: bool,
) -> IngestResult:
    if not path.is_file():
        return IngestResult(file=str(path), status="error", error=f"{path}: no such file")
    size = path.stat().st_size
    with path.open("rb") as fh:
        if not show_progress or size < PROGRESS_MIN_BYTES:
            return ingest_service.run_import(
                factory,
                source=fh,
                filename=str(path),
                options=options,
                hmac_key=settings.secret_hmac_key,
                batch_size=settings.ingest_batch_size,
            )
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(path.name, total=size)
            return ingest_service.run_import(
                factory,
                source=fh,
                filename=str(path),
                options=options,
                hmac_key=settings.secret_hmac_key,
                batch_size=settings.ingest_batch_size,
                progress=lambda n: bar.advance(task, n),
            )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="report files; each is its own import")],
    asset: Annotated[str | None, typer.Option(help="asset to file every record under")] = None,
    scope: Annotated[str, typer.Option(help="target within the asset: branch, region...")] = "",
    partial: Annotated[bool, typer.Option(help="never retire detections missing here")] = False,
    format: Annotated[
        str | None, typer.Option("--format", help="skip detection: use this format")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per file")] = False,
    wait: Annotated[
        bool,
        typer.Option(
            help="with --server: wait for a queued import to finish and print its result "
            "(--no-wait prints the queued import's id and exits)"
        ),
    ] = True,
) -> None:
    """Import scanner reports. Exit 0 when every file imported (or, --no-wait, was queued), 2
    when any failed."""
    settings = cli_database.settings()
    remote = server.current()
    factory = None if remote is not None else cli_database.factory(settings)
    options = ingest_service.IngestOptions(
        asset=asset, scope=scope, partial=partial, format=format, actor="cli",
        risk_policy=settings.risk_policy,
    )  # fmt: skip
    results = []
    for path in paths:
        with failing():
            result = (
                remote.ingest(
                    path, asset=asset, scope=scope, partial=partial, format=format, wait=wait
                )
                if remote is not None
                else _ingest_one(
                    factory or cli_database.factory(settings),
                    settings,
                    path,
                    options,
                    show_progress=not as_json,
                )
            )
        results.append(result)
        if as_json:
            sys.stdout.write(result.model_dump_json(exclude={"warnings"}) + "\n")
            sys.stdout.flush()
    if not as_json:
        _print_results(results)
    done = {"ok", "queued"} if not wait else {"ok"}
    raise typer.Exit(EXIT_OK if all(r.status in done for r in results) else EXIT_FAILED)


@app.command()
def demo(
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="write the reports here (default: a temp dir)")
    ] = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="do nothing if the database has findings")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON summary")] = False,
    history_days: Annotated[
        int, typer.Option("--history-days", min=0, max=365, help="spread over N past days; 0: now")
    ] = 90,
) -> None:
    """Load a fictional company's scanner reports (in each tool's own format) through the
    pipeline. Exit 0 when every import succeeded, 2 when any failed."""
    from aspm.demo import service as demo_service

    settings = cli_database.settings()
    with failing():
        summary = demo_service.run_demo(
            cli_database.factory(settings),
            out_dir=out_dir,
            hmac_key=settings.secret_hmac_key,
            batch_size=settings.ingest_batch_size,
            if_empty=if_empty,
            history_days=history_days,
        )
    if as_json:
        sys.stdout.write(summary.model_dump_json(exclude={"imports": {"__all__": {"warnings"}}}))
        sys.stdout.write("\n")
    elif summary.skipped:
        err.print("the database already has findings: demo skipped (--if-empty)")
    else:
        _print_results(summary.imports)
        out.print(
            f"{summary.findings} findings on {len(summary.assets)} assets ({summary.active} "
            f"active, {summary.fixed} fixed, {summary.reopened} reopened); reports in "
            f"{summary.out_dir}"
        )
    raise typer.Exit(EXIT_OK if summary.ok else EXIT_FAILED)


def _status_cell(r: IngestResult) -> str:
    if r.status == "ok":
        return "[green]ok[/green]"
    if r.status == "error":
        return "[red]error[/red]"
    return f"[yellow]{r.status} {r.import_id}[/yellow]"  # --no-wait: follow it by its id


_RESULT_COLUMNS = (
    Col("file", 0, min_width=24, fold=True), Col("format", 7), Col("tool", 2),
    Col("asset", 3, min_width=12, fold=True), Col("records", 5, justify="right"),
    Col("findings", 1, justify="right"), Col("new", 1, justify="right"),
    Col("unchanged", 6, justify="right"), Col("reopened", 4, justify="right"),
    Col("resolved", 3, justify="right"), Col("skipped", 5, justify="right"),
    Col("status", 0, min_width=6, fold=True),
)  # fmt: skip


def _print_results(results: list[IngestResult]) -> None:
    rows = [
        (
            escape(r.file),
            r.format or "",
            r.tool or "",
            escape(r.asset or ""),
            str(r.records),
            str(r.findings),
            str(r.new),
            str(r.unchanged),
            str(r.reopened),
            str(r.resolved),
            str(r.skipped),
            _status_cell(r),
        )
        for r in results
    ]
    out.print(fit_table(out, _RESULT_COLUMNS, rows, title="Imports"))
    for r in results:
        if r.error:
            err.print(f"[red]error:[/red] {escape(r.error)}")
        for w in r.warnings[:20]:
            err.print(f"[yellow]warning:[/yellow] {escape(r.file)}: {escape(w)}")


class FindingView(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"


_FINDING_COLUMNS = (
    # the id is what `findings show` takes: never folded or cut, at any terminal width
    Col("id", 0), Col("prio", 0), Col("risk", 5), Col("severity", 1), Col("status", 7),
    Col("triage", 4), Col("title", 0, min_width=20, fold=True),
    Col("asset", 3, min_width=12, fold=True), Col("where", 2, min_width=16, fold=True),
    Col("tools", 6, min_width=8, fold=True),
)  # fmt: skip


@findings_app.command("list")
def findings_list(
    asset: filter_options.AssetOption = None,
    severity: filter_options.SeverityOption = None,
    priority: filter_options.PriorityOption = None,
    status: filter_options.StatusOption = None,
    triage: filter_options.TriageOption = None,
    sla_status: filter_options.SlaStatusOption = None,
    environment: filter_options.EnvironmentOption = None,
    suppressed: filter_options.SuppressedOption = SuppressedFilter.EXCLUDE,
    import_id: filter_options.ImportIdOption = None,
    view: Annotated[
        FindingView,
        typer.Option(help="open: active and not closed by triage (the dashboard's default)"),
    ] = FindingView.OPEN,
    toxic: Annotated[
        bool, typer.Option("--toxic", help="only findings in a toxic combination")
    ] = False,
    assignee: Annotated[str | None, typer.Option(help="a user name")] = None,
    team: Annotated[str | None, typer.Option(help="a team name (of the finding or its asset)")] = (
        None
    ),
    tool: filter_options.ToolOption = None,
    category: filter_options.CategoryOption = None,
    q: filter_options.TextOption = None,
    sort: Annotated[
        FindingSort | None, typer.Option(help="default: risk (--mine: priority)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    mine: Annotated[
        bool, typer.Option("--mine", help="assigned to you (--as), most urgent first")
    ] = False,
    as_user: triage_cli.AsOption = None,
) -> None:
    """List open findings, riskiest first, as the dashboard's queue does (`--view all` for
    every one; `--mine`: yours, by priority then SLA due date)."""
    settings = cli_database.settings()
    if mine and assignee:
        err.print("[red]give --mine or --assignee, not both[/red]")
        raise typer.Exit(EXIT_FAILED)
    try:
        query = FindingListQuery(
            asset=asset,
            severity=severity or [],
            priority=priority or [],
            status=status or [],
            triage=triage or [],
            sla_status=sla_status or [],
            environment=environment or [],
            suppressed=suppressed,
            import_id=import_id,
            open=None if view is FindingView.ALL else view is FindingView.OPEN,
            toxic=True if toxic else None,
            tool=tool,
            category=category,
            q=q,
            sort=sort or (FindingSort.PRIORITY if mine else FindingSort.RISK),
            limit=limit,
            offset=offset,
            assignee="me" if mine else assignee,
            team=team,
        )
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with failing():
        if (remote := server.current()) is not None:
            page = remote.list_findings(query)
        else:
            flt = findings_service.query_filter(triage_cli.principal(as_user), query)
            with unit_of_work(cli_database.factory(settings)) as session:
                page = findings_service.list_findings(session, flt)
    if as_json:
        sys.stdout.write(json.dumps([i.model_dump(mode="json") for i in page.items]) + "\n")
        return
    rows = [
        (
            str(f.id)[-ID_CHARS:],
            f.priority or "-",
            "" if f.risk_score is None else str(f.risk_score),
            f.severity.value,
            f.status.value,
            f.triage_state.value.replace("_", " "),
            escape(f.title),
            escape(f.asset),
            escape(f.resource or f.path or ""),
            ",".join(f.tools),
        )
        for f in page.items
    ]
    title = f"Findings {offset + 1}-{offset + len(page.items)} of {page.total} ({view.value})"
    out.print(fit_table(out, _FINDING_COLUMNS, rows, title=title))


@findings_app.command("show")
def findings_show(
    finding_id: Annotated[str, typer.Argument(help="finding id (or its last 12 characters)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One finding with all its detections."""
    settings = cli_database.settings()
    with failing():
        if (remote := server.current()) is not None:
            detail = remote.get_finding(finding_id)
        else:
            with unit_of_work(cli_database.factory(settings)) as session:
                detail = findings_service.get_finding(
                    session, findings_service.resolve_id(session, finding_id)
                )
    if as_json:
        sys.stdout.write(detail.model_dump_json() + "\n")
        return
    _print_detail(detail.model_dump(mode="json"))


def _print_detail(d: dict[str, Any]) -> None:
    out.print(f"[bold]{d['title']}[/bold]")
    out.print(f"id {d['id']}  severity {d['severity']}  status {d['status']}  triage "
              f"{d['triage_state']}  asset {d['asset']}  control {d['control_id']}")  # fmt: skip
    out.print(f"first seen {d['first_seen_at']}  last seen {d['last_seen_at']}  "
              f"reopened {d['reopen_count']}x")  # fmt: skip
    if d.get("risk_score") is not None:
        out.print(
            f"[bold]risk {d['risk_score']}  priority {d['priority'] or '-'}  SLA due "
            f"{d['sla_due_at'] or '-'}[/bold]  (`aspm findings explain` says why)"
        )
    if d["description"]:
        out.print(d["description"])
    if d["remediation"]:
        out.print(f"[bold]Fix:[/bold] {d['remediation']}")
    for ref in d["references"]:
        out.print(f"  {ref}")
    table = Table(title="Detections")
    for col in ("tool", "rule", "severity", "where", "active", "last seen"):
        table.add_column(col)
    for det in d["detection_list"]:
        where = det["path"] or ""
        if det["start_line"]:
            where += f":{det['start_line']}"
            if det["end_line"] and det["end_line"] != det["start_line"]:
                where += f"-{det['end_line']}"
        if det["resource"]:
            where = f"{det['resource']} {where}".strip()
        if det["secret_preview"]:
            where += f" secret {det['secret_preview']}"
        table.add_row(
            det["tool"], det["rule_id"], det["severity"], where, "yes" if det["active"] else "no",
            det["last_seen_at"],
        )  # fmt: skip
    out.print(table)
    for det in d["detection_list"]:  # links to the lines (the asset's repository URL), unwrapped
        if det.get("code_url"):
            out.print(escape(f"Code ({det['tool']}): {det['code_url']}"), soft_wrap=True)
    _print_code_to_cloud(d.get("code_to_cloud"))


def _print_code_to_cloud(c2c: dict[str, Any] | None) -> None:
    """In code, in cloud, drift: the finding's inventory resource (`aspm resources show`)."""
    if not c2c:
        return
    r = c2c["resource"]
    name = r["address"] or r["cloud_id"] or r["type"]
    state = ("managed by Terraform" if r["managed"] else "unmanaged: no state holds it") + (
        "" if r["active"] else ", retired"
    )
    text = escape(f"{r['type']} {name} ({state}; id {r['id']})")
    out.print(f"[bold]Resource[/bold] {text}")
    code = c2c["in_code"]
    if code:
        line = f":{code['start_line']}" if code["start_line"] else ""
        out.print(escape(f"  In code: {code['path']}{line} ({code['tool']}, {code['asset']})"))
    else:
        out.print("  In code: -")
    cloud = c2c["in_cloud"]
    if cloud:
        where = ", ".join(v for v in (cloud["account_id"], cloud["region"]) if v)
        out.print(escape(f"  In cloud: {cloud['cloud_id']}" + (f" ({where})" if where else "")))
    else:
        out.print("  In cloud: -")
    for drift in c2c["drift"]:
        out.print(
            escape(
                f"  Drift: {drift['title']} ({drift['severity']}) since "
                f"{drift['first_seen_at'][:10]} (finding {drift['id']})"
            )
        )


@findings_app.command("explain")
def findings_explain(
    finding_id: Annotated[str, typer.Argument(help="finding id (or its last 12 characters)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Why a finding has its risk score: each factor, its value, multiplier and source."""
    from aspm.risk import service as risk_service

    settings = cli_database.settings()
    factory = cli_database.factory(settings)
    with failing(), unit_of_work(factory) as session:
        result = risk_service.explain(session, findings_service.resolve_id(session, finding_id))
    if as_json:
        sys.stdout.write(result.model_dump_json() + "\n")
        return
    out.print(f"[bold]{result.title}[/bold]")
    for line in result.summary:
        out.print(f"  {line}")


@assets_app.command("apply")
def assets_apply(
    path: Annotated[Path, typer.Argument(help="assets.yaml")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Declare assets, their context and match rules (idempotent). Findings of assets whose
    context changed are re-scored. Exit 2 on any error (nothing is changed then)."""
    from aspm.assets import service as assets_service
    from aspm.risk import service as risk_service

    settings = cli_database.settings()
    factory = cli_database.factory(settings)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        err.print(f"[red]{path}: {exc.strerror}[/red]")
        raise typer.Exit(EXIT_FAILED) from exc
    with failing(), unit_of_work(factory) as session:
        rescore = risk_service.context_rescorer(actor="cli", policy_path=settings.risk_policy)
        result = assets_service.apply(session, yaml_text=text, source=str(path), rescore=rescore)
    if as_json:
        sys.stdout.write(result.model_dump_json() + "\n")
        return
    out.print(
        f"{len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged; {result.rescored} findings re-scored"
    )


@assets_app.command("list")
def assets_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every asset with its context and open findings."""
    from aspm.assets import service as assets_service

    settings = cli_database.settings()
    with unit_of_work(cli_database.factory(settings)) as session:
        items = assets_service.list_read(session)
    if as_json:
        sys.stdout.write(json.dumps([a.model_dump(mode="json") for a in items]) + "\n")
        return
    columns = (
        Col("name", 0, min_width=14, fold=True), Col("kind", 6), Col("environment", 1),
        Col("exposure", 2), Col("data", 4, min_width=8, fold=True), Col("tier", 5),
        Col("team", 3, min_width=8, fold=True),
        Col("rules", 7, justify="right"), Col("open", 0, justify="right"),
    )  # fmt: skip
    rows = [
        (
            escape(a.name),
            a.kind,
            a.environment,
            a.exposure,
            a.data_sensitivity + (f" ({','.join(a.data_tags)})" if a.data_tags else ""),
            str(a.criticality) if a.criticality else "-",
            escape(a.owner_team or "-"),
            str(len(a.match)),
            str(a.findings),
        )
        for a in items
    ]
    out.print(fit_table(out, columns, rows, title=f"Assets ({len(items)})"))


@risk_app.command("show")
def risk_show() -> None:
    """The risk policy in force, as JSON."""
    from aspm.risk import service as risk_service

    settings = cli_database.settings()
    with unit_of_work(cli_database.factory(settings)) as session:
        policy = risk_service.get_policy(session, path=settings.risk_policy)
    sys.stdout.write(policy.model_dump_json(indent=2) + "\n")


@risk_app.command("apply")
def risk_apply(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="risk-policy.yaml (default: ASPM_RISK_POLICY, else the shipped default)"
        ),
    ] = None,
) -> None:
    """Put a policy file in force and re-score every finding (audited)."""
    from aspm.risk import service as risk_service

    settings = cli_database.settings()
    with failing(), unit_of_work(cli_database.factory(settings)) as session:
        result = risk_service.apply_file(session, path=path or settings.risk_policy, actor="cli")
    out.print(f"policy {result.policy_version}: {result.selected} findings evaluated, "
              f"{result.updated} changed, in {result.duration_ms} ms")  # fmt: skip


@controls_app.command("list")
def controls_list(
    provider: Annotated[str | None, typer.Option(help="aws, azure, gcp, kubernetes")] = None,
    tool: Annotated[str | None, typer.Option(help="only controls this tool maps to")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Canonical controls and the rules of each tool that map to them."""
    from aspm.findings import control_service

    controls = control_service.list_controls(provider=provider, tool=tool)
    if as_json:
        sys.stdout.write(json.dumps([c.model_dump(mode="json") for c in controls]) + "\n")
        return
    columns = (
        Col("id", 0),
        Col("provider", 2),
        Col("title", 0, min_width=16, fold=True),
        Col("tools", 1, min_width=10, fold=True),
    )
    rows = [(c.id, c.provider, escape(c.title), ", ".join(sorted(c.rules))) for c in controls]
    out.print(fit_table(out, columns, rows, title=f"{len(controls)} controls"))


@controls_app.command("show")
def controls_show(
    control_id: Annotated[str, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One control: its rules per tool and its compliance references."""
    from aspm.findings import control_service

    with failing():
        control = control_service.get_control(control_id)
    if as_json:
        sys.stdout.write(control.model_dump_json() + "\n")
        return
    out.print(f"[bold]{control.title}[/bold]  ({control.id}, {control.provider}, {control.domain})")
    for tool, rules in sorted(control.rules.items()):
        out.print(f"  {tool}: {', '.join(rules)}")
    for ref in control.compliance:
        out.print(f"  {ref.framework} {ref.control}")


if __name__ == "__main__":
    app()
