"""A database that is away (refusing connections, restarting, dropping them) answers 503 with
Retry-After and the API's JSON error, never a bare 500; the pool checks connections first."""

import socket
from collections.abc import Iterator

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy import exc as sa_exc

from aspm.api.deps import SessionDep
from aspm.db.session import is_database_unavailable, is_transaction_conflict, make_engine
from aspm.main import create_app
from aspm.settings import Settings
from tests.conftest import TEST_SECRET


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def app_without_database() -> Iterator[FastAPI]:
    """The application on a PostgreSQL URL whose server refuses connections."""
    url = f"postgresql+psycopg://aspm@127.0.0.1:{closed_port()}/aspm?connect_timeout=2"
    app = create_app(Settings(environment="test", database_url=url, secret_key=TEST_SECRET))
    yield app
    app.state.engine.dispose()


def assert_database_unavailable(resp: object) -> None:
    assert getattr(resp, "status_code", None) == 503, getattr(resp, "text", resp)
    headers = getattr(resp, "headers", {})
    assert int(headers["retry-after"]) > 0
    body = resp.json()  # type: ignore[attr-defined]
    assert body["error"] == "DatabaseUnavailable"
    assert "database is unavailable" in body["detail"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/api/v1/findings", {"headers": {"Authorization": "Bearer aspm_x"}}),
        ("post", "/api/v1/auth/login", {"json": {"username": "u", "password": "p" * 12}}),
    ],
)
def test_api_call_while_database_refuses_connections_answers_503_with_retry_after(
    app_without_database: FastAPI, method: str, path: str, kwargs: dict[str, object]
) -> None:
    with TestClient(app_without_database, base_url="https://testserver") as client:
        resp = getattr(client, method)(path, **kwargs)
    assert_database_unavailable(resp)


def _failing_route(app: FastAPI, error: Exception) -> None:
    """A route (ahead of the others, the SPA's catch-all included) whose session works but
    whose database access fails with `error`."""

    @app.get("/api/v1/test-db-failure")
    def fail(session: SessionDep) -> None:
        raise error

    app.router.routes.insert(0, app.router.routes.pop())


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.OperationalError(
            "SELECT 1", {}, psycopg.OperationalError("server closed the connection unexpectedly")
        ),
        sa_exc.DisconnectionError("connection dropped"),
        sa_exc.TimeoutError("QueuePool limit reached, connection timed out"),
        sa_exc.OperationalError(
            "SELECT 1",
            {},
            psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        ),
    ],
    ids=["lost-connection", "disconnection", "pool-timeout", "admin-shutdown"],
)
def test_database_lost_during_a_request_answers_503_with_retry_after(
    settings: Settings, error: Exception
) -> None:
    app = create_app(settings)
    _failing_route(app, error)
    with TestClient(app, base_url="https://testserver") as client:
        resp = client.get("/api/v1/test-db-failure")
    assert_database_unavailable(resp)


def test_other_database_errors_stay_a_500_internal_error(settings: Settings) -> None:
    bug = sa_exc.ProgrammingError("SELECT nope", {}, psycopg.errors.UndefinedColumn("nope"))
    app = create_app(settings)
    _failing_route(app, bug)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        resp = client.get("/api/v1/test-db-failure")
    assert resp.status_code == 500
    assert resp.json() == {"error": "InternalError", "detail": "internal error; see the server log"}
    assert "retry-after" not in resp.headers


def test_deadlocks_are_transaction_conflicts_not_outages() -> None:
    deadlock = sa_exc.OperationalError("UPDATE x", {}, psycopg.errors.DeadlockDetected("d"))
    assert is_transaction_conflict(deadlock)
    assert not is_database_unavailable(deadlock)


def test_sqlite_missing_table_is_no_outage() -> None:
    """SQLite's own error codes, on an engine of its own (CI runs the suite on PostgreSQL)."""
    engine = make_engine("sqlite:///:memory:")
    try:
        with pytest.raises(sa_exc.OperationalError) as caught, engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table"))
    finally:
        engine.dispose()
    assert not is_database_unavailable(caught.value)


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://aspm@127.0.0.1:1/aspm", "sqlite:///:memory:"]
)
def test_engines_pre_ping_their_pooled_connections(url: str) -> None:
    engine = make_engine(url)
    try:
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_the_app_engine_pre_pings(settings: Settings) -> None:
    app = create_app(settings)
    assert app.state.engine.pool._pre_ping
    app.state.engine.dispose()


@pytest.mark.postgres
def test_postgres_connections_do_not_jit_compile(engine: Engine) -> None:
    """The API's engine does not JIT-compile: it cost more than it saved on the queue's 10-100
    ms queries (a search: 99 against 73 ms a request at 1M findings). Other engines (workers,
    CLI) keep the server's setting; the caller's own options are kept."""
    url = engine.url.update_query_dict({"options": "-csearch_path=elsewhere,public"})
    own = make_engine(
        url.render_as_string(hide_password=False),
        jit=False,
        connect_args={"options": "-c statement_timeout=5s"},
    )
    try:
        with own.connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "5s"
            # the URL's own options too (a schema chosen there: tests/hardening, deployments)
            assert conn.exec_driver_sql("SHOW search_path").scalar() == "elsewhere,public"
    finally:
        own.dispose()


@pytest.mark.postgres
def test_the_app_engine_does_not_jit_compile(settings: Settings, engine: Engine) -> None:
    app = create_app(
        settings.model_copy(
            update={"database_url": engine.url.render_as_string(hide_password=False)}
        )
    )
    try:
        with app.state.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
    finally:
        app.state.engine.dispose()
