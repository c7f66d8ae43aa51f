# ruff: noqa: S608 - SQL text is assembled only from this module's constants; values are bound
"""Every SQL statement of the resource inventory.

A snapshot is staged in a temporary table (COPY on PostgreSQL, executemany on SQLite) and merged
with one INSERT ... SELECT ... ON CONFLICT; retirement and linking are one statement each. No
statement runs per resource or per finding.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, exists, func, or_, select, text
from sqlalchemy.orm import Session

from aspm.common.severity import SEVERITY_BY_RANK, Severity
from aspm.db.bulk import as_uuid, db_datetime, db_uuid, is_postgres, load_rows
from aspm.resources.models import Resource, ResourceLink
from aspm.resources.queries import has_open_drift

STAGE = "aspm_resource_stage"


class StagedResource(NamedTuple):
    """One row of a snapshot, in the stage table's column order (STAGE_COLUMNS)."""

    id: Any  # a new row's id, as the dialect stores it (kept by an existing row)
    identity_key: str
    provider: str
    type: str
    address: str | None
    cloud_id: str | None
    account_id: str | None
    region: str | None
    name: str | None
    tags: str  # JSON text
    facts: str
    relations: str
    managed: bool


STAGE_COLUMNS = StagedResource._fields
_UPDATED = (
    "provider", "type", "address", "cloud_id", "account_id", "region", "name", "tags", "facts",
    "relations", "managed",
)  # fmt: skip


def _create_stage(session: Session) -> None:
    session.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))
    if is_postgres(session):
        types = {"id": "UUID", "managed": "BOOLEAN"} | dict.fromkeys(
            ("tags", "facts", "relations"), "JSONB"
        )
    else:
        types = {"managed": "BOOLEAN"}
    cols = ", ".join(f"{c} {types.get(c, 'TEXT')}" for c in STAGE_COLUMNS)
    session.execute(text(f"CREATE TEMP TABLE {STAGE} ({cols})"))


def upsert_snapshot(
    session: Session,
    rows: Sequence[StagedResource],
    *,
    asset_id: uuid.UUID,
    scope_id: uuid.UUID,
    run_id: uuid.UUID,
    now: datetime,
) -> int:
    """Insert new resources and refresh known ones (reactivating retired ones); returns how many
    of `rows` were new. `rows` hold one row per identity key."""
    if not rows:
        return 0
    _create_stage(session)
    load_rows(session, STAGE, STAGE_COLUMNS, rows)
    params = {
        "asset": db_uuid(session, asset_id),
        "scope": db_uuid(session, scope_id),
        "run": db_uuid(session, run_id),
        "now": db_datetime(session, now),
    }
    known = session.scalar(
        text(
            f"SELECT COUNT(*) FROM {STAGE} s JOIN resources r "
            "ON r.asset_id = :asset AND r.identity_key = s.identity_key"
        ),
        params,
    )
    columns = ", ".join(STAGE_COLUMNS)
    values = ", ".join(f"s.{c}" for c in STAGE_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
    session.execute(
        text(
            f"INSERT INTO resources ({columns}, asset_id, scope_id, active, first_seen_at, "
            "last_seen_at, retired_at, first_import_id, last_import_id) "
            f"SELECT {values}, :asset, :scope, true, :now, :now, NULL, :run, :run "
            f"FROM {STAGE} s WHERE true "
            f"ON CONFLICT (asset_id, identity_key) DO UPDATE SET {updates}, "
            "scope_id = excluded.scope_id, active = true, retired_at = NULL, "
            "last_seen_at = excluded.last_seen_at, last_import_id = excluded.last_import_id"
        ),
        params,
    )
    session.execute(text(f"DROP TABLE {STAGE}"))
    return len(rows) - int(known or 0)


def retire_unseen(
    session: Session, *, asset_id: uuid.UUID, scope_id: uuid.UUID, run_id: uuid.UUID, now: datetime
) -> int:
    """Retire the active resources of one asset and scope that the import `run_id` (a complete
    snapshot of that scope) did not show."""
    result = session.execute(
        text(
            "UPDATE resources SET active = false, retired_at = :now "
            "WHERE asset_id = :asset AND scope_id = :scope AND active AND last_import_id <> :run"
        ),
        {
            "asset": db_uuid(session, asset_id),
            "scope": db_uuid(session, scope_id),
            "run": db_uuid(session, run_id),
            "now": db_datetime(session, now),
        },
    )
    return int(max(result.rowcount, 0))  # type: ignore[attr-defined]


def any_active(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Resource.active))))


