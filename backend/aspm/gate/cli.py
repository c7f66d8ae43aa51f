"""`aspm gate`: the CI policy gate. Exit 0 pass, 1 policy failure, 2 usage or input error.

Registered in aspm/cli.py as a plain command; heavy imports happen inside it.
"""

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from aspm import cli_database

if TYPE_CHECKING:
    from aspm.client import ServerClient
    from aspm.gate.schemas import GateEvaluationDetail, GateResult

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_ERROR = 2
EVALUATIONS = "/api/v1/gate/evaluations"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(EXIT_ERROR)


def gate(
    reports: Annotated[list[Path], typer.Argument(help="scanner reports of this build")],
    policy: Annotated[
        Path | None, typer.Option(help="gate-policy.yaml (default: the shipped policy)")
    ] = None,
    asset: Annotated[str | None, typer.Option(help="asset to file every record under")] = None,
    branch: Annotated[
        str | None, typer.Option(help="branch being built: the import's scope target")
    ] = None,
    commit: Annotated[str | None, typer.Option(help="commit SHA, recorded")] = None,
    baseline: Annotated[
        str | None, typer.Option(help="gate only findings absent from this branch (e.g. main)")
    ] = None,
    new_only: Annotated[
        bool, typer.Option("--new-only", help="gate only findings first seen now")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="evaluate without storing the reports' findings")
    ] = False,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="record the evaluation (default: yes)")
    ] = True,
    output: Annotated[
        str, typer.Option("--format", help="text, json or sarif (failing findings)")
    ] = "text",
    sarif_file: Annotated[
        Path | None, typer.Option(help="also write SARIF of the failing findings here")
    ] = None,
    input_format: Annotated[
        str | None, typer.Option(help="report format, instead of detecting it")
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            help="with --server: wait for a queued evaluation's verdict (--no-wait prints the "
            "queued evaluation's id and exits 0)"
        ),
    ] = True,
    timeout: Annotated[
        float,
        typer.Option(min=1, help="with --server: wait at most this many seconds (then exit 2)"),
    ] = 1800.0,
) -> None:
    """Import this build's reports and pass or fail it by policy-as-code (see README, "CI policy
    gate"). Exit 0 pass, 1 policy failure, 2 usage or input error. With `aspm --server URL
    --token T gate ...` (or ASPM_SERVER/ASPM_TOKEN) the server evaluates (token scope ingest);
    a server on PostgreSQL queues the evaluation and the command waits for its verdict."""
    from aspm import client as server

    if output not in {"text", "json", "sarif"}:
        raise _fail(f"--format {output!r}: choose text, json or sarif")
    if new_only and baseline:
        raise _fail("--new-only and --baseline exclude each other: give one")
    for path in reports:
        if not path.is_file():
            raise _fail(f"{path}: no such file")
    with_sarif = output == "sarif" or sarif_file is not None
    remote = server.current()
    if remote is not None:
        if not wait and with_sarif:
            raise _fail("--no-wait prints only the evaluation's id: leave out SARIF output")
        from aspm.gate.schemas import GateResult

        answer = _remote(
            remote, reports, policy, asset=asset, branch=branch, commit=commit,
            baseline=baseline, new_only=new_only, dry_run=dry_run, record=record,
            with_sarif=with_sarif, input_format=input_format,
        )  # fmt: skip
        if isinstance(answer, GateResult):  # evaluated in the request (a SQLite server)
            result = answer
        elif wait:
            result = _wait(remote, answer, timeout=timeout)
        else:
            _print_queued(remote, answer, as_json=output == "json")
            raise typer.Exit(0)
    else:
        result = _local(
            reports, policy, asset=asset, branch=branch, commit=commit, baseline=baseline,
            new_only=new_only, dry_run=dry_run, record=record, with_sarif=with_sarif,
            input_format=input_format,
        )  # fmt: skip
    if sarif_file is not None and result.sarif is not None:
        sarif_file.write_text(json.dumps(result.sarif, indent=2) + "\n", encoding="utf-8")
    if output == "json":
        sys.stdout.write(result.model_dump_json(exclude={"sarif"}) + "\n")
    elif output == "sarif":
        sys.stdout.write(json.dumps(result.sarif, indent=2) + "\n")
    else:
        print_text(result)
    raise typer.Exit(result.exit_code)


