"""A condition spelled one way on PostgreSQL and another elsewhere, chosen when the statement
is compiled: for a query built without a session (findings.repository._filtered) that uses a
PostgreSQL-only table (findings.search_index) where it exists."""

from typing import Any

from sqlalchemy import Boolean, ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal


class ByDialect(ColumnElement[bool]):
    """`postgresql` on PostgreSQL, `other` on any other database."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's cache key protocol
        ("postgresql", InternalTraversal.dp_clauseelement),
        ("other", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()

    def __init__(self, *, postgresql: ColumnElement[bool], other: ColumnElement[bool]) -> None:
        self.postgresql = postgresql
        self.other = other


# in parentheses: the element stands as one operand (`NOT (a AND b)`, never `NOT a AND b`)
@compiles(ByDialect)
def _other(element: ByDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.other, **kw)})"


@compiles(ByDialect, "postgresql")
def _postgresql(element: ByDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.postgresql, **kw)})"
