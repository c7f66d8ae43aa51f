"""How every `aspm` command (aspm.cli and the domain CLIs) opens the configured database."""

import typer
from rich.console import Console
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from aspm.cli_errors import EXIT_FAILED
from aspm.db.session import make_engine, make_sessionmaker
from aspm.settings import Settings, get_settings


def settings() -> Settings:
    """The ASPM_* settings, with the SQLite file's folder created."""
    current = get_settings()
    path = current.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return current


def engine(current: Settings, *, needs_table: str = "findings") -> Engine:
    """An engine on a migrated database; exit 2 with what to run when the schema is missing."""
    eng = make_engine(current.database_url)
    if not inspect(eng).has_table(needs_table):
        Console(stderr=True).print(
            f"[red]The database at {eng.url.render_as_string(hide_password=True)} has no "
            "schema yet: run `aspm db upgrade` first.[/red]"
        )
        eng.dispose()
        raise typer.Exit(EXIT_FAILED)
    return eng


def factory(current: Settings | None = None) -> sessionmaker[Session]:
    """Sessions on the configured (or `current`), migrated database (exit 2 when it has no
    schema)."""
    return make_sessionmaker(engine(current or settings()))
