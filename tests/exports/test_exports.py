"""Findings exports: CSV (streamed), XLSX read back with openpyxl, SARIF 2.1.0 validated against
the official schema; the findings list's filters; never a secret value."""

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.cli import app
from aspm.common.severity import Severity
from aspm.exports import service, tabular
from aspm.exports.schemas import ExportFormat
from aspm.findings.schemas import FindingFilter
from aspm.settings import get_settings
from tests.exports.sarif_schema import assert_valid_sarif
from tests.factories import ingest_bytes
from tests.gate.helpers import (
    CRITICAL,
    HIGH,
    LOW,
    sarif_report,
    sarif_result,
    trufflehog_line,
    trufflehog_report,
)

SECRET = "ghp_" + "Zq9" * 12
FORMULA_RULE = "=HYPERLINK(evil)"


def load(sessions: sessionmaker[Session], samples: Path) -> None:
    code = sarif_report(
        sarif_result("sql-injection", level="error", score=CRITICAL, path="src/db.py", line=7),
        sarif_result("xss", score=HIGH, path="web/app dir/x.js", line=0),
        sarif_result(FORMULA_RULE, score=LOW, path="src/util.py"),
    ).replace(b'"rule =HYPERLINK', b'"=HYPERLINK')  # a title a spreadsheet would run
    assert ingest_bytes(sessions, code, asset="acme/web", filename="code.sarif").status == "ok"
    leaks = trufflehog_report(trufflehog_line(SECRET, verified=True))
    assert ingest_bytes(sessions, leaks, asset="acme/web", filename="th.jsonl").status == "ok"
    cloud = (samples / "asff" / "many.json").read_bytes()
    assert ingest_bytes(sessions, cloud, asset="aws/prod", filename="asff.json").status == "ok"


@pytest.fixture
def loaded(sessions: sessionmaker[Session], samples: Path) -> None:
    load(sessions, samples)


def total(session: Session, flt: FindingFilter | None = None) -> int:
    return sum(1 for _ in service.iter_findings(session, flt or FindingFilter()))


def test_csv_has_one_row_per_finding_and_the_promised_columns(
    loaded: None, session: Session
) -> None:
    text = service.export(session, FindingFilter(), ExportFormat.CSV).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == tabular.HEADER
    for column in ("priority", "risk score", "severity", "status", "asset", "tools", "control",
                   "resource", "path", "first seen (UTC)", "last seen (UTC)", "SLA due (UTC)",
                   "assignee"):  # fmt: skip
        assert column in rows[0]
    assert len(rows) - 1 == total(session) >= 5
    by_path = {r[rows[0].index("path")]: r for r in rows[1:]}
    db = by_path["src/db.py"]
    assert db[rows[0].index("severity")] == "critical"
    assert db[rows[0].index("priority")] == "P3"  # critical, nothing else known (issue 14)
    assert db[rows[0].index("tools")] == "semgrep"
    assert datetime.fromisoformat(db[rows[0].index("first seen (UTC)")]).tzinfo is not None
    assert SECRET not in text


def test_csv_neutralises_spreadsheet_formulas(loaded: None, session: Session) -> None:
    text = service.export(session, FindingFilter(), ExportFormat.CSV).decode()
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(c.startswith("=") for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_csv_streams_in_chunks() -> None:
    items = [{"id": str(n), "title": f"t{n}"} for n in range(1201)]
    chunks = list(tabular.csv_chunks(items, chunk_rows=500))
    assert len(chunks) == 3
    assert "".join(chunks).count("\r\n") == 1202


def test_filters_are_the_findings_list_filters(loaded: None, session: Session) -> None:
    flt = FindingFilter(asset="aws/prod")
    text = service.export(session, flt, ExportFormat.CSV).decode()
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == total(session, flt) > 0
    assert {r[tabular.HEADER.index("asset")] for r in rows} == {"aws/prod"}
    critical = FindingFilter(severity=[Severity.CRITICAL])
    assert total(session, critical) < total(session)


def test_xlsx_reads_back_with_openpyxl(loaded: None, session: Session) -> None:
    data = service.export(session, FindingFilter(), ExportFormat.XLSX)
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == tabular.HEADER
    assert len(rows) - 1 == total(session)
    header = list(rows[0])
    db = next(r for r in rows[1:] if r[header.index("path")] == "src/db.py")
    assert db[header.index("risk score")] >= 60  # critical, no context: 100 x ln(10.5) / ln(36.27)
    assert isinstance(db[header.index("first seen (UTC)")], datetime)
    assert all(SECRET not in str(v) for r in rows for v in r)


def test_sarif_export_is_valid_and_code_scanning_ready(loaded: None, session: Session) -> None:
    log = service.sarif(session, FindingFilter())
    assert_valid_sarif(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "aspm"
    results = run["results"]
    assert len(results) == total(session)
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]["aspmFindingKey/v1"]
        assert res["message"]["text"]
        (loc,) = res["locations"]
        phys = loc.get("physicalLocation")
        if phys is not None:
            uri = phys["artifactLocation"]["uri"]
            assert not uri.startswith("/")
            assert phys["region"]["startLine"] >= 1
        else:  # a cloud finding: no file, a logical location naming the resource
            assert loc["logicalLocations"][0]["kind"] == "resource"
            assert res["properties"]["asset"] == "aws/prod"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        if "physicalLocation" in r["locations"][0]
    }
    assert "web/app%20dir/x.js" in uris  # a valid URI reference, relative to the repository
    assert any("logicalLocations" in r["locations"][0] for r in results)
    sev = {r["id"]: r["properties"]["security-severity"] for r in rules}
    assert "9.5" in sev.values()
    assert SECRET not in json.dumps(log)


