"""The resource inventory as clients see it."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field

from aspm.common.paging import Page
from aspm.common.severity import Severity


@dataclass(frozen=True, slots=True)
class SnapshotCounts:
    """What storing one import's resources did."""

    seen: int = 0  # resources the import showed (after de-duplication by identity)
    new: int = 0  # of which never seen before on that asset
    skipped: int = 0  # records without an identity (no address, no cloud id) or too long
    retired: int = 0  # resources of the same asset and scope that a complete snapshot dropped


class ResourceFilter(BaseModel):
    asset: str | None = Field(None, description="asset name")
    provider: str | None = None
    type: str | None = None
    managed: bool | None = Field(None, description="managed by IaC (a state or plan holds it)")
    has_findings: bool | None = Field(None, description="linked to at least one finding")
    drifted: bool | None = Field(
        None, description="linked to at least one drift finding the detector still reports"
    )
    include_retired: bool = Field(False, description="also resources a later snapshot dropped")
    q: str | None = Field(None, description="text in address, cloud id or name")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)
    asset_ids: list[uuid.UUID] | None = Field(None, description="restrict to these assets")


class RelationRead(BaseModel):
    kind: str = Field(description="security_group, role, policy, subnet, vpc, ...")
    target: str = Field(description="the other resource's IaC address or cloud id")
    resource_id: uuid.UUID | None = Field(
        None, description="the other resource in the same asset's inventory, when it is there"
    )


class ResourceRead(BaseModel):
    id: uuid.UUID
    asset: str
    asset_id: uuid.UUID
    provider: str
    type: str
    address: str | None
    cloud_id: str | None
    account_id: str | None
    region: str | None
    name: str | None
    tags: dict[str, str]
    managed: bool
    active: bool = Field(description="false once a complete snapshot of its scope dropped it")
    findings: int = Field(description="linked findings (any state)")
    first_seen_at: datetime
    last_seen_at: datetime
    retired_at: datetime | None
    last_import_id: uuid.UUID


class ResourcePage(Page[ResourceRead]):
    pass


class LinkedFindingRead(BaseModel):
    id: uuid.UUID
    title: str
    severity: Severity
    status: str = Field(description="detector state: active or fixed")
    via: str = Field(description="what matched: cloud_id or address")


class ResourceDetail(ResourceRead):
    facts: list[list[str]] = Field(description="[key, value] pairs: exposure, encryption, logging")
    relations: list[RelationRead]
    finding_list: list[LinkedFindingRead]
