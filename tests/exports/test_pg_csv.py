"""The CSV export on PostgreSQL (exports.pg_csv, one COPY) writes the very bytes of the Python path
(exports.queries.table_rows + exports.tabular, which SQLite keeps), over findings that exercise
every kind of cell; its formula quoting is checked on its own as well (CSV injection)."""

import csv
import hashlib
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.db.migrate import upgrade
from aspm.db.session import make_engine
from aspm.exports import pg_csv, queries, service, tabular
from aspm.exports.schemas import ExportFormat
from aspm.findings.models import Detection, Finding
from aspm.findings.schemas import FindingFilter, FindingSort, SlaStatus, SuppressedFilter
from aspm.ingest.models import IngestScope

NOW = datetime(2026, 6, 30, 12, 0, 0, 123456, tzinfo=UTC)
WHOLE = NOW.replace(microsecond=0)  # isoformat leaves the fraction out
TITLES = [
    "=HYPERLINK(evil)", "+1 formula", "-2 formula", "@SUM(A1)", "\tstarts with a tab",
    "\rstarts with a CR", "a, b and c", 'say "hi"', "two\nlines", "crlf\r\ninside",
    'all: ",\n\r=', "", "plain", "'already quoted", " =space first", "ünïcödé ✓",
]  # fmt: skip


def _asset(session: Session, name: str, team: str | None) -> Asset:
    asset = Asset(id=uuid.uuid4(), name=name, kind="repository", environment="prod",
                  owner_team=team, created_at=NOW, updated_at=NOW)  # fmt: skip
    session.add(asset)
    session.flush()
    return asset


def _finding(session: Session, asset: Asset, n: int, **kw: Any) -> Finding:
    fid = uuid.uuid4()
    values: dict[str, Any] = {
        "id": fid, "asset_id": asset.id, "finding_key": hashlib.sha256(fid.bytes).hexdigest(),
        "control_id": f"ctl:{n}", "title": f"finding {n}", "category": "iac",
        "severity": "high", "severity_rank": 3, "detector_state": "active",
        "triage_state": "new", "risk_score": n * 7 % 100, "priority": f"P{n % 4 + 1}",
        # every other time has no fraction (isoformat leaves it out)
        "first_seen_at": WHOLE - timedelta(days=40, seconds=n, microseconds=(n % 2) * 250),
        "last_seen_at": NOW - timedelta(days=n % 5, microseconds=(n % 3) * 10),
    }  # fmt: skip
    values.update(kw)
    finding = Finding(**values)
    session.add(finding)
    session.flush()
    return finding


def _detect(
    session: Session, finding: Finding, scope: IngestScope, tool: str, *, seen: datetime,
    active: bool = True,
) -> None:  # fmt: skip
    session.add(
        Detection(
            id=uuid.uuid4(),
            asset_id=finding.asset_id,
            finding_id=finding.id,
            scope_id=scope.id,
            fingerprint=uuid.uuid4().hex,
            fingerprint_version=1,
            content_hash="0" * 32,
            tool=tool,
            rule_id="r1",
            title=finding.title,
            severity="high",
            category="iac",
            suppressed=False,
            active=active,
            first_seen_at=seen,
            last_seen_at=seen,
            first_import_id=uuid.uuid4(),
            last_import_id=uuid.uuid4(),
        )
    )


def _scope(session: Session, asset: Asset, tool: str, full: datetime | None) -> IngestScope:
    scope = IngestScope(id=uuid.uuid4(), asset_id=asset.id, tool=tool, target="",
                        last_import_at=full, last_full_import_at=full)  # fmt: skip
    session.add(scope)
    session.flush()
    return scope


@pytest.fixture
def varied(session: Session) -> None:
    fill_varied(session)