def test_sarif_marks_accepted_risks_as_suppressed(loaded: None, session: Session) -> None:
    from sqlalchemy import update

    from aspm.findings.models import Finding

    session.execute(update(Finding).values(triage_state="accepted_risk"))
    log = service.sarif(session, FindingFilter())
    assert_valid_sarif(log)
    assert all(
        r["suppressions"] == [{"kind": "external", "justification": "accepted_risk"}]
        for r in log["runs"][0]["results"]
    )


def test_empty_export_is_still_valid(session: Session) -> None:
    assert_valid_sarif(service.sarif(session, FindingFilter(asset="nothing/here")))
    text = service.export(session, FindingFilter(asset="nothing/here"), ExportFormat.CSV)
    assert text.decode().strip() == ",".join(tabular.HEADER)


# HTTP


def test_api_csv_export_streams_with_filters(
    loaded: None, client: TestClient, session: Session
) -> None:
    response = client.get("/api/v1/exports/findings", params={"format": "csv", "asset": "acme/web"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) - 1 == total(session, FindingFilter(asset="acme/web"))
    assert SECRET not in response.text


def test_api_export_takes_the_queue_priority_and_environment_filters(
    loaded: None, client: TestClient, session: Session
) -> None:
    for params, flt in (
        ({"priority": ["P1", "P2"]}, FindingFilter(priority=["P1", "P2"])),
        ({"environment": ["prod"]}, FindingFilter(environment=["prod"])),
    ):
        response = client.get("/api/v1/exports/findings", params={"format": "csv", **params})
        assert response.status_code == 200, response.text
        rows = len(list(csv.reader(io.StringIO(response.text)))) - 1
        assert rows == total(session, flt)
        assert rows < total(session, FindingFilter())


def test_api_xlsx_and_sarif_exports(loaded: None, client: TestClient) -> None:
    xlsx = client.get("/api/v1/exports/findings", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).active is not None
    sarif = client.get(
        "/api/v1/exports/findings", params={"format": "sarif", "severity": ["critical"]}
    )
    assert sarif.status_code == 200
    assert sarif.headers["content-type"].startswith("application/sarif+json")
    log = sarif.json()
    assert_valid_sarif(log)
    assert {r["properties"]["severity"] for r in log["runs"][0]["results"]} == {"critical"}


def test_api_rejects_an_unknown_format(client: TestClient) -> None:
    assert client.get("/api/v1/exports/findings", params={"format": "pdf"}).status_code == 422


# CLI

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'export.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "export-cli-test-key")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_cli_exports_each_format_to_a_file(cli_db: Path) -> None:
    report = cli_db / "code.sarif"
    report.write_bytes(sarif_report(sarif_result("xss", score=HIGH, path="web/x.js")))
    assert runner.invoke(app, ["ingest", str(report), "--asset", "acme/cli"]).exit_code == 0
    for fmt in ("csv", "xlsx", "sarif"):
        out = cli_db / f"findings.{fmt}"
        result = runner.invoke(app, ["export", "findings", "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert_valid_sarif(json.loads((cli_db / "findings.sarif").read_text()))
    rows = list(csv.reader(io.StringIO((cli_db / "findings.csv").read_text())))
    assert len(rows) == 2
    piped = runner.invoke(app, ["export", "findings", "--format", "csv", "--severity", "low"])
    assert piped.exit_code == 0
    assert piped.stdout.strip() == ",".join(tabular.HEADER)


def test_cli_rejects_an_unknown_format(cli_db: Path) -> None:
    result = runner.invoke(app, ["export", "findings", "--format", "pdf"])
    assert result.exit_code == 2


def test_csv_rows_are_the_findings_list_rows(loaded: None, session: Session) -> None:
    """The CSV is read as plain columns (exports.queries.table_rows), not through the list's
    FindingRead: every cell must still be what the list shows, escaping included."""
    from sqlalchemy import update

    from aspm.common.clock import utcnow
    from aspm.findings.models import Finding

    due = utcnow() - timedelta(days=1)  # overdue, where the list computes sla_status itself
    session.execute(update(Finding).where(Finding.path == "src/db.py").values(sla_due_at=due))
    for flt in (FindingFilter(), FindingFilter(asset="acme/web", descending=False)):
        listed = [
            tabular.row_values({key: getattr(f, key) for key in tabular.KEYS})
            for f in service.iter_findings(session, flt)
        ]
        expected = [tabular.HEADER, *([str(c) for c in row] for row in listed)]
        text = service.export(session, flt, ExportFormat.CSV).decode()
        assert list(csv.reader(io.StringIO(text))) == expected
    statuses = {r[tabular.KEYS.index("sla_status")] for r in expected}
    assert "overdue" in statuses
    titles = [r[tabular.KEYS.index("title")] for r in expected]
    assert any(t.startswith("'=HYPERLINK") for t in titles)
