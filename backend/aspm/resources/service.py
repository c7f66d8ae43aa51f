"""The resource inventory: storing what an import showed, linking findings, reading.

Storage takes `ingest.contract.ResourceRecord`s, which carry identity, tags, relations and a few
risk facts and nothing else (no attribute dump, no value Terraform marks sensitive); this module
stores exactly those fields.
"""

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from aspm.assets import service as assets_service
from aspm.common.hashing import sha256_hex
from aspm.common.severity import Severity
from aspm.db.bulk import db_uuid
from aspm.errors import InvalidInput, NotFound
from aspm.findings import service as findings_service
from aspm.ingest.contract import ResourceRecord
from aspm.resources import repository
from aspm.resources.models import Resource
from aspm.resources.repository import StagedResource
from aspm.resources.schemas import (
    LinkedFindingRead,
    RelationRead,
    ResourceDetail,
    ResourceFilter,
    ResourcePage,
    ResourceRead,
    SnapshotCounts,
)

NUL, REPLACEMENT = "\x00", "\ufffd"
# an address or cloud id longer than this (UTF-8 bytes) is refused: it is indexed, and a
# PostgreSQL B-tree entry holds at most ~2.7 kB (real ARNs stay far below)
MAX_IDENTITY_BYTES = 2048
_LIMITS = {"provider": 100, "type": 200, "account_id": 100, "region": 50}


def identity_key(address: str | None, cloud_id: str | None) -> str | None:
    """A resource's identity within its asset: the IaC address when there is one, else the
    cloud id; None for a record with neither."""
    if address:
        return sha256_hex("address\x1f" + address)
    if cloud_id:
        return sha256_hex("cloud\x1f" + cloud_id)
    return None


def _clean(value: str | None, limit: int | None = None) -> str | None:
    if value is None:
        return None
    value = value.replace(NUL, REPLACEMENT)  # PostgreSQL text cannot hold NUL
    return value[:limit] if limit is not None else value


