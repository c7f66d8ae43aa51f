"""Findings as CSV (streamed, stdlib csv) and XLSX (openpyxl write-only). Pure: rows in, text or
bytes out. Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are
prefixed with a quote (CSV injection); no snippet or secret value is ever a column."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
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
_WIDTHS = {"id": 38, "title": 60, "resource": 40, "path": 40, "asset": 24, "control_id": 28,
           "suppression_rule_id": 38, "first_seen_at": 22, "last_seen_at": 22,
           "resolved_at": 22, "sla_due_at": 22, "priority": 8, "status": 8}  # fmt: skip
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):  # StrEnum
        value = value.value
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def row_values(item: dict[str, Any]) -> list[Any]:
    return [_cell(item.get(key)) for key, _ in COLUMNS]


def csv_chunks(items: Iterable[dict[str, Any]], *, chunk_rows: int = 500) -> Iterator[str]:
    """The CSV text in chunks of about `chunk_rows` rows (header first)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n, item in enumerate(items, start=1):
        writer.writerow(row_values(item))
        if n % chunk_rows == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def xlsx_bytes(items: Iterable[dict[str, Any]], *, title: str = "Findings") -> bytes:
    """A workbook with one sheet (header row frozen, auto filter), dates as real dates."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for n, (key, _) in enumerate(COLUMNS):
        ws.column_dimensions[_column_letter(n)].width = _WIDTHS.get(key, 14)
    ws.append(HEADER)
    rows = 0
    for item in items:
        values = []
        for key, _ in COLUMNS:
            value = item.get(key)
            # spreadsheets have no time zones: UTC, as the header says
            if isinstance(value, datetime):
                values.append(value.replace(tzinfo=None))
            else:
                values.append(_cell(value))
        ws.append(values)
        rows += 1
    ws.auto_filter.ref = f"A1:{_column_letter(len(COLUMNS) - 1)}{rows + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    letter: str = get_column_letter(index + 1)
    return letter
