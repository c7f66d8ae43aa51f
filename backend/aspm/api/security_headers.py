"""Security headers on every response: API answers, errors (the 500 included), the dashboard and its
static files.

The dashboard (frontend/dist, built by Vite) loads one module script and one stylesheet from
/assets and has no inline script or style element, so its policy allows only 'self'. React's
`style={...}` props go through the CSSOM, which style-src does not restrict. The interactive API
docs (/docs, /redoc) are FastAPI's pages: they load Swagger UI / ReDoc from a CDN and Swagger UI
starts from an inline script, allowed by its SHA-256 only (computed from the page as sent), never
by 'unsafe-inline'.
"""

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_LOCKDOWN = "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    f"font-src 'self'; connect-src 'self'; {_LOCKDOWN}"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
_CDN = "https://cdn.jsdelivr.net"
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' {CDN}{hashes}; "
    "style-src 'self' {CDN} https://fonts.googleapis.com 'unsafe-inline'; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; connect-src 'self'; worker-src 'self' blob:; "
    f"{_LOCKDOWN}"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_policy(page: bytes) -> str:
    """The docs pages' policy: their CDN, and each inline script of `page` by its hash."""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(page)
    )
    return _DOCS_POLICY.format(CDN=_CDN, hashes=hashes)


class SecurityHeaders:
    """Pure ASGI middleware (streamed exports stay streamed). main.py puts it outside Starlette's
    ServerErrorMiddleware, so the 500 that middleware writes carries the headers as well."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = POLICY
                headers.update(HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A docs page is a few KiB of HTML: hold it to hash its inline scripts."""
        start: Message | None = None
        body: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers = MutableHeaders(scope=start)
            headers["Content-Security-Policy"] = docs_policy(b"".join(body))
            headers.update(HEADERS)
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(body)})

        await self.app(scope, receive, hold)
