"""FastAPI dependencies: the request's unit of work, the settings, the caller and what it may do.

Authentication: an `Authorization: Bearer <token>` header (API tokens) or the `aspm_session`
cookie (browsers). A cookie-authenticated request that changes state must also send the
`X-CSRF-Token` header equal to the `aspm_csrf` cookie (double submit; the value is an HMAC of the
session id, so a cookie planted by another site does not pass).

Authorization: every route declares what it needs with one of the `*Access` dependencies below
(`dependencies=[ReadAccess]`); `tests/api/test_role_matrix.py` checks every operation of the
OpenAPI document against an explicit table.
"""

import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.auth import credentials
from aspm.auth import service as auth_service
from aspm.auth.principal import Principal, Role, Scope
from aspm.db.session import unit_of_work
from aspm.errors import InvalidInput, NotAuthenticated, PermissionDenied
from aspm.findings import service as findings_service
from aspm.resources import service as resources_service
from aspm.settings import Settings

SESSION_COOKIE = "aspm_session"
CSRF_COOKIE = "aspm_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# what a user who must change their one-time password can still do
PASSWORD_CHANGE_PATHS = frozenset(
    {"/api/v1/auth/me", "/api/v1/auth/password", "/api/v1/auth/logout"}
)


def get_session(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.sessionmaker) as session:
        yield session


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessionmaker(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_sessionmaker)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check_csrf(request: Request, session_id: str, settings: Settings) -> None:
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    expected = credentials.csrf_token(session_id, settings.secret_hmac_key)
    if not header or not credentials.same(header, cookie) or not credentials.same(header, expected):
        raise PermissionDenied(
            f"missing or wrong {CSRF_HEADER} header: send the value of the {CSRF_COOKIE} cookie"
        )


# Declared as security schemes so that the OpenAPI document says which operations need them.
_bearer = HTTPBearer(
    auto_error=False, scheme_name="apiToken", description="an API token: `aspm tokens create`"
)
_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="set by POST /api/v1/auth/login; state changes also need the X-CSRF-Token header",
)


def get_caller(
    request: Request,
    settings: SettingsDep,
    _bearer_token: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session_id: Annotated[str | None, Depends(_cookie)],
) -> auth_service.Caller:
    """Authenticate the request (its own short transaction, so that last-used times are kept
    even when the request fails). `NotAuthenticated` (401) when there are no valid credentials."""
    authorization = request.headers.get("authorization", "")
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must be `Bearer <API token>`")
        with unit_of_work(factory) as session:
            return auth_service.authenticate_token(session, token=token.strip())
    if not session_id:
        raise NotAuthenticated("sign in (POST /api/v1/auth/login) or send an API token")
    with unit_of_work(factory) as session:
        caller = auth_service.authenticate_session(
            session, session_id=session_id, settings=settings
        )
    if request.method not in SAFE_METHODS:
        _check_csrf(request, session_id, settings)
    if caller.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PermissionDenied("change your one-time password first (POST /api/v1/auth/password)")
    return caller


CallerDep = Annotated[auth_service.Caller, Depends(get_caller)]


def get_principal(caller: CallerDep) -> Principal:
    """The authenticated caller (401 otherwise). What it may do is checked by `require(...)`
    on the route and by the services."""
    return caller.principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]

ALL_ROLES: frozenset[Role] = frozenset(Role)
WORKERS: frozenset[Role] = frozenset({Role.ADMIN, Role.SECURITY_LEAD, Role.ENGINEER})
LEADS: frozenset[Role] = frozenset({Role.ADMIN, Role.SECURITY_LEAD})
ADMINS: frozenset[Role] = frozenset({Role.ADMIN})


