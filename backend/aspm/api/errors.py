"""The only place that maps errors to HTTP status codes; one JSON envelope for every error."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aspm.db.session import is_database_unavailable
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

DATABASE_RETRY_AFTER = 5  # seconds a client waits before it asks again when the database is away

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


def database_unavailable(exc: Exception) -> JSONResponse:
    """503 with Retry-After: the database cannot be reached (e.g. while it restarts). The
    request may be sent again as it is; the server log says what the driver reported."""
    log.warning("database unavailable: %s: %s", type(exc).__name__, exc)
    return envelope(
        "DatabaseUnavailable",
        f"the database is unavailable; try again in {DATABASE_RETRY_AFTER} seconds",
        503,
        {"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


async def handle_database_error(_request: Request, exc: Exception) -> JSONResponse:
    if is_database_unavailable(exc):
        return database_unavailable(exc)
    raise exc  # any other database error is a bug: the 500 of handle_unexpected


async def handle_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    if is_database_unavailable(exc):  # raised outside the routes (a middleware, a lifespan)
        return database_unavailable(exc)
    log.exception("unhandled error", exc_info=exc)
    return envelope("InternalError", "internal error; see the server log", 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AspmError, handle_aspm_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(SQLAlchemyError, handle_database_error)
    app.add_exception_handler(Exception, handle_unexpected)
