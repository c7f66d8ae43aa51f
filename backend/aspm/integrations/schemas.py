"""Webhook endpoints, deliveries and the events they carry (the versioned envelope)."""

import ipaddress
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr, field_validator

ENVELOPE_VERSION: Literal["1"] = "1"


class WebhookKind(StrEnum):
    GENERIC = "generic"  # the JSON envelope, signed
    SLACK = "slack"  # a Slack incoming webhook (message text + blocks)
    TEAMS = "teams"  # a Microsoft Teams incoming webhook / Workflows (an Adaptive Card)


class EventType(StrEnum):
    NEW_P1 = "findings.new_p1"
    SLA_BREACHED = "findings.sla_breached"
    GATE_FAILED = "gate.failed"
    IMPORT_FAILED = "import.failed"
    DRIFT_DETECTED = "drift.detected"
    TEST = "webhook.test"


SUBSCRIBABLE: tuple[EventType, ...] = tuple(e for e in EventType if e is not EventType.TEST)


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not tried yet
    RETRYING = "retrying"  # failed, tried again at next_attempt_at
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed; nothing more is tried


def _url_ok(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ValueError("the URL must be an http(s):// URL with a host")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ValueError("the URL must use https:// (http:// only on a loopback address)")
    if parts.username or parts.password:
        raise ValueError("put no user or password in the URL; use the signing secret")
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _subscribed(events: list[EventType]) -> list[EventType]:
    if EventType.TEST in events:
        raise ValueError("webhook.test is sent by the send-test button only")
    return sorted(set(events))


def url_hint(url: str) -> str:
    """What people may see of a URL: scheme, host and port. The path and query of a chat
    webhook URL are its credential."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    kind: WebhookKind = WebhookKind.GENERIC
    url: SecretStr = Field(
        description="where events are POSTed; write-only (stored encrypted, never returned)",
        max_length=2000,
    )
    secret: SecretStr | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="HMAC-SHA256 signing secret, write-only; required for generic webhooks",
    )
    events: list[EventType] = Field(default_factory=lambda: list(SUBSCRIBABLE), min_length=1)
    active: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        _url_ok(value.get_secret_value())
        return value

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[EventType]) -> list[EventType]:
        return _subscribed(value)


class WebhookUpdate(BaseModel):
    """Omitted fields stay as they are; `url` and `secret` are replaced only when given."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    url: SecretStr | None = Field(default=None, max_length=2000)
    secret: SecretStr | None = Field(default=None, min_length=16, max_length=200)
    events: list[EventType] | None = Field(default=None, min_length=1)
    active: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _url_ok(value.get_secret_value())
        return value

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[EventType] | None) -> list[EventType] | None:
        return None if value is None else _subscribed(value)


class WebhookRead(BaseModel):
    """A webhook as the API shows it: never its URL or secret."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: WebhookKind
    url_hint: str = Field(description="scheme and host of the URL; the rest is not shown")
    has_secret: bool
    events: list[EventType]
    active: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


class AttemptRead(BaseModel):
    at: datetime
    response_code: int | None = None
    duration_ms: int
    error: str | None = None


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    webhook_id: uuid.UUID
    event_id: uuid.UUID
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    response_code: int | None
    duration_ms: int | None
    error: str | None
    attempt_log: list[AttemptRead]


class DeliveryDetail(DeliveryRead):
    envelope: dict[str, Any] = Field(description="the event as sent (the generic JSON body)")


# --- the envelope: what a generic webhook receives ----------------------------------------------


class FindingRef(BaseModel):
    id: uuid.UUID
    title: str
    severity: str
    priority: str | None
    risk_score: int | None
    category: str
    asset: str | None
    team: str | None
    sla_due_at: datetime | None
    path: str = Field(description="the finding's page in the dashboard, e.g. /findings/<id>")


class FindingsData(BaseModel):
    """findings.new_p1, findings.sla_breached, drift.detected: the findings (at most 100) and
    how many there were."""

    import_id: uuid.UUID | None = Field(
        default=None, description="the import that found them (new P1, drift)"
    )
    count: int
    findings: list[FindingRef]


class GateFailedData(BaseModel):
    evaluation_id: uuid.UUID
    asset: str | None
    branch: str | None
    commit: str | None
    policy: str
    failed: int = Field(description="findings that failed the policy")
    failed_rules: list[str]


class ImportFailedData(BaseModel):
    import_id: uuid.UUID
    file: str
    format: str | None
    error: str | None


class TestData(BaseModel):
    webhook: str
    message: str


TypeT = TypeVar("TypeT")
DataT = TypeVar("DataT", bound=BaseModel)


class _Envelope(BaseModel, Generic[TypeT, DataT]):
    """Every event: its type (the discriminator) and its data; one subclass a type names both."""

    version: Literal["1"] = Field(default=ENVELOPE_VERSION, description="of this envelope")
    id: uuid.UUID = Field(description="the event's id; the same on every retry (deduplicate)")
    occurred_at: AwareDatetime
    type: TypeT
    data: DataT


class NewP1Event(_Envelope[Literal[EventType.NEW_P1], FindingsData]): ...


class SlaBreachedEvent(_Envelope[Literal[EventType.SLA_BREACHED], FindingsData]): ...


class DriftDetectedEvent(_Envelope[Literal[EventType.DRIFT_DETECTED], FindingsData]): ...


class GateFailedEvent(_Envelope[Literal[EventType.GATE_FAILED], GateFailedData]): ...


class ImportFailedEvent(_Envelope[Literal[EventType.IMPORT_FAILED], ImportFailedData]): ...


class TestEvent(_Envelope[Literal[EventType.TEST], TestData]): ...


WebhookEnvelope = Annotated[
    NewP1Event | SlaBreachedEvent | DriftDetectedEvent | GateFailedEvent | ImportFailedEvent
    | TestEvent,
    Field(discriminator="type"),
]  # fmt: skip


class EventTypeInfo(BaseModel):
    type: EventType
    description: str
    example: WebhookEnvelope
