"""The built dashboard (frontend/dist) at `/`, with the single-page app's client routes.

Any GET that is not an API route and not a built file gets index.html, so `/findings/<id>` works
on reload. Paths under /api are never answered here: an unknown API path stays a JSON 404.
"""

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

import aspm

# an installed wheel carries the build in aspm/dashboard (hatch_build.py); a checkout has
# frontend/dist
_PACKAGED = Path(aspm.__file__).resolve().parent / "dashboard"
DEFAULT_DIST = (
    _PACKAGED
    if (_PACKAGED / "index.html").is_file()
    else Path(aspm.__file__).resolve().parents[2] / "frontend" / "dist"
)


class SinglePageApp(StaticFiles):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True)
        self.index = directory / "index.html"

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(status_code=404, detail="Not Found")
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            response = None
        if response is None or response.status_code == 404:
            # a client route: the app decides what to show; the shell itself is never cached
            return FileResponse(self.index, headers={"Cache-Control": "no-cache"})
        if path in ("", ".", "index.html"):
            response.headers["Cache-Control"] = "no-cache"
        return response


def install(app: FastAPI, dist: Path = DEFAULT_DIST) -> bool:
    """Serve `dist` at `/` when it holds a build; returns whether it does (API-only otherwise)."""
    if not (dist / "index.html").is_file():
        return False
    app.mount("/", SinglePageApp(dist), name="dashboard")
    return True
