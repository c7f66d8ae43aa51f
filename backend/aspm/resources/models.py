"""The resource inventory (DESIGN §3): one row per real resource a Terraform state or plan, or a
driftctl scan showed, and the link from each finding to the resource it is about."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime
from aspm.ingest.contract import Category


class Resource(Base):
    """Identity within an asset: the IaC address when the record has one, else the cloud id
    (`identity_key` is the SHA-256 of that choice, so that a long ARN never meets an index size
    limit). Only what `ingest.contract.ResourceRecord` carries is stored: never an attribute dump.
    """

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("asset_id", "identity_key"),
        # linking: a detection's ARN / resource id against every asset's inventory
        Index("ix_resources_cloud_id", "cloud_id"),
        # linking by IaC address (same asset first, else a unique one anywhere)
        Index("ix_resources_address", "address"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    identity_key: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    cloud_id: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(50))
    name: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    facts: Mapped[list[list[str]]] = mapped_column(JSONType, default=list)  # [[key, value], ...]
    # [[kind, IaC address or cloud id of the other one], ...]: read with the resource, rewritten
    # whole by each snapshot; no query looks into them yet, so no table of their own
    relations: Mapped[list[list[str]]] = mapped_column(JSONType, default=list)
    managed: Mapped[bool] = mapped_column(Boolean, default=True)
    # the import scope (ingest_scopes.id) whose import last showed it: a complete snapshot of the
    # same scope retires what it no longer holds
    scope_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_import_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    last_import_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class ResourceLink(Base):
    """Which resource a finding is about (at most one). A table of its own rather than a
    findings column: the findings table is the bulk table that imports COPY into and that risk
    rewrites in place (HOT updates, see findings.models); links are written by this domain,
    replaced wholesale when a new state arrives, and re-linking never touches a finding row (nor
    its optimistic-concurrency `version`, which triage relies on)."""

    __tablename__ = "resource_links"

    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    via: Mapped[str] = mapped_column(String(10))  # "cloud_id" or "address"
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FindingAlias(Base):
    """The finding key of a finding that was merged into another one (the same control failing
    in code and in the cloud on one resource: one finding with both detections). Ingest looks
    finding keys up among an asset's findings and these aliases, so that a later new detection
    of the merged-away key joins the surviving finding instead of bringing the old one back.

    `control_id`, `category`, `resource` and `path` are the merged finding's, so that an alias
    of an IaC finding still takes part in ingest's IaC block matching (another tool's detection
    of the same control on the same Terraform block, named by a different path).
    `merged_finding_id` is the id that no longer exists, for anyone holding an old link."""

    __tablename__ = "finding_aliases"

    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    finding_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    merged_finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    control_id: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 20))
    resource: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
