"""`aspm users`, `aspm teams`, `aspm tokens`: manage people and API tokens on the local database.

Argon2 and the services are imported inside the commands, so `aspm ingest` does not load them.
Passwords and tokens are printed once, to stdout, and never logged.
"""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from aspm.cli_errors import EXIT_FAILED, failing

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from aspm.settings import Settings

users_app = typer.Typer(help="People who sign in: roles admin, security_lead, engineer, viewer.")
teams_app = typer.Typer(help="Teams (engineers act on their teams' findings).")
tokens_app = typer.Typer(help="API tokens for CI and scripts (scopes ingest, read, triage).")

out = Console()
err = Console(stderr=True)
ROLES = "admin, security_lead, engineer, viewer"


def _settings() -> "Settings":
    from aspm import cli_database

    return cli_database.settings()


@contextmanager
def _unit_of_work(settings: "Settings") -> Iterator["Session"]:
    """One transaction on the configured database; AspmErrors become a message and exit 2."""
    from aspm import cli_database
    from aspm.db.session import make_sessionmaker, unit_of_work

    engine = cli_database.engine(settings, needs_table="users")
    try:
        with failing(), unit_of_work(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _read_password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        err.print("[red]--password-stdin: no password on standard input[/red]")
        raise typer.Exit(EXIT_FAILED)
    return password


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help=ROLES)],
    team: Annotated[list[str] | None, typer.Option(help="team to join (repeatable)")] = None,
    display_name: Annotated[str, typer.Option()] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user. Without --password-stdin a one-time password is printed (once); the user
    must change it at the first sign-in."""
    from pydantic import ValidationError

    from aspm.auth import service
    from aspm.auth.principal import Role
    from aspm.auth.schemas import UserCreate

    settings = _settings()
    try:
        spec = UserCreate(
            username=username, role=Role(role), display_name=display_name,
            password=_read_password(password_stdin), teams=team or [],
        )  # fmt: skip
    except (ValidationError, ValueError) as exc:
        err.print(f"[red]invalid user: {exc}[/red]")
        raise typer.Exit(EXIT_FAILED) from exc
    with _unit_of_work(settings) as session:
        created = service.create_user(
            session, spec=spec, actor=service.CLI_ACTOR, settings=settings
        )
    err.print(f"created {created.username} ({created.role})")
    if created.password is not None:
        out.print(f"one-time password for {created.username}: {created.password}")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every user with role, teams and whether active."""
    from aspm.auth import service

    settings = _settings()
    with _unit_of_work(settings) as session:
        users = service.list_users(session)
    if as_json:
        sys.stdout.write(json.dumps([u.model_dump(mode="json") for u in users]) + "\n")
        return
    table = Table(title=f"Users ({len(users)})")
    for col in ("username", "name", "role", "teams", "active"):
        table.add_column(col)
    for u in users:
        table.add_row(u.username, u.display_name, u.role, ", ".join(u.teams),
                      "yes" if u.active else "no")  # fmt: skip
    out.print(table)


