"""Imports (ingest runs) and the scopes that decide what a full import may retire."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime


class IngestStatus(StrEnum):
    """An inline import (SQLite, the CLI) is ok or error at once; a queued one (PostgreSQL
    server, aspm.jobs) goes queued -> running -> ok (done) or error."""

    QUEUED = "queued"
    RUNNING = "running"
    OK = "ok"
    ERROR = "error"


FINAL_STATUSES = frozenset({IngestStatus.OK, IngestStatus.ERROR})


class IngestScope(Base):
    """(asset, tool family, target): only a full import of the same scope retires detections."""

    __tablename__ = "ingest_scopes"
    __table_args__ = (UniqueConstraint("asset_id", "tool", "target"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    tool: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300), default="")  # branch, account/region, ...
    last_import_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    last_import_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # time of the last FULL import: active detections of the scope were seen then
    last_full_import_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IngestRun(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(50))
    tool: Mapped[str | None] = mapped_column(String(100))
    tool_version: Mapped[str | None] = mapped_column(String(100))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    scope_target: Mapped[str] = mapped_column(String(300), default="")
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[IngestStatus] = mapped_column(StrEnumType(IngestStatus, 20))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    # a queued import: bytes of the report read so far by the worker (of size_bytes)
    progress_bytes: Mapped[int | None] = mapped_column(BigInteger)
    # counts: records (what the report lists), findings (failing records), passed, skipped,
    # suppressed, new/unchanged/reopened/resolved detections, new/reopened/resolved findings
    counts: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # the commit the report was made at, when it names one (SARIF versionControlProvenance): the
    # lines of the detections this import wrote are that commit's
    commit: Mapped[str | None] = mapped_column(String(64))
