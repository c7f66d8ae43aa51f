"""Assets: what findings belong to at the business level, with the context risk is computed from."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime


class AssetKind(StrEnum):
    REPOSITORY = "repository"
    CLOUD_ACCOUNT = "cloud_account"
    SERVICE = "service"
    IMAGE = "image"
    UNASSIGNED = "unassigned"


class Environment(StrEnum):
    PROD = "prod"
    STAGING = "staging"
    DEV = "dev"
    TEST = "test"
    UNKNOWN = "unknown"


class Exposure(StrEnum):
    INTERNET = "internet"
    INTERNAL = "internal"
    ISOLATED = "isolated"
    NOT_DEPLOYED = "not_deployed"
    UNKNOWN = "unknown"


class DataSensitivity(StrEnum):
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"
    INTERNAL = "internal"
    PUBLIC = "public"
    UNKNOWN = "unknown"


UNASSIGNED_ASSET = "unassigned"


class Asset(Base):
    __tablename__ = "assets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AssetKind] = mapped_column(
        StrEnumType(AssetKind, 20), default=AssetKind.REPOSITORY
    )
    # the key reports use for it: repository URL, "aws:<account>", image ref; unique when set
    external_key: Mapped[str | None] = mapped_column(String(500), unique=True)
    environment: Mapped[Environment] = mapped_column(
        StrEnumType(Environment, 20), default=Environment.UNKNOWN
    )
    exposure: Mapped[Exposure] = mapped_column(StrEnumType(Exposure, 20), default=Exposure.UNKNOWN)
    data_sensitivity: Mapped[DataSensitivity] = mapped_column(
        StrEnumType(DataSensitivity, 20), default=DataSensitivity.UNKNOWN
    )
    data_tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    criticality: Mapped[int | None] = mapped_column(Integer)  # tier 1 (most critical) .. 3
    owner_team: Mapped[str | None] = mapped_column(String(200))
    match_rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # where its code lives, for links from detections to their lines (aspm.findings.code_links)
    repository_url: Mapped[str | None] = mapped_column(String(500))
    default_branch: Mapped[str | None] = mapped_column(String(200))  # when no commit is known
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