def fill_varied(session: Session) -> None:
    """Findings with every kind of cell: formula prefixes, delimiters, quotes and newlines in
    text, NULLs and empty strings, times with and without a fraction, both booleans, several
    detections and tools a finding (a tool twice), none, suppressed ones, teams, SLA states."""
    web = _asset(session, "acme/web", "payments")
    evil = _asset(session, "=cmd|' /C calc'!A0", None)  # an asset name a spreadsheet would run
    rule_id = uuid.uuid4()  # a suppression rule's (findings carry no foreign keys)
    scopes = {
        tool: _scope(session, web, tool, NOW - timedelta(hours=1))
        for tool in ("semgrep", "-dash", "Zeta", "checkov", "ä-tool")
    }
    stale = _scope(session, web, "trivy", None)  # no full import yet
    for n, title in enumerate(TITLES * 2):
        extra: dict[str, Any] = {}
        if n % 4 == 0:
            extra.update(resource=None, path="", cloud_provider=None, account_id="",
                         region=None, risk_score=None, priority=None)  # fmt: skip
        else:
            extra.update(resource=f"aws_s3_bucket.b{n}", path=f"src/{n}, x.tf", region="+eu")
        if n % 5 == 0:
            extra.update(suppressed=True)
        if n % 7 == 0:
            extra.update(suppression_rule_id=rule_id)
        if n % 3 == 0:
            extra.update(assignee="@alice", team="-ops" if n % 2 else "")
        if n % 6 == 1:
            extra.update(
                detector_state="fixed", triage_state="wont_fix", resolved_at=NOW - timedelta(days=1)
            )
        due = {0: None, 1: NOW + timedelta(days=30), 2: NOW + timedelta(days=2),
               3: NOW - timedelta(days=3, microseconds=5)}[n % 4]  # fmt: skip
        finding = _finding(session, evil if n % 9 == 0 else web, n, title=title,
                           sla_due_at=due, severity_rank=n % 5, **extra)  # fmt: skip
        if n % 8 == 0:
            continue  # no detection: no tools, last seen as stored
        tools = ["semgrep", "-dash", "Zeta", "checkov", "ä-tool"]
        for k in range(1 + n % 4):
            tool = tools[(n + k) % len(tools)]
            _detect(session, finding, scopes[tool], tool, seen=NOW - timedelta(days=3 + k),
                    active=k % 2 == 0)  # fmt: skip
        if n % 3 == 1:  # the same tool twice, and one of a scope never fully imported
            _detect(session, finding, scopes["semgrep"], "semgrep", seen=NOW - timedelta(days=9))
            _detect(session, finding, stale, "trivy", seen=NOW - timedelta(days=20))
    session.flush()


def python_csv(session: Session, flt: FindingFilter) -> bytes:
    """The Python path (SQLite's): keyset batches of 3 rows, so batches are crossed."""
    rows = queries.table_rows(session, flt, tabular.KEYS, now=NOW, batch=3)
    return "".join(tabular.csv_row_chunks(rows)).encode()


def copy_csv(session: Session, flt: FindingFilter) -> bytes:
    return b"".join(pg_csv.csv_chunks(session, flt, now=NOW))


FILTERS = [
    FindingFilter(),
    FindingFilter(descending=False),
    FindingFilter(suppressed=SuppressedFilter.INCLUDE, sort=FindingSort.TITLE),
    FindingFilter(suppressed=SuppressedFilter.ONLY),
    FindingFilter(sort=FindingSort.RISK),
    FindingFilter(sort=FindingSort.PRIORITY, descending=False),
    FindingFilter(sort=FindingSort.FIRST_SEEN, teams=["payments", "-ops"]),
    FindingFilter(sort=FindingSort.LAST_SEEN, teams=["nobody"]),
    FindingFilter(sla_status=[SlaStatus.OVERDUE, SlaStatus.DUE_SOON], open=True),
    FindingFilter(q="lines", tool="semgrep"),
    FindingFilter(asset="acme/web", assignee="@alice"),
]


@pytest.mark.postgres
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.model_dump_json(exclude_defaults=True))
def test_copy_writes_the_python_paths_bytes(
    varied: None, session: Session, flt: FindingFilter
) -> None:
    expected = python_csv(session, flt)
    got = copy_csv(session, flt)
    parsed = list(csv.reader(io.StringIO(got.decode(), newline="")))
    wanted = list(csv.reader(io.StringIO(expected.decode(), newline="")))
    assert parsed[0] == tabular.HEADER
    for row, want in zip(parsed, wanted, strict=True):
        assert row == want  # cell for cell first: a clearer failure than the bytes
    assert got == expected


@pytest.mark.postgres
def test_the_data_exercises_every_case(varied: None, session: Session) -> None:
    """The fixture really holds each case the comparison above is meant to cover."""
    text = copy_csv(session, FindingFilter(suppressed=SuppressedFilter.INCLUDE)).decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    column = {key: [r[n] for r in rows] for n, key in enumerate(tabular.KEYS)}
    assert len(rows) == len(TITLES) * 2
    assert {"True", "False"} <= set(column["suppressed"])
    for key in ("resource", "path", "suppression_rule_id"):
        assert "" in column[key], key
    times = column["first_seen_at"]
    assert any("." in t for t in times)
    assert any("." not in t for t in times)
    assert all(t.endswith("+00:00") for t in times)
    assert any(", " in t for t in column["tools"])
    assert "" in column["tools"]
    assert {"overdue", "due_soon", "on_track", ""} <= set(column["sla_status"])
    assert '""' in text
    assert "\n" in "".join(column["title"])


