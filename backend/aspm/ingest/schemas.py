"""Ingest results as clients (CLI --json, REST) see them."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class IngestResult(BaseModel):
    """One file's import. Counts follow DESIGN §3; `records` follows the corpus MANIFEST rule."""

    import_id: uuid.UUID | None = None
    file: str
    format: str | None = None
    tool: str | None = None
    tool_version: str | None = None
    asset: str | None = None
    status: str = Field(
        description='"ok" or "error"; "queued" in the 202 answer to an upload that a worker '
        "imports: GET /imports/{import_id} then shows queued, running, ok (done) or error"
    )
    records: int = Field(0, description="result records the report lists (failing or not)")
    findings: int = Field(0, description="failing records (the ones that become detections)")
    passed: int = Field(0, description="records that are not failures (PASS, MANUAL, ...)")
    skipped: int = Field(0, description="bad records skipped, see warnings")
    duplicates: int = Field(0, description="failing records repeating one already in the report")
    suppressed: int = Field(0, description="failing records the tool itself marks suppressed")
    new: int = Field(0, description="detections seen for the first time")
    unchanged: int = Field(0, description="detections already open and seen again")
    reopened: int = Field(0, description="detections that had been resolved and reappeared")
    resolved: int = Field(0, description="detections of the scope this full import no longer has")
    new_findings: int = 0
    reopened_findings: int = 0
    resolved_findings: int = 0
    partial: bool = False
    sha256: str | None = None
    duration_ms: int | None = None
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None


class IngestRunRead(BaseModel):
    id: uuid.UUID
    filename: str
    sha256: str | None
    size_bytes: int | None
    format: str | None
    tool: str | None
    tool_version: str | None
    asset_id: uuid.UUID | None
    asset: str | None = Field(None, description="the asset's name")
    scope_target: str
    partial: bool
    uploaded_by: str
    status: str = Field(description="queued, running, ok (done) or error")
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    progress_bytes: int | None = Field(
        None, description="while running: bytes of the report read so far, of size_bytes"
    )
    counts: dict[str, int]
    warnings: list[str]

    model_config = {"from_attributes": True}
