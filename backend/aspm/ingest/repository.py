# ruff: noqa: S608 - SQL text is assembled only from this module's constants; values are bound
"""Every SQL statement of ingestion: set-based staging and merging, one transaction per import.

Rows are staged in a temporary table (COPY on PostgreSQL, executemany on SQLite) and merged with a
handful of INSERT ... SELECT ... ON CONFLICT and UPDATE ... FROM statements: no round trip per
finding, and no write at all for detections a re-import saw unchanged.
"""

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from aspm.audit.models import AuditEvent
from aspm.findings.models import Detection, Rule
from aspm.ingest.models import IngestRun, IngestScope

STAGE = "aspm_stage"
GONE = "aspm_gone"
AFFECTED = "aspm_affected"

# staged columns, in the order rows are built by the service
STAGE_COLUMNS: tuple[str, ...] = (
    "row_no", "kind", "asset_id", "scope_id", "fingerprint", "finding_key", "control_id",
    "content_hash", "tool", "rule_id", "title", "severity", "severity_rank", "raw_severity",
    "category", "path", "start_line", "end_line", "resource", "resource_type", "cloud_provider",
    "account_id", "region", "snippet", "secret_preview", "secret_hash", "secret_verified",
    "tool_fingerprint", "suppressed", "cvss", "description", "remediation", "refs", "cwe_ids",
    "compliance",
)  # fmt: skip
KIND_NEW = 0
KIND_UPDATE = 1

_STAGE_DDL_TYPES = {
    "row_no": "BIGINT", "kind": "SMALLINT", "start_line": "INTEGER", "end_line": "INTEGER",
    "severity_rank": "SMALLINT", "secret_verified": "BOOLEAN", "suppressed": "BOOLEAN",
    "cvss": "DOUBLE PRECISION",
}  # fmt: skip


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def is_postgres(session: Session) -> bool:
    return _is_pg(session)


def _uuid_sql(session: Session) -> str:
    return "gen_random_uuid()" if _is_pg(session) else "lower(hex(randomblob(16)))"


def _json_sql(session: Session, column: str) -> str:
    return f"CAST({column} AS JSONB)" if _is_pg(session) else column


def db_uuid(session: Session, value: uuid.UUID) -> Any:
    """A UUID as raw SQL on this dialect stores it (SQLAlchemy's Uuid is CHAR(32) on SQLite)."""
    return value if _is_pg(session) else value.hex


def create_temp_tables(session: Session) -> None:
    drop_temp_tables(session)
    cols = ", ".join(f"{c} {_STAGE_DDL_TYPES.get(c, 'TEXT')}" for c in STAGE_COLUMNS)
    uuid_type = "UUID" if _is_pg(session) else "TEXT"
    cols = cols.replace("asset_id TEXT", f"asset_id {uuid_type}")
    cols = cols.replace("scope_id TEXT", f"scope_id {uuid_type}")
    session.execute(text(f"CREATE TEMP TABLE {STAGE} ({cols})"))
    session.execute(
        text(f"CREATE TEMP TABLE {GONE} (asset_id {uuid_type}, tool TEXT, fingerprint TEXT)")
    )
    session.execute(text(f"CREATE TEMP TABLE {AFFECTED} (finding_id {uuid_type} PRIMARY KEY)"))
    if not _is_pg(session):
        session.execute(
            text(f"CREATE INDEX aspm_stage_fp ON {STAGE} (asset_id, tool, fingerprint)")
        )
        session.execute(text(f"CREATE INDEX aspm_stage_key ON {STAGE} (asset_id, finding_key)"))


def drop_temp_tables(session: Session) -> None:
    for table in (STAGE, GONE, AFFECTED):
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))


