"""`aspm triage ...` and `aspm rules ...`: triage decisions and rules from the command line,
against the local database (ASPM_DATABASE_URL). Whoever runs the CLI has the database, so acts
with admin rights; the name recorded in the audit trail is `--as` (default: $ASPM_USER, else the
login name)."""

import getpass
import json
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from aspm import cli_database
from aspm.auth.principal import Principal, Role
from aspm.cli_errors import failing
from aspm.db.session import unit_of_work
from aspm.findings.models import TriageState
from aspm.settings import get_settings

out = Console()
err = Console(stderr=True)


class _DefaultToSet(TyperGroup):
    """`aspm triage FINDING_ID --state S` is short for `aspm triage set FINDING_ID --state S`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["set", *args]
        return super().parse_args(ctx, args)


triage_app = typer.Typer(
    cls=_DefaultToSet,
    help="Triage findings: `aspm triage FINDING_ID --state confirmed` (short for `triage set`), "
    "assign, comment, history, expire.",
)
rules_app = typer.Typer(
    help="Suppression rules (`rules suppress`) and ownership rules (`rules own`)."
)
suppress_app = typer.Typer(help="Suppression rules: hide matching findings (with a justification).")
own_app = typer.Typer(
    help="Ownership rules (CODEOWNERS-like): asset / path glob -> team for new findings; the "
    "last matching rule wins."
)
rules_app.add_typer(suppress_app, name="suppress")
rules_app.add_typer(own_app, name="own")

AsOption = Annotated[
    str | None,
    typer.Option("--as", envvar="ASPM_USER", help="your name in the audit trail (default: login)"),
]


def principal(name: str | None) -> Principal:
    who = (name or getpass.getuser()).strip() or "cli"
    return Principal(kind="user", id=None, name=who, role=Role.ADMIN)


def _expiry(value: str | None) -> datetime | None:
    """YYYY-MM-DD (until the end of that day, UTC) or an ISO date-time (UTC if no zone)."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise typer.BadParameter(f"{value!r}: use YYYY-MM-DD or an ISO date-time") from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def _print(model: Any, as_json: bool, text: str) -> None:
    if as_json:
        sys.stdout.write(model.model_dump_json() + "\n")
    else:
        out.print(text)


