"""Writing the append-only audit trail: who (user, token or system), what object, from, to, why."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from aspm.audit import repository
from aspm.audit.models import AuditEvent
from aspm.audit.schemas import AuditEventRead, AuditFilter
from aspm.common.clock import utcnow
from aspm.common.paging import Page


class Actor(Protocol):
    """Who acts, as the trail names them: an aspm.auth.principal.Principal is one (the audit
    trail sits below auth, so it names the shape rather than the class)."""

    @property
    def actor(self) -> str: ...


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
    *,
    from_value: str | None = None,
    to_value: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the change)."""
    event = AuditEvent(
        at=at or utcnow(),
        actor=(actor if isinstance(actor, str) else actor.actor)[:200],
        action=action[:50],
        object_type=object_type[:50],
        object_id=object_id,
        from_value=None if from_value is None else from_value[:200],
        to_value=None if to_value is None else to_value[:200],
        reason=reason,
        details=details or {},
    )
    repository.add(session, [event])
    return event


def record_many(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_ids: Iterable[uuid.UUID],
    *,
    from_value: str | None = None,
    to_value: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event per object for the same change (an import resolving or reopening its
    findings), in the caller's transaction, in one batch."""
    when = at or utcnow()
    repository.add(
        session,
        (
            AuditEvent(
                at=when, actor=actor[:200], action=action[:50], object_type=object_type[:50],
                object_id=object_id, from_value=None if from_value is None else from_value[:200],
                to_value=None if to_value is None else to_value[:200], reason=reason,
                details=dict(details or {}),
            )
            for object_id in object_ids
        ),
    )  # fmt: skip


def list_events(session: Session, flt: AuditFilter) -> Page[AuditEventRead]:
    """The audit log, newest first unless `oldest_first`, filtered and paged."""
    rows, total = repository.list_page(session, flt)
    return Page[AuditEventRead](
        items=[AuditEventRead.model_validate(r) for r in rows],
        total=total,
        limit=flt.limit,
        offset=flt.offset,
    )


def history(
    session: Session, *, object_type: str, object_id: uuid.UUID, limit: int = 200, offset: int = 0
) -> Page[AuditEventRead]:
    """One object's events, oldest first."""
    return list_events(
        session,
        AuditFilter(
            object_type=object_type,
            object_id=object_id,
            limit=limit,
            offset=offset,
            oldest_first=True,
        ),
    )
