"""Tickets in Jira and GitHub Issues linked to findings, and the outbox of calls to make.

A ticket links to findings by their id (stable across re-imports: aspm.findings). Each call to a
tracker is a `TicketOperation` (create, close) written in the transaction that asked for it and
sent after the commit by the ticket sender (aspm.integrations.tickets_service), retried until it
succeeds or the tracker refuses it for good (4xx other than 429). Credentials are sealed with the
instance key (aspm.integrations.crypto) in `ticket_trackers`."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime

# the enums live with the tracker configuration and the API schemas (neither imports a model)
from aspm.integrations.tickets_config import TrackerKind
from aspm.integrations.tickets_schemas import OperationAction, OperationStatus, TicketStatus


class TicketTracker(Base):
    """The credentials of one tracker of the tickets file (its name): sealed, never shown."""

    __tablename__ = "ticket_trackers"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    token_sealed: Mapped[str | None] = mapped_column(Text)
    webhook_secret_sealed: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # the poller's question: open tickets read longest ago
        Index("ix_tickets_status_synced", "status", "synced_at"),
        # an incoming webhook names the issue by its key (Jira) or owner/repo#number (GitHub)
        Index("ix_tickets_tracker_key", "tracker", "key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tracker: Mapped[str] = mapped_column(String(50))
    kind: Mapped[TrackerKind] = mapped_column(StrEnumType(TrackerKind, 20))
    project: Mapped[str] = mapped_column(String(200))  # Jira project key or owner/repo
    group_key: Mapped[str | None] = mapped_column(String(500))  # control|asset when grouped
    title: Mapped[str] = mapped_column(String(255))
    priority: Mapped[str | None] = mapped_column(String(4))
    due_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD (Jira duedate)
    # what is sent on creation, built when the ticket was asked for (an outage loses nothing)
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[TicketStatus] = mapped_column(StrEnumType(TicketStatus, 20))
    external_id: Mapped[str | None] = mapped_column(String(100))  # Jira id / GitHub number
    key: Mapped[str | None] = mapped_column(String(300))  # SEC-12 / owner/repo#12
    url: Mapped[str | None] = mapped_column(String(1000))  # where a person opens it
    tracker_status: Mapped[str | None] = mapped_column(String(100))  # as the tracker says
    resolution: Mapped[str | None] = mapped_column(String(100))  # Done, Won't Do, not_planned
    wont_do: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketFinding(Base):
    """A finding's ticket: one at a time per finding."""

    __tablename__ = "ticket_findings"

    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )


class TicketOperation(Base):
    __tablename__ = "ticket_operations"
    __table_args__ = (Index("ix_ticket_operations_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    ticket_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[OperationAction] = mapped_column(StrEnumType(OperationAction, 20))
    status: Mapped[OperationStatus] = mapped_column(StrEnumType(OperationStatus, 20))
    comment: Mapped[str | None] = mapped_column(Text)  # what a close says on the ticket
    # how far a close got ("commented"), so a retry does not comment twice
    step: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    attempt_log: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