def _pairs(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    return [[_clean(k) or "", _clean(v) or ""] for k, v in pairs]


def _tags(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {k: v for k, v in _pairs(pairs)}  # noqa: C416 - lists of two, not tuples


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stage_rows(
    session: Session, records: Sequence[ResourceRecord], warn: Callable[[str], None]
) -> tuple[list[StagedResource], int]:
    """One stage row per identity (the last record of an identity wins), and how many records
    were skipped."""
    rows: dict[str, StagedResource] = {}
    skipped = 0
    for number, rec in enumerate(records, 1):
        address, cloud_id = _clean(rec.address) or None, _clean(rec.cloud_id) or None
        key = identity_key(address, cloud_id)
        if key is None:
            skipped += 1
            warn(f"resource {number} ({rec.type}): no IaC address and no cloud id; skipped")
            continue
        if any(len(v.encode()) > MAX_IDENTITY_BYTES for v in (address, cloud_id) if v):
            skipped += 1
            warn(f"resource {number} ({rec.type}): address or cloud id too long; skipped")
            continue
        rows[key] = StagedResource(
            id=db_uuid(session, uuid.uuid4()),
            identity_key=key,
            provider=_clean(rec.provider, _LIMITS["provider"]) or "",
            type=_clean(rec.type, _LIMITS["type"]) or "",
            address=address,
            cloud_id=cloud_id,
            account_id=_clean(rec.account_id, _LIMITS["account_id"]),
            region=_clean(rec.region, _LIMITS["region"]),
            name=_clean(rec.name),
            tags=_json(_tags(rec.tags)),
            facts=_json(_pairs(rec.facts)),
            relations=_json(_pairs(rec.relations)),
            managed=bool(rec.managed),
        )
    # one order for every writer: two imports of one asset cannot deadlock on the unique index
    return sorted(rows.values(), key=lambda r: r.identity_key), skipped


def store_snapshot(
    session: Session,
    *,
    records: Sequence[ResourceRecord],
    complete: bool,
    asset_id: uuid.UUID,
    scope_id: uuid.UUID,
    run_id: uuid.UUID,
    now: datetime,
    warn: Callable[[str], None],
) -> SnapshotCounts:
    """Store the resources one import showed on one asset, set-based, in the caller's
    transaction (an import is atomic): new ones are added, known ones refreshed (re-importing
    the same snapshot changes nothing but last seen and last import), and when the snapshot is
    `complete` the asset's resources of the same scope that it no longer holds are retired."""
    rows, skipped = _stage_rows(session, records, warn)
    new = repository.upsert_snapshot(
        session, rows, asset_id=asset_id, scope_id=scope_id, run_id=run_id, now=now
    )
    retired = 0
    if complete:
        retired = repository.retire_unseen(
            session, asset_id=asset_id, scope_id=scope_id, run_id=run_id, now=now
        )
    return SnapshotCounts(seen=len(rows), new=new, skipped=skipped, retired=retired)


def inventory_exists(session: Session) -> bool:
    """Whether any resource is active (else nothing links and no context is gathered)."""
    return repository.any_active(session)


def link_findings(
    session: Session,
    *,
    now: datetime,
    run_id: uuid.UUID | None = None,
    asset_ids: Sequence[uuid.UUID] = (),
) -> int:
    """Link findings to the resources their detections name (see repository.link_findings):
    every finding of the organisation, or with `run_id` the findings that import wrote
    detections for on `asset_ids`. Nothing to do (and no scan) while the inventory is empty."""
    if not repository.any_active(session):
        return 0
    return repository.link_findings(session, now=now, run_id=run_id, asset_ids=asset_ids)


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What merge_code_and_cloud did: the surviving findings (to re-score), how many findings
    were merged into them, and how many pairs were kept apart (both carried human decisions)."""

    survivors: list[uuid.UUID]
    merged: int
    kept_apart: int


def merge_code_and_cloud(
    session: Session,
    *,
    now: datetime,
    actor: str,
    run_id: uuid.UUID | None = None,
    asset_ids: Sequence[uuid.UUID] = (),
) -> MergeResult:
    """One finding for one control failing in code and in the cloud on one resource (see
    repository.merge_code_and_cloud for the rules): every linked finding of the organisation, or
    with `run_id` those on resources linked to the findings that import wrote detections for on
    `asset_ids`. Run after link_findings; the caller re-scores the survivors (their detections
    now come from more tools)."""
    if not repository.any_active(session):
        return MergeResult(survivors=[], merged=0, kept_apart=0)
    details = {} if run_id is None else {"import_id": str(run_id)}
    pairs = repository.merge_code_and_cloud(
        session, now=now, actor=actor, details=details, run_id=run_id, asset_ids=asset_ids
    )
    survivors = [p.survivor_id for p in pairs if not p.kept_apart]
    return MergeResult(
        survivors=survivors, merged=len(survivors), kept_apart=len(pairs) - len(survivors)
    )


# --- reading ---------------------------------------------------------------------------------


def _read(resource: Resource, asset_name: str, findings: int) -> dict[str, Any]:
    return {
        "id": resource.id,
        "asset": asset_name,
        "asset_id": resource.asset_id,
        "provider": resource.provider,
        "type": resource.type,
        "address": resource.address,
        "cloud_id": resource.cloud_id,
        "account_id": resource.account_id,
        "region": resource.region,
        "name": resource.name,
        "tags": dict(resource.tags or {}),
        "managed": resource.managed,
        "active": resource.active,
        "findings": findings,
        "first_seen_at": resource.first_seen_at,
        "last_seen_at": resource.last_seen_at,
        "retired_at": resource.retired_at,
        "last_import_id": resource.last_import_id,
    }


def _asset_names(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {a.id: a.name for a in assets_service.get_many(session, set(ids))}


def list_resources(session: Session, flt: ResourceFilter) -> ResourcePage:
    asset_ids = flt.asset_ids
    if flt.asset is not None:
        try:
            named = assets_service.get_read(session, name=flt.asset).id
        except NotFound:
            named = None
        if named is None or (asset_ids is not None and named not in asset_ids):
            return ResourcePage(items=[], total=0, limit=flt.limit, offset=flt.offset)
        asset_ids = [named]
    rows, total = repository.list_page(
        session,
        asset_ids=asset_ids,
        provider=flt.provider,
        type_=flt.type,
        managed=flt.managed,
        has_findings=flt.has_findings,
        drifted=flt.drifted,
        drift_asset_ids=flt.asset_ids,
        include_retired=flt.include_retired,
        q=flt.q,
        limit=flt.limit,
        offset=flt.offset,
    )
    names = _asset_names(session, (r.asset_id for r, _ in rows))
    return ResourcePage(
        items=[ResourceRead(**_read(r, names.get(r.asset_id, ""), n)) for r, n in rows],
        total=total,
        limit=flt.limit,
        offset=flt.offset,
    )


def resolve_id(session: Session, ref: str) -> uuid.UUID:
    """A resource id, or the IaC address or cloud id of exactly one active resource."""
    try:
        return uuid.UUID(ref)
    except ValueError:
        pass
    ids = repository.find_by_ref(session, ref)
    if not ids:
        raise NotFound(f"no resource with id, address or cloud id {ref!r}")
    if len(ids) > 1:
        raise InvalidInput(f"{ref!r} names {len(ids)} resources (several assets); give the id")
    return ids[0]


def get_resource(session: Session, resource_id: uuid.UUID) -> ResourceDetail:
    resource = repository.get(session, resource_id)
    if resource is None:
        raise NotFound(f"no resource with id {resource_id}")
    links = repository.links_of(session, resource.id)
    via = dict(links)
    findings = [
        LinkedFindingRead(
            id=fid, title=title, severity=Severity(severity), status=status, via=via[fid]
        )
        for fid, title, severity, status in findings_service.briefs(session, list(via))
    ]
    relations = [(str(k), str(t)) for k, t in resource.relations or []]
    targets = repository.in_asset_by_refs(
        session, asset_id=resource.asset_id, refs=sorted({t for _, t in relations})
    )
    names = _asset_names(session, [resource.asset_id])
    return ResourceDetail(
        **_read(resource, names.get(resource.asset_id, ""), len(links)),
        facts=[[str(k), str(v)] for k, v in resource.facts or []],
        relations=[
            RelationRead(kind=k, target=t, resource_id=targets.get(t)) for k, t in relations
        ],
        finding_list=findings,
    )


def asset_of(session: Session, resource_ref: str) -> uuid.UUID | None:
    """The asset of a resource (an asset-bound token's check); None when there is none."""
    try:
        resource = repository.get(session, uuid.UUID(resource_ref))
    except ValueError:
        return None
    return None if resource is None else resource.asset_id
