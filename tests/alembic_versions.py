"""A migration module, loaded from its file, for tests of what it freezes or rewrites (alembic's
version files are no importable package)."""

import importlib.util
from pathlib import Path
from types import ModuleType

VERSIONS = Path(__file__).resolve().parents[1] / "alembic" / "versions"


def load(name: str) -> ModuleType:
    """The migration whose file name ends in `_{name}.py`."""
    path = next(VERSIONS.glob(f"*_{name}.py"))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
