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
from functools import lru_cache
from typing import Any

from sqlalchemy import func, or_, select, text, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.audit import service as audit_service
from aspm.db import locks
from aspm.db.bulk import as_uuid, db_uuid, is_postgres, load_rows
from aspm.findings.models import Finding, Rule
from aspm.ingest.models import IngestRun, IngestScope
from aspm.resources.models import FindingAlias

STAGE = "aspm_stage"
GONE = "aspm_gone"
AFFECTED = "aspm_affected"

_SHOWN = (
    "tool", "rule_id", "title", "severity", "raw_severity", "category", "path", "start_line",
    "end_line", "resource", "resource_type", "cloud_provider", "account_id", "region", "snippet",
    "secret_preview", "secret_hash", "secret_verified", "tool_fingerprint", "suppressed", "cvss",
)  # fmt: skip
# rows the service builds, column by column
STAGE_COLUMNS = ("row_no", "asset_id", "fingerprint", "content_hash", *_SHOWN)
FINDING_COLUMNS = (
    "id", "asset_id", "finding_key", "key_version", "control_id", "title", "category",
    "severity", "severity_rank", "resource", "path", "cloud_provider", "account_id", "region",
    "description", "remediation", '"references"', "cwe_ids", "compliance", "detector_state",
    "triage_state", "suppressed", "secret_verified", "cvss", "first_seen_at",
    "last_seen_at", "reopen_count", "created_import_id", "version", "risk_score", "priority",
    "sla_due_at", "risk_policy_version", "risk_key", "context",
)  # fmt: skip
DETECTION_COLUMNS = (
    "id", "asset_id", "finding_id", "scope_id", "fingerprint", "fingerprint_version",
    "content_hash", *_SHOWN, "active", "first_seen_at", "last_seen_at", "first_import_id",
    "last_import_id",
)  # fmt: skip

_STAGE_DDL_TYPES = {
    "row_no": "BIGINT", "start_line": "INTEGER", "end_line": "INTEGER",
    "secret_verified": "BOOLEAN", "suppressed": "BOOLEAN", "cvss": "DOUBLE PRECISION",
}  # fmt: skip


@dataclass(slots=True)
class Batch:
    """One batch of an import: new findings, new detections, and changed existing detections."""

    findings: list[tuple[Any, ...]]
    detections: list[tuple[Any, ...]]
    updates: list[tuple[Any, ...]]


def create_temp_tables(session: Session) -> None:
    drop_temp_tables(session)
    cols = ", ".join(f"{c} {_STAGE_DDL_TYPES.get(c, 'TEXT')}" for c in STAGE_COLUMNS)
    uuid_type = "UUID" if is_postgres(session) else "TEXT"
    cols = cols.replace("asset_id TEXT", f"asset_id {uuid_type}")
    session.execute(text(f"CREATE TEMP TABLE {STAGE} ({cols})"))
    session.execute(
        text(f"CREATE TEMP TABLE {GONE} (asset_id {uuid_type}, tool TEXT, fingerprint TEXT)")
    )
    session.execute(text(f"CREATE TEMP TABLE {AFFECTED} (finding_id {uuid_type} PRIMARY KEY)"))
    session.execute(text(f"CREATE TEMP TABLE {AFFECTED}_in (finding_id {uuid_type})"))
    if not is_postgres(session):
        session.execute(
            text(f"CREATE INDEX aspm_stage_fp ON {STAGE} (asset_id, tool, fingerprint)")
        )


def drop_temp_tables(session: Session) -> None:
    for table in (STAGE, GONE, AFFECTED, f"{AFFECTED}_in"):
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))


def stage_gone(session: Session, rows: Sequence[tuple[Any, str, str]]) -> None:
    load_rows(session, GONE, ("asset_id", "tool", "fingerprint"), rows)