@triage_app.command("set")
def triage_set(
    finding_id: Annotated[str, typer.Argument(help="finding id (or its last 12 characters)")],
    state: Annotated[TriageState, typer.Option(help="the new triage state")],
    reason: Annotated[
        str | None, typer.Option(help="why (required for false_positive, wont_fix, accepted_risk)")
    ] = None,
    expires: Annotated[
        str | None, typer.Option(help="accepted_risk: until YYYY-MM-DD (end of day UTC)")
    ] = None,
    approver: Annotated[str | None, typer.Option(help="accepted_risk: who approved")] = None,
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Move a finding's triage state. Exit 2 on an illegal move or missing reason."""
    from aspm.findings import service as findings_service
    from aspm.triage import service
    from aspm.triage.schemas import TriageRequest

    settings = get_settings()
    with failing(), unit_of_work(cli_database.factory()) as session:
        fid = findings_service.resolve_id(session, finding_id)
        current = findings_service.get_risk_fields(session, fid)
        result = service.triage(
            session,
            finding_id=fid,
            request=TriageRequest(
                state=state, reason=reason, expires_at=_expiry(expires), approver=approver,
                version=current.version if current else 0,
            ),
            principal=principal(as_user),
            require_approver=settings.risk_acceptance_requires_approver,
        )  # fmt: skip
    _print(result, as_json, f"{result.id}: {result.triage_state.value}")


@triage_app.command("assign")
def triage_assign(
    finding_id: Annotated[str, typer.Argument(help="finding id (or its last 12 characters)")],
    user: Annotated[str | None, typer.Option(help="assignee user name (omit to unassign)")] = None,
    team: Annotated[str | None, typer.Option(help="team name (omit to clear)")] = None,
    reason: Annotated[str | None, typer.Option()] = None,
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Assign a finding to a user and/or a team."""
    from aspm.findings import service as findings_service
    from aspm.triage import service
    from aspm.triage.schemas import AssignRequest

    with failing(), unit_of_work(cli_database.factory()) as session:
        fid = findings_service.resolve_id(session, finding_id)
        current = findings_service.get_risk_fields(session, fid)
        result = service.assign(
            session,
            finding_id=fid,
            request=AssignRequest(
                assignee=user, team=team, reason=reason,
                version=current.version if current else 0,
            ),
            principal=principal(as_user),
        )  # fmt: skip
    _print(result, as_json, f"{result.id}: assignee {result.assignee or '-'} team "
                            f"{result.team or '-'}")  # fmt: skip


@triage_app.command("comment")
def triage_comment(
    finding_id: Annotated[str, typer.Argument(help="finding id (or its last 12 characters)")],
    text: Annotated[str, typer.Argument(help="the comment")],
    as_user: AsOption = None,
) -> None:
    """Add a comment to a finding."""
    from aspm.findings import service as findings_service
    from aspm.triage import service
    from aspm.triage.schemas import CommentCreate

    with failing(), unit_of_work(cli_database.factory()) as session:
        fid = findings_service.resolve_id(session, finding_id)
        comment = service.add_comment(
            session, finding_id=fid, request=CommentCreate(body=text),
            principal=principal(as_user),
        )  # fmt: skip
    out.print(f"comment {comment.id} added")


@triage_app.command("history")
def triage_history(
    finding_id: Annotated[str, typer.Argument(help="finding id (or its last 12 characters)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A finding's audit trail, oldest first."""
    from aspm.findings import service as findings_service
    from aspm.triage import service

    with failing(), unit_of_work(cli_database.factory()) as session:
        page = service.history(
            session, finding_id=findings_service.resolve_id(session, finding_id), limit=500
        )
    if as_json:
        sys.stdout.write(json.dumps([e.model_dump(mode="json") for e in page.items]) + "\n")
        return
    table = Table(title=f"History ({page.total} events)")
    for col in ("at", "actor", "action", "from", "to", "why"):
        table.add_column(col)
    for e in page.items:
        table.add_row(
            e.at.isoformat(timespec="seconds"), e.actor, e.action, e.from_value or "",
            e.to_value or "", (e.reason or "")[:60],
        )  # fmt: skip
    out.print(table)


@triage_app.command("expire")
def triage_expire(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Return expired risk acceptances to `confirmed` and end expired suppression rules
    (restoring their findings). Run it from cron, e.g. hourly; imports run it too."""
    from aspm.triage import service

    with unit_of_work(cli_database.factory()) as session:
        result = service.expire_due(session)
    _print(result, as_json, f"{result.acceptances_expired} risk acceptances expired, "
                            f"{result.rules_expired} suppression rules expired, "
                            f"{result.findings_restored} findings restored")  # fmt: skip


@suppress_app.command("list")
def suppress_list(
    include_ended: Annotated[bool, typer.Option(help="also removed and expired rules")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Suppression rules in force, with the number of findings each hides."""
    from aspm.triage import service

    with unit_of_work(cli_database.factory()) as session:
        rules = service.list_suppression_rules(session, include_ended=include_ended)
    if as_json:
        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in rules]) + "\n")
        return
    table = Table(title=f"Suppression rules ({len(rules)})")
    for col in ("id", "tool", "rule", "asset", "path", "resource", "expires", "hides", "why"):
        table.add_column(col)
    for r in rules:
        table.add_row(
            str(r.id)[:8], r.tool or "", r.rule or "", r.asset or "", r.path_glob or "",
            r.resource_pattern or "", r.expires_at.date().isoformat() if r.expires_at else "-",
            str(r.findings) if r.ended_at is None else r.ended_reason or "", r.justification[:40],
        )  # fmt: skip
    out.print(table)


