"""Run Alembic migrations from code (CLI `aspm db upgrade`, `make run`, tests).

The migrations live in alembic/ in the source tree (where `alembic revision` writes them) and in
aspm/migrations inside an installed wheel (hatch_build.py copies them there): the packaged copy
wins when it exists, so an installed `aspm` migrates without a checkout.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

import aspm
from aspm.findings import search_index, sort_keys

PACKAGE_DIR = Path(aspm.__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]


PACKAGED = PACKAGE_DIR / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    if (PACKAGED / "env.py").is_file():
        cfg = Config()
        cfg.set_main_option("script_location", str(PACKAGED))
    else:
        cfg = Config(str(REPO_ROOT / "alembic.ini"))
        cfg.set_main_option("script_location", str(REPO_ROOT / "alembic"))
    cfg.set_main_option("path_separator", "os")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def include_name(name: str | None, type_: str, parent_names: object) -> bool:  # noqa: ARG001
    """What Alembic compares with the models: everything but the job queue's tables, which come
    from procrastinate's own schema (the import_jobs migration), not from our models, and the
    PostgreSQL-only tables of text search (aspm.findings.search_index) and sort keys
    (aspm.findings.sort_keys), which the migrations own."""
    if type_ == "table" and (name == sort_keys.TABLE or name in search_index.TABLES):
        return False
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def upgrade(url: str | None = None, connection: Connection | None = None) -> None:
    command.upgrade(alembic_config(url, connection), "head")
