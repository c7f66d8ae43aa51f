"""Every response carries the security headers: API answers, API errors (404, 422, 500), the
dashboard's index and client routes, its static assets; the docs pages get their own policy."""

import base64
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aspm.api import static
from aspm.api.security_headers import POLICY
from aspm.main import create_app
from aspm.settings import Settings


@pytest.fixture
def app(settings: Settings, tmp_path: Path) -> FastAPI:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log('app')")
    app = create_app(settings)
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "name", "") != "dashboard"]

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/v1/test-boom", boom)  # an unexpected error: the 500 handler answers
    assert static.install(app, tmp_path)
    return app


def assert_secured(headers: Mapping[str, str]) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in csp


def test_the_dashboard_policy_allows_only_its_own_scripts_and_styles() -> None:
    directives = dict(d.strip().split(" ", 1) for d in POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/health", 200),
        ("/api/v1/findings", 401),  # not signed in
        ("/api/v1/no-such-thing", 404),
        ("/api/v1/findings/not-a-uuid", 401),
        ("/api/v1/test-boom", 500),
        ("/", 200),
        ("/findings/123", 200),  # a client route: index.html
        ("/assets/app-1234.js", 200),
        ("/openapi.json", 200),
    ],
)
def test_every_response_carries_the_security_headers(app: FastAPI, path: str, status: int) -> None:
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get(path)
    assert response.status_code == status
    assert_secured(response.headers)
    assert response.headers["content-security-policy"] == POLICY


def test_a_validation_error_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/findings", params={"limit": "many"})
    assert response.status_code == 422
    assert_secured(response.headers)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_allow_their_cdn_and_their_inline_script_by_hash(
    app: FastAPI, path: str
) -> None:
    with TestClient(app) as c:
        response = c.get(path)
    assert response.status_code == 200
    assert_secured(response.headers)
    csp = response.headers["content-security-policy"]
    for script in re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