def stage_rows(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    _load(session, STAGE, STAGE_COLUMNS, rows)


def stage_gone(session: Session, rows: Sequence[tuple[Any, str, str]]) -> None:
    _load(session, GONE, ("asset_id", "tool", "fingerprint"), rows)


def _load(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    dbapi = session.connection().connection.driver_connection
    if _is_pg(session):
        with (
            dbapi.cursor() as cur,  # type: ignore[union-attr]
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        dbapi.executemany(  # type: ignore[union-attr]
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            rows,
        )


def load_known_detections(
    session: Session, *, asset_id: uuid.UUID, tool: str
) -> Iterable[tuple[str, str, bool, uuid.UUID]]:
    """(fingerprint, content_hash, active, scope_id) of every detection of one tool on one asset."""
    stmt = (
        select(Detection.fingerprint, Detection.content_hash, Detection.active, Detection.scope_id)
        .where(Detection.asset_id == asset_id, Detection.tool == tool)
        .execution_options(yield_per=20000)
    )
    for row in session.execute(stmt):
        yield row[0], row[1], row[2], row[3]


def get_or_create_scope(
    session: Session, *, asset_id: uuid.UUID, tool: str, target: str
) -> IngestScope:
    stmt = select(IngestScope).where(
        IngestScope.asset_id == asset_id, IngestScope.tool == tool, IngestScope.target == target
    )
    if _is_pg(session):
        stmt = stmt.with_for_update()  # one import of a scope at a time
    scope = session.scalars(stmt).one_or_none()
    if scope is None:
        ins = (pg_insert if _is_pg(session) else sqlite_insert)(IngestScope).values(
            id=uuid.uuid4(), asset_id=asset_id, tool=tool, target=target
        )
        session.execute(ins.on_conflict_do_nothing())
        scope = session.scalars(stmt).one()
    return scope


@dataclass(slots=True)
class MergeCounts:
    new_detections: int = 0
    updated_detections: int = 0
    resolved_detections: int = 0
    new_findings: int = 0
    reopened_findings: int = 0
    resolved_findings: int = 0


_DETECTION_VALUE_COLUMNS = (
    "content_hash", "tool", "rule_id", "title", "severity", "raw_severity", "category", "path",
    "start_line", "end_line", "resource", "resource_type", "cloud_provider", "account_id",
    "region", "snippet", "secret_preview", "secret_hash", "secret_verified", "tool_fingerprint",
    "suppressed", "cvss",
)  # fmt: skip


def _params(session: Session, run_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    pg = _is_pg(session)
    return {"now": now if pg else now.replace(tzinfo=None), "run": db_uuid(session, run_id)}


def merge_batch(
    session: Session,
    rows: Sequence[tuple[Any, ...]],
    counts: MergeCounts,
    *,
    run_id: uuid.UUID,
    now: datetime,
    fingerprint_version: int,
    key_version: int,
) -> None:
    """Stage one batch and apply it: new findings, new detections, updated detections.

    Runs once per batch while the report is still being parsed (on PostgreSQL in a writer thread),
    so the server's work overlaps the parsing. The stage table holds one batch at a time.
    """
    if not rows:
        return
    params = _params(session, run_id, now)
    session.execute(text(f"DELETE FROM {STAGE}"))
    stage_rows(session, rows)

    # findings that existed before this import and that this batch touches
    session.execute(
        text(
            f"INSERT INTO {AFFECTED} (finding_id) SELECT DISTINCT f.id FROM {STAGE} s "
            "JOIN findings f ON f.asset_id = s.asset_id AND f.finding_key = s.finding_key "
            "WHERE f.created_import_id IS NULL OR f.created_import_id <> :run "
            "ON CONFLICT DO NOTHING"
        ),
        params,
    )

    # new findings: one per (asset, finding_key), from the first staged row that has it
    result = session.execute(
        text(
            "INSERT INTO findings (id, asset_id, finding_key, key_version, control_id, title, "
            "category, severity, severity_rank, resource, path, cloud_provider, account_id, "
            'region, description, remediation, "references", cwe_ids, compliance, '
            "detector_state, triage_state, suppressed, secret_verified, cvss, risk_explanation, "
            "first_seen_at, last_seen_at, reopen_count, created_import_id, version) "
            f"SELECT {_uuid_sql(session)}, s.asset_id, s.finding_key, {key_version}, s.control_id,"
            " s.title, s.category, s.severity, s.severity_rank, s.resource, s.path, "
            "s.cloud_provider, s.account_id, s.region, s.description, s.remediation, "
            f"{_json_sql(session, 's.refs')}, {_json_sql(session, 's.cwe_ids')}, "
            f"{_json_sql(session, 's.compliance')}, 'active', 'new', s.suppressed, "
            f"s.secret_verified, s.cvss, {_json_sql(session, chr(39) + '[]' + chr(39))}, "
            ":now, :now, 0, :run, 1 "
            f"FROM {STAGE} s WHERE s.kind = {KIND_NEW} AND s.row_no IN "
            f"(SELECT MIN(row_no) FROM {STAGE} WHERE kind = {KIND_NEW} "
            "GROUP BY asset_id, finding_key) "
            "ON CONFLICT (asset_id, finding_key) DO NOTHING"
        ),
        params,
    )
    counts.new_findings += max(result.rowcount, 0)  # type: ignore[attr-defined]

    # new detections, linked to their finding
    cols = ", ".join(_DETECTION_VALUE_COLUMNS)
    s_cols = ", ".join(f"s.{c}" for c in _DETECTION_VALUE_COLUMNS)
    result = session.execute(
        text(
            f"INSERT INTO detections (id, asset_id, finding_id, scope_id, fingerprint, "
            f"fingerprint_version, {cols}, active, first_seen_at, last_seen_at, first_import_id, "
            f"last_import_id) SELECT {_uuid_sql(session)}, s.asset_id, f.id, s.scope_id, "
            f"s.fingerprint, {fingerprint_version}, {s_cols}, true, :now, :now, :run, :run "
            f"FROM {STAGE} s JOIN findings f "
            "ON f.asset_id = s.asset_id AND f.finding_key = s.finding_key "
            f"WHERE s.kind = {KIND_NEW} "
            "ON CONFLICT (asset_id, tool, fingerprint) DO NOTHING"
        ),
        params,
    )
    counts.new_detections += max(result.rowcount, 0)  # type: ignore[attr-defined]

    # detections seen again with new display data, or reappearing: update in place
    sets = ", ".join(f"{c} = s.{c}" for c in _DETECTION_VALUE_COLUMNS)
    result = session.execute(
        text(
            f"UPDATE detections SET {sets}, active = true, last_seen_at = :now, "
            f"last_import_id = :run FROM {STAGE} s WHERE s.kind = {KIND_UPDATE} "
            "AND detections.asset_id = s.asset_id AND detections.tool = s.tool "
            "AND detections.fingerprint = s.fingerprint"
        ),
        params,
    )
    counts.updated_detections += max(result.rowcount, 0)  # type: ignore[attr-defined]


def retire_and_recompute(
    session: Session, counts: MergeCounts, *, run_id: uuid.UUID, now: datetime, actor: str
) -> None:
    """After the last batch: retire what a full import no longer has, then the lifecycle of
    every pre-existing finding the import touched."""
    params = _params(session, run_id, now)
    if _is_pg(session):
        session.execute(text(f"ANALYZE {GONE}"))
    session.execute(
        text(
            f"INSERT INTO {AFFECTED} (finding_id) SELECT DISTINCT d.finding_id FROM {GONE} g "
            "JOIN detections d ON d.asset_id = g.asset_id AND d.tool = g.tool "
            "AND d.fingerprint = g.fingerprint "
            "WHERE d.active ON CONFLICT DO NOTHING"
        )
    )
    # retired detections were last seen by the scope's previous full import
    result = session.execute(
        text(
            "UPDATE detections SET active = false, last_seen_at = COALESCE("
            "(SELECT sc.last_full_import_at FROM ingest_scopes sc "
            "WHERE sc.id = detections.scope_id), detections.last_seen_at) "
            f"FROM {GONE} g WHERE detections.active AND g.asset_id = detections.asset_id "
            "AND g.tool = detections.tool AND g.fingerprint = detections.fingerprint"
        ),
        params,
    )
    counts.resolved_detections = max(result.rowcount, 0)  # type: ignore[attr-defined]
    _recompute_findings(session, counts, params=params, actor=actor, run_id=run_id, now=now)


def _recompute_findings(
    session: Session,
    counts: MergeCounts,
    *,
    params: dict[str, Any],
    actor: str,
    run_id: uuid.UUID,
    now: datetime,
) -> None:
    """Detector state, severity and last-seen of pre-existing findings this import touched."""
    has_active = "EXISTS (SELECT 1 FROM detections d WHERE d.finding_id = findings.id AND d.active)"
    in_affected = f"findings.id IN (SELECT finding_id FROM {AFFECTED})"
    if not session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {AFFECTED})")):
        return  # first sight of everything: nothing pre-existing changed state
    if _is_pg(session):
        session.execute(text(f"ANALYZE {AFFECTED}"))
    to_fix = session.scalars(
        text(
            f"SELECT id FROM findings WHERE {in_affected} AND detector_state = 'active' "
            f"AND NOT {has_active}"
        )
    ).all()
    to_reopen = session.scalars(
        text(
            f"SELECT id FROM findings WHERE {in_affected} AND detector_state = 'fixed' "
            f"AND {has_active}"
        )
    ).all()
    if to_fix:
        session.execute(
            text(
                "UPDATE findings SET detector_state = 'fixed', resolved_at = :now, "
                f"version = version + 1 WHERE {in_affected} AND detector_state = 'active' "
                f"AND NOT {has_active}"
            ),
            params,
        )
    if to_reopen:
        session.execute(
            text(
                "UPDATE findings SET detector_state = 'active', resolved_at = NULL, "
                "reopen_count = reopen_count + 1, version = version + 1 "
                f"WHERE {in_affected} AND detector_state = 'fixed' AND {has_active}"
            ),
            params,
        )
    # worst active severity; last seen from the newest detection
    session.execute(
        text(
            "UPDATE findings SET "
            "severity_rank = COALESCE((SELECT MAX(CASE d.severity WHEN 'critical' THEN 4 "
            "WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) "
            "FROM detections d WHERE d.finding_id = findings.id AND d.active), severity_rank), "
            "last_seen_at = COALESCE((SELECT MAX(d.last_seen_at) FROM detections d "
            "WHERE d.finding_id = findings.id), last_seen_at) "
            f"WHERE {in_affected}"
        ),
        params,
    )
    session.execute(
        text(
            "UPDATE findings SET severity = CASE severity_rank WHEN 4 THEN 'critical' "
            "WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' ELSE 'info' END "
            f"WHERE {in_affected}"
        )
    )
    counts.resolved_findings = len(to_fix)
    counts.reopened_findings = len(to_reopen)
    events = [
        AuditEvent(
            at=now,
            actor=actor,
            action=action,
            object_type="finding",
            object_id=_as_uuid(fid),
            from_value=old,
            to_value=new,
            reason=reason,
            details={"import_id": str(run_id)},
        )
        for ids, action, old, new, reason in (
            (to_fix, "auto_resolved", "active", "fixed", "no active detection after a full import"),
            (to_reopen, "reopened", "fixed", "active", "detected again"),
        )
        for fid in ids
    ]
    session.add_all(events)


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def upsert_rules(session: Session, rules: Iterable[dict[str, Any]]) -> None:
    rows = [{"id": uuid.uuid4(), **r} for r in rules]
    if not rows:
        return
    ins = (pg_insert if _is_pg(session) else sqlite_insert)(Rule)
    for start in range(0, len(rows), 500):
        session.execute(ins.on_conflict_do_nothing(), rows[start : start + 500])


def touch_scope(
    session: Session,  # noqa: ARG001 - the unit of work tracks the scope
    scope: IngestScope,
    *,
    run_id: uuid.UUID,
    now: datetime,
    partial: bool,
) -> None:
    scope.last_import_id = run_id
    scope.last_import_at = now
    if not partial:
        scope.last_full_import_at = now


def add_run(session: Session, run: IngestRun) -> IngestRun:
    session.add(run)
    session.flush()
    return run


def to_json(value: Any) -> str:
    if not value:
        return "[]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def list_runs(
    session: Session, *, limit: int, offset: int, status: str | None
) -> tuple[Sequence[IngestRun], int]:
    stmt = select(IngestRun)
    if status:
        stmt = stmt.where(IngestRun.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(IngestRun.started_at.desc(), IngestRun.id).limit(limit).offset(offset)
    ).all()
    return rows, total


def get_run(session: Session, run_id: uuid.UUID) -> IngestRun | None:
    return session.get(IngestRun, run_id)
