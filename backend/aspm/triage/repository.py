"""Every SQL statement of triage: guarded finding updates, comments, rules and acceptances.

Rule application is set-based: one INSERT ... SELECT (its audit events) and one UPDATE per rule.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    Uuid,
    and_,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.audit.models import AuditEvent
from aspm.common import globs
from aspm.db.base import JSONType, UTCDateTime
from aspm.findings.models import Detection, Finding, TriageState, risk_key
from aspm.findings.states import created_by_import, open_clause
from aspm.triage.models import FindingComment, OwnershipRule, RiskAcceptance, SuppressionRule

# ---- findings ---------------------------------------------------------------------------------


def get_finding(session: Session, finding_id: uuid.UUID) -> tuple[Finding, str | None] | None:
    """A finding and its asset's owner team (who may act on it)."""
    row = session.execute(
        select(Finding, Asset.owner_team)
        .outerjoin(Asset, Asset.id == Finding.asset_id)
        .where(Finding.id == finding_id)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def get_findings(session: Session, ids: Sequence[uuid.UUID]) -> list[tuple[Finding, str | None]]:
    out: list[tuple[Finding, str | None]] = []
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Finding, Asset.owner_team)
            .outerjoin(Asset, Asset.id == Finding.asset_id)
            .where(Finding.id.in_(ids[start : start + 500]))
        ).all()
        out.extend((r[0], r[1]) for r in rows)
    return out


