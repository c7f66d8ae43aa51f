"""Ownership and suppression rules applied to the findings an import creates."""

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.common.clock import utcnow
from aspm.triage import repository
from aspm.triage.schemas import RulesApplied
from aspm.triage.service.expiry import expire_due
from aspm.triage.service.rules import OWNERSHIP_ACTOR, SUPPRESSION_ACTOR


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