def link_findings(
    session: Session,
    *,
    now: datetime,
    run_id: uuid.UUID | None = None,
    asset_ids: Sequence[uuid.UUID] = (),
) -> int:
    """Link findings to the active resources their detections name, in one statement; returns
    how many links were made or changed. Every finding of the organisation, or with `run_id`
    only the findings of the detections that import wrote on `asset_ids`.

    A detection's resource matches a resource's cloud id (an ARN or a provider id) or its IaC
    address; a detection that names an ARN also matches a resource known only by the provider id
    the ARN ends with (driftctl names an unmanaged security group `sg-0abc`, Prowler its ARN
    `arn:aws:ec2:...:security-group/sg-0abc`; a bucket `acme-logs`, `arn:aws:s3:::acme-logs`).
    Per finding, the best kind of match wins: cloud id in the finding's asset, cloud id in
    another asset, the ARN's last part in the finding's asset, then in another asset, address in
    the finding's asset, address in another asset; a finding whose
    best matches name several resources (two assets with the same address, two detections naming
    different resources) is not linked: never a guess. An existing link is kept when nothing
    matches any more (a retired resource keeps its findings)."""
    where = "resource IS NOT NULL"
    params: dict[str, Any] = {"now": db_datetime(session, now)}
    if run_id is not None:
        if not asset_ids:
            return 0
        # the unique (asset_id, tool, fingerprint) index finds the assets' detections
        where += " AND asset_id IN :assets AND last_import_id = :run"
        params["run"] = db_uuid(session, run_id)
        params["assets"] = [db_uuid(session, a) for a in asset_ids]
    pg = is_postgres(session)
    # PostgreSQL has no min(uuid): compare as text, cast back
    chosen = "CAST(MIN(CAST(c.resource_id AS TEXT)) AS UUID)" if pg else "MIN(c.resource_id)"
    # INSERT first, then WITH: SQLite's driver reports a row count only for a statement that
    # starts with INSERT
    stmt = text(
        "INSERT INTO resource_links (finding_id, resource_id, via, linked_at) "
        f"WITH d AS (SELECT DISTINCT finding_id, asset_id, resource FROM detections "
        f"WHERE {where}), "
        # an ARN's last part, after its last "/" or ":" (rtrim strips every character that is
        # not one of those two; the same in SQLite and PostgreSQL)
        "arns AS (SELECT finding_id, asset_id, substr(resource, length(rtrim(resource, "
        "replace(replace(resource, '/', ''), ':', ''))) + 1) AS tail FROM d "
        "WHERE resource LIKE 'arn:%'), "
        "cand AS ("
        "SELECT d.finding_id, r.id AS resource_id, "
        "CASE WHEN r.asset_id = d.asset_id THEN 1 ELSE 2 END AS prio "
        "FROM d JOIN resources r ON r.cloud_id = d.resource WHERE r.active "
        "UNION ALL "
        "SELECT a.finding_id, r.id, CASE WHEN r.asset_id = a.asset_id THEN 3 ELSE 4 END "
        "FROM arns a JOIN resources r ON r.cloud_id = a.tail "
        "WHERE r.active AND a.tail <> '' AND r.cloud_id NOT LIKE 'arn:%' "
        "UNION ALL "
        "SELECT d.finding_id, r.id, CASE WHEN r.asset_id = d.asset_id THEN 5 ELSE 6 END "
        "FROM d JOIN resources r ON r.address = d.resource WHERE r.active), "
        "best AS (SELECT finding_id, MIN(prio) AS prio FROM cand GROUP BY finding_id), "
        f"chosen AS (SELECT c.finding_id, {chosen} AS resource_id, "
        "CASE WHEN MIN(c.prio) <= 4 THEN 'cloud_id' ELSE 'address' END AS via "
        "FROM cand c JOIN best b ON b.finding_id = c.finding_id AND b.prio = c.prio "
        "GROUP BY c.finding_id HAVING COUNT(DISTINCT c.resource_id) = 1) "
        "SELECT finding_id, resource_id, via, :now FROM chosen WHERE true "
        "ON CONFLICT (finding_id) DO UPDATE SET resource_id = excluded.resource_id, "
        "via = excluded.via, linked_at = excluded.linked_at "
        "WHERE resource_links.resource_id <> excluded.resource_id "
        "OR resource_links.via <> excluded.via"
    )
    if run_id is not None:
        stmt = stmt.bindparams(bindparam("assets", expanding=True))
    if pg:
        session.execute(text("ANALYZE resources"))
    result = session.execute(stmt, params)
    return int(max(result.rowcount, 0))  # type: ignore[attr-defined]


