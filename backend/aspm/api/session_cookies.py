"""The sign-in cookies: set when a person signs in (password or single sign-on), cleared when they
sign out. Shared by auth.routes and auth.oidc_routes, so neither routes module imports the other."""

from fastapi import Response

from aspm.api.deps import CSRF_COOKIE, SESSION_COOKIE
from aspm.auth import credentials
from aspm.settings import Settings


def set_cookies(response: Response, session_id: str, settings: Settings) -> None:
    common = {
        "max_age": settings.session_hours * 3600,
        "path": "/",
        "secure": settings.cookie_secure,
        "samesite": "strict",
    }
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, **common)  # type: ignore[arg-type]
    csrf = credentials.csrf_token(session_id, settings.secret_hmac_key)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, **common)  # type: ignore[arg-type]


def clear_cookies(response: Response, settings: Settings) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(
            name, path="/", secure=settings.cookie_secure, samesite="strict",
            httponly=name == SESSION_COOKIE,
        )  # fmt: skip
