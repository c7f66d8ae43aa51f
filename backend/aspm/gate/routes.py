"""HTTP: the CI policy gate (server mode of `aspm gate`) and its recorded evaluations."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from aspm.api.deps import (
    IngestAccess,
    PrincipalDep,
    ReadAccess,
    ReadAssetAccess,
    SessionDep,
    SettingsDep,
)
from aspm.common.paging import MAX_OFFSET, Page
from aspm.errors import InvalidInput
from aspm.gate import policy as gate_policy
from aspm.gate import service
from aspm.gate.schemas import GateEvaluationRead, GateResult

router = APIRouter(prefix="/gate", tags=["gate"])

MAX_POLICY_BYTES = 1_000_000


@router.post(
    "/evaluations",
    name="evaluate",
    response_model=GateResult,
    dependencies=[IngestAccess],
    responses={
        403: {"description": "the token lacks the ingest scope or the asset"},
        422: {"description": "unreadable report or invalid policy; nothing was stored"},
    },
)
def evaluate(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    reports: Annotated[list[UploadFile], File(description="scanner reports of this build")],
    policy: Annotated[
        UploadFile | None, File(description="gate-policy.yaml (default: the shipped policy)")
    ] = None,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    branch: Annotated[str | None, Query(max_length=300)] = None,
    commit: Annotated[str | None, Query(max_length=100)] = None,
    baseline: Annotated[str | None, Query(max_length=300)] = None,
    new_only: bool = False,
    dry_run: bool = False,
    record: bool = True,
    sarif: Annotated[bool, Query(description="include SARIF of the failing findings")] = False,
    input_format: Annotated[str | None, Query(max_length=50)] = None,
) -> GateResult:
    """Import the reports (or, with dry_run, only evaluate them) and pass or fail the build by
    policy. 200 with `passed` false is a policy failure (the CLI exits 1 on it)."""
    if policy is None:
        loaded = gate_policy.load()
    else:
        raw = policy.file.read(MAX_POLICY_BYTES + 1)
        if len(raw) > MAX_POLICY_BYTES:
            raise InvalidInput("the gate policy is larger than 1 MB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("the gate policy is not UTF-8 text") from exc
        loaded = gate_policy.parse(text, source=policy.filename or "gate-policy.yaml")
    options = service.GateOptions(
        asset=asset, branch=branch, commit=commit, baseline=baseline, new_only=new_only,
        dry_run=dry_run, record=record, format=input_format, with_sarif=sarif,
        risk_policy=settings.risk_policy,
    )  # fmt: skip
    return service.evaluate(
        session,
        reports=[service.Report(r.filename or "upload", r.file) for r in reports],
        loaded=loaded,
        options=options,
        hmac_key=settings.secret_hmac_key,
        batch_size=settings.ingest_batch_size,
        principal=principal,
    )


@router.get(
    "/evaluations",
    name="list",
    response_model=Page[GateEvaluationRead],
    dependencies=[ReadAssetAccess],
)
def list_evaluations(
    session: SessionDep,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    passed: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[GateEvaluationRead]:
    """Recorded gate evaluations, newest first."""
    return service.list_evaluations(session, limit=limit, offset=offset, asset=asset, passed=passed)


@router.get(
    "/evaluations/{evaluation_id}",
    name="get",
    response_model=GateEvaluationRead,
    dependencies=[ReadAccess],
)
def get_evaluation(session: SessionDep, evaluation_id: uuid.UUID) -> GateEvaluationRead:
    return service.get_evaluation(session, evaluation_id)