@suppress_app.command("add")
def suppress_add(
    justification: Annotated[str, typer.Option(help="why these findings do not matter")],
    tool: Annotated[str | None, typer.Option(help="a tool, exact")] = None,
    rule: Annotated[str | None, typer.Option(help="rule or control id (glob)")] = None,
    asset: Annotated[str | None, typer.Option(help="asset name, exact")] = None,
    path: Annotated[str | None, typer.Option(help="path glob (* spans directories)")] = None,
    resource: Annotated[str | None, typer.Option(help="resource/ARN glob")] = None,
    approver: Annotated[str | None, typer.Option()] = None,
    expires: Annotated[str | None, typer.Option(help="YYYY-MM-DD (end of day UTC)")] = None,
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a suppression rule; it hides matching findings now and at every later import.
    A rule with no criteria, or only wildcards, is refused."""
    from aspm.triage import service
    from aspm.triage.schemas import SuppressionRuleCreate

    with failing(), unit_of_work(cli_database.factory()) as session:
        result = service.create_suppression_rule(
            session,
            request=SuppressionRuleCreate(
                tool=tool, rule=rule, asset=asset, path_glob=path, resource_pattern=resource,
                justification=justification, approver=approver, expires_at=_expiry(expires),
            ),
            principal=principal(as_user),
        )  # fmt: skip
    _print(result, as_json, f"rule {result.id} suppresses {result.findings} findings")


@suppress_app.command("remove")
def suppress_remove(
    rule_id: Annotated[uuid.UUID, typer.Argument()],
    reason: Annotated[str | None, typer.Option()] = None,
    as_user: AsOption = None,
) -> None:
    """End a suppression rule and restore the findings it hid."""
    from aspm.triage import service

    with failing(), unit_of_work(cli_database.factory()) as session:
        service.remove_suppression_rule(
            session, rule_id=rule_id, principal=principal(as_user), reason=reason
        )
    out.print(f"rule {rule_id} removed")


@own_app.command("list")
def own_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Ownership rules in order (the last match wins)."""
    from aspm.triage import service

    with unit_of_work(cli_database.factory()) as session:
        rules = service.list_ownership_rules(session)
    if as_json:
        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in rules]) + "\n")
        return
    table = Table(title=f"Ownership rules ({len(rules)}; the last match wins)")
    for col in ("#", "id", "asset", "path", "resource", "team"):
        table.add_column(col)
    for r in rules:
        table.add_row(
            str(r.position), str(r.id)[:8], r.asset or "", r.path_glob or "",
            r.resource_pattern or "", r.team,
        )  # fmt: skip
    out.print(table)


@own_app.command("add")
def own_add(
    team: Annotated[str, typer.Option(help="the owning team")],
    asset: Annotated[str | None, typer.Option(help="asset name, exact")] = None,
    path: Annotated[str | None, typer.Option(help="path glob (* spans directories)")] = None,
    resource: Annotated[str | None, typer.Option(help="resource/ARN glob")] = None,
    position: Annotated[int | None, typer.Option(help="default: last")] = None,
    as_user: AsOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add an ownership rule for findings imports create from now on."""
    from aspm.triage import service
    from aspm.triage.schemas import OwnershipRuleCreate

    with failing(), unit_of_work(cli_database.factory()) as session:
        result = service.create_ownership_rule(
            session,
            request=OwnershipRuleCreate(
                asset=asset, path_glob=path, resource_pattern=resource, team=team,
                position=position,
            ),
            principal=principal(as_user),
        )  # fmt: skip
    _print(result, as_json, f"rule {result.id} at position {result.position}")


@own_app.command("remove")
def own_remove(rule_id: Annotated[uuid.UUID, typer.Argument()], as_user: AsOption = None) -> None:
    """Delete an ownership rule (findings keep their team)."""
    from aspm.triage import service

    with failing(), unit_of_work(cli_database.factory()) as session:
        service.remove_ownership_rule(session, rule_id=rule_id, principal=principal(as_user))
    out.print(f"rule {rule_id} removed")
