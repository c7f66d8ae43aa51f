"""Findings as CSV (streamed, stdlib csv) and XLSX (XlsxWriter, constant memory). Pure: rows
in, text or bytes out. Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
first) are prefixed with a quote (CSV injection); no snippet or secret value is ever a column.
XLSX text is written as string cells with XlsxWriter's guessing off, so no text becomes a formula
(`=...`, `{=...}` array formulas), a hyperlink (http://, file:///, mailto:, UNC paths) or a
number, even if it gets past the quote."""

import csv
import io
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("priority", "priority"),
    ("risk_score", "risk score"),
    ("severity", "severity"),
    ("status", "status"),
    ("triage_state", "triage"),
    ("suppressed", "suppressed by tool"),
    ("suppression_rule_id", "suppression rule"),
    ("title", "title"),
    ("category", "category"),
    ("asset", "asset"),
    ("tools", "tools"),
    ("control_id", "control"),
    ("resource", "resource"),
    ("path", "path"),
    ("cloud_provider", "cloud"),
    ("account_id", "account"),
    ("region", "region"),
    ("first_seen_at", "first seen (UTC)"),
    ("last_seen_at", "last seen (UTC)"),
    ("resolved_at", "resolved (UTC)"),
    ("sla_due_at", "SLA due (UTC)"),
    ("sla_status", "SLA status"),
    ("assignee", "assignee"),
    ("team", "team"),
    ("reopen_count", "reopened"),
)
HEADER = [label for _, label in COLUMNS]
KEYS = tuple(key for key, _ in COLUMNS)
_WIDTHS = {"id": 38, "title": 60, "resource": 40, "path": 40, "asset": 24, "control_id": 28,
           "suppression_rule_id": 38, "first_seen_at": 22, "last_seen_at": 22,
           "resolved_at": 22, "sla_due_at": 22, "priority": 8, "status": 8}  # fmt: skip
_TIMES = {"first_seen_at", "last_seen_at", "resolved_at", "sla_due_at"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """Text as a spreadsheet cell: quoted when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA) else value


def _same(value: Any) -> Any:
    return value


# the converters of the types a row holds, looked up once per value (export rows: 26 cells each)
_BY_TYPE: dict[type, Callable[[Any], Any]] = {
    str: text_cell, type(None): lambda _: "", bool: _same, int: _same, float: _same,
    uuid.UUID: str, datetime: datetime.isoformat,
}  # fmt: skip


def _cell(value: Any) -> Any:
    known = _BY_TYPE.get(type(value))
    if known is not None:
        return known(value)
    kind = type(value)
    if kind is str:
        return text_cell(value)
    if value is None:
        return ""
    if kind is bool or kind is int or kind is float:
        return value
    if isinstance(value, list | tuple):
        return _cell(", ".join(str(v) for v in value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        # enum columns come back as members (db.base.StrEnumType): look their type up next time.
        # A StrEnum's cell is its value, a name of the code's (never a formula): `str` gives it
        # at C speed; `.value` and a second _cell cost 1.5 s (cProfile) per 100k rows of 4 columns
        _BY_TYPE[kind] = str if isinstance(value, StrEnum) else _enum_cell
        return _BY_TYPE[kind](value)
    return _cell(str(value))


def _enum_cell(value: Enum) -> Any:
    return _cell(value.value)


def row_values(item: dict[str, Any]) -> list[Any]:
    return [_cell(item.get(key)) for key, _ in COLUMNS]


def csv_chunks(items: Iterable[dict[str, Any]], *, chunk_rows: int = 500) -> Iterator[str]:
    """The CSV text in chunks of about `chunk_rows` rows (header first)."""
    return csv_row_chunks(
        ([item.get(key) for key in KEYS] for item in items), chunk_rows=chunk_rows
    )


def csv_row_chunks(rows: Iterable[Sequence[Any]], *, chunk_rows: int = 500) -> Iterator[str]:
    """The same from rows of values in COLUMNS order (what exports.queries.table_rows reads)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    cell = _cell
    for n, values in enumerate(rows, start=1):
        writer.writerow([cell(v) for v in values])
        if n % chunk_rows == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def xlsx_bytes(items: Iterable[dict[str, Any]], *, title: str = "Findings") -> bytes:
    """xlsx_rows of rows given as dicts."""
    return xlsx_rows(([item.get(key) for key in KEYS] for item in items), title=title)


def xlsx_rows(rows: Iterable[Sequence[Any]], *, title: str = "Findings") -> bytes:
    """A workbook with one sheet (header row frozen, auto filter), times as real dates (UTC),
    written row by row (XlsxWriter's constant-memory mode; about twice openpyxl's speed)."""
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "in_memory": True,
            # never guess: text from reports and users is text (write_string below as well)
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    ws = wb.add_worksheet(title)
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    bold = wb.add_format({"bold": True})
    for n, (key, _) in enumerate(COLUMNS):
        ws.set_column(n, n, _WIDTHS.get(key, 14), when if key in _TIMES else None)
    for n, label in enumerate(HEADER):
        ws.write_string(0, n, label, bold)
    ws.freeze_panes(1, 0)
    count = 0
    for values in rows:
        count += 1
        for n, value in enumerate(values):
            if isinstance(value, datetime):
                # spreadsheets have no time zones: UTC, as the header says
                ws.write_datetime(count, n, value.astimezone(UTC).replace(tzinfo=None), when)
                continue
            cell = _cell(value)
            if type(cell) is str:
                ws.write_string(count, n, cell)
            elif type(cell) is bool:
                ws.write_boolean(count, n, cell)
            else:  # int or float, as _cell returns nothing else
                ws.write_number(count, n, cell)
    ws.autofilter(0, 0, count, len(COLUMNS) - 1)
    wb.close()
    return out.getvalue()