# --- one finding for one control failing in code and in the cloud ----------------------------

PAIRS = "aspm_merge_pairs"
IAC_CATEGORY, CLOUD_CATEGORY = "iac", "cspm"
_AUDIT_COLUMNS = (
    "at", "actor", "action", "object_type", "object_id", "from_value", "to_value", "reason",
    "details",
)  # fmt: skip
# a severity's rank, from the one definition (Severity.rank), as SQL over detections `d`
_RANK_OF_DETECTION = (
    "CASE d.severity "
    + " ".join(f"WHEN '{s.value}' THEN {s.rank}" for s in Severity)
    + " ELSE 0 END"
)
_SEVERITY_OF_RANK = (
    "CASE severity_rank "
    + " ".join(f"WHEN {rank} THEN '{s.value}'" for rank, s in sorted(SEVERITY_BY_RANK.items()))
    + " ELSE 'info' END"
)


class MergePair(NamedTuple):
    """An IaC finding and a cloud finding of one control on one resource."""

    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    resource_id: uuid.UUID
    control_id: str
    kept_apart: bool  # both carry human decisions: never merged


def _decided(f: str) -> str:
    """SQL: finding `f` carries a human decision (a triage state other than new, an assignee,
    a comment or a risk acceptance)."""
    return (
        f"({f}.triage_state <> 'new' OR {f}.assignee IS NOT NULL "
        f"OR EXISTS (SELECT 1 FROM finding_comments c WHERE c.finding_id = {f}.id) "
        f"OR EXISTS (SELECT 1 FROM risk_acceptances a WHERE a.finding_id = {f}.id))"
    )


def _stage_pairs(
    session: Session, *, run_id: uuid.UUID | None, asset_ids: Sequence[uuid.UUID]
) -> list[MergePair]:
    """Fill the temporary table PAIRS with the pairs of IaC and cloud findings, in one
    statement, and return them (see merge_code_and_cloud)."""
    pg = is_postgres(session)
    id_type = "UUID" if pg else "TEXT"
    session.execute(
        text(
            f"CREATE TEMP TABLE {PAIRS} (survivor_id {id_type}, merged_id {id_type}, "
            f"resource_id {id_type}, control_id TEXT, kept_apart INTEGER)"
        )
    )
    params: dict[str, Any] = {}
    scope = ""
    if run_id is not None:
        scope = (
            "AND l.resource_id IN (SELECT l2.resource_id FROM detections d "
            "JOIN resource_links l2 ON l2.finding_id = d.finding_id "
            "WHERE d.asset_id IN :assets AND d.last_import_id = :run) "
        )
        params["run"] = db_uuid(session, run_id)
        params["assets"] = [db_uuid(session, a) for a in asset_ids]
    # one pass over the candidates, no self-join: a group of exactly one IaC and one cloud
    # finding names each by the MIN of its side (PostgreSQL has no min(uuid): as text, cast
    # back). A mapped control id never holds ":"; an unmapped rule's is "tool:rule_id".
    as_text, as_id = ("CAST({} AS TEXT)", "CAST({} AS UUID)") if pg else ("{}", "{}")
    side = f"MIN(CASE WHEN category = '{{}}' THEN {as_text.format('id')} END)"
    count = "SUM(CASE WHEN category = '{}' THEN 1 ELSE 0 END) = 1"
    stmt = text(
        f"INSERT INTO {PAIRS} (survivor_id, merged_id, resource_id, control_id, kept_apart) "
        "WITH cand AS (SELECT l.resource_id, f.control_id, f.id, f.category "
        "FROM resource_links l JOIN resources r ON r.id = l.resource_id "
        "JOIN findings f ON f.id = l.finding_id "
        f"WHERE r.active AND f.category IN ('{IAC_CATEGORY}', '{CLOUD_CATEGORY}') "
        f"AND f.control_id NOT LIKE '%:%' {scope}), "
        "pair AS (SELECT resource_id, control_id, "
        f"{side.format(IAC_CATEGORY)} AS iac_id, {side.format(CLOUD_CATEGORY)} AS cloud_id "
        "FROM cand GROUP BY resource_id, control_id "
        f"HAVING {count.format(IAC_CATEGORY)} AND {count.format(CLOUD_CATEGORY)}), "
        "judged AS (SELECT p.resource_id, p.control_id, fi.id AS iac_id, fc.id AS cloud_id, "
        f"CASE WHEN {_decided('fi')} THEN 1 ELSE 0 END AS iac_decided, "
        f"CASE WHEN {_decided('fc')} THEN 1 ELSE 0 END AS cloud_decided FROM pair p "
        f"JOIN findings fi ON fi.id = {as_id.format('p.iac_id')} "
        f"JOIN findings fc ON fc.id = {as_id.format('p.cloud_id')}) "
        "SELECT CASE WHEN cloud_decided = 1 AND iac_decided = 0 THEN cloud_id ELSE iac_id END, "
        "CASE WHEN cloud_decided = 1 AND iac_decided = 0 THEN iac_id ELSE cloud_id END, "
        "resource_id, control_id, iac_decided * cloud_decided FROM judged"
    )
    if run_id is not None:
        stmt = stmt.bindparams(bindparam("assets", expanding=True))
    session.execute(stmt, params)
    rows = session.execute(
        text(f"SELECT survivor_id, merged_id, resource_id, control_id, kept_apart FROM {PAIRS}")
    ).all()
    return [
        MergePair(as_uuid(s), as_uuid(m), as_uuid(r), str(c), bool(k)) for s, m, r, c, k in rows
    ]