def load_finding_keys(
    session: Session, *, asset_id: uuid.UUID
) -> Iterable[tuple[str, uuid.UUID, str, str | None, str | None, str | None]]:
    """(finding_key, id, control_id, resource, path, category) of each finding of an asset, and
    of each alias on it: the key of a finding merged into another one (an IaC and a cloud
    finding of one control on one resource, see resources.repository.merge_code_and_cloud),
    with the surviving finding's id, so that a new detection of that key joins the survivor."""
    findings = select(
        Finding.finding_key,
        Finding.id,
        Finding.control_id,
        Finding.resource,
        Finding.path,
        Finding.category,
    ).where(Finding.asset_id == asset_id)
    aliases = select(
        FindingAlias.finding_key,
        FindingAlias.finding_id,
        FindingAlias.control_id,
        FindingAlias.resource,
        FindingAlias.path,
        FindingAlias.category,
    ).where(FindingAlias.asset_id == asset_id)
    stmt = union_all(findings, aliases).execution_options(yield_per=20000)
    for row in session.execute(stmt):
        yield row[0], row[1], row[2], row[3], row[4], row[5]


def load_known_detections(
    session: Session, *, asset_id: uuid.UUID, tool: str, scope_id: uuid.UUID
) -> Iterable[tuple[str, str, bool, bool]]:
    """(fingerprint, content_hash, active, in this scope) of every detection of one tool on one
    asset. Plain driver rows, streamed: a re-import reads one per detection it may see again."""
    result = session.connection().execute(
        text(
            "SELECT fingerprint, content_hash, active, scope_id = :scope FROM detections "
            "WHERE asset_id = :asset AND tool = :tool"
        ).execution_options(stream_results=True, yield_per=20000),
        {
            "asset": db_uuid(session, asset_id),
            "tool": tool,
            "scope": db_uuid(session, scope_id),
        },
    )
    for fingerprint, content_hash, active, in_scope in result:
        yield fingerprint, content_hash, bool(active), bool(in_scope)


