"""Outgoing webhooks: the endpoints, the events (an outbox written in the transaction that
caused them) and one delivery per endpoint and event (the delivery log).

The URL and the signing secret are stored sealed with the instance key (aspm.integrations.crypto);
`url_hint` (scheme and host only) is what people see."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime

# the enums live with the API schemas, a module of plain Pydantic models that imports no model
from aspm.integrations.schemas import DeliveryStatus, EventType, WebhookKind


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[WebhookKind] = mapped_column(StrEnumType(WebhookKind, 20))
    url_sealed: Mapped[str] = mapped_column(Text)
    url_hint: Mapped[str] = mapped_column(String(300))
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookEvent(Base):
    """One event as it is sent (the `data` of the versioned envelope); written only when some
    active webhook subscribes to its type."""

    __tablename__ = "webhook_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    type: Mapped[EventType] = mapped_column(StrEnumType(EventType, 50))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # the sender's question: what is due now
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook", "webhook_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    webhook_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhooks.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[EventType] = mapped_column(StrEnumType(EventType, 50))
    status: Mapped[DeliveryStatus] = mapped_column(StrEnumType(DeliveryStatus, 20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # when the sender takes it next; pushed forward by a lease while a sender holds it
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    # [{at, response_code, duration_ms, error}] of each attempt, oldest first
    attempt_log: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class IntegrationMark(Base):
    """A named point in time, e.g. up to when SLA breaches have been announced."""

    __tablename__ = "integration_marks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
