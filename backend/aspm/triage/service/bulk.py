"""Bulk actions: one triage or assignment, with one justification, on many findings at once."""

import uuid

from sqlalchemy.orm import Session

from aspm.auth import service as auth_service
from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.errors import InvalidInput, NotFound
from aspm.findings import service as findings_service
from aspm.metrics import service as metrics_service
from aspm.triage import repository
from aspm.triage.schemas import MAX_BULK, BulkAction, BulkRequest, BulkResult
from aspm.triage.service.access import authorize, stale
from aspm.triage.service.decisions import apply_assign, apply_triage
from aspm.triage.service.expiry import expire_due


def bulk(
    session: Session, *, request: BulkRequest, principal: Principal, require_approver: bool = False
) -> BulkResult:
    """One action with one justification on an id list or a filtered selection: all or nothing
    (any refused finding refuses the whole request), one audit event per finding."""
    expire_due(session)
    ids = findings_service.select_many(
        session, ids=request.ids, query=request.filter, principal=principal, cap=MAX_BULK
    )
    if not ids:
        raise InvalidInput("the selection is empty")
    rows = {f.id: (f, team) for f, team in repository.get_findings(session, ids)}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise NotFound(f"no finding with id {', '.join(missing[:5])}; nothing was changed")
    if request.action is BulkAction.TRIAGE and request.state is None:
        raise InvalidInput("a bulk triage needs a state")
    now = utcnow()
    bulk_id = uuid.uuid4()
    if request.action is BulkAction.ASSIGN:
        auth_service.check_assignable(
            session,
            assignee=(request.assignee or "").strip() or None,
            team=(request.team or "").strip() or None,
        )
    for fid in ids:
        finding, owner_team = rows[fid]
        authorize(principal, finding, owner_team)
        version = (request.versions or {}).get(fid, finding.version)
        if version != finding.version:
            raise stale(session, fid, version)
        if request.action is BulkAction.TRIAGE:
            assert request.state is not None  # noqa: S101
            apply_triage(
                session, finding, principal=principal, state=request.state,
                reason=request.reason, expires_at=request.expires_at, approver=request.approver,
                version=version, require_approver=require_approver, now=now, bulk_id=bulk_id,
            )  # fmt: skip
        else:
            apply_assign(
                session, finding, principal=principal, assignee=request.assignee,
                team=request.team, reason=request.reason, version=version, now=now,
                bulk_id=bulk_id, checked=True,
            )  # fmt: skip
    metrics_service.refresh_after_change(session, asset_ids={rows[fid][0].asset_id for fid in ids})
    return BulkResult(action=request.action, changed=len(ids), ids=ids)