def get_or_create_scope(
    session: Session, *, asset_id: uuid.UUID, tool: str, target: str
) -> IngestScope:
    """The import's scope, locked for the import. Before it, the asset: imports of one asset
    (by any tool, of any scope) take turns, so they never insert the same detection or finding
    twice; a second waits here for the first to commit, and then reads what it wrote."""
    locks.hold(session, locks.LockSpace.ASSET_IMPORT, asset_id)
    stmt = select(IngestScope).where(
        IngestScope.asset_id == asset_id, IngestScope.tool == tool, IngestScope.target == target
    )
    if is_postgres(session):
        stmt = stmt.with_for_update()  # one import of a scope at a time
    scope = session.scalars(stmt).one_or_none()
    if scope is None:
        ins = (pg_insert if is_postgres(session) else sqlite_insert)(IngestScope).values(
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
    pg = is_postgres(session)
    return {"now": now if pg else now.replace(tzinfo=None), "run": db_uuid(session, run_id)}


def merge_batch(
    session: Session,
    batch: Batch,
    counts: MergeCounts,
    *,
    run_id: uuid.UUID,
    now: datetime,
) -> None:
    """Write one batch: COPY new findings and new detections straight into their tables (the
    service has already decided they are new), and update changed existing detections through
    the stage table. On PostgreSQL this runs in a writer thread while the next batch is parsed.
    """
    load_rows(session, "findings", FINDING_COLUMNS, batch.findings)
    counts.new_findings += len(batch.findings)
    load_rows(session, "detections", DETECTION_COLUMNS, batch.detections)
    counts.new_detections += len(batch.detections)
    if not batch.updates:
        return
    params = _params(session, run_id, now)
    session.execute(text(f"TRUNCATE {STAGE}" if is_postgres(session) else f"DELETE FROM {STAGE}"))
    load_rows(session, STAGE, STAGE_COLUMNS, batch.updates)
    match = (
        "detections.asset_id = s.asset_id AND detections.tool = s.tool "
        "AND detections.fingerprint = s.fingerprint"
    )
    session.execute(
        text(
            f"INSERT INTO {AFFECTED} (finding_id) SELECT DISTINCT detections.finding_id "
            f"FROM {STAGE} s JOIN detections ON {match} WHERE true ON CONFLICT DO NOTHING"
        )
    )
    sets = ", ".join(f"{c} = s.{c}" for c in ("content_hash", *_SHOWN))
    result = session.execute(
        text(
            f"UPDATE detections SET {sets}, active = true, last_seen_at = :now, "
            f"last_import_id = :run FROM {STAGE} s WHERE {match}"
        ),
        params,
    )
    counts.updated_detections += max(result.rowcount, 0)  # type: ignore[attr-defined]


def retire_and_recompute(
    session: Session,
    counts: MergeCounts,
    *,
    affected: Sequence[uuid.UUID],
    run_id: uuid.UUID,
    now: datetime,
    actor: str,
) -> None:
    """After the last batch: retire what a full import no longer has, then the lifecycle of
    every pre-existing finding the import touched (`affected`: the ones it added detections to;
    the findings of updated and retired detections are gathered here)."""
    params = _params(session, run_id, now)
    load_rows(
        session, AFFECTED + "_in", ("finding_id",), [(db_uuid(session, f),) for f in affected]
    )
    session.execute(
        text(
            f"INSERT INTO {AFFECTED} (finding_id) SELECT DISTINCT finding_id FROM {AFFECTED}_in "
            "WHERE true ON CONFLICT DO NOTHING"
        )
    )
    if is_postgres(session):
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


def affected_finding_ids(session: Session) -> list[uuid.UUID]:
    """Pre-existing findings this import touched (after retire_and_recompute), for risk."""
    return [as_uuid(f) for f in session.scalars(text(f"SELECT finding_id FROM {AFFECTED}"))]


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
    if is_postgres(session):
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
    # worst active severity; last seen from the newest detection; verified if any active one is
    session.execute(
        text(
            "UPDATE findings SET "
            "severity_rank = COALESCE((SELECT MAX(CASE d.severity WHEN 'critical' THEN 4 "
            "WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) "
            "FROM detections d WHERE d.finding_id = findings.id AND d.active), severity_rank), "
            "last_seen_at = COALESCE((SELECT MAX(d.last_seen_at) FROM detections d "
            "WHERE d.finding_id = findings.id), last_seen_at), "
            # a secret a later scan verified live (or found revoked) changes the finding too
            "secret_verified = COALESCE((SELECT CASE MAX(CASE WHEN d.secret_verified THEN 1 "
            "WHEN d.secret_verified IS NOT NULL THEN 0 END) WHEN 1 THEN TRUE WHEN 0 THEN FALSE "
            "END FROM detections d WHERE d.finding_id = findings.id AND d.active), "
            "secret_verified) "
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
    for ids, action, old, new, reason in (
        (to_fix, "auto_resolved", "active", "fixed", "no active detection after a full import"),
        (to_reopen, "reopened", "fixed", "active", "detected again"),
    ):
        audit_service.record_many(
            session, actor, action, "finding", (as_uuid(fid) for fid in ids), from_value=old,
            to_value=new, reason=reason, details={"import_id": str(run_id)}, at=now,
        )  # fmt: skip


def upsert_rules(session: Session, rules: Iterable[dict[str, Any]]) -> None:
    # in one order, so that two imports inserting the same new rules wait for each other
    # instead of deadlocking
    rows = sorted(
        ({"id": uuid.uuid4(), **r} for r in rules), key=lambda r: (r["tool"], r["rule_id"])
    )
    if not rows:
        return
    ins = (pg_insert if is_postgres(session) else sqlite_insert)(Rule)
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


@lru_cache(maxsize=4096)
def to_json(value: tuple[Any, ...]) -> str:
    """JSON text of a tuple (references, CWE ids, compliance pairs); rules repeat, so cached."""
    if not value:
        return "[]"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def list_runs(
    session: Session,
    *,
    limit: int,
    offset: int,
    status: str | None = None,
    asset: str | None = None,
    tool: str | None = None,
) -> tuple[Sequence[tuple[IngestRun, str | None]], int]:
    """Imports, newest first, each with its asset's name. `tool` matches the tool or the format
    (`sarif` gives every SARIF producer's imports)."""
    stmt = select(IngestRun, Asset.name).outerjoin(Asset, Asset.id == IngestRun.asset_id)
    if status:
        stmt = stmt.where(IngestRun.status == status)
    if asset:
        stmt = stmt.where(Asset.name == asset)
    if tool:
        stmt = stmt.where(or_(IngestRun.tool == tool, IngestRun.format == tool))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(IngestRun.started_at.desc(), IngestRun.id).limit(limit).offset(offset)
    ).all()
    return [(run, name) for run, name in rows], total


def asset_name(session: Session, asset_id: uuid.UUID | None) -> str | None:
    if asset_id is None:
        return None
    name: str | None = session.scalar(select(Asset.name).where(Asset.id == asset_id))
    return name


def get_run(session: Session, run_id: uuid.UUID) -> IngestRun | None:
    return session.get(IngestRun, run_id)
