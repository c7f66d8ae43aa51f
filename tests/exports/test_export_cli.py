"""`aspm export findings` writes the file as it comes, a chunk at a time (memory stays flat), from
the local database or, with `aspm --server`, from the server's streamed GET /exports/findings:
the same bytes either way, and a failed export leaves no half-written file."""

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.auth.principal import Principal, Role
from aspm.cli import app
from aspm.common.severity import Severity
from aspm.exports import service
from aspm.exports.cli import copy_chunks, write_export
from aspm.exports.schemas import ExportFormat
from aspm.findings import service as findings_service
from aspm.findings.schemas import FindingOrderQuery, FindingSort
from tests.conftest import ClientAs
from tests.factories import ingest_bytes
from tests.gate.helpers import CRITICAL, HIGH, LOW, sarif_report, sarif_result

runner = CliRunner()


def test_each_chunk_is_written_before_the_next_is_read() -> None:
    sink = BytesIO()
    seen: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for n in range(3):
            seen.append(sink.getvalue())  # what was written when this chunk is asked for
            yield f"rows {n}\r\n".encode()

    assert copy_chunks(chunks(), sink) == 3 * len(b"rows 0\r\n")
    assert seen == [b"", b"rows 0\r\n", b"rows 0\r\nrows 1\r\n"]
    assert sink.getvalue() == b"rows 0\r\nrows 1\r\nrows 2\r\n"


def test_a_failed_export_leaves_no_half_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    out.write_bytes(b"yesterday's export\r\n")

    def failing() -> Iterator[bytes]:
        yield b"header\r\n"
        assert [p.name for p in tmp_path.iterdir() if p != out] == [".findings.csv.part"]
        raise ConnectionError("the server went away")

    with pytest.raises(ConnectionError):
        write_export(failing(), out)
    assert out.read_bytes() == b"yesterday's export\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.csv"]
    assert write_export(iter([b"a,b\r\n", b"1,2\r\n"]), out) == 10
    assert out.read_bytes() == b"a,b\r\n1,2\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.csv"]


def test_server_mode_exports_what_the_server_serves_and_the_local_export_writes(
    served: None, token_client: ClientAs, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    report = sarif_report(
        *(sarif_result(f"rule-{n}", score=s, path=f"src/{n}.py") for n, s in
          enumerate([CRITICAL, HIGH, LOW, HIGH]))
    )  # fmt: skip
    assert ingest_bytes(sessions, report, asset="acme/export").status == "ok"
    reader = token_client(["read"], role="viewer")
    remote = ["--server", "https://aspm.example", "--token",
              reader.headers["Authorization"].removeprefix("Bearer ")]  # fmt: skip
    query = FindingOrderQuery(
        severity=[Severity.CRITICAL, Severity.HIGH], sort=FindingSort.TITLE, descending=False
    )
    flags = ["--severity", "critical", "--severity", "high", "--sort", "title", "--ascending"]
    admin = Principal(kind="user", id=None, name="cli", role=Role.ADMIN)
    with sessions() as session:
        flt = findings_service.query_filter(admin, query)
        local = service.export(session, flt, ExportFormat.CSV)
    assert local.count(b"\r\n") == 4  # the header and three findings
    served_csv = reader.get(
        "/api/v1/exports/findings", params=(*query.params(), ("format", "csv"))
    ).content
    assert served_csv == local
    out = tmp_path / "findings.csv"
    to_file = runner.invoke(app, [*remote, "export", "findings", *flags, "-o", str(out)])
    assert to_file.exit_code == 0, to_file.output
    assert out.read_bytes() == local
    assert f"({len(local)} bytes)" in to_file.stderr
    piped = runner.invoke(app, [*remote, "export", "findings", *flags])
    assert piped.exit_code == 0, piped.output
    assert piped.stdout_bytes == local


def test_server_mode_reports_a_refused_export_and_writes_nothing(
    served: None, token_client: ClientAs, tmp_path: Path
) -> None:
    uploader = token_client(["ingest"], role="engineer")  # no read scope
    token = uploader.headers["Authorization"].removeprefix("Bearer ")
    out = tmp_path / "findings.csv"
    result = runner.invoke(
        app, ["--server", "https://aspm.example", "--token", token, "export", "findings",
              "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "403" in result.output
    assert list(tmp_path.iterdir()) == []
