"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL with ASPM_TEST_DATABASE_URL).

Each test runs inside an outer transaction that is rolled back, so tests leave nothing behind; code
under test commits to SAVEPOINTs.
"""

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from aspm import client as server_client
from aspm.auth import service as auth_service
from aspm.auth.principal import Role, Scope
from aspm.auth.schemas import TokenCreate, UserCreate
from aspm.db.migrate import upgrade
from aspm.db.session import make_engine, unit_of_work
from aspm.findings import search_index, sort_keys
from aspm.main import create_app
from aspm.settings import Settings

TEST_SECRET = "test-secret-key-for-hmac"
TEST_PASSWORD = "test-password-123"


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
        _check_sort_keys(conn)
        outer.rollback()


def _check_sort_keys(conn: Connection) -> None:
    """On PostgreSQL, after every test: finding_sort_keys equals findings, whatever the test
    wrote (aspm.findings.sort_keys; its triggers and the re-score's sync must keep it so), and
    finding_search is right for every asset its triggers did not mark."""
    if conn.dialect.name != "postgresql":
        return
    raw = conn.connection.dbapi_connection
    if raw is None or raw.info.transaction_status == TransactionStatus.INERROR:
        return  # the test ended inside a failed transaction: nothing can be read
    if conn.execute(text("SELECT to_regclass('finding_sort_keys')")).scalar() is None:
        return  # a migration test left the schema below the table's revision
    with Session(bind=conn) as session:
        assert sort_keys.count_mismatches(session) == 0, "finding_sort_keys differs from findings"
        # the rows of assets that no trigger marked must still be right (a writer that changed
        # a searched column without marking the asset would leave search answering stale text)
        if conn.execute(text("SELECT to_regclass('finding_search')")).scalar() is not None:
            assert search_index.count_stale(session) == 0, "finding_search is stale, unmarked"


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
    return Settings(
        environment="test",
        database_url="sqlite://",
        secret_key=TEST_SECRET,
        argon2_time_cost=1,  # cheap hashes keep the suite fast; production keeps the defaults
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )


@pytest.fixture
def api_app(settings: Settings, sessions: sessionmaker[Session]) -> FastAPI:
    """The application, on the test transaction."""
    app = create_app(settings)
    app.state.sessionmaker = sessions
    return app


ClientAs = Callable[..., TestClient]


@pytest.fixture
def client_as(
    api_app: FastAPI, sessions: sessionmaker[Session], settings: Settings
) -> Iterator[ClientAs]:
    """`client_as(role, teams=[...], username=None)`: a TestClient signed in (session cookie,
    CSRF header set on every request) as a new user of that role, member of those teams."""
    clients: list[TestClient] = []

    def make(
        role: Role | str, teams: Sequence[str] = (), username: str | None = None
    ) -> TestClient:
        name = username or f"{Role(role).value.replace('_', '-')}-{len(clients) + 1}"
        with unit_of_work(sessions) as s:
            auth_service.create_user(
                s,
                spec=UserCreate(username=name, role=Role(role), password=TEST_PASSWORD,
                                teams=list(teams)),
                actor="system:test",
                settings=settings,
                must_change_password=False,
            )  # fmt: skip
        c = TestClient(api_app, base_url="https://testserver")
        c.__enter__()
        clients.append(c)
        resp = c.post("/api/v1/auth/login", json={"username": name, "password": TEST_PASSWORD})
        assert resp.status_code == 200, resp.text
        c.headers["X-CSRF-Token"] = c.cookies["aspm_csrf"]
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(client_as: ClientAs) -> TestClient:
    """Signed in as an admin (`admin-test`)."""
    return client_as(Role.ADMIN, username="admin-test")


@pytest.fixture
def served(api_app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """`aspm --server URL` reaches the test application (in process) instead of the network."""

    def connect(url: str, token: str) -> server_client.ServerClient:
        http = TestClient(api_app, base_url=url)
        http.headers["Authorization"] = f"Bearer {token}"
        # the TestClient speaks httpx's Client API (it is httpx2's Client)
        return server_client.ServerClient(cast(httpx.Client, http))

    monkeypatch.setattr(server_client, "connect", connect)


@pytest.fixture
def token_client(
    api_app: FastAPI, sessions: sessionmaker[Session], settings: Settings
) -> Iterator[ClientAs]:
    """`token_client(scopes, role="admin", assets=None, teams=())`: a TestClient sending
    `Authorization: Bearer <token>` for a new API token of a new user of that role (member of
    those teams)."""
    clients: list[TestClient] = []

    def make(
        scopes: Sequence[Scope | str],
        role: Role | str = Role.ADMIN,
        assets: Sequence[str] | None = None,
        teams: Sequence[str] = (),
    ) -> TestClient:
        name = f"{Role(role).value.replace('_', '-')}-bot-{len(clients) + 1}"
        with unit_of_work(sessions) as s:
            auth_service.create_user(
                s,
                spec=UserCreate(username=name, role=Role(role), teams=list(teams)),
                actor="system:test",
                settings=settings,
                must_change_password=False,
            )
            created = auth_service.create_token(
                s,
                spec=TokenCreate(
                    user=name,
                    name="test",
                    scopes=[Scope(x) for x in scopes],
                    assets=None if assets is None else list(assets),
                ),
                actor="system:test",
            )
        c = TestClient(api_app, base_url="https://testserver")
        c.__enter__()
        clients.append(c)
        c.headers["Authorization"] = f"Bearer {created.token}"
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def anon_client(api_app: FastAPI) -> Iterator[TestClient]:
    """Not signed in."""
    with TestClient(api_app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def samples() -> Path:
    return Path(__file__).parent / "ingest" / "samples"
