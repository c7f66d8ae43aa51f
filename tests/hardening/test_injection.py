"""Spreadsheet injection through exports: a title or an assignee a spreadsheet would run as a
formula or open as a link stays an inert string cell, in CSV (quote-prefixed) and in XLSX (string
cells; no formula element, no hyperlink)."""

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from aspm.exports import service, tabular
from aspm.exports.schemas import ExportFormat
from aspm.findings.models import Finding
from aspm.findings.schemas import FindingFilter
from tests.factories import ingest_bytes
from tests.gate.helpers import LOW, sarif_report, sarif_result

VECTORS = (
    '=HYPERLINK("http://evil.example/x","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    '{=HYPERLINK("http://evil.example/x","click")}',
    "http://evil.example/x",
    "file:///etc/passwd",
    "\\\\evil.example\\share\\x",
    "mailto:someone@evil.example",
    "1e3",  # a number-looking text stays text
)


def sheet_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name).decode() for name in book.namelist()}


def assert_inert(data: bytes) -> list[list[object]]:
    """No formula, no hyperlink, every data cell a string; the rows as openpyxl reads them."""
    parts = sheet_parts(data)
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet
    assert "<f " not in sheet
    assert "<hyperlinks" not in sheet
    assert not any("hyperlink" in text for name, text in parts.items() if name.endswith(".rels"))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert not ws._hyperlinks  # openpyxl has no public accessor
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type in ("s", "n", "b", "d"), (cell.coordinate, cell.data_type)
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("vector", VECTORS)
def test_xlsx_writes_formulas_and_links_as_text(vector: str) -> None:
    item = {"id": "1", "title": vector, "assignee": vector, "path": vector, "risk_score": 7}
    rows = assert_inert(tabular.xlsx_bytes([item]))
    header, row = rows[0], rows[1]
    title = row[header.index("title")]
    assert isinstance(title, str)
    assert title in (vector, "'" + vector)  # formula starters keep the CSV guard's quote
    assert row[header.index("assignee")] == title
    assert row[header.index("risk score")] == 7  # numbers stay numbers


@pytest.mark.parametrize("vector", VECTORS)
def test_csv_quotes_formula_starters(vector: str) -> None:
    text = "".join(tabular.csv_chunks([{"title": vector}]))
    cell = list(csv.reader(io.StringIO(text)))[1][tabular.HEADER.index("title")]
    assert cell in (vector, "'" + vector)
    assert not cell.startswith(("=", "+", "-", "@"))


def test_export_of_a_hostile_rule_title_and_assignee_is_inert(
    sessions: sessionmaker[Session], session: Session
) -> None:
    array = '{=HYPERLINK("http://evil.example/x","click")}'
    report = sarif_report(sarif_result("hostile", score=LOW, path="src/a.py"))
    report = report.replace(b'"rule hostile"', json.dumps(array).encode())  # the rule's title
    assert ingest_bytes(sessions, report, asset="acme/web", filename="a.sarif").status == "ok"
    session.execute(update(Finding).values(assignee=array))
    data = service.export(session, FindingFilter(), ExportFormat.XLSX)
    rows = assert_inert(data)
    header = rows[0]
    assert [(r[header.index("title")], r[header.index("assignee")]) for r in rows[1:]] == [
        (array, array)
    ]


def test_metric_exports_quote_labels_a_spreadsheet_would_run() -> None:
    """Metric group labels (team, asset, control names) and filters reach CSV and XLSX exports."""
    import io as _io
    from datetime import UTC as _UTC
    from datetime import datetime as _datetime

    import openpyxl as _openpyxl

    from aspm.metrics import service as metrics_service
    from aspm.metrics.catalogue import MetricName
    from aspm.metrics.schemas import MetricResult, Period

    evil = '=HYPERLINK("http://evil.example/x","click")'
    result = MetricResult(
        metric=MetricName.MTTR,
        title="MTTR",
        definition="d",
        period=Period(
            start=_datetime(2026, 1, 1, tzinfo=_UTC),
            end=_datetime(2026, 2, 1, tzinfo=_UTC),
            days=31,
        ),
        group_by="team",
        interval=None,
        filters={"team": evil},
        columns=["team", "resolved"],
        rows=[{"team": evil, "resolved": 2}],
    )
    assert "'" + evil.replace('"', '""') in metrics_service.to_csv(result).decode()
    book = _openpyxl.load_workbook(_io.BytesIO(metrics_service.to_xlsx(result)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert ["'" + evil, 2] in [[c.value for c in row] for row in book["mttr"].iter_rows()]
