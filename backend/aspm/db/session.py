"""Engines, session factories and the unit of work."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

# SQLSTATEs of a transaction the database failed to resolve a conflict with another one
# (serialization_failure, deadlock_detected): running it again is the remedy
_CONFLICT_STATES = frozenset({"40001", "40P01"})
# SQLSTATE classes and codes of a database that is not there: connection exceptions (08),
# insufficient resources (53: too many connections), and shutting down, restarting or not yet
# accepting connections (57P01-57P03)
_UNAVAILABLE_CLASSES = ("08", "53")
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03"})
# SQLite's primary result codes of the same: BUSY, LOCKED, IOERR, CANTOPEN
_SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 14})


def make_engine(url: str, *, jit: bool = True, **kwargs: Any) -> Engine:
    """An engine whose pool checks each connection before lending it (a connection the server
    dropped, e.g. across a restart, is replaced rather than failing the next request)."""
    kwargs.setdefault("pool_pre_ping", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _sqlite_setup(engine)
        return engine
    if jit:
        return create_engine(url, **kwargs)
    # `jit=False` (the API's engine): PostgreSQL compiles a query to machine code when its cost
    # estimate passes jit_above_cost (100,000), which the queue's queries over 1M findings do
    # while taking 10-100 ms: the compilation took 14 ms of a search's 84 ms statement, more
    # than it saved (73 against 99 ms a request without it). Imports and re-scores (workers,
    # CLI) keep it: their statements run for seconds, where it pays (the resource contexts of
    # 100k findings: 1.89 s with, 1.98 s without). Per connection: other clients keep the
    # server's setting.
    # libpq options of the URL (?options=-csearch_path=...) and of the caller, kept: an
    # `options` connect argument replaces the URL's
    connect_args = dict(kwargs.pop("connect_args", {}))
    given = make_url(url).query.get("options")
    options = [*((given,) if isinstance(given, str) else given or ()), connect_args.get("options")]
    connect_args["options"] = " ".join([*(o for o in options if o), "-c jit=off"])
    return create_engine(url, connect_args=connect_args, **kwargs)


def _sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None)  # psycopg; sqlite3 errors carry none
    return state if isinstance(state, str) else None


def is_transaction_conflict(exc: BaseException) -> bool:
    """The database failed this transaction to break a deadlock or a serialization conflict."""
    return isinstance(exc, sa_exc.DBAPIError) and _sqlstate(exc) in _CONFLICT_STATES


def is_database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or is going away: refused or lost connections, a server
    shutting down or starting, no free connection (server or pool). Not a bad statement."""
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True  # TimeoutError: no connection free in the pool in time
    if not isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return False
    if exc.connection_invalidated:
        return True
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):  # not e.g. "no such table", which is no outage
        return sqlite_code & 0xFF in _SQLITE_UNAVAILABLE
    state = _sqlstate(exc)
    if state is None:  # psycopg reports a failed or lost connection without one
        return True
    return state.startswith(_UNAVAILABLE_CLASSES) or state in _UNAVAILABLE_STATES


def _sqlite_setup(engine: Engine) -> None:
    # SQLAlchemy's documented fix for pysqlite's transaction handling, plus FK enforcement and WAL.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error."""
    with factory() as session, session.begin():
        yield session
