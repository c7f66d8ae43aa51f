"""Triage: decisions (state machine), assignment, comments, bulk actions, suppression and
ownership rules, risk acceptance and its expiry. Every change writes an audit event.

Who may act (DESIGN §1): admin and security_lead on everything; an engineer on findings whose team
or asset owner team is one of theirs, or that are assigned to them; a viewer never. API tokens also
need the `triage` scope and, when bound to assets, the finding's asset. Rules (suppression and
ownership) are managed by admins and security leads only.

Expiry (accepted risks and suppression rules past their date) runs: at the start of every import
(`apply_rules_to_import`), before every triage change made through this module, and with
`aspm triage expire` (run it from cron, e.g. hourly, so nothing waits for the next change).
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, literal
from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.audit.schemas import AuditEventRead
from aspm.auth import service as auth_service
from aspm.auth.principal import Principal, Role, Scope
from aspm.common.clock import utcnow
from aspm.common.paging import Page
from aspm.common.severity import Severity
from aspm.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from aspm.findings import service as findings_service
from aspm.findings.models import DetectorState, Finding, TriageState
from aspm.findings.schemas import FindingFilter
from aspm.metrics import service as metrics_service
from aspm.triage import repository, transitions
from aspm.triage.models import FindingComment, OwnershipRule, RiskAcceptance, SuppressionRule
from aspm.triage.patterns import is_wildcard_only
from aspm.triage.schemas import (
    MAX_BULK,
    AssignRequest,
    BulkAction,
    BulkRequest,
    BulkResult,
    CommentCreate,
    CommentRead,
    ExpiryResult,
    OwnershipRuleCreate,
    OwnershipRuleRead,
    RiskAcceptanceRead,
    RulesApplied,
    SuppressedFindingRead,
    SuppressionCriteria,
    SuppressionPreview,
    SuppressionRuleCreate,
    SuppressionRuleRead,
    TriageRequest,
    TriageResult,
)

MAX_ACCEPTANCE = timedelta(days=366)
EXPIRY_ACTOR = "system:expiry"
OWNERSHIP_ACTOR = "system:ownership"
SUPPRESSION_ACTOR = "system:suppression"


# ---- authorization ----------------------------------------------------------------------------


def _require_scope(principal: Principal, scope: Scope) -> None:
    if principal.kind == "token" and scope not in principal.scopes:
        raise PermissionDenied(f"this API token lacks the {scope.value!r} scope")


def acts_for_team(principal: Principal, *teams: str | None) -> bool:
    """Whether the principal's role lets it act on what one of `teams` owns: admins and security
    leads on everything, an engineer on their own teams' things, a viewer on nothing. The one
    definition of team access (triage of a finding, imports into an asset)."""
    if principal.role in (Role.ADMIN, Role.SECURITY_LEAD):
        return True
    if principal.role is Role.ENGINEER:
        return any(team is not None and team in principal.team_names for team in teams)
    return False


def can_act(principal: Principal, finding: Finding, owner_team: str | None) -> bool:
    if principal.kind == "token" and (
        Scope.TRIAGE not in principal.scopes
        or (principal.asset_ids is not None and finding.asset_id not in principal.asset_ids)
    ):
        return False
    return acts_for_team(principal, finding.team, owner_team) or (
        principal.role is Role.ENGINEER
        and finding.assignee is not None
        and finding.assignee == principal.name
    )


def _authorize(principal: Principal, finding: Finding, owner_team: str | None) -> None:
    if not can_act(principal, finding, owner_team):
        if principal.role is Role.VIEWER:
            raise PermissionDenied("viewers may read findings but not change them")
        if principal.kind == "token":
            raise PermissionDenied(
                "this API token may not change this finding (needs the 'triage' scope and, "
                "for a token bound to assets, this finding's asset)"
            )
        raise PermissionDenied(
            f"finding {finding.id} belongs to neither your teams nor you; ask its team or a "
            "security lead"
        )


def _authorize_rules(principal: Principal) -> None:
    _require_scope(principal, Scope.TRIAGE)
    if principal.role not in (Role.ADMIN, Role.SECURITY_LEAD):
        raise PermissionDenied("only admins and security leads manage suppression/ownership rules")


def _load(session: Session, finding_id: uuid.UUID) -> tuple[Finding, str | None]:
    row = repository.get_finding(session, finding_id)
    if row is None:
        raise NotFound(f"no finding with id {finding_id}")
    return row


def _stale(session: Session, finding_id: uuid.UUID, version: int) -> Conflict:
    now = repository.current_version(session, finding_id)
    return Conflict(
        f"finding {finding_id} was changed by someone else (you had version {version}, it is now "
        f"{now}); reload it and apply your change again"
    )


# ---- triage decisions -------------------------------------------------------------------------


def _apply_triage(
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
    current = TriageState(finding.triage_state)
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
        raise _stale(session, finding.id, version)
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
    finding, owner_team = _load(session, finding_id)
    _authorize(principal, finding, owner_team)
    if finding.version != request.version:
        raise _stale(session, finding_id, request.version)
    _apply_triage(
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
        triage_state=TriageState(finding.triage_state),
        assignee=finding.assignee,
        team=finding.team,
        version=finding.version,
    )


def _apply_assign(
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
        raise _stale(session, finding.id, version)
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
    finding, owner_team = _load(session, finding_id)
    _authorize(principal, finding, owner_team)
    if finding.version != request.version:
        raise _stale(session, finding_id, request.version)
    _apply_assign(
        session, finding, principal=principal, assignee=request.assignee, team=request.team,
        reason=request.reason, version=request.version, now=utcnow(),
    )  # fmt: skip
    metrics_service.refresh_after_change(session, asset_ids=[finding.asset_id])
    return _result(session, finding)


# ---- comments ---------------------------------------------------------------------------------


def add_comment(
    session: Session, *, finding_id: uuid.UUID, request: CommentCreate, principal: Principal
) -> CommentRead:
    finding, owner_team = _load(session, finding_id)
    _authorize(principal, finding, owner_team)
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
    _load(session, finding_id)
    rows, total = repository.list_comments(session, finding_id, limit=limit, offset=offset)
    return Page[CommentRead](
        items=[CommentRead.model_validate(r) for r in rows], total=total, limit=limit,
        offset=offset,
    )  # fmt: skip


def history(
    session: Session, *, finding_id: uuid.UUID, limit: int = 200, offset: int = 0
) -> Page[AuditEventRead]:
    """A finding's audit events (triage, assignment, comments, suppression, lifecycle)."""
    _load(session, finding_id)
    return audit_service.history(
        session, object_type="finding", object_id=finding_id, limit=limit, offset=offset
    )


