"""Expiry: accepted risks and suppression rules past their date end, audited as system:expiry.

It runs at the start of every import (`apply_rules_to_import`), before every triage decision or
bulk action, and with `aspm triage expire` (run it from cron, e.g. hourly, so nothing waits for the
next change).
"""

from datetime import datetime

from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.findings.models import TriageState
from aspm.metrics import service as metrics_service
from aspm.triage import repository
from aspm.triage.schemas import ExpiryResult
from aspm.triage.service.access import authorize_rules
from aspm.triage.service.rules import unsuppress

EXPIRY_ACTOR = "system:expiry"


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
        back = unsuppress(session, rule, now=now, why="suppression rule expired")
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
    authorize_rules(principal)
    return expire_due(session)
