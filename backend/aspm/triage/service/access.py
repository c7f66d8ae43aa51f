"""Who may act on a finding or a rule (DESIGN §1), and the finding loads every change starts from.

Admin and security_lead act on everything; an engineer on findings whose team or asset owner team is
one of theirs, or that are assigned to them; a viewer never. API tokens also need the `triage` scope
and, when bound to assets, the finding's asset. Rules (suppression and ownership) are managed by
admins and security leads only.
"""

import uuid

from sqlalchemy.orm import Session

from aspm.auth.principal import Principal, Role, Scope
from aspm.errors import Conflict, NotFound, PermissionDenied
from aspm.findings.models import Finding
from aspm.triage import repository


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


def authorize(principal: Principal, finding: Finding, owner_team: str | None) -> None:
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


def authorize_rules(principal: Principal) -> None:
    _require_scope(principal, Scope.TRIAGE)
    if principal.role not in (Role.ADMIN, Role.SECURITY_LEAD):
        raise PermissionDenied("only admins and security leads manage suppression/ownership rules")


def load_finding(session: Session, finding_id: uuid.UUID) -> tuple[Finding, str | None]:
    row = repository.get_finding(session, finding_id)
    if row is None:
        raise NotFound(f"no finding with id {finding_id}")
    return row


def stale(session: Session, finding_id: uuid.UUID, version: int) -> Conflict:
    now = repository.current_version(session, finding_id)
    return Conflict(
        f"finding {finding_id} was changed by someone else (you had version {version}, it is now "
        f"{now}); reload it and apply your change again"
    )
