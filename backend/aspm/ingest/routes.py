"""HTTP: upload a report (multipart or raw body), list and read imports."""

import os
import tempfile
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from aspm.api.deps import (
    IngestAccess,
    PrincipalDep,
    ReadAccess,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
)
from aspm.common.paging import MAX_OFFSET, Page
from aspm.errors import InvalidInput
from aspm.ingest import service
from aspm.ingest.schemas import IngestResult, IngestRunRead
from aspm.jobs import service as jobs_service
from aspm.jobs import spool as jobs_spool
from aspm.settings import Settings

router = APIRouter(prefix="/imports", tags=["imports"])

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The report: a multipart form with a `file` field, or the raw bytes.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "",
    name="upload",
    status_code=201,
    response_model=IngestResult,
    openapi_extra=_UPLOAD_BODY,
    responses={
        202: {
            "model": IngestResult,
            "description": "queued (PostgreSQL server): a worker imports it; follow it at "
            "GET /imports/{import_id} (Location) until ok or error",
        },
        403: {
            "description": "the caller may not import into the asset (named or taken from the "
            "report): an engineer only into their teams' assets or a new one"
        },
        422: {"description": "unreadable report or invalid input; nothing was stored"},
        503: {"description": "the job queue is unavailable; nothing was stored"},
    },
    dependencies=[IngestAccess],
)
async def upload(
    request: Request,
    factory: SessionFactoryDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    scope: Annotated[str, Query(max_length=300)] = "",
    partial: bool = False,
    format: Annotated[str | None, Query(max_length=50)] = None,
    filename: Annotated[str | None, Query(max_length=500)] = None,
) -> Any:
    """Import one report. Same result object as `aspm ingest --json`: 201 with the finished
    import on SQLite (imported in the request), 202 with status `queued` on PostgreSQL."""
    options = service.IngestOptions(
        asset=asset, scope=scope, partial=partial, format=format, actor=principal.actor,
        risk_policy=settings.risk_policy, principal=principal,
    )  # fmt: skip
    if settings.queue_imports:
        return await _queue(request, factory, settings, options, filename)
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    try:
        name = await _receive(request, settings, filename, spool.write)
        spool.seek(0)
        result: IngestResult = await run_in_threadpool(
            service.run_import,
            factory,
            source=spool,  # type: ignore[arg-type]
            filename=name,
            options=options,
            hmac_key=settings.secret_hmac_key,
            batch_size=settings.ingest_batch_size,
        )
    finally:
        spool.close()
    if result.status != "ok":
        return JSONResponse(
            {
                "error": "IngestError",
                "detail": result.error,
                "result": result.model_dump(mode="json"),
            },
            status_code=422,
        )
    return result


async def _receive(
    request: Request, settings: Settings, filename: str | None, write: Callable[[bytes], object]
) -> str:
    """The report, from a multipart `file` field or the raw body, through `write`, within the
    size limit; returns the file name."""
    name = filename or "upload"
    content_type = request.headers.get("content-type", "")
    size = 0
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_part_size=settings.max_upload_bytes)
        part = form.get("file")
        if part is None or isinstance(part, str):
            raise InvalidInput("multipart upload needs a `file` field holding the report")
        name = filename or part.filename or name
        while chunk := await part.read(1 << 20):
            size += len(chunk)
            write(chunk)
    else:
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_upload_bytes:
                raise InvalidInput(f"report larger than {settings.max_upload_bytes} bytes")
            write(chunk)
    if size == 0:
        raise InvalidInput("empty upload: send the report as the body or a `file` field")
    return name


async def _queue(
    request: Request,
    factory: sessionmaker[Session],
    settings: Settings,
    options: service.IngestOptions,
    filename: str | None,
) -> JSONResponse:
    """Spool the upload to disk, create its import row (queued) and its job: 202."""
    fd, partial = jobs_spool.new_partial(settings.spool_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            name = await _receive(request, settings, filename, fh.write)
            size = fh.tell()
        result, spool_name = await run_in_threadpool(
            jobs_service.create_queued,
            factory,
            partial=partial,
            size=size,
            filename=name,
            options=options,
        )
    except BaseException:
        partial.unlink(missing_ok=True)  # refused or cut off: nothing of it stays on disk
        raise
    result = await jobs_service.defer_import(
        settings, factory, result=result, spool_name=spool_name, options=options
    )
    if result.status != "queued":
        return JSONResponse(
            {"error": "QueueUnavailable", "detail": result.error,
             "result": result.model_dump(mode="json")},
            status_code=503,
        )  # fmt: skip
    return JSONResponse(
        result.model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"{request.url.path.rstrip('/')}/{result.import_id}"},
    )


@router.get("", name="list", response_model=Page[IngestRunRead], dependencies=[ReadAccess])
def list_imports(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    status: Annotated[str | None, Query(pattern="^(queued|running|ok|error)$")] = None,
    asset: Annotated[str | None, Query(max_length=200, description="an asset's name")] = None,
    tool: Annotated[
        str | None,
        Query(max_length=100, description="a tool or a format (`sarif`: every SARIF producer)"),
    ] = None,
) -> Page[IngestRunRead]:
    """Imports, newest first, filtered by status, asset and tool."""
    return service.list_runs(
        session, limit=limit, offset=offset, status=status, asset=asset, tool=tool
    )


@router.get("/{import_id}", name="get", response_model=IngestRunRead, dependencies=[ReadAccess])
def get_import(session: SessionDep, import_id: uuid.UUID) -> IngestRunRead:
    return service.get_run(session, import_id)
