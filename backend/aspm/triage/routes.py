"""HTTP: triage decisions, assignment, comments, history, bulk actions, suppression and
ownership rules. Who may do what is decided by the service (403 otherwise)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from aspm.api.deps import (
    LeadAccess,
    PrincipalDep,
    ReadAccess,
    SessionDep,
    SettingsDep,
    TriageAccess,
)
from aspm.audit.schemas import AuditEventRead
from aspm.common.paging import MAX_OFFSET, MAX_PAGE_SIZE, Page
from aspm.triage import service
from aspm.triage.schemas import (
    AssignRequest,
    BulkRequest,
    BulkResult,
    CommentCreate,
    CommentRead,
    ErrorRead,
    ExpiryResult,
    OwnershipRuleCreate,
    OwnershipRuleRead,
    RiskAcceptanceRead,
    SuppressedFindingRead,
    SuppressionCriteria,
    SuppressionPreview,
    SuppressionRuleCreate,
    SuppressionRuleRead,
    TriageRequest,
    TriageResult,
)

# 422 carries the error envelope: field errors (a list) or a rule the input breaks (a message)
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorRead, "description": "invalid input"}
}
# a page of a list; reads need no principal of their own: ReadAccess authenticates the caller
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]

router = APIRouter(prefix="/findings", tags=["triage"], responses=ERRORS)


@router.post("/bulk", name="bulk", dependencies=[TriageAccess], response_model=BulkResult)
def bulk(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep, body: BulkRequest
) -> BulkResult:
    """One triage or assignment with one justification on an id list or a filter: all or nothing,
    one audit event per finding."""
    return service.bulk(
        session,
        request=body,
        principal=principal,
        require_approver=settings.risk_acceptance_requires_approver,
    )


@router.post(
    "/{finding_id}/triage",
    name="set_state",
    dependencies=[TriageAccess],
    response_model=TriageResult,
)
def set_state(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    finding_id: uuid.UUID,
    body: TriageRequest,
) -> TriageResult:
    """Move the triage state (409: illegal move, or the finding changed since `version`)."""
    return service.triage(
        session,
        finding_id=finding_id,
        request=body,
        principal=principal,
        require_approver=settings.risk_acceptance_requires_approver,
    )


@router.post(
    "/{finding_id}/assign", name="assign", dependencies=[TriageAccess], response_model=TriageResult
)
def assign(
    session: SessionDep, principal: PrincipalDep, finding_id: uuid.UUID, body: AssignRequest
) -> TriageResult:
    """Assign to a user and/or a team (null clears)."""
    return service.assign(session, finding_id=finding_id, request=body, principal=principal)


@router.get(
    "/{finding_id}/comments",
    name="list_comments",
    dependencies=[ReadAccess],
    response_model=Page[CommentRead],
)
def list_comments(
    session: SessionDep,
    finding_id: uuid.UUID,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[CommentRead]:
    return service.list_comments(session, finding_id=finding_id, limit=limit, offset=offset)


@router.post(
    "/{finding_id}/comments",
    name="add_comment",
    dependencies=[TriageAccess],
    response_model=CommentRead,
    status_code=status.HTTP_201_CREATED,
)
def add_comment(
    session: SessionDep, principal: PrincipalDep, finding_id: uuid.UUID, body: CommentCreate
) -> CommentRead:
    return service.add_comment(session, finding_id=finding_id, request=body, principal=principal)


@router.get(
    "/{finding_id}/history",
    name="history",
    dependencies=[ReadAccess],
    response_model=Page[AuditEventRead],
)
def history(
    session: SessionDep,
    finding_id: uuid.UUID,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Page[AuditEventRead]:
    """Every audit event of this finding, oldest first."""
    return service.history(session, finding_id=finding_id, limit=limit, offset=offset)


@router.get(
    "/{finding_id}/risk-acceptance",
    name="risk_acceptance",
    dependencies=[ReadAccess],
    response_model=RiskAcceptanceRead | None,
)
def risk_acceptance(
    session: SessionDep,
    finding_id: uuid.UUID,
) -> RiskAcceptanceRead | None:
    """The acceptance in force (justification, approver, expiry), or null."""
    return service.current_acceptance(session, finding_id)


rules_router = APIRouter(tags=["rules"], responses=ERRORS)


@rules_router.get(
    "/suppression-rules",
    name="list_suppression",
    dependencies=[ReadAccess],
    response_model=list[SuppressionRuleRead],
)
def list_suppression_rules(
    session: SessionDep,
    include_ended: bool = False,
) -> list[SuppressionRuleRead]:
    """Suppression rules in force (with `include_ended`, also removed and expired ones)."""
    return service.list_suppression_rules(session, include_ended=include_ended)


@rules_router.post(
    "/suppression-rules",
    name="create_suppression",
    dependencies=[LeadAccess],
    response_model=SuppressionRuleRead,
    status_code=status.HTTP_201_CREATED,
)
def create_suppression_rule(
    session: SessionDep, principal: PrincipalDep, body: SuppressionRuleCreate
) -> SuppressionRuleRead:
    """Create a rule; it suppresses matching findings at once and at every later import."""
    return service.create_suppression_rule(session, request=body, principal=principal)


@rules_router.post(
    "/suppression-rules/preview",
    name="preview_suppression",
    dependencies=[LeadAccess],
    response_model=SuppressionPreview,
)
def preview_suppression_rule(
    session: SessionDep,
    principal: PrincipalDep,
    body: SuppressionCriteria,
    limit: Limit = 100,
) -> SuppressionPreview:
    """What a rule with these criteria would hide if saved now ("this rule hides 37 findings")
    and which; nothing is saved."""
    return service.preview_suppression(session, request=body, principal=principal, limit=limit)


@rules_router.get(
    "/suppression-rules/{rule_id}/findings",
    name="suppressed_findings",
    dependencies=[ReadAccess],
    response_model=Page[SuppressedFindingRead],
)
def suppressed_findings(
    session: SessionDep,
    rule_id: uuid.UUID,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[SuppressedFindingRead]:
    """The findings this rule hides now, highest risk first."""
    return service.suppressed_by_rule(session, rule_id=rule_id, limit=limit, offset=offset)


@rules_router.delete(
    "/suppression-rules/{rule_id}",
    name="remove_suppression",
    dependencies=[LeadAccess],
    response_model=SuppressionRuleRead,
)
def remove_suppression_rule(
    session: SessionDep,
    principal: PrincipalDep,
    rule_id: uuid.UUID,
    reason: Annotated[str | None, Query(max_length=4000)] = None,
) -> SuppressionRuleRead:
    """End a rule (kept for history) and restore the findings it hid."""
    return service.remove_suppression_rule(
        session, rule_id=rule_id, principal=principal, reason=reason
    )


@rules_router.get(
    "/ownership-rules",
    name="list_ownership",
    dependencies=[ReadAccess],
    response_model=list[OwnershipRuleRead],
)
def list_ownership_rules(
    session: SessionDep,
) -> list[OwnershipRuleRead]:
    """Ownership rules in order; the last matching rule gives a new finding its team."""
    return service.list_ownership_rules(session)


@rules_router.post(
    "/ownership-rules",
    name="create_ownership",
    dependencies=[LeadAccess],
    response_model=OwnershipRuleRead,
    status_code=status.HTTP_201_CREATED,
)
def create_ownership_rule(
    session: SessionDep, principal: PrincipalDep, body: OwnershipRuleCreate
) -> OwnershipRuleRead:
    return service.create_ownership_rule(session, request=body, principal=principal)


@rules_router.delete(
    "/ownership-rules/{rule_id}",
    name="remove_ownership",
    dependencies=[LeadAccess],
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_ownership_rule(session: SessionDep, principal: PrincipalDep, rule_id: uuid.UUID) -> None:
    service.remove_ownership_rule(session, rule_id=rule_id, principal=principal)


@rules_router.post(
    "/triage/expire", name="expire", dependencies=[LeadAccess], response_model=ExpiryResult
)
def expire(session: SessionDep, principal: PrincipalDep) -> ExpiryResult:
    """Run expiry now (accepted risks and suppression rules past their date); admins and
    security leads. Also runs at every import and before every triage change."""
    return service.expire_now(session, principal=principal)