def _local(
    reports: list[Path],
    policy_path: Path | None,
    *,
    asset: str | None,
    branch: str | None,
    commit: str | None,
    baseline: str | None,
    new_only: bool,
    dry_run: bool,
    record: bool,
    with_sarif: bool,
    input_format: str | None,
) -> "GateResult":
    from aspm.errors import AspmError
    from aspm.gate import policy as gate_policy
    from aspm.gate import service

    try:
        loaded = gate_policy.load(policy_path)
    except AspmError as exc:
        raise _fail(str(exc)) from exc
    settings = cli_database.settings()
    factory = cli_database.factory(settings)
    options = service.GateOptions(
        asset=asset, branch=branch, commit=commit, baseline=baseline, new_only=new_only,
        dry_run=dry_run, record=record, format=input_format, with_sarif=with_sarif,
        risk_policy=settings.risk_policy,
    )  # fmt: skip
    try:
        return service.evaluate_files(
            factory, reports, loaded=loaded, options=options,
            hmac_key=settings.secret_hmac_key, batch_size=settings.ingest_batch_size, actor="cli",
        )  # fmt: skip
    except AspmError as exc:
        raise _fail(f"{exc}; nothing was stored") from exc
    except OSError as exc:
        raise _fail(f"{exc.filename}: {exc.strerror}") from exc


def _remote(
    remote: "ServerClient",
    reports: list[Path],
    policy_path: Path | None,
    *,
    asset: str | None,
    branch: str | None,
    commit: str | None,
    baseline: str | None,
    new_only: bool,
    dry_run: bool,
    record: bool,
    with_sarif: bool,
    input_format: str | None,
) -> "GateResult | GateEvaluationDetail":
    """POST the reports (and policy) to the server's gate endpoint with the CLI's server client
    (aspm.client: `aspm --server URL --token T`): the verdict (200), or the queued evaluation
    (202, a server on PostgreSQL)."""
    import httpx

    from aspm.gate.schemas import GateEvaluationDetail, GateResult

    params: dict[str, str] = {
        k: v
        for k, v in {
            "asset": asset, "branch": branch, "commit": commit, "baseline": baseline,
            "input_format": input_format,
        }.items()
        if v is not None
    }  # fmt: skip
    for name, flag in (("new_only", new_only), ("dry_run", dry_run), ("record", record),
                       ("sarif", with_sarif)):  # fmt: skip
        params[name] = "true" if flag else "false"
    url = EVALUATIONS
    try:
        with ExitStack() as files:
            parts: list[tuple[str, tuple[str, object, str]]] = [
                ("reports", (p.name, files.enter_context(p.open("rb")), "application/octet-stream"))
                for p in reports
            ]
            if policy_path is not None:
                parts.append(
                    ("policy", (policy_path.name, files.enter_context(policy_path.open("rb")),
                                "application/yaml"))
                )  # fmt: skip
            response = remote.http.post(url, params=params, files=parts)  # type: ignore[arg-type]
    except OSError as exc:
        raise _fail(f"{exc.filename}: {exc.strerror}") from exc
    except httpx.HTTPError as exc:
        raise _fail(f"the server at {remote.http.base_url}: {exc}") from exc
    if response.status_code == 202:
        return GateEvaluationDetail.model_validate_json(response.content)
    if response.status_code != 200:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = response.text[:500]
        raise _fail(f"the server answered {response.status_code}: {detail}")
    return GateResult.model_validate_json(response.content)


