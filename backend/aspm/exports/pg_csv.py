"""The CSV export on PostgreSQL: one `COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)` whose SELECT
writes every cell as text exactly as exports.tabular writes it in Python, streamed through
psycopg's copy API. The file is byte for byte the one the Python path writes
(tests/exports/test_pg_csv.py compares them).

Why: at 1M findings the Python path (keyset batches of exports.queries.table_rows, a detection
summary per batch, csv.writer) ran at ~7,900 rows/s (126 s): per 2,000-row batch ~180 ms went
to the summary's 2,000 index probes into detections and ~60 ms to formatting 26 cells a row in
Python. Here the detection summary is one aggregate over detections joined once (a hash join),
and the server formats the cells; Python only passes the bytes on.

What the SELECT must match, cell by cell (exports.tabular._cell):
- text as tabular.text_cell writes it: a leading `'` when it starts with `= + - @ TAB CR` (CSV
  injection: a spreadsheet would run it as a formula), applied to every text cell (enum values,
  the tools list and the SLA status included);
- NULL and the empty string both as an empty unquoted cell (PostgreSQL writes `""` for an empty
  string, so every text cell is NULLIF'ed);
- booleans as True/False, uuids and integers as their text, times as Python's isoformat() of an
  aware UTC datetime (`2026-01-02T03:04:05.123456+00:00`, no fraction when it is zero);
- rows end in CRLF as csv.writer's lineterminator; PostgreSQL ends them with LF (see _crlf).
Quoting needs nothing: both quote a cell holding the delimiter, a quote, CR or LF, and double
its quotes.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

import psycopg
from psycopg.abc import Buffer
from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    Text,
    TypeDecorator,
    Uuid,
    case,
    func,
    literal,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from aspm.db.base import Base, UTCDateTime
from aspm.exports import queries, tabular
from aspm.findings import repository as findings_repository
from aspm.findings.models import Detection, Finding
from aspm.findings.schemas import FindingFilter

CHUNK_BYTES = 1 << 16  # bytes per chunk handed on (one response write each)
# Settings for the statement only (set_config(..., true), put back after it). work_mem: 64 MB,
# measured at 1M findings (benchmarks/triage_queue.py --parts export, 2 cores, 64 MB and 512 MB
# run in turn five times, load 1.9-3.0): median 12.4 s at 64 MB, 18.5 s at 512 MB (the best
# runs 12.4 s and 13.9 s). At 512 MB the sort of the formatted rows into the list's order
# (a hash join keeps no order) and the detection summary's grouping run in memory, 367 MB + 111 MB
# of the server's memory per export; at 64 MB they go to disk (314 + 122 MB of temporary files,
# read back at no measured cost) and only the summary's hash table stays in memory (~70 MB, under
# work_mem x hash_mem_multiplier). jit: compiling the 26 cell expressions (56 functions, inlined
# and optimised) costs more than it saves.
_SETTINGS = {"work_mem": "64MB", "jit": "off"}
_SEPARATOR = ", "  # between tools, as exports.tabular._cell joins a list


def _text(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """tabular.text_cell in SQL (its formula prefixes: tabular._FORMULA), NULL for an empty
    string (csv.writer writes both as an empty cell; COPY writes "" for an empty string)."""
    risky = func.left(value, 1).in_([literal(p) for p in tabular._FORMULA])
    return case((risky, literal("'") + value), else_=func.nullif(value, literal("")))


def _iso(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """datetime.isoformat() of the aware UTC time: with a fraction only when it is not zero."""
    utc = func.timezone(literal("UTC"), value)  # a timestamp without zone, in UTC
    text = func.to_char(utc, literal('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
    return func.replace(text, literal(".000000+"), literal("+"))


def _cell(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """The CSV text of a column, by its type, as tabular._cell writes its Python value."""
    kind = value.type
    if isinstance(kind, UTCDateTime):
        return _iso(value)
    if isinstance(kind, TypeDecorator):  # e.g. db.base.StrEnumType: stored as its value
        kind = kind.impl_instance
    if isinstance(kind, Boolean):
        return case((value.is_(True), literal("True")), (value.is_(False), literal("False")))
    if isinstance(kind, Uuid | Integer):
        return sql_cast(value, Text)
    if isinstance(kind, String):  # Text too
        return _text(value)
    raise TypeError(f"no CSV cell for a column of type {kind!r}: add it to exports.pg_csv")


def _detection_summary() -> Subquery:
    """Per finding with detections: its tools and the last time one of its detections was
    seen, as findings.repository.detection_summary gives them (an active detection was seen by
    its scope's last full import, which does not rewrite it; detections join their scope). One
    aggregate over every detection, joined once to the findings, where the Python path probed
    the detections of each batch's 2,000 findings (~180 ms a batch at 1M findings)."""
    # the ingest domain's table, read as findings.repository.detection_summary reads it
    # (exports build on findings, not on ingest: import-linter's domain layers)
    scope = Base.metadata.tables["ingest_scopes"].c
    seen = case(
        (
            Detection.active & (scope.last_full_import_at > Detection.last_seen_at),
            scope.last_full_import_at,
        ),
        else_=Detection.last_seen_at,
    )
    # Python sorts the names by code point, which is the "C" collation's byte order in UTF-8
    tool = Detection.tool.collate("C")
    return (
        select(
            Detection.finding_id,
            _text(_tools(func.array_agg(tool, type_=ARRAY(String)))).label("tools"),
            func.max(seen).label("seen"),
        )
        .join(scope.id.table, scope.id == Detection.scope_id)
        .group_by(Detection.finding_id)
        .subquery("detection_summary")
    )


def _tools(tools: ColumnElement[Any]) -> ColumnElement[Any]:
    """The tools as one text, sorted, each once. Most findings have one detection: their
    array is taken as it is; only the others are sorted (an aggregate with ORDER BY sorts each
    of the 1M groups: 17 s against 11 s for this, at load 8)."""
    each = func.unnest(tools).table_valued("tool").render_derived(name="each_tool")
    distinct = select(each.c.tool).distinct().subquery("distinct_tool")
    joined = select(
        func.string_agg(distinct.c.tool, aggregate_order_by(literal(_SEPARATOR), distinct.c.tool))
    ).scalar_subquery()
    return case((func.cardinality(tools) == 1, tools[1]), else_=joined)


def copy_select(session: Session, flt: FindingFilter, *, now: datetime) -> Select[Any]:
    """The CSV's rows as text cells (tabular.COLUMNS, in order): the findings the filter selects
    in its order (findings.repository.ordered_select, the list's own filter and sort), each
    joined to its detection summary as exports.queries.table_rows does per batch (the tools;
    `last_seen_at` moved on to the summary's when later)."""
    known = queries._export_columns(now)  # the Python path's columns
    summary = _detection_summary()
    cells: list[ColumnElement[Any]] = []
    for key in tabular.KEYS:
        cell: ColumnElement[Any]
        if key == "tools":
            cell = summary.c.tools
        elif key == "last_seen_at":
            cell = _iso(func.greatest(Finding.last_seen_at, summary.c.seen))
        else:
            cell = _cell(cast(ColumnElement[Any], known[key]))
        cells.append(cell.label(key))
    stmt = findings_repository.ordered_select(session, flt, cells)
    return stmt.outerjoin(summary, summary.c.finding_id == Finding.id)


def _bound(session: Session, stmt: Select[Any]) -> tuple[str, dict[str, Any]]:
    """The statement's SQL for psycopg and its parameters, converted by their column types as
    SQLAlchemy converts them when it executes a statement (COPY takes no server-side
    parameters: psycopg binds them into the text, quoting each)."""
    dialect = session.connection().dialect
    compiled = stmt.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"not a SQL statement: {stmt!r}")
    expanded = compiled.construct_expanded_state()  # IN lists as one parameter per value
    processors: dict[str, Any] = {
        compiled.escaped_bind_names.get(name, name): bind.type.bind_processor(dialect)
        for bind, name in compiled.bind_names.items()
    }
    processors.update(expanded.processors)
    params = {
        name: (convert(value) if (convert := processors.get(name)) else value)
        for name, value in expanded.parameters.items()
    }
    return expanded.statement, params


