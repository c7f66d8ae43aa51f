"""Findings exports (CSV, XLSX, SARIF 2.1.0) with the same filters as the findings list.

Rows come from the findings list's own filter and sort (`aspm.findings.repository.iter_batches`, so
an export shows exactly what the list shows), read in keyset batches as plain columns
(`exports.queries.table_rows`) and written straight out as CSV or XLSX rows (CSV on PostgreSQL:
one COPY that writes the same bytes, `exports.pg_csv`); SARIF adds each
finding's detections (locations, tool rules) and remediation from `exports.queries`. Nothing here
can output a secret: finding titles and descriptions are redacted at ingest and snippets are never
exported.
"""

import json
import uuid
from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aspm.common.clock import utcnow
from aspm.db.session import unit_of_work
from aspm.exports import pg_csv, queries, tabular
from aspm.exports.sarif import SarifFinding, Where, build_log
from aspm.exports.schemas import ExportFormat
from aspm.findings import service as findings_service
from aspm.findings.schemas import FindingFilter, FindingRead

PAGE = 500  # findings per detail query (SARIF)
LIST_BATCH = 2000  # findings per keyset batch: memory stays flat; larger measured no faster


def tool_version() -> str:
    try:
        return version("aspm")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def iter_findings(session: Session, flt: FindingFilter) -> Iterator[FindingRead]:
    """Every finding the filter selects, in its sort order (its limit/offset are ignored), read
    in keyset batches (one index range each; offset pages re-read every earlier row)."""
    return findings_service.iter_findings(session, flt, batch=LIST_BATCH)


def table_rows(session: Session, flt: FindingFilter) -> Iterator[list[Any]]:
    """The values of tabular.COLUMNS per finding the filter selects, in its order."""
    return queries.table_rows(session, flt, tabular.KEYS, now=utcnow(), batch=LIST_BATCH)


def csv_chunks(session: Session, flt: FindingFilter) -> Iterator[bytes]:
    """The CSV file (UTF-8) in chunks. On PostgreSQL one COPY whose SELECT writes the cells
    (exports.pg_csv: 1M findings at several times the rate); elsewhere table_rows written by
    csv.writer. The bytes are the same either way."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_csv.csv_chunks(session, flt, now=utcnow())
    return (text.encode() for text in tabular.csv_row_chunks(table_rows(session, flt)))


def csv_stream(factory: sessionmaker[Session], flt: FindingFilter) -> Iterator[bytes]:
    """csv_chunks in its own transaction (an HTTP response streams after the request's session
    has closed)."""
    with unit_of_work(factory) as session:
        yield from csv_chunks(session, flt)


def xlsx(session: Session, flt: FindingFilter) -> bytes:
    return tabular.xlsx_rows(table_rows(session, flt))


def sarif_findings(
    session: Session, ids: Sequence[uuid.UUID], *, notes: dict[uuid.UUID, str] | None = None
) -> list[SarifFinding]:
    """SARIF views of findings (in the order given), with their detections' locations and tool
    rules and their remediation."""
    out: list[SarifFinding] = []
    for start in range(0, len(ids), PAGE):
        chunk = ids[start : start + PAGE]
        rows = queries.finding_rows(session, chunk)
        locations = queries.detections(session, chunk)
        for fid in chunk:
            if fid not in rows:
                continue
            f, asset = rows[fid]
            wheres = [
                Where(d.tool, d.rule_id, d.path, d.start_line, d.end_line, d.resource,
                      d.resource_type)
                for d in locations.get(fid, [])
            ]  # fmt: skip
            out.append(
                SarifFinding(
                    id=str(f.id),
                    finding_key=f.finding_key,
                    title=f.title,
                    severity=f.severity,
                    category=f.category,
                    control_id=f.control_id,
                    asset=asset,
                    priority=f.priority,
                    risk_score=f.risk_score,
                    status=f.detector_state,
                    triage_state=f.triage_state,
                    suppressed=f.suppressed,
                    description=f.description or "",
                    remediation=f.remediation or "",
                    references=tuple(f.references or ()),
                    cwe_ids=tuple(f.cwe_ids or ()),
                    locations=tuple(wheres),
                    note=(notes or {}).get(fid),
                )
            )
    return out


def sarif(session: Session, flt: FindingFilter) -> dict[str, Any]:
    ids = list(queries.finding_ids(session, flt, batch=LIST_BATCH))
    return build_log(sarif_findings(session, ids), tool_version=tool_version(), run_properties=None)


def export_chunks(session: Session, flt: FindingFilter, fmt: ExportFormat) -> Iterator[bytes]:
    """The export file in chunks, to be written as they come (the CLI): CSV in chunks of rows,
    so memory stays flat however many findings; XLSX and SARIF in one chunk (each is built
    whole, as over HTTP)."""
    if fmt is ExportFormat.CSV:
        yield from csv_chunks(session, flt)
    elif fmt is ExportFormat.XLSX:
        yield xlsx(session, flt)
    else:  # compact: an indent makes json use its pure-Python encoder (8 s of 12 s at 20k)
        yield (json.dumps(sarif(session, flt), separators=(",", ":")) + "\n").encode()


def export(session: Session, flt: FindingFilter, fmt: ExportFormat) -> bytes:
    """The whole export as bytes."""
    return b"".join(export_chunks(session, flt, fmt))