def _wait(
    remote: "ServerClient", queued: "GateEvaluationDetail", *, timeout: float
) -> "GateResult":
    """Poll the queued evaluation (the client's backoff, as `aspm ingest` waits for an import)
    until done (its verdict) or error (exit 2, with the server's reason)."""
    import httpx

    from aspm.client import ServerError, WaitTimeoutError
    from aspm.gate.schemas import GateEvaluationDetail

    try:
        body = remote.poll(f"{EVALUATIONS}/{queued.id}", until=("done", "error"), timeout=timeout)
    except WaitTimeoutError as exc:
        raise _fail(f"gate evaluation {queued.id}: {exc} (wait longer: --timeout)") from exc
    except ServerError as exc:
        raise _fail(str(exc)) from exc
    except httpx.HTTPError as exc:
        raise _fail(f"the server at {remote.http.base_url}: {exc}") from exc
    evaluation = GateEvaluationDetail.model_validate(body)
    if evaluation.status == "error" or evaluation.result is None:
        raise _fail(f"the server could not evaluate the reports: {evaluation.error}")
    return evaluation.result


def _print_queued(remote: "ServerClient", queued: "GateEvaluationDetail", *, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(queued.model_dump_json() + "\n")
        return
    out.print(
        f"queued: gate evaluation {queued.id}; follow it at "
        f"{str(remote.http.base_url).rstrip('/')}{EVALUATIONS}/{queued.id}"
    )


def print_text(result: "GateResult") -> None:
    verdict = "[bold green]GATE PASSED[/]" if result.passed else "[bold red]GATE FAILED[/]"
    where = [f"policy {escape(result.policy.name)} ({result.policy.digest[:12]})"]
    for label, value in (("asset", result.asset), ("branch", result.branch),
                         ("commit", result.commit), ("baseline", result.baseline)):  # fmt: skip
        if value:
            where.append(f"{label} {escape(value)}")
    where.append(f"gating {'new findings' if result.scope == 'new' else 'all findings'}")
    if result.dry_run:
        where.append("dry run: nothing imported")
    out.print(f"{verdict}  " + " · ".join(where))
    reasons: dict[str, int] = {}
    for item in result.ignored:
        reasons[item.reason] = reasons.get(item.reason, 0) + 1
    ignored = ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in sorted(reasons.items()))
    out.print(
        f"{sum(i.findings for i in result.imports)} records in {len(result.imports)} report(s); "
        f"{result.evaluated} findings gated, {result.failed} failing"
        + (f", ignored: {ignored}" if ignored else "")
    )
    for rule in result.rules:
        if not rule.enabled:
            continue
        mark = "[red]FAIL[/]" if rule.failed else "[green]ok[/]  "
        out.print(
            f"  {mark} {escape(rule.rule_id)} ({escape(rule.asset)}): {rule.matched} matching, "
            f"at most {rule.max} allowed" + (f" - {escape(rule.description)}" if rule.description
                                             else "")
        )  # fmt: skip
    for f in result.failing:
        rank = " ".join(x for x in (f.priority, f.severity) if x)
        risk = f" risk {f.risk_score}" if f.risk_score is not None else ""
        out.print()
        out.print(f"[red]x[/] [bold]{escape(f.title)}[/] [{rank}{risk}]")
        out.print(
            f"    where:  {escape(f.where)}  ({escape(', '.join(f.tools))}; {escape(f.asset)})"
        )
        ident = f.id if f.id else "new (dry run: not stored)"
        out.print(f"    id:     {ident}{'  (new)' if f.new and f.id else ''}")
        out.print(f"    failed: {escape(', '.join(f.failed_rules))}")
        for advice in f.fix:
            out.print(f"    policy: {escape(advice)}")
        if f.remediation:
            out.print(f"    fix:    {escape(f.remediation[:600])}")
        if f.accept:
            out.print(f"    accept: {escape(f.accept)}")
    if not result.passed:
        out.print()
        out.print(
            "Fix the findings above, or have a security lead accept the risk (with an expiry) "
            "or mark a false positive; accepted and suppressed findings never fail the gate."
        )