@pytest.mark.postgres
def test_copy_quotes_every_cell_a_spreadsheet_would_run(varied: None, session: Session) -> None:
    """CSV injection: no cell of the COPY's output starts with = + - @ TAB or CR; each such
    text (titles, the asset name, tools, the team, the assignee, the region) is quoted with '."""
    text = copy_csv(session, FindingFilter(suppressed=SuppressedFilter.INCLUDE)).decode()
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for quoted in ("'=HYPERLINK(evil)", "'+1 formula", "'-2 formula", "'@SUM(A1)",
                   "'\tstarts with a tab", "'\rstarts with a CR", "'=cmd|' /C calc'!A0",
                   "'-dash", "'-ops", "'@alice", "'+eu"):  # fmt: skip
        assert any(c.startswith(quoted) for c in cells), quoted
    assert "'already quoted" in cells
    assert "''already quoted" not in cells


@pytest.mark.postgres
def test_copy_streams_in_chunks(
    varied: None, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are handed on as the server sends them, a chunk at a time, not gathered first."""
    monkeypatch.setattr(pg_csv, "CHUNK_BYTES", 256)
    chunks = pg_csv.csv_chunks(session, FindingFilter(), now=NOW)
    header = next(chunks)
    assert header.decode() == ",".join(tabular.HEADER) + "\r\n"
    rest = list(chunks)
    assert len(rest) > 3
    assert all(len(c) < 256 + 1024 for c in rest)
    assert header + b"".join(rest) == python_csv(session, FindingFilter())


@pytest.mark.postgres
def test_api_and_cli_export_take_the_copy_on_postgresql(
    varied: None, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[FindingFilter] = []
    original = pg_csv.csv_chunks

    def spy(s: Session, flt: FindingFilter, *, now: datetime) -> Iterator[bytes]:
        calls.append(flt)
        return original(s, flt, now=now)

    monkeypatch.setattr(pg_csv, "csv_chunks", spy)
    response = client.get("/api/v1/exports/findings", params={"format": "csv"})
    assert response.status_code == 200
    assert len(calls) == 1
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows[0] == tabular.HEADER
    assert len(rows) - 1 == sum(1 for _ in service.iter_findings(session, FindingFilter()))
    assert service.export(session, FindingFilter(), ExportFormat.CSV).startswith(
        ",".join(tabular.HEADER).encode()
    )
    assert len(calls) == 2


def test_sqlite_keeps_the_python_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite (its own database here, whatever ASPM_TEST_DATABASE_URL says, so that CI runs
    it too) the export is the Python path's and COPY is never tried."""
    url = f"sqlite:///{tmp_path / 'export.db'}"
    upgrade(url)
    engine = make_engine(url)

    def refuse(*_: Any, **__: Any) -> Iterator[bytes]:
        raise AssertionError("COPY on SQLite")

    monkeypatch.setattr(pg_csv, "csv_chunks", refuse)
    monkeypatch.setattr(service, "utcnow", lambda: NOW)
    try:
        with Session(engine) as session, session.begin():
            fill_varied(session)
            got = b"".join(service.csv_chunks(session, FindingFilter()))
            assert got == python_csv(session, FindingFilter())
            assert got.count(b"\r\n") > len(TITLES)
    finally:
        engine.dispose()


@pytest.mark.parametrize("cut", range(1, 40))
def test_row_ends_become_crlf_only_outside_quotes(cut: int) -> None:
    """_crlf over any split of the stream: a newline inside a quoted cell stays as it is."""
    lines = [["a", 'q "x"\ny', "b"], ["\n", "", '"'], ["x\r\ny", "z"]]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(lines)
    lf = io.StringIO()
    csv.writer(lf, lineterminator="\n").writerows(lines)
    data = lf.getvalue().encode()
    first, quoted = pg_csv._crlf(data[:cut], False)
    second, _ = pg_csv._crlf(data[cut:], quoted)
    assert (first + second).decode() == expected.getvalue()