def require(
    scope: Scope | None = None,
    roles: Collection[Role] = ALL_ROLES,
    *,
    people_only: bool = False,
    asset_param: str | None = None,
) -> Callable[..., Principal]:
    """A dependency that lets the request through only when the caller has one of `roles`
    and (for tokens) `scope`. `people_only` refuses API tokens (user, team, token and policy
    administration). A token bound to assets may only call operations that name one of its
    assets in the query parameter `asset_param`, or act on one finding (`{finding_id}`) or
    resource (`{resource_id}`) of those assets; it is refused everywhere else."""
    allowed = frozenset(roles)

    def dependency(request: Request, principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise PermissionDenied(f"a {principal.role} may not do this")
        if people_only and principal.kind == "token":
            raise PermissionDenied("API tokens may not do this; sign in as a person")
        if scope is not None and scope not in principal.scopes:
            raise PermissionDenied(f"this needs the `{scope}` scope")
        if principal.asset_ids is not None:
            _check_bound_asset(request, principal, asset_param)
        return principal

    return dependency


def _finding_in_assets(session: Session, finding_ref: str, asset_ids: Iterable[uuid.UUID]) -> bool:
    """True when the finding exists and belongs to one of the assets (a bound token's check;
    an unknown finding answers False, so that the token learns nothing of other assets)."""
    try:
        finding_id = uuid.UUID(finding_ref)
    except ValueError:
        return False
    finding = findings_service.get_risk_fields(session, finding_id)
    return finding is not None and finding.asset_id in set(asset_ids)


def _resource_in_assets(
    session: Session, resource_ref: str, asset_ids: Iterable[uuid.UUID]
) -> bool:
    """True when the inventory resource exists and belongs to one of the assets (as
    `_finding_in_assets`: an unknown one answers False)."""
    asset_id = resources_service.asset_of(session, resource_ref)
    return asset_id is not None and asset_id in set(asset_ids)


def _bound_asset_names(session: Session, asset_ids: Iterable[uuid.UUID]) -> set[str]:
    """Names of the assets a token is bound to (a token names ids; requests name assets)."""
    return {a.name for a in assets_service.get_many(session, asset_ids)}


# path parameters naming one object of an asset, and the check that it is of the given assets
_BOUND_OBJECTS: tuple[tuple[str, str, Callable[[Session, str, Collection[Any]], bool]], ...] = (
    ("finding_id", "finding", _finding_in_assets),
    ("resource_id", "resource", _resource_in_assets),
)


def _check_bound_asset(request: Request, principal: Principal, asset_param: str | None) -> None:
    for param, what, check in _BOUND_OBJECTS:
        ref = request.path_params.get(param)
        if ref is not None:  # an operation on one object: its asset must be bound
            with unit_of_work(request.app.state.sessionmaker) as session:
                ok = check(session, str(ref), principal.asset_ids or ())
            if not ok:
                raise PermissionDenied(f"this token is not allowed to act on this {what}")
            return
    if asset_param is None:
        raise PermissionDenied("this token is bound to assets; this operation spans all assets")
    name = request.query_params.get(asset_param)
    if not name:
        raise PermissionDenied(f"this token is bound to assets: name one with ?{asset_param}=")
    with unit_of_work(request.app.state.sessionmaker) as session:
        names = _bound_asset_names(session, principal.asset_ids or ())
    if name not in names:
        raise PermissionDenied(f"this token is not allowed to act on asset {name!r}")


# What routes declare (`dependencies=[ReadAccess]`, or `principal: Annotated[Principal, ...]`).
# any authenticated caller (e.g. /auth/me)
SignedIn: params.Depends = Depends(require())
# every role; tokens need `read`
ReadAccess: params.Depends = Depends(require(Scope.READ))
# asset-bound tokens too
ReadAssetAccess: params.Depends = Depends(require(Scope.READ, asset_param="asset"))
IngestAccess: params.Depends = Depends(require(Scope.INGEST, WORKERS, asset_param="asset"))
# services check which findings
TriageAccess: params.Depends = Depends(require(Scope.TRIAGE, WORKERS))
# asset context, risk policy
LeadAccess: params.Depends = Depends(require(None, LEADS, people_only=True))
# users, teams, tokens
AdminAccess: params.Depends = Depends(require(None, ADMINS, people_only=True))


def _query_fields(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query model's fields
            yield from (f.alias or name for name, f in model.model_fields.items())
        else:
            yield field.alias
    for sub in dependant.dependencies:
        yield from _query_fields(sub)


def reject_unknown_query(request: Request) -> None:
    """A query parameter the operation does not declare is a mistake (`?triage_state=` for
    `?triage=`): answer 422 naming the accepted ones instead of ignoring it and returning
    everything."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = frozenset(_query_fields(route.dependant))  # a few fields: no cache needed
    unknown = sorted({k for k in request.query_params if k not in known})
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise InvalidInput(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}; this operation accepts: {names}"
        )