def merge_code_and_cloud(
    session: Session,
    *,
    now: datetime,
    actor: str,
    details: dict[str, str],
    run_id: uuid.UUID | None = None,
    asset_ids: Sequence[uuid.UUID] = (),
) -> list[MergePair]:
    """Make one finding of each IaC finding and cloud finding that fail the same control on the
    same resource; returns the pairs found, merged or kept apart. Set-based: a fixed number of
    statements whatever the number of findings and pairs, no round trip per finding.

    Pairs: per active resource and mapped control (a control of the control map: an unmapped
    rule's `tool:rule_id` control never merges), exactly one linked IaC finding and exactly one
    linked cloud finding (with two of either, which one pairs would be a guess). Every
    resource, or with `run_id` only the resources linked to findings of the detections that
    import wrote on `asset_ids` (as link_findings scopes its work). The survivor is the IaC
    finding (the fix is in code, and so is its owner), unless only the cloud finding carries a
    human decision (a triage state other than new, an assignee, a comment, a risk acceptance);
    when both do, the pair is kept apart (no decision is ever lost).

    Merging a pair:
    - the merged finding's detections move to the survivor, and its key becomes an alias of
      the survivor on its asset (aliases that pointed to it follow);
    - the survivor's state is recomputed as an import recomputes a finding that another tool's
      detection joined (ingest.repository._recompute_findings): detector state from its
      detections (active while any is), the worst active severity (else the worse of the two),
      last seen from its newest detection; first seen is the earlier of the two, reopen counts
      add up, and `version` moves on (triage's optimistic concurrency);
    - the merged finding and its resource link are deleted. It holds no comment and no risk
      acceptance (those are decisions, and a finding with a decision is never the merged one).
      Risk explanations are per (asset, risk key), shared, and kept by risk; audit events are
      append-only and keep the old id;
    - one `finding_merged` audit event on each of the two ids, naming both.
    """
    if run_id is not None and not asset_ids:
        return []
    session.execute(text(f"DROP TABLE IF EXISTS {PAIRS}"))
    pairs = _stage_pairs(session, run_id=run_id, asset_ids=asset_ids)
    merging = [p for p in pairs if not p.kept_apart]
    if merging and is_postgres(session):
        session.execute(text(f"ANALYZE {PAIRS}"))  # autovacuum never sees a temporary table
    if merging:
        _merge_staged(session, merging, now=now, actor=actor, details=details)
    session.execute(text(f"DROP TABLE {PAIRS}"))
    return pairs


