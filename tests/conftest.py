"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL with ASPM_TEST_DATABASE_URL).

Each test runs inside an outer transaction that is rolled back, so tests leave nothing behind; code
under test commits to SAVEPOINTs.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.migrate import upgrade
from aspm.db.session import make_engine
from aspm.main import create_app
from aspm.settings import Settings

TEST_SECRET = "test-secret-key-for-hmac"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite ingest golden files from samples"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("ASPM_TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    if os.environ.get("CI"):
        return  # CI runs the suite on PostgreSQL too (see Makefile), so nothing is skipped there
    skip = pytest.mark.skip(reason="needs PostgreSQL: set ASPM_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("ASPM_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = database_url(tmp_path_factory)
    eng = make_engine(url)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:  # a clean schema for this run
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s, s.begin():
        yield s


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", database_url="sqlite://", secret_key=TEST_SECRET)


@pytest.fixture
def client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(settings)
    app.state.sessionmaker = sessions
    with TestClient(app) as c:
        yield c


@pytest.fixture
def samples() -> Path:
    return Path(__file__).parent / "ingest" / "samples"