def _crlf(data: bytes, quoted: bool) -> tuple[bytes, bool]:
    """COPY's rows end in LF; csv.writer's in CRLF. An LF outside quotes ends a row (one inside
    is a cell's own); whether a byte is inside quotes is the parity of the quotes before it (a
    doubled quote inside a cell toggles twice). `quoted`: whether `data` starts inside quotes;
    returned for the next chunk with the rows."""
    if not quoted and b'"' not in data:
        return data.replace(b"\n", b"\r\n"), False
    parts = data.split(b'"')
    for n in range(1 if quoted else 0, len(parts), 2):
        parts[n] = parts[n].replace(b"\n", b"\r\n")
    return b'"'.join(parts), quoted != (len(parts) % 2 == 0)


def csv_chunks(session: Session, flt: FindingFilter, *, now: datetime) -> Iterator[bytes]:
    """The CSV file (UTF-8, the Python path's bytes) in chunks of about CHUNK_BYTES: the header
    as exports.tabular writes it, then the rows of one COPY, as the server sends them (one row
    a message: memory stays flat however many rows)."""
    sql, params = _bound(session, copy_select(session, flt, now=now))
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError("the COPY export needs a psycopg 3 connection (postgresql+psycopg)")
    before = {name: session.scalar(select(func.current_setting(name))) for name in _SETTINGS}
    for name, value in _SETTINGS.items():
        session.execute(select(func.set_config(name, value, True)))
    encoding = raw.info.encoding
    yield "".join(tabular.csv_row_chunks(())).encode()
    rows: list[Buffer] = []
    size = 0
    quoted = False
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(statement, params) as copy:
        for row in copy:
            rows.append(row)
            size += len(row)
            if size >= CHUNK_BYTES:
                data, quoted = _crlf(b"".join(rows), quoted)
                yield data if encoding == "utf-8" else data.decode(encoding).encode()
                rows.clear()
                size = 0
    if rows:
        data, quoted = _crlf(b"".join(rows), quoted)
        yield data if encoding == "utf-8" else data.decode(encoding).encode()
    for name, old in before.items():
        session.execute(select(func.set_config(name, old, True)))
