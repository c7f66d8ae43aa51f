"""The built dashboard is served at / with client routes falling back to index.html; /api is
never answered by it."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aspm.api import static
from aspm.main import create_app
from aspm.settings import Settings


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log('app')")
    return tmp_path


@pytest.fixture
def app_with_dashboard(settings: Settings, dist: Path) -> FastAPI:
    app = create_app(settings)
    # create_app mounted the repository's build if there is one; serve the test build instead
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "name", "") != "dashboard"]
    assert static.install(app, dist)
    return app


def test_the_dashboard_and_its_assets_are_served(app_with_dashboard: FastAPI) -> None:
    with TestClient(app_with_dashboard) as c:
        index = c.get("/")
        assert index.status_code == 200
        assert "id=root" in index.text
        assert index.headers["cache-control"] == "no-cache"
        asset = c.get("/assets/app-1234.js")
        assert asset.status_code == 200
        assert "console.log" in asset.text


def test_a_client_route_gets_the_app_shell(app_with_dashboard: FastAPI) -> None:
    with TestClient(app_with_dashboard) as c:
        page = c.get("/findings/0b7e9c3e-7f52-4a43-9d0c-3f2d0f3c1a11?severity=high")
        assert page.status_code == 200
        assert "id=root" in page.text


def test_api_paths_are_never_answered_by_the_dashboard(app_with_dashboard: FastAPI) -> None:
    with TestClient(app_with_dashboard) as c:
        assert c.get("/api/v1/health").json() == {"status": "ok"}
        unknown = c.get("/api/v1/no-such-thing")
        assert unknown.status_code == 404
        assert unknown.json()["error"] == "HTTPError"
        assert c.post("/api/v1/no-such-thing").status_code == 404
        # an API route still demands a session: the SPA fallback must not turn 401 into a page
        assert c.get("/api/v1/findings").status_code == 401


def test_without_a_build_the_server_is_api_only(tmp_path: Path) -> None:
    app = FastAPI()
    assert not static.install(app, tmp_path / "missing")
    assert TestClient(app).get("/").status_code == 404
