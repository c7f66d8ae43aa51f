"""Audit events as clients read them, and the filters of the audit log."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field


class AuditFilter(BaseModel):
    object_type: str | None = Field(None, max_length=50)
    object_id: uuid.UUID | None = None
    actor: str | None = Field(None, max_length=200, description="e.g. user:alice, system:ingest")
    action: list[str] = Field(default_factory=list)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)
    oldest_first: bool = False


class AuditEventRead(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: uuid.UUID
    from_value: str | None
    to_value: str | None
    reason: str | None
    details: dict[str, Any]

    model_config = {"from_attributes": True}
