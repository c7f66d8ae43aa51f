"""HTTP: assets, their context and match rules."""

from typing import Annotated

from fastapi import APIRouter, Body, Path

from aspm.api.deps import LeadAccess, PrincipalDep, ReadAccess, SessionDep, SettingsDep
from aspm.assets import service
from aspm.assets.schemas import ApplyResult, AssetRead, AssetWrite
from aspm.risk.service import context_rescorer

router = APIRouter(prefix="/assets", tags=["assets"])

AssetName = Annotated[str, Path(max_length=200, description="asset name, e.g. acme/payments")]


@router.get("", name="list", response_model=list[AssetRead], dependencies=[ReadAccess])
def list_assets(session: SessionDep) -> list[AssetRead]:
    """Every asset with its context, match rules and number of open findings."""
    return service.list_read(session)


@router.put("", name="apply", response_model=ApplyResult, dependencies=[LeadAccess])
def apply_assets(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    document: Annotated[str, Body(media_type="application/yaml", max_length=2_000_000)],
) -> ApplyResult:
    """Apply an assets.yaml document (idempotent); errors name the line. Findings of assets
    whose context changed are re-scored."""
    rescore = context_rescorer(actor=principal.actor, policy_path=settings.risk_policy)
    return service.apply(session, yaml_text=document, source="assets.yaml", rescore=rescore)


@router.get("/{name:path}", name="get", response_model=AssetRead, dependencies=[ReadAccess])
def get_asset(session: SessionDep, name: AssetName) -> AssetRead:
    return service.get_read(session, name=name)


@router.put("/{name:path}", name="put", response_model=AssetRead, dependencies=[LeadAccess])
def put_asset(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    name: AssetName,
    body: AssetWrite,
) -> AssetRead:
    """Create or replace one asset's context and match rules; a context change re-scores its
    findings and is audited."""
    rescore = context_rescorer(actor=principal.actor, policy_path=settings.risk_policy)
    return service.put(session, name=name, spec=body, rescore=rescore)
