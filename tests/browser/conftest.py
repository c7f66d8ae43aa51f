"""Browser tests: Playwright drives Debian's chromium against `aspm serve` (a free 127.0.0.1 port,
a temp SQLite database loaded with `aspm demo` and the demo users, the built frontend/dist).

Run with `make test-browser` (or `pytest -m browser tests/browser`). Without chromium or a built
dashboard the tests are skipped locally and fail under CI=true. On failure pytest-playwright keeps
a screenshot of every open page under test-results/; `snap()` keeps one of each visited page.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "frontend" / "dist" / "index.html"
RESULTS = ROOT / "test-results"
BIN = Path(sys.executable).parent

# two cores shared with other work: wait for the page like a patient user, not 5 s
expect.set_options(timeout=20_000)

PASSWORDS = {
    "lead": "demo-lead-password",
    "engineer": "demo-engineer-password",
    "viewer": "demo-viewer-password",
}
ADMIN = ("browser-admin", "browser-admin-password-1")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI runs every browser test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}}


@pytest.fixture(autouse=True)
def _patient_page(page: Page) -> None:
    page.set_default_timeout(20_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict[str, str]

    def aspm(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(  # noqa: S603 - our own CLI
            [str(BIN / "aspm"), *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return done.stdout

    @contextmanager
    def serving(self, log_path: Path) -> Iterator["LiveServer"]:
        """Run `aspm serve` on this server's port (its output in `log_path`) until the block
        ends; fail when it does not answer /api/v1/health within a minute."""
        port = self.url.rsplit(":", 1)[1]
        with log_path.open("w") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own CLI
                [str(BIN / "aspm"), "serve", "--host", "127.0.0.1", "--port", port],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"aspm serve did not start: {log_path.read_text()[-2000:]}")
                    time.sleep(0.2)
                yield self
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not DIST.is_file():
        _unavailable(f"{DIST} is missing: build the dashboard with `make frontend`")
    tmp = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {
        **os.environ,
        "ASPM_DATABASE_URL": f"sqlite:///{tmp / 'aspm.db'}",
        "ASPM_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "ASPM_PORT": str(port),
    }
    env.pop("ASPM_TEST_DATABASE_URL", None)
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env)
    server.aspm("db", "upgrade")
    server.aspm("demo")
    server.aspm("users", "bootstrap", "--demo")
    server.aspm("users", "create", ADMIN[0], "--role", "admin", "--password-stdin", stdin=ADMIN[1])
    with server.serving(tmp / "server.log"):
        yield server


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session", autouse=True)
def _fresh_results() -> None:
    shutil.rmtree(RESULTS / "pages", ignore_errors=True)


def snap(page: Page, name: str) -> None:
    """Keep a full-page screenshot of what the test saw (test-results/pages/, git-ignored)."""
    page.screenshot(path=str(RESULTS / "pages" / f"{name}.png"), full_page=True)


def login(page: Page, username: str, password: str | None = None) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to ASPM")).to_be_visible()


def first_id(page: Page) -> str:
    row = page.locator("tbody tr").first
    expect(row).to_be_visible()
    fid = row.get_attribute("data-finding-id")
    assert fid
    assert re.fullmatch(r"[0-9a-f-]{36}", fid)
    return fid