def _merge_staged(
    session: Session,
    pairs: Sequence[MergePair],
    *,
    now: datetime,
    actor: str,
    details: dict[str, str],
) -> None:
    """The merge of the pairs staged in PAIRS that are not kept apart (`pairs`: those)."""
    merging = f"(SELECT merged_id FROM {PAIRS} WHERE kept_apart = 0)"
    at = db_datetime(session, now)
    session.execute(
        text(
            f"UPDATE detections SET finding_id = p.survivor_id FROM {PAIRS} p "
            "WHERE detections.finding_id = p.merged_id AND p.kept_apart = 0"
        )
    )
    session.execute(
        text(
            f"UPDATE finding_aliases SET finding_id = p.survivor_id FROM {PAIRS} p "
            "WHERE finding_aliases.finding_id = p.merged_id AND p.kept_apart = 0"
        )
    )
    session.execute(
        text(
            "INSERT INTO finding_aliases (asset_id, finding_key, finding_id, merged_finding_id, "
            "control_id, category, resource, path, merged_at) "
            "SELECT m.asset_id, m.finding_key, p.survivor_id, m.id, m.control_id, m.category, "
            f"m.resource, m.path, :now FROM {PAIRS} p JOIN findings m ON m.id = p.merged_id "
            "WHERE p.kept_apart = 0"
        ),
        {"now": at},
    )
    active = "EXISTS (SELECT 1 FROM detections d WHERE d.finding_id = findings.id AND d.active)"
    session.execute(
        text(
            "UPDATE findings SET "
            f"detector_state = CASE WHEN {active} THEN 'active' ELSE 'fixed' END, "
            f"resolved_at = CASE WHEN {active} THEN NULL "
            "WHEN m.resolved_at IS NULL THEN findings.resolved_at "
            "WHEN findings.resolved_at IS NULL OR m.resolved_at > findings.resolved_at "
            "THEN m.resolved_at ELSE findings.resolved_at END, "
            f"severity_rank = COALESCE((SELECT MAX({_RANK_OF_DETECTION}) FROM detections d "
            "WHERE d.finding_id = findings.id AND d.active), "
            "CASE WHEN m.severity_rank > findings.severity_rank THEN m.severity_rank "
            "ELSE findings.severity_rank END), "
            "first_seen_at = CASE WHEN m.first_seen_at < findings.first_seen_at "
            "THEN m.first_seen_at ELSE findings.first_seen_at END, "
            "last_seen_at = COALESCE((SELECT MAX(d.last_seen_at) FROM detections d "
            "WHERE d.finding_id = findings.id), findings.last_seen_at), "
            "reopen_count = findings.reopen_count + m.reopen_count, "
            "version = findings.version + 1 "
            f"FROM {PAIRS} p JOIN findings m ON m.id = p.merged_id "
            "WHERE findings.id = p.survivor_id AND p.kept_apart = 0"
        )
    )
    session.execute(
        text(
            f"UPDATE findings SET severity = {_SEVERITY_OF_RANK} WHERE id IN "
            f"(SELECT survivor_id FROM {PAIRS} WHERE kept_apart = 0)"
        )
    )
    # the survivor's link is now made by both sides' detections: by cloud id when either was
    # (what link_findings would choose), so that the next linking finds nothing to change
    session.execute(
        text(
            f"UPDATE resource_links SET via = 'cloud_id' FROM {PAIRS} p "
            "JOIN resource_links m ON m.finding_id = p.merged_id "
            "WHERE resource_links.finding_id = p.survivor_id AND p.kept_apart = 0 "
            "AND m.via = 'cloud_id' AND resource_links.via <> 'cloud_id'"
        )
    )
    session.execute(text(f"DELETE FROM resource_links WHERE finding_id IN {merging}"))
    session.execute(text(f"DELETE FROM findings WHERE id IN {merging}"))
    events = []
    for pair in pairs:
        s, m = str(pair.survivor_id), str(pair.merged_id)
        info = json.dumps(
            {**details, "survivor_id": s, "merged_finding_id": m,
             "resource_id": str(pair.resource_id), "control_id": pair.control_id}
        )  # fmt: skip
        reason = f"{pair.control_id} fails in code and in the cloud on one resource"
        for obj in (pair.survivor_id, pair.merged_id):
            events.append(
                (at, actor[:200], "finding_merged", "finding", db_uuid(session, obj), m, s,
                 reason, info)
            )  # fmt: skip
    # COPY on PostgreSQL: the first merge of an existing organisation can name thousands
    load_rows(session, "audit_events", _AUDIT_COLUMNS, events)