@users_app.command("set-password")
def users_set_password(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Reset a password (printed when generated); the user must change it at the next sign-in.
    Ends the user's sessions."""
    from aspm.auth import credentials, service

    settings = _settings()
    password = _read_password(password_stdin)
    generated = password is None
    password = password or credentials.generate_password()
    with _unit_of_work(settings) as session:
        service.set_password(
            session, username=username, password=password, actor=service.CLI_ACTOR,
            settings=settings,
        )  # fmt: skip
    if generated:
        out.print(f"one-time password for {username}: {password}")
    else:
        err.print(f"password of {username} set")


@users_app.command("deactivate")
def users_deactivate(username: Annotated[str, typer.Argument()]) -> None:
    """Deactivate a user: their sessions end and their tokens stop working."""
    from aspm.auth import service
    from aspm.auth.schemas import UserUpdate

    settings = _settings()
    with _unit_of_work(settings) as session:
        user = next((u for u in service.list_users(session) if u.username == username), None)
        if user is None:
            err.print(f"[red]no user named {username!r}[/red]")
            raise typer.Exit(EXIT_FAILED)
        service.update_user(
            session, user_id=user.id, spec=UserUpdate(active=False), actor=service.CLI_ACTOR,
            settings=settings,
        )  # fmt: skip
    err.print(f"{username} deactivated")


@users_app.command("bootstrap")
def users_bootstrap(
    demo: Annotated[
        bool, typer.Option(help="also create one demo user per role (documented passwords)")
    ] = False,
) -> None:
    """On a database without users, create `admin` and print its one-time password (and with
    --demo the demo users). Does nothing when users exist, so `make run` can always call it."""
    from aspm.auth import service

    settings = _settings()
    with _unit_of_work(settings) as session:
        created = service.bootstrap(session, settings=settings, demo=demo)
    if not created:
        err.print("users exist already: nothing to do")
        return
    out.print(f"[bold]Sign in at http://{settings.host}:{settings.port} with:[/bold]")
    for u in created:
        note = "one-time: change it at the first sign-in" if u.one_time else "demo user"
        out.print(f"  {u.username:<9} {u.role.value:<14} {u.password}  ({note})", soft_wrap=True)


@teams_app.command("create")
def teams_create(name: Annotated[str, typer.Argument()]) -> None:
    from aspm.auth import service

    settings = _settings()
    with _unit_of_work(settings) as session:
        service.create_team(session, name=name, actor=service.CLI_ACTOR)
    err.print(f"team {name} created")


@teams_app.command("list")
def teams_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    from aspm.auth import service

    settings = _settings()
    with _unit_of_work(settings) as session:
        teams = service.list_teams(session)
    if as_json:
        sys.stdout.write(json.dumps([t.model_dump(mode="json") for t in teams]) + "\n")
        return
    table = Table(title=f"Teams ({len(teams)})")
    table.add_column("team")
    table.add_column("members")
    for t in teams:
        table.add_row(t.name, ", ".join(t.members))
    out.print(table)


@teams_app.command("add-member")
def teams_add_member(
    team: Annotated[str, typer.Argument()], username: Annotated[str, typer.Argument()]
) -> None:
    from aspm.auth import service

    settings = _settings()
    with _unit_of_work(settings) as session:
        service.add_member(session, team=team, username=username, actor=service.CLI_ACTOR)
    err.print(f"{username} is a member of {team}")


@teams_app.command("remove-member")
def teams_remove_member(
    team: Annotated[str, typer.Argument()], username: Annotated[str, typer.Argument()]
) -> None:
    from aspm.auth import service

    settings = _settings()
    with _unit_of_work(settings) as session:
        service.remove_member(session, team=team, username=username, actor=service.CLI_ACTOR)
    err.print(f"{username} left {team}")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option(help="the user the token acts for")],
    scope: Annotated[list[str], typer.Option(help="ingest, read or triage (repeatable)")],
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    asset: Annotated[
        list[str] | None, typer.Option(help="limit to this asset (repeatable)")
    ] = None,
    expires_days: Annotated[int | None, typer.Option(min=1, max=3650)] = 90,
    no_expiry: Annotated[bool, typer.Option("--no-expiry", help="never expires")] = False,
) -> None:
    """Create an API token and print it (once: only its hash is stored)."""
    from pydantic import ValidationError

    from aspm.auth import service
    from aspm.auth.principal import Scope
    from aspm.auth.schemas import TokenCreate

    settings = _settings()
    try:
        spec = TokenCreate(
            user=user, name=name, scopes=[Scope(s) for s in scope], assets=asset or None,
            expires_days=None if no_expiry else expires_days,
        )  # fmt: skip
    except (ValidationError, ValueError) as exc:
        err.print(f"[red]invalid token: {exc}[/red]")
        raise typer.Exit(EXIT_FAILED) from exc
    with _unit_of_work(settings) as session:
        created = service.create_token(session, spec=spec, actor=service.CLI_ACTOR)
    expiry = created.expires_at.date().isoformat() if created.expires_at else "never"
    err.print(
        f"token {created.id} for {user}: scopes {', '.join(created.scopes)}, expires {expiry}"
    )
    err.print("store it now; it is not shown again:")
    out.print(created.token)


@tokens_app.command("list")
def tokens_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every token (never its secret)."""
    from aspm.auth import service

    settings = _settings()
    with _unit_of_work(settings) as session:
        tokens = service.list_tokens(session)
    if as_json:
        sys.stdout.write(json.dumps([t.model_dump(mode="json") for t in tokens]) + "\n")
        return
    table = Table(title=f"API tokens ({len(tokens)})")
    for col in ("id", "name", "prefix", "user", "scopes", "assets", "expires", "last used",
                "state"):  # fmt: skip
        table.add_column(col)
    for t in tokens:
        state = "revoked" if t.revoked_at else "active" if t.active else "expired"
        table.add_row(
            str(t.id), t.name, t.prefix + "…", t.user, ",".join(t.scopes),
            "all" if t.asset_ids is None else str(len(t.asset_ids)),
            t.expires_at.date().isoformat() if t.expires_at else "never",
            t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "-", state,
        )  # fmt: skip
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[str, typer.Argument(help="the token's id")]) -> None:
    """Revoke a token: it stops working at once."""
    import uuid

    from aspm.auth import service

    settings = _settings()
    try:
        parsed = uuid.UUID(token_id)
    except ValueError as exc:
        err.print(f"[red]not a token id: {token_id!r}[/red]")
        raise typer.Exit(EXIT_FAILED) from exc
    with _unit_of_work(settings) as session:
        service.revoke_token(session, token_id=parsed, actor=service.CLI_ACTOR)
    err.print(f"token {token_id} revoked")
