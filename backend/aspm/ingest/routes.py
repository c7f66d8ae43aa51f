"""HTTP: upload a report (multipart or raw body), list and read imports."""

import tempfile
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

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
        403: {
            "description": "the caller may not import into the asset (named or taken from the "
            "report): an engineer only into their teams' assets or a new one"
        },
        422: {"description": "unreadable report or invalid input; nothing was stored"},
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
    """Import one report. Same result object as `aspm ingest --json`."""
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    try:
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
                spool.write(chunk)
        else:
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    raise InvalidInput(f"report larger than {settings.max_upload_bytes} bytes")
                spool.write(chunk)
        if size == 0:
            raise InvalidInput("empty upload: send the report as the body or a `file` field")
        spool.seek(0)
        options = service.IngestOptions(
            asset=asset, scope=scope, partial=partial, format=format, actor=principal.actor,
            risk_policy=settings.risk_policy, principal=principal,
        )  # fmt: skip
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


@router.get("", name="list", response_model=Page[IngestRunRead], dependencies=[ReadAccess])
def list_imports(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    status: Annotated[str | None, Query(pattern="^(ok|error)$")] = None,
) -> Page[IngestRunRead]:
    return service.list_runs(session, limit=limit, offset=offset, status=status)


@router.get("/{import_id}", name="get", response_model=IngestRunRead, dependencies=[ReadAccess])
def get_import(session: SessionDep, import_id: uuid.UUID) -> IngestRunRead:
    return service.get_run(session, import_id)
