"""HTTP: the CI policy gate (server mode of `aspm gate`) and its recorded evaluations.

Where the server queues imports (PostgreSQL, aspm.jobs: `settings.queue_imports`, as POST
/imports), a recorded evaluation is queued too, dry runs included (they import as much, only
inside a SAVEPOINT): the reports and the policy go to the spool, the answer is 202 with the
evaluation (status queued) and a Location, and a worker evaluates it. An evaluation that is not
recorded (`record=false`) has no row to follow, so it runs in the request; so does every
evaluation on SQLite (`make run` needs no worker).
"""

import os
import shutil
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from aspm.api.deps import (
    IngestAccess,
    PrincipalDep,
    ReadAccess,
    ReadAssetAccess,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
)
from aspm.auth.principal import Principal
from aspm.common.paging import MAX_OFFSET, Page
from aspm.errors import InvalidInput
from aspm.gate import policy as gate_policy
from aspm.gate import service
from aspm.gate.models import EvaluationStatus
from aspm.gate.policy import LoadedPolicy
from aspm.gate.schemas import GateEvaluationDetail, GateEvaluationRead, GateResult
from aspm.jobs import service as jobs_service
from aspm.jobs import spool as jobs_spool
from aspm.settings import Settings

router = APIRouter(prefix="/gate", tags=["gate"])

MAX_POLICY_BYTES = 1_000_000


@router.post(
    "/evaluations",
    name="evaluate",
    response_model=GateResult,
    dependencies=[IngestAccess],
    responses={
        202: {
            "model": GateEvaluationDetail,
            "description": "queued (PostgreSQL server, a recorded evaluation): a worker imports "
            "and evaluates the reports; follow it at GET /gate/evaluations/{evaluation_id} "
            "(Location) until done (with `result`) or error",
        },
        403: {"description": "the token lacks the ingest scope or the asset"},
        422: {"description": "unreadable report or invalid policy; nothing was stored"},
        503: {"description": "the job queue is unavailable; nothing was stored"},
    },
)
async def evaluate(
    request: Request,
    factory: SessionFactoryDep,
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
) -> Any:
    """Import the reports (or, with dry_run, only evaluate them) and pass or fail the build by
    policy. 200 with `passed` false is a policy failure (the CLI exits 1 on it). On a server
    with the job queue a recorded evaluation is 202 (queued) instead: see the module docstring."""
    loaded, policy_text = await _read_policy(policy)
    options = service.GateOptions(
        asset=asset, branch=branch, commit=commit, baseline=baseline, new_only=new_only,
        dry_run=dry_run, record=record, format=input_format, with_sarif=sarif,
        risk_policy=settings.risk_policy,
    )  # fmt: skip
    if settings.queue_imports and record:
        return await _queue(
            request, factory, settings, principal, reports, loaded, policy_text, options
        )
    return await run_in_threadpool(
        service.evaluate_reports,
        factory,
        [service.Report(r.filename or "upload", r.file) for r in reports],
        loaded=loaded,
        options=options,
        hmac_key=settings.secret_hmac_key,
        batch_size=settings.ingest_batch_size,
        principal=principal,
    )


async def _read_policy(policy: UploadFile | None) -> tuple[LoadedPolicy, str | None]:
    """The uploaded policy, validated (errors name the line), and its text; or the default."""
    if policy is None:
        return gate_policy.load(), None
    raw = await policy.read(MAX_POLICY_BYTES + 1)
    if len(raw) > MAX_POLICY_BYTES:
        raise InvalidInput("the gate policy is larger than 1 MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the gate policy is not UTF-8 text") from exc
    return gate_policy.parse(text, source=policy.filename or "gate-policy.yaml"), text


def _spool_one(settings: Settings, received: list[jobs_service.Received], name: str) -> int:
    """A new spool file for an upload, listed in `received` (so a failure deletes it)."""
    fd, partial = jobs_spool.new_partial(settings.spool_dir)
    received.append(jobs_service.Received(partial, name))
    return fd


async def _queue(
    request: Request,
    factory: sessionmaker[Session],
    settings: Settings,
    principal: Principal,
    reports: list[UploadFile],
    loaded: LoadedPolicy,
    policy_text: str | None,
    options: service.GateOptions,
) -> JSONResponse:
    """Spool the reports and the policy, create the evaluation's row (queued) and its job: 202."""
    received: list[jobs_service.Received] = []  # the reports, then the policy if uploaded
    try:
        for upload in reports:
            fd = _spool_one(settings, received, upload.filename or "upload")
            with os.fdopen(fd, "wb") as fh:
                await run_in_threadpool(shutil.copyfileobj, upload.file, fh)
        if policy_text is not None:
            fd = _spool_one(settings, received, loaded.source)
            with os.fdopen(fd, "wb") as fh:
                fh.write(policy_text.encode("utf-8"))
        job = await run_in_threadpool(
            jobs_service.create_queued_evaluation,
            factory,
            reports=received[: len(reports)],
            policy=received[len(reports)] if policy_text is not None else None,
            loaded=loaded,
            options=options,
            principal=principal,
        )
    except BaseException:
        for r in received:  # refused or cut off: nothing of it stays on disk
            r.partial.unlink(missing_ok=True)
        raise
    evaluation = await jobs_service.defer_evaluation(settings, factory, job)
    if evaluation.status is not EvaluationStatus.QUEUED:
        return JSONResponse(
            {"error": "QueueUnavailable", "detail": evaluation.error,
             "evaluation": evaluation.model_dump(mode="json")},
            status_code=503,
        )  # fmt: skip
    return JSONResponse(
        evaluation.model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"{request.url.path.rstrip('/')}/{evaluation.id}"},
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
    """Recorded gate evaluations, newest first (with the job queue: queued, running and failed
    ones too; `passed` is null until done)."""
    return service.list_evaluations(session, limit=limit, offset=offset, asset=asset, passed=passed)


@router.get(
    "/evaluations/{evaluation_id}",
    name="get",
    response_model=GateEvaluationDetail,
    dependencies=[ReadAccess],
)
def get_evaluation(session: SessionDep, evaluation_id: uuid.UUID) -> GateEvaluationDetail:
    """One evaluation: queued, running, done (with the gate's whole answer in `result`) or
    error (with why)."""
    return service.get_evaluation(session, evaluation_id)
