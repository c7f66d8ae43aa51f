"""Audit events are only ever inserted and read; there is deliberately no update or delete here
(and on PostgreSQL a trigger refuses both)."""

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aspm.audit.models import AuditEvent
from aspm.audit.schemas import AuditFilter


def add(session: Session, events: Iterable[AuditEvent]) -> None:
    session.add_all(list(events))
    session.flush()


def list_page(session: Session, flt: AuditFilter) -> tuple[Sequence[AuditEvent], int]:
    stmt = select(AuditEvent)
    if flt.object_type:
        stmt = stmt.where(AuditEvent.object_type == flt.object_type)
    if flt.object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == flt.object_id)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor == flt.actor)
    if flt.action:
        stmt = stmt.where(AuditEvent.action.in_(flt.action))
    if flt.since is not None:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEvent.at < flt.until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (
        (AuditEvent.at.asc(), AuditEvent.id.asc())
        if flt.oldest_first
        else (AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    rows = session.scalars(stmt.order_by(*order).limit(flt.limit).offset(flt.offset)).all()
    return rows, total
