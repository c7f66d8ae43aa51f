"""The only place that maps errors to HTTP status codes; one JSON envelope for every error."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from aspm.errors import (
    AspmError,
    Conflict,
    IngestError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
)

log = logging.getLogger(__name__)

STATUS: dict[type, int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    PermissionDenied: 403,
    IngestError: 422,
    NotAuthenticated: 401,
    RateLimited: 429,
}


def envelope(
    error: str, detail: object, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


async def handle_aspm_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next((STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS), 500)
    headers = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, NotAuthenticated):
        headers = {"WWW-Authenticate": 'Bearer realm="aspm"'}
    return envelope(type(exc).__name__, str(exc), status, headers)


async def handle_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type only
    detail = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return envelope("ValidationError", detail, 422)


async def handle_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    return envelope("HTTPError", exc.detail, exc.status_code)


async def handle_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return envelope("InternalError", "internal error; see the server log", 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AspmError, handle_aspm_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected)
