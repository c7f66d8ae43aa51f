"""HTTP: the risk policy in force, re-scoring, and why a finding scores what it does."""

import uuid

from fastapi import APIRouter

from aspm.api.deps import LeadAccess, PrincipalDep, ReadAccess, SessionDep, SettingsDep
from aspm.risk import service
from aspm.risk.schemas import RescoreResult, RiskExplanation, RiskPolicyRead, RiskPolicyWrite

router = APIRouter(prefix="/risk", tags=["risk"])


@router.get("/policy", name="get_policy", response_model=RiskPolicyRead, dependencies=[ReadAccess])
def get_policy(session: SessionDep, settings: SettingsDep) -> RiskPolicyRead:
    """The policy in force: severity values, multipliers, the decision table and SLA days. A
    read: it never puts a changed policy file in force (`aspm risk apply` or start-up do)."""
    return service.get_policy(session, path=settings.risk_policy)


@router.put("/policy", name="put_policy", response_model=RescoreResult, dependencies=[LeadAccess])
def put_policy(
    session: SessionDep, principal: PrincipalDep, body: RiskPolicyWrite
) -> RescoreResult:
    """Put a policy in force (it replaces the file's until reset); every finding is re-scored
    and the change audited under the signed-in person. Errors name the line of the YAML."""
    return service.set_policy(session, yaml_text=body.yaml, actor=principal.actor)


@router.delete(
    "/policy", name="reset_policy", response_model=RescoreResult, dependencies=[LeadAccess]
)
def reset_policy(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> RescoreResult:
    """Go back to the policy file (ASPM_RISK_POLICY, else the shipped default), audited under
    the signed-in person."""
    return service.apply_file(session, path=settings.risk_policy, actor=principal.actor)


@router.post("/rescore", name="rescore", response_model=RescoreResult, dependencies=[LeadAccess])
def rescore(session: SessionDep, settings: SettingsDep) -> RescoreResult:
    """Re-score every finding with the policy in force (set-based)."""
    return service.rescore_all(session, policy_path=settings.risk_policy)


@router.get(
    "/findings/{finding_id}",
    name="explain",
    response_model=RiskExplanation,
    dependencies=[ReadAccess],
)
def explain(session: SessionDep, finding_id: uuid.UUID) -> RiskExplanation:
    """Why this finding has its score: each factor, its value, multiplier and source."""
    return service.explain(session, finding_id)
