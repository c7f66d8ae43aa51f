"""Suppression rules (hide what they match, retroactively, until removed or expired) and
ownership rules (give new findings a team, the last match winning as in CODEOWNERS)."""

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, literal
from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.common.paging import Page
from aspm.errors import Conflict, InvalidInput, NotFound
from aspm.findings.models import Finding
from aspm.metrics import service as metrics_service
from aspm.triage import repository
from aspm.triage.models import OwnershipRule, SuppressionRule
from aspm.triage.patterns import is_wildcard_only
from aspm.triage.schemas import (
    OwnershipRuleCreate,
    OwnershipRuleRead,
    SuppressedFindingRead,
    SuppressionCriteria,
    SuppressionPreview,
    SuppressionRuleCreate,
    SuppressionRuleRead,
)
from aspm.triage.service.access import authorize_rules

OWNERSHIP_ACTOR = "system:ownership"
SUPPRESSION_ACTOR = "system:suppression"


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
        id=f.id, title=f.title, severity=f.severity, priority=f.priority,
        risk_score=f.risk_score, asset=row.asset, path=f.path, resource=f.resource,
        detector_state=f.detector_state, triage_state=f.triage_state,
        open=row.open,
    )  # fmt: skip


def preview_suppression(
    session: Session, *, request: SuppressionCriteria, principal: Principal, limit: int = 100
) -> SuppressionPreview:
    """What a rule with these criteria would hide if saved now: the findings no other rule hides
    yet (the ones saving it would change), how many of them are open work, and the list. A
    read: nothing changes."""
    authorize_rules(principal)
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
    authorize_rules(principal)
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


def unsuppress(session: Session, rule: SuppressionRule, *, now: datetime, why: str) -> int:
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
    authorize_rules(principal)
    rule = repository.get_suppression_rule(session, rule_id)
    if rule is None:
        raise NotFound(f"no suppression rule with id {rule_id}")
    if rule.ended_at is not None:
        raise Conflict(f"suppression rule {rule_id} already ended ({rule.ended_reason})")
    now = utcnow()
    rule.ended_at = now
    rule.ended_reason = "removed"
    session.flush()
    restored = unsuppress(session, rule, now=now, why=reason or "suppression rule removed")
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


def create_ownership_rule(
    session: Session, *, request: OwnershipRuleCreate, principal: Principal
) -> OwnershipRuleRead:
    """Add an ownership rule. It assigns findings that imports create from now on (existing
    findings keep their team: reassign them with a bulk action)."""
    authorize_rules(principal)
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
    authorize_rules(principal)
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
