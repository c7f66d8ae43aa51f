"""Every SQL statement of the tickets: trackers' credentials, tickets, their findings and the
outbox of operations."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from aspm.findings.models import DetectorState, Finding
from aspm.integrations.tickets_models import Ticket, TicketFinding, TicketOperation, TicketTracker
from aspm.integrations.tickets_schemas import OperationAction, OperationStatus, TicketStatus

WAITING = (OperationStatus.PENDING, OperationStatus.RETRYING)
LIVE = (TicketStatus.PENDING, TicketStatus.OPEN)


def get_tracker(session: Session, name: str) -> TicketTracker | None:
    return session.get(TicketTracker, name)


def list_trackers(session: Session) -> dict[str, TicketTracker]:
    return {t.name: t for t in session.scalars(select(TicketTracker))}


def add(session: Session, *objects: object) -> None:
    session.add_all(objects)
    session.flush()


def get_ticket(session: Session, ticket_id: uuid.UUID) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def ticket_by_key(session: Session, tracker: str, key: str) -> Ticket | None:
    return session.scalars(
        select(Ticket).where(Ticket.tracker == tracker, Ticket.key == key)
    ).first()


def live_links(session: Session, finding_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """finding id -> its pending or open ticket."""
    out: dict[uuid.UUID, uuid.UUID] = {}
    for start in range(0, len(finding_ids), 500):
        rows = session.execute(
            select(TicketFinding.finding_id, TicketFinding.ticket_id)
            .join(Ticket, Ticket.id == TicketFinding.ticket_id)
            .where(
                TicketFinding.finding_id.in_(finding_ids[start : start + 500]),
                Ticket.status.in_(LIVE),
            )
        )
        out.update({r[0]: r[1] for r in rows})
    return out


def link(session: Session, ticket_id: uuid.UUID, finding_ids: Sequence[uuid.UUID]) -> None:
    """Each finding's ticket becomes `ticket_id` (an earlier, ended ticket is unlinked)."""
    for fid in finding_ids:
        row = session.get(TicketFinding, fid)
        if row is None:
            session.add(TicketFinding(finding_id=fid, ticket_id=ticket_id))
        else:
            row.ticket_id = ticket_id
    session.flush()


def finding_ids_of(
    session: Session, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    out: dict[uuid.UUID, list[uuid.UUID]] = {t: [] for t in ticket_ids}
    if not ticket_ids:
        return out
    rows = session.execute(
        select(TicketFinding.ticket_id, TicketFinding.finding_id)
        .where(TicketFinding.ticket_id.in_(ticket_ids))
        .order_by(TicketFinding.finding_id)
    )
    for ticket_id, finding_id in rows:
        out[ticket_id].append(finding_id)
    return out


def operations_of(
    session: Session, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[TicketOperation]]:
    out: dict[uuid.UUID, list[TicketOperation]] = {t: [] for t in ticket_ids}
    if not ticket_ids:
        return out
    rows = session.scalars(
        select(TicketOperation)
        .where(TicketOperation.ticket_id.in_(ticket_ids))
        .order_by(TicketOperation.created_at, TicketOperation.id)
    )
    for op in rows:
        out[op.ticket_id].append(op)
    return out


def list_tickets(
    session: Session, *, finding_id: uuid.UUID | None, status: str | None, limit: int, offset: int
) -> tuple[list[Ticket], int]:
    where: list[ColumnElement[bool]] = []
    if finding_id is not None:
        where.append(
            exists().where(
                TicketFinding.ticket_id == Ticket.id, TicketFinding.finding_id == finding_id
            )
        )
    if status is not None:
        where.append(Ticket.status == status)
    total = session.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0
    rows = session.scalars(
        select(Ticket)
        .where(*where)
        .order_by(Ticket.created_at.desc(), Ticket.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


# --- the outbox (taking due operations: aspm.integrations.outbox) -----------------------------


def get_operation(session: Session, operation_id: uuid.UUID) -> TicketOperation | None:
    return session.get(TicketOperation, operation_id)


def waiting_operation(
    session: Session, ticket_id: uuid.UUID, action: OperationAction
) -> TicketOperation | None:
    return session.scalars(
        select(TicketOperation).where(
            TicketOperation.ticket_id == ticket_id,
            TicketOperation.action == action,
            TicketOperation.status.in_(WAITING),
        )
    ).first()


def failed_operations(session: Session, ticket_id: uuid.UUID) -> list[TicketOperation]:
    return list(
        session.scalars(
            select(TicketOperation).where(
                TicketOperation.ticket_id == ticket_id,
                TicketOperation.status == OperationStatus.FAILED,
            )
        )
    )


def resolved_without_close(session: Session, *, limit: int) -> list[uuid.UUID]:
    """Pending or open tickets, not yet asked to close, whose every finding is fixed."""
    not_fixed = (
        select(TicketFinding.ticket_id)
        .join(Finding, Finding.id == TicketFinding.finding_id)
        .where(Finding.detector_state != DetectorState.FIXED)
    )
    return list(
        session.scalars(
            select(Ticket.id)
            .where(
                Ticket.status.in_(LIVE),
                Ticket.close_requested_at.is_(None),
                exists().where(TicketFinding.ticket_id == Ticket.id),
                Ticket.id.not_in(not_fixed),
            )
            .limit(limit)
        )
    )


def due_for_poll(session: Session, *, before: datetime, limit: int) -> list[uuid.UUID]:
    """Open tickets last read before `before` (or never), longest ago first."""
    return list(
        session.scalars(
            select(Ticket.id)
            .where(
                Ticket.status == TicketStatus.OPEN,
                (Ticket.synced_at.is_(None)) | (Ticket.synced_at < before),
            )
            .order_by(Ticket.synced_at.asc().nulls_first())
            .limit(limit)
        )
    )
