"""A finding's comments and its history (the audit events about it)."""

import uuid

from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.audit.schemas import AuditEventRead
from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.common.paging import Page
from aspm.errors import InvalidInput
from aspm.triage import repository
from aspm.triage.models import FindingComment
from aspm.triage.schemas import CommentCreate, CommentRead
from aspm.triage.service.access import authorize, load_finding


def add_comment(
    session: Session, *, finding_id: uuid.UUID, request: CommentCreate, principal: Principal
) -> CommentRead:
    finding, owner_team = load_finding(session, finding_id)
    authorize(principal, finding, owner_team)
    body = request.body.strip()
    if not body:
        raise InvalidInput("a comment needs some text")
    now = utcnow()
    comment = repository.add_comment(
        session,
        FindingComment(finding_id=finding_id, author=principal.actor, body=body, created_at=now),
    )
    audit_service.record(
        session, principal, "commented", "finding", finding_id,
        details={"comment_id": str(comment.id)}, at=now,
    )  # fmt: skip
    return CommentRead.model_validate(comment)


def list_comments(
    session: Session, *, finding_id: uuid.UUID, limit: int = 100, offset: int = 0
) -> Page[CommentRead]:
    load_finding(session, finding_id)
    rows, total = repository.list_comments(session, finding_id, limit=limit, offset=offset)
    return Page[CommentRead](
        items=[CommentRead.model_validate(r) for r in rows], total=total, limit=limit,
        offset=offset,
    )  # fmt: skip


def history(
    session: Session, *, finding_id: uuid.UUID, limit: int = 200, offset: int = 0
) -> Page[AuditEventRead]:
    """A finding's audit events (triage, assignment, comments, suppression, lifecycle)."""
    load_finding(session, finding_id)
    return audit_service.history(
        session, object_type="finding", object_id=finding_id, limit=limit, offset=offset
    )
