"""How every `aspm` command (aspm.cli and the domain CLIs) reports a refused or failed action."""

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from aspm.errors import AspmError

EXIT_FAILED = 2


@contextmanager
def failing(note: str = "") -> Iterator[None]:
    """Run a command's work: an AspmError (bad input, a refused action, a server's refusal)
    prints its message (and `note`) in red on stderr and exits 2, without a traceback. Any
    other exception is a bug and keeps its traceback."""
    try:
        yield
    except AspmError as exc:
        Console(stderr=True).print(f"[red]{escape(f'{exc}{note}')}[/red]")
        raise typer.Exit(EXIT_FAILED) from exc
