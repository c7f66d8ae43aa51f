"""Writing the append-only audit trail: who (user, token or system), what object, from, to, why."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from aspm.audit import repository
from aspm.audit.models import AuditEvent
from aspm.auth.principal import Principal
from aspm.common.clock import utcnow


def record(
    session: Session,
    actor: Principal | str,
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
        actor=(actor.actor if isinstance(actor, Principal) else actor)[:200],
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
