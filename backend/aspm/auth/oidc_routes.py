"""HTTP: single sign-on through an OpenID Connect provider (README "Single sign-on").

`GET /auth/options` tells the login page what to offer. `GET /auth/oidc/login` sends the browser
to the provider; the provider sends it back to `GET /auth/oidc/callback`, which opens the
ordinary session (the `aspm_session` and `aspm_csrf` cookies of POST /auth/login) and redirects
into the dashboard, or to `/login?sso_error=<reason>`. `POST /auth/oidc/logout` ends the session
and answers where to send the browser to sign out at the provider too.

The callback is mounted outside /api/v1's "unknown query parameter" check: providers add
parameters of their own (`iss`, `session_state`, `scope`, ...).
"""

import logging
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from aspm.api.deps import (
    CallerDep,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
    SignedIn,
    client_ip,
)
from aspm.api.session_cookies import clear_cookies, set_cookies
from aspm.auth import oidc_service
from aspm.auth.oidc_client import FLOW_SECONDS, SsoError
from aspm.auth.oidc_schemas import SignInOptionsRead, SignOutRead, SsoOption
from aspm.settings import Settings

log = logging.getLogger(__name__)

FLOW_COOKIE = "aspm_oidc"
FLOW_COOKIE_PATH = "/api/v1/auth/oidc"

router = APIRouter(prefix="/auth", tags=["auth"])
callback_router = APIRouter(prefix="/api/v1/auth/oidc", tags=["auth"])


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _to_login(reason: str, settings: Settings) -> RedirectResponse:
    response = RedirectResponse("/login?" + urlencode({"sso_error": reason}), status_code=303)
    response.delete_cookie(
        FLOW_COOKIE, path=FLOW_COOKIE_PATH, secure=settings.cookie_secure, httponly=True,
        samesite="lax",
    )  # fmt: skip
    return response


@router.get("/options", name="sign_in_options", response_model=SignInOptionsRead)
def sign_in_options(settings: SettingsDep) -> SignInOptionsRead:
    """What the login page offers: the password form (unless ASPM_LOCAL_LOGIN=false) and a
    "Sign in with <provider>" button when single sign-on is configured. Never a secret."""
    options = oidc_service.sign_in_options(settings)
    sso = None
    if options.sso_name is not None and options.sso_login_url is not None:
        sso = SsoOption(name=options.sso_name, login_url=options.sso_login_url)
    return SignInOptionsRead(local_login=options.local_login, sso=sso)


@router.get(
    "/oidc/login",
    name="sso_login",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "to the provider's authorization endpoint"},
               404: {"description": "single sign-on is not configured"}},
)  # fmt: skip
def sso_login(
    request: Request,
    settings: SettingsDep,
    next_path: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> RedirectResponse:
    """Start signing in at the provider (authorization code flow with PKCE). `next`: the
    dashboard path to open afterwards."""
    try:
        url, sealed = oidc_service.start(settings, base_url=_base_url(request), next_path=next_path)
    except SsoError as exc:
        log.warning("SSO sign-in not started: %s", exc)
        return _to_login(exc.code, settings)
    response = RedirectResponse(url, status_code=303)
    # Lax, not Strict: the provider's redirect back is a cross-site navigation
    response.set_cookie(
        FLOW_COOKIE, sealed, max_age=FLOW_SECONDS, path=FLOW_COOKIE_PATH,
        secure=settings.cookie_secure, httponly=True, samesite="lax",
    )  # fmt: skip
    return response


@callback_router.get("/callback", name="auth-sso_callback", include_in_schema=False)
def sso_callback(
    request: Request,
    factory: SessionFactoryDep,
    settings: SettingsDep,
) -> RedirectResponse:
    """The provider's redirect back: sign in and open the dashboard, or the login page with
    `sso_error`."""
    params = request.query_params
    try:
        signed_in = oidc_service.finish(
            factory,
            settings=settings,
            sealed_flow=request.cookies.get(FLOW_COOKIE),
            state=params.get("state"),
            code=params.get("code"),
            error=params.get("error"),
            client_ip=client_ip(request),
        )
    except SsoError as exc:
        log.warning("SSO sign-in refused (%s): %s", exc.code, exc)
        return _to_login(exc.code, settings)
    response = RedirectResponse(signed_in.next_path, status_code=303)
    set_cookies(response, signed_in.session_id, settings)
    response.delete_cookie(
        FLOW_COOKIE, path=FLOW_COOKIE_PATH, secure=settings.cookie_secure, httponly=True,
        samesite="lax",
    )  # fmt: skip
    return response


@router.post("/oidc/logout", name="sso_logout", response_model=SignOutRead,
             dependencies=[SignedIn])  # fmt: skip
def sso_logout(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    caller: CallerDep,
) -> SignOutRead:
    """Sign out: ends this browser session (as POST /auth/logout) and, for a user who signed in
    through the provider, answers the provider's end-session URL to send the browser to."""
    url = oidc_service.sign_out(
        session, session_id=caller.session_id, user_id=caller.principal.id
        if caller.principal.kind == "user" else None, settings=settings,
        base_url=_base_url(request),
    )  # fmt: skip
    clear_cookies(response, settings)
    return SignOutRead(end_session_url=url)