def update_if_version(
    session: Session, finding_id: uuid.UUID, version: int, values: dict[str, Any]
) -> bool:
    """Write `values` and bump the version only if the row still has `version` (optimistic
    concurrency: of two writers who read the same version, the second updates nothing)."""
    result = session.execute(
        update(Finding)
        .where(Finding.id == finding_id, Finding.version == version)
        .values(**values, version=Finding.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_accepted_risk(session: Session, finding_id: uuid.UUID) -> bool:
    """An expired acceptance: back to confirmed, whatever the version (the clock wins)."""
    result = session.execute(
        update(Finding)
        .where(Finding.id == finding_id, Finding.triage_state == TriageState.ACCEPTED_RISK)
        .values(triage_state=TriageState.CONFIRMED, version=Finding.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def current_version(session: Session, finding_id: uuid.UUID) -> int | None:
    return session.scalar(select(Finding.version).where(Finding.id == finding_id))


def refresh(session: Session, finding: Finding) -> None:
    session.refresh(finding)


# ---- comments ---------------------------------------------------------------------------------


def add_comment(session: Session, comment: FindingComment) -> FindingComment:
    session.add(comment)
    session.flush()
    return comment


def list_comments(
    session: Session, finding_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[Sequence[FindingComment], int]:
    where = FindingComment.finding_id == finding_id
    total = session.scalar(select(func.count()).select_from(FindingComment).where(where)) or 0
    rows = session.scalars(
        select(FindingComment)
        .where(where)
        .order_by(FindingComment.created_at, FindingComment.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


# ---- risk acceptances -------------------------------------------------------------------------


def open_acceptance(session: Session, finding_id: uuid.UUID) -> RiskAcceptance | None:
    return session.scalars(
        select(RiskAcceptance)
        .where(RiskAcceptance.finding_id == finding_id, RiskAcceptance.ended_at.is_(None))
        .order_by(RiskAcceptance.created_at.desc())
        .limit(1)
    ).first()


def add_acceptance(session: Session, acceptance: RiskAcceptance) -> RiskAcceptance:
    session.add(acceptance)
    session.flush()
    return acceptance


def due_acceptances(session: Session, now: datetime) -> Sequence[RiskAcceptance]:
    return session.scalars(
        select(RiskAcceptance)
        .where(RiskAcceptance.ended_at.is_(None), RiskAcceptance.expires_at <= now)
        .order_by(RiskAcceptance.expires_at)
    ).all()


# ---- rules ------------------------------------------------------------------------------------


def _active_suppression(now: datetime) -> ColumnElement[bool]:
    return and_(
        SuppressionRule.ended_at.is_(None),
        or_(SuppressionRule.expires_at.is_(None), SuppressionRule.expires_at > now),
    )


def pending_work(session: Session, now: datetime) -> tuple[bool, bool, bool]:
    """In one query: are there active suppression rules, ownership rules, and expiries due?"""
    row = session.execute(
        select(
            exists().where(_active_suppression(now)),
            exists().where(OwnershipRule.id.is_not(None)),
            or_(
                exists().where(
                    SuppressionRule.ended_at.is_(None), SuppressionRule.expires_at <= now
                ),
                exists().where(RiskAcceptance.ended_at.is_(None), RiskAcceptance.expires_at <= now),
            ),
        )
    ).one()
    return bool(row[0]), bool(row[1]), bool(row[2])


def asset_ids_by_name(session: Session, names: Sequence[str]) -> dict[str, uuid.UUID]:
    if not names:
        return {}
    rows = session.execute(select(Asset.name, Asset.id).where(Asset.name.in_(names))).all()
    return {r[0]: r[1] for r in rows}


def asset_names(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(select(Asset.id, Asset.name).where(Asset.id.in_(ids))).all()
    return {r[0]: r[1] for r in rows}


def add_rule(session: Session, rule: SuppressionRule | OwnershipRule) -> None:
    session.add(rule)
    session.flush()


def get_suppression_rule(session: Session, rule_id: uuid.UUID) -> SuppressionRule | None:
    return session.get(SuppressionRule, rule_id)


def list_suppression_rules(
    session: Session, *, include_ended: bool, now: datetime
) -> Sequence[SuppressionRule]:
    stmt = select(SuppressionRule).order_by(SuppressionRule.created_at, SuppressionRule.id)
    if not include_ended:
        stmt = stmt.where(_active_suppression(now))
    return session.scalars(stmt).all()


def active_suppression_rules(session: Session, now: datetime) -> Sequence[SuppressionRule]:
    return list_suppression_rules(session, include_ended=False, now=now)


def due_suppression_rules(session: Session, now: datetime) -> Sequence[SuppressionRule]:
    return session.scalars(
        select(SuppressionRule).where(
            SuppressionRule.ended_at.is_(None), SuppressionRule.expires_at <= now
        )
    ).all()


def suppressed_counts(session: Session, rule_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not rule_ids:
        return {}
    rows = session.execute(
        select(Finding.suppression_rule_id, func.count())
        .where(Finding.suppression_rule_id.in_(rule_ids))
        .group_by(Finding.suppression_rule_id)
    ).all()
    return {r[0]: r[1] for r in rows if r[0] is not None}


def list_ownership_rules(session: Session) -> Sequence[OwnershipRule]:
    return session.scalars(
        select(OwnershipRule).order_by(OwnershipRule.position, OwnershipRule.created_at)
    ).all()


def get_ownership_rule(session: Session, rule_id: uuid.UUID) -> OwnershipRule | None:
    return session.get(OwnershipRule, rule_id)


def delete_ownership_rule(session: Session, rule: OwnershipRule) -> None:
    session.delete(rule)
    session.flush()


def next_position(session: Session) -> int:
    top = session.scalar(select(func.max(OwnershipRule.position)))
    return 0 if top is None else top + 1


def shift_positions(session: Session, from_position: int) -> None:
    """Make room at `from_position` (a rule inserted in the middle of the order)."""
    session.execute(
        update(OwnershipRule)
        .where(OwnershipRule.position >= from_position)
        .values(position=OwnershipRule.position + 1)
        .execution_options(synchronize_session=False)
    )


def _glob(column: Any, pattern: str) -> ColumnElement[bool]:
    """The column matches the pattern (aspm.common.globs; the same expression as in Python)."""
    return func.coalesce(column, "").regexp_match(globs.sql_regex(pattern))


def criteria(
    *,
    tool: str | None = None,
    rule: str | None = None,
    asset_id: uuid.UUID | None = None,
    path_glob: str | None = None,
    resource_pattern: str | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions on findings for a rule's criteria (all must hold)."""
    conds: list[ColumnElement[bool]] = []
    if asset_id is not None:
        conds.append(Finding.asset_id == asset_id)
    if tool:
        conds.append(exists().where(Detection.finding_id == Finding.id, Detection.tool == tool))
    if rule:
        conds.append(
            or_(
                _glob(Finding.control_id, rule),
                exists().where(Detection.finding_id == Finding.id, _glob(Detection.rule_id, rule)),
            )
        )
    if path_glob:
        conds.append(_glob(Finding.path, path_glob))
    if resource_pattern:
        conds.append(_glob(Finding.resource, resource_pattern))
    return conds or [false()]  # no criteria matches nothing, never everything


class FindingBrief(NamedTuple):
    finding: Finding
    asset: str
    open: bool


def count_where(session: Session, where: Sequence[ColumnElement[bool]]) -> tuple[int, int]:
    """How many findings match `where`, and how many of those are open."""
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(case((open_clause(), 1), else_=0)), 0))
        .select_from(Finding)
        .where(*where)
    ).one()
    return int(row[0]), int(row[1])


def briefs_where(
    session: Session, where: Sequence[ColumnElement[bool]], *, limit: int, offset: int = 0
) -> list[FindingBrief]:
    """Findings matching `where` with their asset's name, highest risk first."""
    rows = session.execute(
        select(Finding, Asset.name, open_clause())
        .join(Asset, Asset.id == Finding.asset_id)
        .where(*where)
        .order_by(risk_key().desc(), Finding.severity_rank.desc(), Finding.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [FindingBrief(r[0], r[1], bool(r[2])) for r in rows]


def _audit_select(
    where: Sequence[ColumnElement[bool]],
    *,
    at: datetime,
    actor: str,
    action: str,
    from_value: Any,
    to_value: Any,
    reason: str | None,
    details: dict[str, Any],
) -> Select[Any]:
    return select(
        literal(at, UTCDateTime()),
        literal(actor),
        literal(action),
        literal("finding"),
        Finding.id,
        from_value,
        to_value,
        literal(reason),
        literal(details, JSONType),
    ).where(*where)


_AUDIT_COLUMNS = (
    "at", "actor", "action", "object_type", "object_id", "from_value", "to_value", "reason",
    "details",
)  # fmt: skip


def set_where_audited(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    values: dict[str, Any],
    *,
    at: datetime,
    actor: str,
    action: str,
    from_value: Any,
    to_value: Any,
    reason: str | None,
    details: dict[str, Any],
) -> int:
    """One audit event per finding matching `where`, then the update itself (set-based)."""
    session.execute(
        insert(AuditEvent).from_select(
            _AUDIT_COLUMNS,
            _audit_select(
                where,
                at=at,
                actor=actor,
                action=action,
                from_value=from_value,
                to_value=to_value,
                reason=reason,
                details=details,
            ),
        )
    )
    result = session.execute(
        update(Finding)
        .where(*where)
        .values(**values, version=Finding.version + 1)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def finding_ids_where(session: Session, where: Sequence[ColumnElement[bool]]) -> list[uuid.UUID]:
    return list(session.scalars(select(Finding.id).where(*where)).all())


def clear_teams_at_import(
    session: Session, import_id: uuid.UUID, *, asset_ids: Sequence[uuid.UUID] | None = None
) -> None:
    """Take back the teams the import's new findings were born with (the ownership rules changed
    while the import ran: `apply_at_import` gives them their teams again)."""
    session.execute(
        update(Finding)
        .where(created_by_import(import_id, asset_ids), Finding.team.is_not(None))
        .values(team=None)
        .execution_options(synchronize_session=False)
    )


def apply_at_import(
    session: Session,
    import_id: uuid.UUID,
    *,
    asset_ids: Sequence[uuid.UUID] | None = None,
    teams: Sequence[tuple[Sequence[ColumnElement[bool]], str]],
    suppressions: Sequence[tuple[Sequence[ColumnElement[bool]], uuid.UUID]],
) -> dict[tuple[str, int], int]:
    """Give the import's new findings that have none the team of the first matching `teams`
    entry and the suppression rule of the first matching `suppressions` entry, in one UPDATE of
    the findings that get either (`team` is written only with `teams`); returns how many findings
    each entry took, keyed ("ownership_rule" | "suppression_rule", index)."""
    new = created_by_import(import_id, asset_ids)
    unowned, shown = Finding.team.is_(None), Finding.suppression_rule_id.is_(None)
    own_idx = (
        case(*((and_(unowned, *c), i) for i, (c, _) in enumerate(teams)), else_=-1)
        if teams
        else None
    )
    hide_idx = (
        case(*((and_(shown, *c), i) for i, (c, _) in enumerate(suppressions)), else_=-1)
        if suppressions
        else None
    )
    counts: dict[tuple[str, int], int] = {}
    cols = [c for c in (own_idx, hide_idx) if c is not None]
    rows = session.execute(select(*cols, func.count()).where(new).group_by(*cols)).all()
    for row in rows:
        n = row[-1]
        picked = list(row[:-1])
        if own_idx is not None:
            i = picked.pop(0)
            if i >= 0:
                counts[("ownership_rule", i)] = counts.get(("ownership_rule", i), 0) + n
        if hide_idx is not None:
            i = picked.pop(0)
            if i >= 0:
                counts[("suppression_rule", i)] = counts.get(("suppression_rule", i), 0) + n
    if not counts:
        return counts
    values: dict[str, Any] = {}
    if teams:
        values["team"] = func.coalesce(
            Finding.team, case(*((and_(*c), literal(t)) for c, t in teams), else_=None)
        )
    if suppressions:
        values["suppression_rule_id"] = func.coalesce(
            Finding.suppression_rule_id,
            case(*((and_(*c), literal(r, Uuid())) for c, r in suppressions), else_=None),
        )
    any_match = or_(
        *(and_(unowned, *c) for c, _ in teams), *(and_(shown, *c) for c, _ in suppressions)
    )
    session.execute(
        update(Finding)
        .where(new, any_match)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return counts
