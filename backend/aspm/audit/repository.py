"""Audit events are only ever inserted; there is deliberately no update or delete here."""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from aspm.audit.models import AuditEvent


def add(session: Session, events: Iterable[AuditEvent]) -> None:
    session.add_all(list(events))
    session.flush()
