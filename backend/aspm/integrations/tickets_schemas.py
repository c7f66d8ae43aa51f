"""What the tickets API reads and answers. Tokens and webhook secrets are write-only: an answer
says whether one is set, never its value."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from aspm.findings.schemas import FindingQuery
from aspm.integrations.tickets_config import Grouping, TrackerKind
from aspm.triage.schemas import MAX_BULK


class TicketStatus(StrEnum):
    PENDING = "pending"  # asked for; the tracker has not created it yet
    OPEN = "open"
    CLOSED = "closed"
    FAILED = "failed"  # the tracker refused to create it (see the operation's error)


class OperationAction(StrEnum):
    CREATE = "create"
    CLOSE = "close"  # comment, then close (Jira: the Done transition; GitHub: completed)


class OperationStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"


class TicketCreate(BaseModel):
    """Findings by id or by the filter the bulk triage endpoint takes (not both)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] | None = Field(None, max_length=MAX_BULK)
    filter: FindingQuery | None = Field(
        None, description="the findings list's filter, as bulk triage"
    )
    grouping: Grouping | None = Field(
        None, description="one ticket per finding, or per control and asset (default: the file's)"
    )


class OperationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    action: OperationAction
    status: OperationStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    done_at: datetime | None
    response_code: int | None
    error: str | None


class TicketRead(BaseModel):
    id: uuid.UUID
    tracker: str
    kind: TrackerKind
    project: str
    title: str
    priority: str | None
    due_date: str | None
    status: TicketStatus
    key: str | None
    url: str | None
    tracker_status: str | None
    resolution: str | None
    wont_do: bool = Field(description="closed in the tracker as won't do (triage is unchanged)")
    finding_ids: list[uuid.UUID]
    created_by: str
    created_at: datetime
    synced_at: datetime | None
    closed_at: datetime | None
    operations: list[OperationRead]


class TicketsCreated(BaseModel):
    tickets: list[TicketRead]
    already_linked: list[uuid.UUID] = Field(
        description="findings left out: they have a pending or open ticket already"
    )


class TrackerRead(BaseModel):
    name: str
    kind: TrackerKind
    url: str
    email: str | None
    token_set: bool
    webhook_secret_set: bool
    webhook_path: str = Field(description="where the tracker's webhook posts (below the API)")


class TicketsSettingsRead(BaseModel):
    configured: bool
    file: str | None
    error: str | None = Field(description="why the tickets file cannot be used, when it cannot")
    grouping: Grouping | None
    poll_minutes: int | None
    default: str | None = Field(description="tracker:project of the default mapping")
    teams: dict[str, str]
    assets: dict[str, str]
    trackers: list[TrackerRead]


class CredentialsUpdate(BaseModel):
    """Replaces what is given; an empty string removes it."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = Field(None, max_length=2000)
    webhook_secret: SecretStr | None = Field(None, max_length=500)


class HookResult(BaseModel):
    matched: bool
    ticket_id: uuid.UUID | None = None
