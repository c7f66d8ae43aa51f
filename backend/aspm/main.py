"""Application factory: `uvicorn --factory aspm.main:create_app`."""

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp

from aspm.api import errors, openapi, static
from aspm.api.deps import reject_unknown_query
from aspm.api.security_headers import SecurityHeaders
from aspm.auth.oidc_routes import callback_router as oidc_callback_router
from aspm.auth.oidc_routes import router as oidc_router
from aspm.db.session import make_engine, make_sessionmaker
from aspm.routers import api_router
from aspm.settings import Settings, get_settings


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


class _App(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # outermost: add_middleware() would sit inside ServerErrorMiddleware, whose 500 response
        # would then go out without the security headers
        return SecurityHeaders(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = _App(
        title="ASPM",
        summary="One de-duplicated, risk-ranked findings database for every security scanner.",
        version="0.1.0",
        generate_unique_id_function=_operation_id,
    )
    engine = make_engine(settings.database_url, jit=False)  # requests: no JIT (db.session)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    errors.install(app)
    app.include_router(api_router)
    # single sign-on: under /api/v1 like the rest; the provider's redirect back stays outside
    # api_router's unknown-parameter check (providers add parameters of their own)
    app.include_router(oidc_router, prefix="/api/v1", dependencies=[Depends(reject_unknown_query)])
    app.include_router(oidc_callback_router)
    openapi.install(app)  # one error envelope; 401/403 where authentication is needed
    static.install(app)  # the built dashboard at /, after the API so it never shadows it
    return app