def current_acceptance(session: Session, finding_id: uuid.UUID) -> RiskAcceptanceRead | None:
    acc = repository.open_acceptance(session, finding_id)
    return None if acc is None else RiskAcceptanceRead.model_validate(acc)


# ---- bulk -------------------------------------------------------------------------------------


def bulk(
    session: Session, *, request: BulkRequest, principal: Principal, require_approver: bool = False
) -> BulkResult:
    """One action with one justification on an id list or a filtered selection: all or nothing
    (any refused finding refuses the whole request), one audit event per finding."""
    expire_due(session)
    if (request.ids is None) == (request.filter is None):
        raise InvalidInput("give either ids or filter (not both)")
    if request.ids is not None:
        ids = list(dict.fromkeys(request.ids))
    else:
        assert request.filter is not None  # noqa: S101
        fields = request.filter.model_dump(exclude={"assignee", "team"})
        who, teams = findings_service.people(
            principal, assignee=request.filter.assignee, team=request.filter.team
        )
        flt = FindingFilter(**fields, assignee=who, teams=teams, limit=500)
        ids = findings_service.select_ids(session, flt, principal=principal, cap=MAX_BULK + 1)
        if len(ids) > MAX_BULK:
            raise InvalidInput(
                f"the filter selects more than {MAX_BULK} findings; narrow it (bulk actions are "
                "all or nothing in one transaction)"
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
        _authorize(principal, finding, owner_team)
        version = (request.versions or {}).get(fid, finding.version)
        if version != finding.version:
            raise _stale(session, fid, version)
        if request.action is BulkAction.TRIAGE:
            assert request.state is not None  # noqa: S101
            _apply_triage(
                session, finding, principal=principal, state=request.state,
                reason=request.reason, expires_at=request.expires_at, approver=request.approver,
                version=version, require_approver=require_approver, now=now, bulk_id=bulk_id,
            )  # fmt: skip
        else:
            _apply_assign(
                session, finding, principal=principal, assignee=request.assignee,
                team=request.team, reason=request.reason, version=version, now=now,
                bulk_id=bulk_id, checked=True,
            )  # fmt: skip
    metrics_service.refresh_after_change(session, asset_ids={rows[fid][0].asset_id for fid in ids})
    return BulkResult(action=request.action, changed=len(ids), ids=ids)


# ---- suppression rules ------------------------------------------------------------------------


def _pattern(value: str | None, what: str) -> str | None:
    value = (value or "").strip() or None
    if value is not None and len(value) > 1000:
        raise InvalidInput(f"{what} is too long")
    return value


class _Criteria(NamedTuple):
    tool: str | None
    rule: str | None
    asset_id: uuid.UUID | None
    path_glob: str | None
    resource: str | None


def _criteria(session: Session, request: SuppressionCriteria) -> _Criteria:
    """A rule's criteria, trimmed and checked: no rule may match everything."""
    tool = _pattern(request.tool, "tool")
    rule = _pattern(request.rule, "rule")
    path_glob = _pattern(request.path_glob, "path_glob")
    resource = _pattern(request.resource_pattern, "resource_pattern")
    asset_id = _asset_id(session, request.asset)
    specific = [p for p in (rule, path_glob, resource) if p and not is_wildcard_only(p)]
    if asset_id is None and not tool and not specific:
        raise InvalidInput(
            "a suppression rule must narrow what it hides: give a tool, an asset, or a rule, "
            "path or resource pattern that is not only wildcards"
        )
    return _Criteria(tool, rule, asset_id, path_glob, resource)


def _brief(row: repository.FindingBrief) -> SuppressedFindingRead:
    f = row.finding
    return SuppressedFindingRead(
        id=f.id, title=f.title, severity=Severity(f.severity), priority=f.priority,
        risk_score=f.risk_score, asset=row.asset, path=f.path, resource=f.resource,
        detector_state=DetectorState(f.detector_state), triage_state=TriageState(f.triage_state),
        open=row.open,
    )  # fmt: skip


def preview_suppression(
    session: Session, *, request: SuppressionCriteria, principal: Principal, limit: int = 100
) -> SuppressionPreview:
    """What a rule with these criteria would hide if saved now: the findings no other rule hides
    yet (the ones saving it would change), how many of them are open work, and the list. A
    read: nothing changes."""
    _authorize_rules(principal)
    c = _criteria(session, request)
    match = repository.criteria(
        tool=c.tool, rule=c.rule, asset_id=c.asset_id, path_glob=c.path_glob,
        resource_pattern=c.resource,
    )  # fmt: skip
    hidden_now = [*match, Finding.suppression_rule_id.is_(None)]
    findings, open_ = repository.count_where(session, hidden_now)
    already, _ = repository.count_where(session, [*match, Finding.suppression_rule_id.is_not(None)])
    items = repository.briefs_where(session, hidden_now, limit=limit)
    return SuppressionPreview(
        findings=findings, open=open_, already_suppressed=already, items=[_brief(r) for r in items]
    )


def suppressed_by_rule(
    session: Session, *, rule_id: uuid.UUID, limit: int, offset: int
) -> Page[SuppressedFindingRead]:
    """The findings one suppression rule hides now, highest risk first."""
    if repository.get_suppression_rule(session, rule_id) is None:
        raise NotFound(f"no suppression rule with id {rule_id}")
    where = [Finding.suppression_rule_id == rule_id]
    total, _ = repository.count_where(session, where)
    rows = repository.briefs_where(session, where, limit=limit, offset=offset)
    return Page(items=[_brief(r) for r in rows], total=total, limit=limit, offset=offset)


def create_suppression_rule(
    session: Session, *, request: SuppressionRuleCreate, principal: Principal
) -> SuppressionRuleRead:
    """Create a rule and suppress every finding it matches now (retroactively)."""
    _authorize_rules(principal)
    now = utcnow()
    tool, rule, asset_id, path_glob, resource = _criteria(session, request)
    if request.expires_at is not None and request.expires_at <= now:
        raise InvalidInput("expires_at must be in the future")
    approver = (request.approver or "").strip() or None
    if approver is not None and approver.lower() == principal.name.lower():
        raise InvalidInput("the approver of a suppression rule must not be its author")
    row = SuppressionRule(
        tool=tool, rule=rule, asset_id=asset_id, path_glob=path_glob, resource_pattern=resource,
        justification=request.justification.strip(), author=principal.actor, approver=approver,
        expires_at=request.expires_at, created_at=now,
    )  # fmt: skip
    if not row.justification:
        raise InvalidInput("a suppression rule needs a justification")
    repository.add_rule(session, row)
    audit_service.record(
        session, principal, "suppression_rule_created", "suppression_rule", row.id,
        to_value=_describe(row, request.asset), reason=row.justification,
        details=_rule_details(row, request.asset), at=now,
    )  # fmt: skip
    if _suppress(session, row, [Finding.suppression_rule_id.is_(None)], now=now):
        metrics_service.refresh_after_change(session, asset_ids=None)
    return _suppression_read(session, row, now=now)


def _describe(rule: SuppressionRule | OwnershipRule, asset: str | None) -> str:
    parts = [
        f"{k}={v}"
        for k, v in (
            ("tool", getattr(rule, "tool", None)),
            ("rule", getattr(rule, "rule", None)),
            ("asset", asset),
            ("path", rule.path_glob),
            ("resource", rule.resource_pattern),
        )
        if v
    ]
    return " ".join(parts)[:200]


def _rule_details(rule: SuppressionRule, asset: str | None) -> dict[str, str | None]:
    return {
        "tool": rule.tool,
        "rule": rule.rule,
        "asset": asset,
        "path_glob": rule.path_glob,
        "resource_pattern": rule.resource_pattern,
        "approver": rule.approver,
        "expires_at": rule.expires_at.isoformat() if rule.expires_at else None,
    }


def _asset_id(session: Session, name: str | None) -> uuid.UUID | None:
    name = (name or "").strip() or None
    if name is None:
        return None
    found = repository.asset_ids_by_name(session, [name])
    if name not in found:
        raise InvalidInput(f"no asset named {name!r}")
    return found[name]


def _suppress(
    session: Session, rule: SuppressionRule, scope: list[ColumnElement[bool]], *, now: datetime
) -> int:
    where = [
        *scope,
        Finding.suppression_rule_id.is_(None),
        *repository.criteria(
            tool=rule.tool, rule=rule.rule, asset_id=rule.asset_id, path_glob=rule.path_glob,
            resource_pattern=rule.resource_pattern,
        ),
    ]  # fmt: skip
    return repository.set_where_audited(
        session, where, {"suppression_rule_id": rule.id}, at=now, actor=SUPPRESSION_ACTOR,
        action="suppressed", from_value=literal(None), to_value=literal(str(rule.id)),
        reason=rule.justification[:2000], details={"rule_id": str(rule.id)},
    )  # fmt: skip


def _unsuppress(session: Session, rule: SuppressionRule, *, now: datetime, why: str) -> int:
    """Restore a rule's findings, then let the remaining active rules (oldest first) take them."""
    where = [Finding.suppression_rule_id == rule.id]
    ids = repository.finding_ids_where(session, where)
    if not ids:
        return 0
    repository.set_where_audited(
        session, where, {"suppression_rule_id": None}, at=now, actor=SUPPRESSION_ACTOR,
        action="unsuppressed", from_value=literal(str(rule.id)), to_value=literal(None),
        reason=why, details={"rule_id": str(rule.id)},
    )  # fmt: skip
    again = 0
    for other in repository.active_suppression_rules(session, now):
        if other.id != rule.id:
            for start in range(0, len(ids), 500):
                again += _suppress(session, other, [Finding.id.in_(ids[start : start + 500])],
                                   now=now)  # fmt: skip
    return len(ids) - again


def remove_suppression_rule(
    session: Session, *, rule_id: uuid.UUID, principal: Principal, reason: str | None = None
) -> SuppressionRuleRead:
    """End a rule (it stays listed as removed) and restore the findings it hid."""
    _authorize_rules(principal)
    rule = repository.get_suppression_rule(session, rule_id)
    if rule is None:
        raise NotFound(f"no suppression rule with id {rule_id}")
    if rule.ended_at is not None:
        raise Conflict(f"suppression rule {rule_id} already ended ({rule.ended_reason})")
    now = utcnow()
    rule.ended_at = now
    rule.ended_reason = "removed"
    session.flush()
    restored = _unsuppress(session, rule, now=now, why=reason or "suppression rule removed")
    audit_service.record(
        session, principal, "suppression_rule_removed", "suppression_rule", rule.id,
        reason=reason, details={"restored": restored}, at=now,
    )  # fmt: skip
    if restored:
        metrics_service.refresh_after_change(session, asset_ids=None)
    return _suppression_read(session, rule, now=now)


def list_suppression_rules(
    session: Session, *, include_ended: bool = False
) -> list[SuppressionRuleRead]:
    now = utcnow()
    rules = repository.list_suppression_rules(session, include_ended=include_ended, now=now)
    counts = repository.suppressed_counts(session, [r.id for r in rules])
    names = repository.asset_names(session, [r.asset_id for r in rules if r.asset_id])
    return [_suppression_read(session, r, now=now, counts=counts, names=names) for r in rules]


def _suppression_read(
    session: Session,
    rule: SuppressionRule,
    *,
    now: datetime,  # noqa: ARG001 - kept for a uniform signature
    counts: dict[uuid.UUID, int] | None = None,
    names: dict[uuid.UUID, str] | None = None,
) -> SuppressionRuleRead:
    if counts is None:
        counts = repository.suppressed_counts(session, [rule.id])
    if names is None:
        names = repository.asset_names(session, [rule.asset_id] if rule.asset_id else [])
    return SuppressionRuleRead(
        id=rule.id, tool=rule.tool, rule=rule.rule,
        asset=names.get(rule.asset_id) if rule.asset_id else None, path_glob=rule.path_glob,
        resource_pattern=rule.resource_pattern, justification=rule.justification,
        author=rule.author, approver=rule.approver, expires_at=rule.expires_at,
        created_at=rule.created_at, ended_at=rule.ended_at, ended_reason=rule.ended_reason,
        findings=counts.get(rule.id, 0),
    )  # fmt: skip


# ---- ownership rules --------------------------------------------------------------------------


def create_ownership_rule(
    session: Session, *, request: OwnershipRuleCreate, principal: Principal
) -> OwnershipRuleRead:
    """Add an ownership rule. It assigns findings that imports create from now on (existing
    findings keep their team: reassign them with a bulk action)."""
    _authorize_rules(principal)
    path_glob = _pattern(request.path_glob, "path_glob")
    resource = _pattern(request.resource_pattern, "resource_pattern")
    asset_id = _asset_id(session, request.asset)
    if asset_id is None and path_glob is None and resource is None:
        raise InvalidInput("an ownership rule needs an asset, a path glob or a resource pattern")
    team = request.team.strip()
    if not team:
        raise InvalidInput("an ownership rule needs a team")
    if request.position is None:
        position = repository.next_position(session)
    else:
        position = request.position
        repository.shift_positions(session, position)
    now = utcnow()
    row = OwnershipRule(
        position=position, asset_id=asset_id, path_glob=path_glob, resource_pattern=resource,
        team=team, author=principal.actor, created_at=now,
    )  # fmt: skip
    repository.add_rule(session, row)
    audit_service.record(
        session, principal, "ownership_rule_created", "ownership_rule", row.id,
        to_value=f"{_describe(row, request.asset)} -> {team}"[:200],
        details={"asset": request.asset, "path_glob": path_glob, "resource_pattern": resource,
                 "team": team, "position": position},
        at=now,
    )  # fmt: skip
    return _ownership_read(row, {asset_id: request.asset or ""} if asset_id else {})


def list_ownership_rules(session: Session) -> list[OwnershipRuleRead]:
    rules = repository.list_ownership_rules(session)
    names = repository.asset_names(session, [r.asset_id for r in rules if r.asset_id])
    return [_ownership_read(r, names) for r in rules]


def remove_ownership_rule(session: Session, *, rule_id: uuid.UUID, principal: Principal) -> None:
    """Delete an ownership rule; findings it assigned keep their team."""
    _authorize_rules(principal)
    rule = repository.get_ownership_rule(session, rule_id)
    if rule is None:
        raise NotFound(f"no ownership rule with id {rule_id}")
    audit_service.record(
        session, principal, "ownership_rule_removed", "ownership_rule", rule.id,
        from_value=f"{rule.path_glob or rule.resource_pattern or rule.asset_id} -> {rule.team}",
        details={"position": rule.position, "team": rule.team},
    )  # fmt: skip
    repository.delete_ownership_rule(session, rule)


def _ownership_read(rule: OwnershipRule, names: dict[uuid.UUID, str]) -> OwnershipRuleRead:
    return OwnershipRuleRead(
        id=rule.id, position=rule.position,
        asset=names.get(rule.asset_id) if rule.asset_id else None, path_glob=rule.path_glob,
        resource_pattern=rule.resource_pattern, team=rule.team, author=rule.author,
        created_at=rule.created_at,
    )  # fmt: skip


# ---- at ingestion, and expiry -----------------------------------------------------------------


def apply_rules_to_import(
    session: Session, import_id: uuid.UUID, *, asset_ids: Sequence[uuid.UUID] | None = None
) -> RulesApplied:
    """Ownership and suppression rules for the findings `import_id` created, set-based: one
    grouped SELECT (what each rule takes) and one UPDATE (each new finding written at most once).
    Costs one query when there are no rules and nothing has expired.

    A finding is born with its team and suppression, so they are not per-finding changes: each
    rule that took findings gets one audit event (`applied_at_import`, the count, the import id).
    Rules created later, and removals, write one event per finding they change.

    `asset_ids` (the import's assets, when the caller knows them) lets the statements use the
    findings' (asset_id, finding_key) index instead of scanning for `created_import_id`."""
    now = utcnow()
    has_suppression, has_ownership, has_due = repository.pending_work(session, now)
    if has_due:
        expire_due(session, now=now)
    result = RulesApplied()
    if not (has_suppression or has_ownership):
        return result
    # CASE takes the first true branch: ownership rules last-first (the last match wins, as in
    # CODEOWNERS), suppression rules oldest first
    owners = list(reversed(repository.list_ownership_rules(session))) if has_ownership else []
    hiders = list(repository.active_suppression_rules(session, now)) if has_suppression else []
    own_when = [
        repository.criteria(
            asset_id=r.asset_id, path_glob=r.path_glob, resource_pattern=r.resource_pattern
        )
        for r in owners
    ]
    hide_when = [
        repository.criteria(
            tool=r.tool, rule=r.rule, asset_id=r.asset_id, path_glob=r.path_glob,
            resource_pattern=r.resource_pattern,
        )
        for r in hiders
    ]  # fmt: skip
    counts = repository.apply_at_import(
        session,
        import_id,
        asset_ids=asset_ids,
        teams=[(cond, r.team) for cond, r in zip(own_when, owners, strict=True)],
        suppressions=[(cond, r.id) for cond, r in zip(hide_when, hiders, strict=True)],
    )
    rule_ids = {
        "ownership_rule": [r.id for r in owners],
        "suppression_rule": [r.id for r in hiders],
    }
    for kind, ids in rule_ids.items():
        for index, rule_id in enumerate(ids):
            n = counts.get((kind, index), 0)
            if not n:
                continue
            if kind == "ownership_rule":
                result.owned += n
            else:
                result.suppressed += n
            audit_service.record(
                session, OWNERSHIP_ACTOR if kind == "ownership_rule" else SUPPRESSION_ACTOR,
                "applied_at_import", kind, rule_id, to_value=str(n),
                details={"import_id": str(import_id), "findings": n}, at=now,
            )  # fmt: skip
    return result


def expire_due(session: Session, *, now: datetime | None = None) -> ExpiryResult:
    """Accepted risks past their expiry return to `confirmed`; suppression rules past theirs end
    and their findings come back. Each change is audited (actor system:expiry)."""
    now = now or utcnow()
    acceptances = repository.due_acceptances(session, now)
    for acc in acceptances:
        acc.ended_at = now
        acc.ended_reason = "expired"
        if repository.end_accepted_risk(session, acc.finding_id):
            audit_service.record(
                session, EXPIRY_ACTOR, "risk_acceptance_expired", "finding", acc.finding_id,
                from_value=TriageState.ACCEPTED_RISK.value, to_value=TriageState.CONFIRMED.value,
                reason=f"risk acceptance expired at {acc.expires_at.isoformat()}",
                details={"acceptance_id": str(acc.id)}, at=now,
            )  # fmt: skip
    rules = repository.due_suppression_rules(session, now)
    restored = 0
    for rule in rules:
        rule.ended_at = now
        rule.ended_reason = "expired"
        session.flush()
        back = _unsuppress(session, rule, now=now, why="suppression rule expired")
        restored += back
        audit_service.record(
            session, EXPIRY_ACTOR, "suppression_rule_expired", "suppression_rule", rule.id,
            details={"restored": back}, at=now,
        )  # fmt: skip
    session.flush()
    if acceptances or restored:
        metrics_service.refresh_after_change(session, asset_ids=None)
    return ExpiryResult(
        acceptances_expired=len(acceptances), rules_expired=len(rules), findings_restored=restored
    )


def expire_now(session: Session, *, principal: Principal) -> ExpiryResult:
    """Expiry on demand (admins and security leads; `aspm triage expire` runs it from cron)."""
    _authorize_rules(principal)
    return expire_due(session)
