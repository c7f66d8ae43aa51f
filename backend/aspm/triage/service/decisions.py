"""Triage decisions on one finding: its state (the state machine, risk acceptance with an approver
and an expiry) and its assignment. Every change writes an audit event."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.auth import service as auth_service
from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.errors import Conflict, InvalidInput
from aspm.findings.models import Finding, TriageState
from aspm.metrics import service as metrics_service
from aspm.triage import repository, transitions
from aspm.triage.models import RiskAcceptance
from aspm.triage.schemas import AssignRequest, RiskAcceptanceRead, TriageRequest, TriageResult
from aspm.triage.service.access import authorize, load_finding, stale
from aspm.triage.service.expiry import expire_due

MAX_ACCEPTANCE = timedelta(days=366)


def apply_triage(
    session: Session,
    finding: Finding,
    *,
    principal: Principal,
    state: TriageState,
    reason: str | None,
    expires_at: datetime | None,
    approver: str | None,
    version: int,
    require_approver: bool,
    now: datetime,
    bulk_id: uuid.UUID | None = None,
) -> None:
    current = finding.triage_state
    transitions.check(
        current,
        transitions.Move(state, reason, expires_at is not None, approver),
        requester=principal.name,
        approver_required=require_approver,
    )
    if state is TriageState.ACCEPTED_RISK:
        assert expires_at is not None  # noqa: S101 - checked by transitions.check
        if expires_at <= now:
            raise InvalidInput("a risk acceptance must expire in the future")
        if expires_at - now > MAX_ACCEPTANCE:
            raise InvalidInput("a risk acceptance may last at most one year; renew it instead")
    if not repository.update_if_version(session, finding.id, version, {"triage_state": state}):
        raise stale(session, finding.id, version)
    details: dict[str, str] = {}
    if bulk_id is not None:
        details["bulk_id"] = str(bulk_id)
    previous = repository.open_acceptance(session, finding.id)
    if previous is not None:
        previous.ended_at = now
        previous.ended_reason = "renewed" if state is TriageState.ACCEPTED_RISK else "revoked"
    if state is TriageState.ACCEPTED_RISK:
        assert expires_at is not None  # noqa: S101
        acceptance = repository.add_acceptance(
            session,
            RiskAcceptance(
                finding_id=finding.id,
                justification=(reason or "").strip(),
                requested_by=principal.actor,
                approver=(approver or "").strip() or None,
                expires_at=expires_at,
                created_at=now,
            ),
        )
        details |= {
            "acceptance_id": str(acceptance.id),
            "expires_at": expires_at.isoformat(),
            **({"approver": acceptance.approver} if acceptance.approver else {}),
        }
    audit_service.record(
        session, principal, "triage", "finding", finding.id,
        from_value=current.value, to_value=state.value, reason=reason, details=details, at=now,
    )  # fmt: skip


def triage(
    session: Session,
    *,
    finding_id: uuid.UUID,
    request: TriageRequest,
    principal: Principal,
    require_approver: bool = False,
) -> TriageResult:
    """Move a finding's triage state (409 for an illegal move or a stale version)."""
    expire_due(session)
    finding, owner_team = load_finding(session, finding_id)
    authorize(principal, finding, owner_team)
    if finding.version != request.version:
        raise stale(session, finding_id, request.version)
    apply_triage(
        session, finding, principal=principal, state=request.state, reason=request.reason,
        expires_at=request.expires_at, approver=request.approver, version=request.version,
        require_approver=require_approver, now=utcnow(),
    )  # fmt: skip
    metrics_service.refresh_after_change(session, asset_ids=[finding.asset_id])
    return _result(session, finding)


def _result(session: Session, finding: Finding) -> TriageResult:
    repository.refresh(session, finding)
    return TriageResult(
        id=finding.id,
        triage_state=finding.triage_state,
        assignee=finding.assignee,
        team=finding.team,
        version=finding.version,
    )


def apply_assign(
    session: Session,
    finding: Finding,
    *,
    principal: Principal,
    assignee: str | None,
    team: str | None,
    reason: str | None,
    version: int,
    now: datetime,
    bulk_id: uuid.UUID | None = None,
    checked: bool = False,
) -> None:
    assignee = (assignee or "").strip() or None
    team = (team or "").strip() or None
    if (assignee, team) == (finding.assignee, finding.team):
        raise Conflict(f"finding {finding.id} is already assigned so")
    if not checked:  # a bulk action checks its one assignee and team once, before the loop
        auth_service.check_assignable(
            session,
            assignee=assignee if assignee != finding.assignee else None,
            team=team if team != finding.team else None,
        )
    if not repository.update_if_version(
        session, finding.id, version, {"assignee": assignee, "team": team}
    ):
        raise stale(session, finding.id, version)
    details = {} if bulk_id is None else {"bulk_id": str(bulk_id)}
    for action, old, new in (
        ("assigned", finding.assignee, assignee),
        ("team_assigned", finding.team, team),
    ):
        if old != new:
            audit_service.record(
                session, principal, action, "finding", finding.id,
                from_value=old, to_value=new, reason=reason, details=details, at=now,
            )  # fmt: skip


def assign(
    session: Session, *, finding_id: uuid.UUID, request: AssignRequest, principal: Principal
) -> TriageResult:
    """Assign a finding to a user and/or team (either may be cleared with null)."""
    finding, owner_team = load_finding(session, finding_id)
    authorize(principal, finding, owner_team)
    if finding.version != request.version:
        raise stale(session, finding_id, request.version)
    apply_assign(
        session, finding, principal=principal, assignee=request.assignee, team=request.team,
        reason=request.reason, version=request.version, now=utcnow(),
    )  # fmt: skip
    metrics_service.refresh_after_change(session, asset_ids=[finding.asset_id])
    return _result(session, finding)


def current_acceptance(session: Session, finding_id: uuid.UUID) -> RiskAcceptanceRead | None:
    acc = repository.open_acceptance(session, finding_id)
    return None if acc is None else RiskAcceptanceRead.model_validate(acc)