# --- reading ---------------------------------------------------------------------------------


def _link_count() -> Any:
    return (
        select(func.count())
        .select_from(ResourceLink)
        .where(ResourceLink.resource_id == Resource.id)
        .scalar_subquery()
    )


def list_page(
    session: Session,
    *,
    asset_ids: Sequence[uuid.UUID] | None,
    provider: str | None,
    type_: str | None,
    managed: bool | None,
    has_findings: bool | None,
    include_retired: bool,
    q: str | None,
    limit: int,
    offset: int,
    drifted: bool | None,
    drift_asset_ids: Sequence[uuid.UUID] | None,
) -> tuple[list[tuple[Resource, int]], int]:
    """A page of resources with their linked-finding counts, and the total. `drifted`: with (or
    without) open drift linked; `drift_asset_ids`: the assets whose drift findings count (the
    caller's readable assets; None: every asset)."""
    stmt = select(Resource)
    if asset_ids is not None:
        stmt = stmt.where(Resource.asset_id.in_(asset_ids))
    if provider:
        stmt = stmt.where(Resource.provider == provider)
    if type_:
        stmt = stmt.where(Resource.type == type_)
    if managed is not None:
        stmt = stmt.where(Resource.managed.is_(managed))
    if not include_retired:
        stmt = stmt.where(Resource.active)
    if has_findings is not None:
        linked = exists().where(ResourceLink.resource_id == Resource.id)
        stmt = stmt.where(linked if has_findings else ~linked)
    if drifted is not None:
        drift = has_open_drift(drift_asset_ids)
        stmt = stmt.where(drift if drifted else ~drift)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Resource.address).like(like),
                func.lower(Resource.cloud_id).like(like),
                func.lower(Resource.name).like(like),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = session.execute(
        stmt.add_columns(_link_count())
        .order_by(Resource.type, Resource.address, Resource.cloud_id, Resource.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [(r, int(n)) for r, n in page], total


def get(session: Session, resource_id: uuid.UUID) -> Resource | None:
    return session.get(Resource, resource_id)


def links_of(session: Session, resource_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(finding id, via) of the findings linked to a resource."""
    rows = session.execute(
        select(ResourceLink.finding_id, ResourceLink.via).where(
            ResourceLink.resource_id == resource_id
        )
    ).all()
    return [(f, v) for f, v in rows]


def link_of(session: Session, finding_id: uuid.UUID) -> tuple[Resource, str] | None:
    """The resource a finding is linked to, and how it matched."""
    row = session.execute(
        select(Resource, ResourceLink.via)
        .join(ResourceLink, ResourceLink.resource_id == Resource.id)
        .where(ResourceLink.finding_id == finding_id)
    ).first()
    return None if row is None else (row[0], row[1])


def in_asset_by_refs(
    session: Session, *, asset_id: uuid.UUID, refs: Sequence[str]
) -> dict[str, uuid.UUID]:
    """Active resources of one asset whose address or cloud id is one of `refs` (relations)."""
    if not refs:
        return {}
    rows = session.execute(
        select(Resource.id, Resource.address, Resource.cloud_id).where(
            Resource.asset_id == asset_id,
            Resource.active,
            or_(Resource.address.in_(refs), Resource.cloud_id.in_(refs)),
        )
    ).all()
    found: dict[str, uuid.UUID] = {}
    for rid, address, cloud_id in rows:
        for ref in (address, cloud_id):
            if ref is not None:
                found.setdefault(ref, rid)
    return found


def find_by_ref(session: Session, ref: str) -> list[uuid.UUID]:
    """Active resources whose address or cloud id is `ref`."""
    return list(
        session.scalars(
            select(Resource.id)
            .where(Resource.active, or_(Resource.address == ref, Resource.cloud_id == ref))
            .limit(10)
        )
    )
