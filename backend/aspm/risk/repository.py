# ruff: noqa: S608 - SQL text is assembled only from this module's constants; values are bound
"""Every SQL statement of risk scoring. Set-based: a handful of statements whatever the number of
findings, and no per-finding round trip.

1. `aspm_risk_sel`: the findings to score (an import's, an asset's, or none = all).
2. `aspm_risk_pub`: open findings whose control says their resource is public (toxic combinations).
3. `aspm_risk_in`: per finding, what its score depends on: asset, severity, CVSS, number of tools
   and verified secret, and another finding showing its resource public.
4. The service scores each DISTINCT input (few: findings share assets and severities) in Python,
   with the pure formula, into `aspm_risk_sig`.
5. One UPDATE ... FROM joins findings to their input's score, and stores the input's key; the
   explanation is stored once per (asset, key) in risk_explanations.

A policy change skips 1-4: findings grouped by their stored (asset_id, risk_key) are the distinct
inputs (`distinct_keys`), and one UPDATE rewrites the findings whose key's result changed
(`write_keyed`). Findings without a key yet take the full way.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from aspm.audit.models import AuditEvent
from aspm.common import globs
from aspm.db.bulk import as_uuid, db_uuid, is_postgres, load_rows
from aspm.risk.context import encode as encode_context
from aspm.risk.models import RiskPolicyRecord
from aspm.risk.resource_context import is_toxic

SEL = "aspm_risk_sel"
PUB = "aspm_risk_pub"
CTL = "aspm_risk_ctl"
INPUTS = "aspm_risk_in"
SIG = "aspm_risk_sig"
KEYED = "aspm_risk_keyed"
RCTX = "aspm_risk_rctx"
EXPLAINED = "aspm_risk_explained"
_TABLES = (SEL, PUB, CTL, INPUTS, SIG, KEYED, RCTX)
KEY_VERSION = "2"  # risk keys written before it have no resource part (read as none)
_SQLITE_BULK_CACHE_KIB = 256 * 1024
_SQLITE_DEFAULT_CACHE_KIB = 2000  # SQLite's own default


@dataclass(frozen=True, slots=True)
class Signature:
    """One distinct scoring input (findings sharing it share a score)."""

    asset_id: uuid.UUID
    severity: str
    cvss: float | None
    tools: int
    verified: bool
    public_via: uuid.UUID | None
    context: str = ""  # facts the report carries (aspm.risk.context.encode), "" = none
    resource: str = ""  # what the inventory says (aspm.risk.resource_context.encode), "" = none

    def key(self) -> str:
        """Everything but the asset, as stored in findings.risk_key: with the finding's asset it
        is the finding's whole scoring input, so a policy change re-scores distinct keys and
        never has to gather inputs again (scores never go stale: every other change re-scores
        the findings it touches, and writes their key)."""
        cvss = "" if self.cvss is None else repr(self.cvss)
        via = "" if self.public_via is None else self.public_via.hex
        # "2t": in a toxic combination, so that the queue's filter reads it from the key
        version = KEY_VERSION + ("t" if is_toxic(self.resource) else "")
        return (
            f"{version}|{self.severity}|{cvss}|{self.tools}|{int(self.verified)}|{via}|"
            f"{self.resource}|{self.context}"
        )

    @classmethod
    def from_key(cls, asset_id: uuid.UUID, key: str) -> "Signature":
        resource = ""
        if key.startswith((KEY_VERSION + "|", KEY_VERSION + "t|")):
            _, severity, cvss, tools, verified, via, resource, context = key.split("|", 7)
        else:
            severity, cvss, tools, verified, via, context = key.split("|", 5)
        return cls(
            asset_id=asset_id,
            severity=severity,
            cvss=float(cvss) if cvss else None,
            tools=int(tools),
            verified=verified == "1",
            public_via=uuid.UUID(via) if via else None,
            context=context,
            resource=resource,
        )


@dataclass(frozen=True, slots=True)
class ScoredSignature:
    signature: Signature
    score: int
    priority: str | None
    sla_days: int | None
    explanation: str  # JSON text
    changed: bool = True  # differs from what the previous policy gave (policy changes only)


def create_temp_tables(session: Session) -> None:
    drop_temp_tables(session)
    pg = is_postgres(session)
    uid = "UUID" if pg else "TEXT"
    json_type = "JSONB" if pg else "TEXT"
    session.execute(text(f"CREATE TEMP TABLE {SEL} (finding_id {uid} PRIMARY KEY)"))
    # resources shown public: the smallest and largest id of the findings showing it, so that
    # each finding can name another one (itself excluded) with one hash join
    session.execute(
        text(f"CREATE TEMP TABLE {PUB} (asset_id {uid}, resource TEXT, min_id TEXT, max_id TEXT)")
    )
    session.execute(text(f"CREATE INDEX {PUB}_ix ON {PUB} (asset_id, resource)"))
    session.execute(text(f"CREATE TEMP TABLE {CTL} (control_id TEXT PRIMARY KEY)"))
    if pg:  # a bulk pass: sort and hash in memory, and skip JIT compilation
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL jit = off"))
    else:  # a bulk pass rewrites pages all over findings: keep them cached (restored on drop)
        session.execute(text(f"PRAGMA cache_size = -{_SQLITE_BULK_CACHE_KIB}"))
    session.execute(text(f"CREATE TEMP TABLE {RCTX} (finding_id {uid} PRIMARY KEY, rctx TEXT)"))
    cols = (
        "asset_id {uid}, severity TEXT, cvss DOUBLE PRECISION, tv INTEGER, public_via TEXT, "
        "context TEXT, resource TEXT"
    )
    session.execute(text(f"CREATE TEMP TABLE {INPUTS} (finding_id {uid}, {cols.format(uid=uid)})"))
    result = f"score INTEGER, priority TEXT, days INTEGER, explanation {json_type}"
    session.execute(
        text(f"CREATE TEMP TABLE {SIG} ({cols.format(uid=uid)}, risk_key TEXT, {result})")
    )
    session.execute(text(f"CREATE TEMP TABLE {KEYED} (asset_id {uid}, risk_key TEXT, {result})"))


def drop_temp_tables(session: Session) -> None:
    for table in _TABLES:
        session.execute(text(f"DROP TABLE IF EXISTS {table}"))
    if not is_postgres(session):
        session.execute(text(f"PRAGMA cache_size = -{_SQLITE_DEFAULT_CACHE_KIB}"))


def _glob(pattern: str) -> re.Pattern[str]:
    return globs.compile_one(pattern)  # the one dialect, case ignored (README "Patterns")


def _like(pattern: str) -> str:
    """A shell-style pattern as a LIKE pattern (escape character backslash)."""
    escaped = pattern.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


@dataclass(frozen=True, slots=True)
class PublicControls:
    """Control patterns (shell-style) that show a resource public, and exceptions to them."""

    include: Sequence[str]
    exclude: Sequence[str] = ()


def _public_condition(controls: PublicControls, alias: str) -> tuple[str, dict[str, str]]:
    if not controls.include:
        return "false", {}
    params = {f"pub{i}": _like(p) for i, p in enumerate(controls.include)}
    ors = " OR ".join(f"lower({alias}.control_id) LIKE :{k} ESCAPE '\\'" for k in params)
    cond = (
        f"{alias}.resource IS NOT NULL AND {alias}.detector_state = 'active' "
        f"AND {alias}.triage_state <> 'false_positive' AND ({ors})"
    )
    for i, pattern in enumerate(controls.exclude):
        params[f"notpub{i}"] = _like(pattern)
        cond += f" AND lower({alias}.control_id) NOT LIKE :notpub{i} ESCAPE '\\'"
    return cond, params


def select_import(
    session: Session,
    *,
    run_id: uuid.UUID,
    affected: Sequence[uuid.UUID],
    public_controls: PublicControls,
    created_scored: bool = False,
) -> int:
    """Select the findings an import created or touched, and every other finding on a resource
    that one of them shows public (or showed public before it was fixed). Returns the count.

    `created_scored`: the import scored the findings it created as it wrote them (aspm.risk.inline),
    so they are selected only when a public resource involves them."""
    run = {"run": db_uuid(session, run_id)}
    load_rows(session, SEL, ("finding_id",), [(db_uuid(session, f),) for f in set(affected)])
    if not created_scored:
        session.execute(
            text(
                f"INSERT INTO {SEL} (finding_id) SELECT id FROM findings "
                "WHERE created_import_id = :run ON CONFLICT DO NOTHING"
            ),
            run,
        )
    if not affected and not session.scalar(
        text("SELECT EXISTS (SELECT 1 FROM findings WHERE created_import_id = :run)"), run
    ):
        return 0  # an identical re-import created and touched nothing
    if public_controls.include:
        cond, params = _public_condition(public_controls, "f")
        cond = cond.replace("f.detector_state = 'active' AND ", "")  # fixed ones matter too
        session.execute(
            text(
                f"INSERT INTO {PUB} (asset_id, resource, min_id, max_id) "
                f"SELECT DISTINCT f.asset_id, f.resource, '', '' FROM findings f "
                f"WHERE (f.id IN (SELECT finding_id FROM {SEL}) OR f.created_import_id = :run) "
                f"AND {cond}"
            ),
            {**params, **run},
        )
        session.execute(
            text(
                f"INSERT INTO {SEL} (finding_id) SELECT f.id FROM findings f "
                f"WHERE f.asset_id IN (SELECT asset_id FROM {PUB}) AND EXISTS (SELECT 1 FROM "
                f"{PUB} p WHERE p.asset_id = f.asset_id AND p.resource = f.resource) "
                "ON CONFLICT DO NOTHING"
            )
        )
        session.execute(text(f"DELETE FROM {PUB}"))
    if not session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {SEL})")):
        return 0  # nothing to (re)score, e.g. an identical re-import
    return int(session.scalar(text(f"SELECT COUNT(*) FROM {SEL}")) or 0)


def select_assets(session: Session, *, asset_ids: Sequence[uuid.UUID]) -> int:
    load_rows(session, SEL, ("finding_id",), [])
    for asset_id in asset_ids:
        session.execute(
            text(f"INSERT INTO {SEL} (finding_id) SELECT id FROM findings WHERE asset_id = :a"),
            {"a": db_uuid(session, asset_id)},
        )
    return int(session.scalar(text(f"SELECT COUNT(*) FROM {SEL}")) or 0)


def _public_control_ids(session: Session, controls: PublicControls, where: str) -> int:
    """Load the control ids (of the findings in scope) that match the public patterns."""
    if not controls.include:
        return 0
    ids = session.scalars(
        text(f"SELECT f.control_id FROM findings f WHERE f.resource IS NOT NULL{where} "
             "GROUP BY f.control_id")
    ).all()  # fmt: skip
    include = [_glob(p) for p in controls.include]
    exclude = [_glob(p) for p in controls.exclude]
    public = [
        (c,)
        for c in ids
        if any(p.match(c.lower()) for p in include) and not any(p.match(c.lower()) for p in exclude)
    ]
    load_rows(session, CTL, ("control_id",), public)
    return len(public)


def gather_inputs(session: Session, *, everything: bool, public_controls: PublicControls) -> None:
    """Fill the inputs table for the selected findings (all of them when `everything`)."""
    pg = is_postgres(session)
    id_text = "CAST(f.id AS TEXT)"
    where = "" if everything else f" AND f.asset_id IN (SELECT DISTINCT asset_id FROM findings " \
        f"WHERE id IN (SELECT finding_id FROM {SEL}))"  # fmt: skip
    if _public_control_ids(session, public_controls, where):
        session.execute(
            text(
                f"INSERT INTO {PUB} (asset_id, resource, min_id, max_id) "
                f"SELECT f.asset_id, f.resource, MIN({id_text}), MAX({id_text}) FROM findings f "
                f"JOIN {CTL} c ON c.control_id = f.control_id WHERE f.resource IS NOT NULL "
                f"AND f.detector_state = 'active' AND f.triage_state <> 'false_positive'{where} "
                "GROUP BY f.asset_id, f.resource"
            )
        )
    if pg:
        session.execute(text(f"ANALYZE {PUB}"))
    public_via = (
        f"CASE WHEN p.min_id IS NULL THEN '' WHEN p.min_id <> {id_text} THEN p.min_id "
        "WHEN p.max_id <> p.min_id THEN p.max_id ELSE '' END"
    )
    columns = "finding_id, asset_id, severity, cvss, tv, public_via, context, resource"
    pub_join = (
        f"LEFT JOIN {PUB} p ON p.asset_id = f.asset_id AND p.resource = f.resource "
        f"LEFT JOIN {RCTX} rc ON rc.finding_id = f.id"
    )
    if everything:
        # two hash aggregates over the detections (per finding and tool, then per finding)
        # beat a million index probes: tools x 2 + verified, active detections only unless the
        # finding is fixed
        session.execute(
            text(
                f"INSERT INTO {INPUTS} ({columns}) "
                f"SELECT f.id, f.asset_id, f.severity, COALESCE(f.cvss, -1.0), "
                f"COALESCE(CASE WHEN f.detector_state = 'fixed' THEN a.tv_all ELSE a.tv END, 0), "
                f"{public_via}, COALESCE(f.context, ''), COALESCE(rc.rctx, '') "
                "FROM findings f LEFT JOIN ("
                "SELECT t.finding_id, SUM(t.act) * 2 + MAX(t.act_ver) AS tv, "
                "COUNT(*) * 2 + MAX(t.ver) AS tv_all FROM ("
                "SELECT d.finding_id, d.tool, MAX(CASE WHEN d.active THEN 1 ELSE 0 END) AS act, "
                "MAX(CASE WHEN d.active AND d.secret_verified THEN 1 ELSE 0 END) AS act_ver, "
                "MAX(CASE WHEN d.secret_verified THEN 1 ELSE 0 END) AS ver "
                "FROM detections d GROUP BY d.finding_id, d.tool) t GROUP BY t.finding_id) a "
                f"ON a.finding_id = f.id {pub_join}"
            )
        )
    else:
        tv_value = "COUNT(DISTINCT d.tool) * 2 + MAX(CASE WHEN d.secret_verified THEN 1 ELSE 0 END)"
        session.execute(
            text(
                f"INSERT INTO {INPUTS} ({columns}) "
                f"SELECT f.id, f.asset_id, f.severity, COALESCE(f.cvss, -1.0), "
                f"COALESCE((SELECT {tv_value} FROM detections d WHERE d.finding_id = f.id "
                f"AND (d.active OR f.detector_state = 'fixed')), 0), {public_via}, "
                f"COALESCE(f.context, ''), COALESCE(rc.rctx, '') "
                f"FROM findings f JOIN {SEL} s ON s.finding_id = f.id "
                f"{pub_join}"
            )
        )


def load_resource_contexts(session: Session, rows: Sequence[tuple[uuid.UUID, str]]) -> None:
    """(finding id, encoded resource context) of the findings the inventory knows something
    about; gather_inputs joins them."""
    load_rows(session, RCTX, ("finding_id", "rctx"), [(db_uuid(session, f), c) for f, c in rows])


def select_inventory(session: Session, *, run_id: uuid.UUID, everything_linked: bool) -> int:
    """Add to the selection the findings whose resource context an import may have changed:
    with `everything_linked` (the import brought resources) every finding linked to a resource,
    else the findings linked to the resources of the assets whose resources this import's
    findings are linked to (a toxic combination is a path over one asset's resources)."""
    if everything_linked:
        sql = f"INSERT INTO {SEL} (finding_id) SELECT finding_id FROM resource_links " \
            "WHERE true ON CONFLICT DO NOTHING"  # fmt: skip
    else:
        sql = (
            f"INSERT INTO {SEL} (finding_id) SELECT l.finding_id FROM resource_links l "
            "JOIN resources r ON r.id = l.resource_id WHERE r.asset_id IN ("
            "SELECT r2.asset_id FROM resource_links l2 JOIN resources r2 ON r2.id = l2.resource_id "
            "WHERE l2.finding_id IN (SELECT finding_id FROM detections "
            "WHERE last_import_id = :run)) ON CONFLICT DO NOTHING"
        )
    session.execute(text(sql), {"run": db_uuid(session, run_id)} if not everything_linked else {})
    return int(session.scalar(text(f"SELECT COUNT(*) FROM {SEL}")) or 0)


def count_inputs(session: Session) -> int:
    return int(session.scalar(text(f"SELECT COUNT(*) FROM {INPUTS}")) or 0)


RawInput = tuple[Signature, str]  # a distinct input, and the findings' stored context text


def distinct_inputs(session: Session) -> list[RawInput]:
    rows = session.execute(
        text(
            f"SELECT DISTINCT asset_id, severity, cvss, tv, public_via, context, resource "
            f"FROM {INPUTS}"
        )
    ).all()
    return [
        (
            Signature(
                asset_id=as_uuid(asset_id),
                severity=severity,
                cvss=None if cvss < 0 else float(cvss),
                tools=int(tv) // 2,
                verified=bool(int(tv) % 2),
                public_via=as_uuid(via) if via else None,
                context=encode_context(raw),
                resource=resource,
            ),
            raw,
        )
        for asset_id, severity, cvss, tv, via, raw, resource in rows
    ]


def _due(session: Session, alias: str) -> str:
    """SLA due date: the finding's first sighting plus `alias`.days (NULL: no priority)."""
    if is_postgres(session):
        due = f"findings.first_seen_at + {alias}.days * INTERVAL '1 day'"
    else:  # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff": shift the date part, keep the fraction
        due = (
            f"strftime('%Y-%m-%d %H:%M:%S', findings.first_seen_at, '+' || {alias}.days || "
            "' days') || substr(findings.first_seen_at, 20)"
        )
    return f"(CASE WHEN {alias}.days IS NULL THEN NULL ELSE {due} END)"


def write_scores(
    session: Session,
    scored: Sequence[tuple[ScoredSignature, str]],
    *,
    policy_version: str,
) -> int:
    """Store each selected finding's score (and its key) from its input's; rows that already
    hold exactly that result are not rewritten. Returns the rows updated."""
    pg = is_postgres(session)
    rows = [
        (
            db_uuid(session, s.signature.asset_id),
            s.signature.severity,
            -1.0 if s.signature.cvss is None else s.signature.cvss,
            s.signature.tools * 2 + int(s.signature.verified),
            "" if s.signature.public_via is None else _via_text(session, s.signature.public_via),
            raw,
            s.signature.resource,
            s.signature.key(),
            s.score,
            s.priority,
            s.sla_days,
            s.explanation,
        )
        for s, raw in scored
    ]
    load_rows(
        session,
        SIG,
        ("asset_id", "severity", "cvss", "tv", "public_via", "context", "resource", "risk_key",
         "score", "priority", "days", "explanation"),
        rows,
    )  # fmt: skip
    if pg:
        session.execute(text(f"ANALYZE {SIG}"))
        session.execute(text(f"ANALYZE {INPUTS}"))
    else:
        session.execute(text(f"CREATE INDEX {SIG}_ix ON {SIG} (asset_id, severity, tv)"))
    _store_explanations_from(session, SIG)
    due_value = _due(session, "s")
    result = session.execute(
        text(
            "UPDATE findings SET risk_score = s.score, priority = s.priority, "
            "risk_policy_version = :version, "
            f"sla_due_at = {due_value}, risk_key = s.risk_key "
            f"FROM {INPUTS} i JOIN {SIG} s ON s.asset_id = i.asset_id AND s.severity = i.severity "
            "AND s.cvss = i.cvss AND s.tv = i.tv AND s.public_via = i.public_via "
            "AND s.context = i.context AND s.resource = i.resource "
            "WHERE findings.id = i.finding_id AND "
            "(findings.risk_score IS DISTINCT FROM s.score "
            "OR findings.priority IS DISTINCT FROM s.priority "
            f"OR findings.sla_due_at IS DISTINCT FROM {due_value} "
            "OR findings.risk_key IS DISTINCT FROM s.risk_key)"
        ),
        {"version": policy_version},
    )
    return max(int(result.rowcount), 0)  # type: ignore[attr-defined]


# --- explanations: one per (asset, key), shared by the findings holding that key ----------


def _upsert_explanations(session: Session, select_sql: str) -> None:
    """Insert the (asset_id, risk_key, explanation) rows `select_sql` gives (one per pair), or
    replace a stored explanation that differs."""
    differs = "IS DISTINCT FROM" if is_postgres(session) else "IS NOT"
    session.execute(
        text(
            f"INSERT INTO risk_explanations (asset_id, risk_key, explanation) {select_sql} "
            "ON CONFLICT (asset_id, risk_key) DO UPDATE SET explanation = excluded.explanation "
            f"WHERE risk_explanations.explanation {differs} excluded.explanation"
        )
    )


def _store_explanations_from(session: Session, table: str) -> None:
    """The explanations of a temp table of scored keys (SIG, KEYED)."""
    if is_postgres(session):
        select_sql = (
            "SELECT DISTINCT ON (asset_id, risk_key) asset_id, risk_key, explanation "
            f"FROM {table} ORDER BY asset_id, risk_key"
        )
    else:  # "WHERE true": SQLite's upsert after INSERT ... SELECT needs a WHERE to parse
        select_sql = (
            f"SELECT asset_id, risk_key, explanation FROM {table} WHERE true "
            "GROUP BY asset_id, risk_key"
        )
    _upsert_explanations(session, select_sql)


def store_explanations(session: Session, rows: Sequence[tuple[Any, str, str]]) -> None:
    """Store (asset_id as db_uuid gives it, risk_key, explanation JSON text) rows: the
    explanations an import scored inline (few: one per distinct input)."""
    if not rows:
        return
    session.execute(text(f"DROP TABLE IF EXISTS {EXPLAINED}"))
    uid, json_type = ("UUID", "JSONB") if is_postgres(session) else ("TEXT", "TEXT")
    session.execute(
        text(
            f"CREATE TEMP TABLE {EXPLAINED} (asset_id {uid}, risk_key TEXT, "
            f"explanation {json_type})"
        )
    )
    load_rows(session, EXPLAINED, ("asset_id", "risk_key", "explanation"), rows)
    _store_explanations_from(session, EXPLAINED)
    session.execute(text(f"DROP TABLE {EXPLAINED}"))


def drop_unused_explanations(session: Session) -> int:
    """Delete the explanations of keys no finding holds any more. Returns how many."""
    if is_postgres(session):  # an anti-join: one hash over findings
        sql = (
            "DELETE FROM risk_explanations e WHERE NOT EXISTS (SELECT 1 FROM findings f "
            "WHERE f.asset_id = e.asset_id AND f.risk_key = e.risk_key)"
        )
    else:  # the subquery's rows become one temporary index, probed per explanation
        sql = (
            "DELETE FROM risk_explanations WHERE (asset_id, risk_key) NOT IN "
            "(SELECT asset_id, risk_key FROM findings WHERE risk_key IS NOT NULL)"
        )
    return max(int(session.execute(text(sql)).rowcount), 0)  # type: ignore[attr-defined]


# --- a policy change: distinct keys, no inputs gathered ------------------------------------


def select_unkeyed(session: Session) -> int:
    """Select the findings without a key or a score (never scored, or scored before keys were
    stored)."""
    session.execute(
        text(
            f"INSERT INTO {SEL} (finding_id) SELECT id FROM findings "
            "WHERE risk_key IS NULL OR risk_score IS NULL"
        )
    )
    return int(session.scalar(text(f"SELECT COUNT(*) FROM {SEL}")) or 0)


def distinct_keys(session: Session) -> tuple[list[Signature], int]:
    """Every distinct scoring input of the scored findings, from their stored keys, and how many
    findings have one (select_unkeyed takes the others)."""
    rows = session.execute(
        text(
            "SELECT asset_id, risk_key, COUNT(*) FROM findings WHERE risk_key IS NOT NULL "
            "AND risk_score IS NOT NULL GROUP BY asset_id, risk_key"
        )
    ).all()
    keys = [Signature.from_key(as_uuid(asset_id), key) for asset_id, key, _ in rows]
    return keys, sum(int(n) for _, _, n in rows)


def write_keyed(session: Session, scored: Sequence[ScoredSignature], *, policy_version: str) -> int:
    """Rewrite the findings whose key's result changed. Returns the rows updated."""
    rows = [
        (
            db_uuid(session, s.signature.asset_id),
            s.signature.key(),
            s.score,
            s.priority,
            s.sla_days,
            s.explanation,
        )
        for s in scored
        if s.changed
    ]
    if not rows:
        return 0
    load_rows(
        session, KEYED, ("asset_id", "risk_key", "score", "priority", "days", "explanation"), rows
    )
    pg = is_postgres(session)
    if pg:
        session.execute(text(f"ANALYZE {KEYED}"))
        # one hash join over findings; the planner's statistics may not know findings' keys
        # yet (written since the last ANALYZE) and would loop over findings once per key
        session.execute(text("SET LOCAL enable_nestloop = off"))
    else:  # findings outside, the few keys probed through the index
        session.execute(text(f"CREATE INDEX {KEYED}_ix ON {KEYED} (asset_id, risk_key)"))
    _store_explanations_from(session, KEYED)
    result = session.execute(
        text(
            "UPDATE findings SET risk_score = s.score, priority = s.priority, "
            "risk_policy_version = :version, "
            f"sla_due_at = {_due(session, 's')} FROM {KEYED} s "
            "WHERE findings.asset_id = s.asset_id AND findings.risk_key = s.risk_key "
            "AND findings.risk_score IS NOT NULL"
        ),
        {"version": policy_version},
    )
    if pg:
        session.execute(text("SET LOCAL enable_nestloop = on"))
    return max(int(result.rowcount), 0)  # type: ignore[attr-defined]


def _via_text(session: Session, value: uuid.UUID) -> str:
    """A finding id as CAST(id AS TEXT) renders it on this dialect."""
    return str(value) if is_postgres(session) else value.hex


def latest_policy(session: Session) -> RiskPolicyRecord | None:
    return session.scalars(
        select(RiskPolicyRecord).order_by(RiskPolicyRecord.applied_at.desc()).limit(1)
    ).first()


def add_policy(session: Session, record: RiskPolicyRecord) -> RiskPolicyRecord:
    session.add(record)
    session.flush()
    return record


def audit_events(session: Session, *, object_type: str, limit: int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


def now_param(session: Session, value: datetime) -> Any:
    return value if is_postgres(session) else value.replace(tzinfo=None)
