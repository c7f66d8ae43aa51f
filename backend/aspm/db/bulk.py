"""Set-based writes without the ORM, the same on both databases: COPY on PostgreSQL, executemany
on SQLite, and the value forms each dialect stores when SQLAlchemy's types are bypassed."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def db_uuid(session: Session, value: uuid.UUID) -> Any:
    """A UUID as raw SQL on this dialect stores it (SQLAlchemy's Uuid is CHAR(32) on SQLite)."""
    return value if is_postgres(session) else value.hex


def db_datetime(session: Session, value: datetime) -> Any:
    """A datetime as this dialect stores it when written without SQLAlchemy (COPY, executemany)."""
    if is_postgres(session):
        return value
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", timespec="microseconds")


def as_uuid(value: Any) -> uuid.UUID:
    """A UUID read back through raw SQL (a UUID on PostgreSQL, hex text on SQLite)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def load_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Append rows to a table (usually a temporary one) in one round trip per call.

    `table` and `columns` are the caller's constants, never user input.
    """
    if not rows:
        return
    dbapi = session.connection().connection.driver_connection
    if is_postgres(session):
        with (
            dbapi.cursor() as cur,  # type: ignore[union-attr]
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        dbapi.executemany(  # type: ignore[union-attr]
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            rows,
        )
