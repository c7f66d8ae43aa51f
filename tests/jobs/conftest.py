"""Job tests run against a database of their own (committed data: workers are other connections
and processes), created next to ASPM_TEST_DATABASE_URL's and dropped at the end."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aspm.auth import service as auth_service
from aspm.auth.principal import Role, Scope
from aspm.auth.schemas import TokenCreate, UserCreate
from aspm.db.migrate import upgrade
from aspm.db.session import unit_of_work
from aspm.main import create_app
from aspm.settings import Settings
from tests.conftest import TEST_SECRET

LEASE_SECONDS = 2.0


@pytest.fixture(scope="session")
def jobs_url() -> Iterator[str]:
    base = make_url(os.environ["ASPM_TEST_DATABASE_URL"])
    name = f"{base.database}_jobs"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def jobs_settings(jobs_url: str, tmp_path: Path) -> Settings:
    settings = Settings(
        environment="test",
        database_url=jobs_url,
        secret_key=TEST_SECRET,
        import_mode="queue",
        spool_dir=tmp_path / "spool",
        job_lease_seconds=LEASE_SECONDS,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
    )
    engine = create_engine(jobs_url)
    with engine.begin() as conn:  # each test starts with an empty queue
        conn.execute(text("TRUNCATE procrastinate_jobs, procrastinate_events, "
                          "procrastinate_periodic_defers, procrastinate_workers"))  # fmt: skip
    engine.dispose()
    return settings


@pytest.fixture
def jobs_client(jobs_settings: Settings) -> Iterator[TestClient]:
    """An admin's API token on a server that queues imports (committing for real)."""
    app = create_app(jobs_settings)
    name = f"admin-{uuid.uuid4().hex[:8]}"
    with unit_of_work(app.state.sessionmaker) as s:
        auth_service.create_user(
            s, spec=UserCreate(username=name, role=Role.ADMIN), actor="system:test",
            settings=jobs_settings, must_change_password=False,
        )  # fmt: skip
        token = auth_service.create_token(
            s,
            spec=TokenCreate(user=name, name="t", scopes=list(Scope), assets=None),
            actor="system:test",
        ).token
    with TestClient(app, base_url="https://testserver") as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c
    app.state.engine.dispose()


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "ASPM_DATABASE_URL": settings.database_url,
        "ASPM_SECRET_KEY": TEST_SECRET,
        "ASPM_SPOOL_DIR": str(settings.spool_dir),
        "ASPM_JOB_LEASE_SECONDS": str(settings.job_lease_seconds),
    }


StartWorker = Callable[[], "subprocess.Popen[bytes]"]


@pytest.fixture
def start_worker(jobs_settings: Settings, tmp_path: Path) -> Iterator[StartWorker]:
    """`start_worker()`: an `aspm worker` process; stopped (SIGTERM) after the test."""
    procs: list[subprocess.Popen[bytes]] = []
    exe = Path(sys.executable).with_name("aspm")

    def start() -> "subprocess.Popen[bytes]":
        log = (tmp_path / f"worker-{len(procs) + 1}.log").open("wb")
        proc = subprocess.Popen(  # noqa: S603 - our own CLI
            [str(exe), "worker"], env=worker_env(jobs_settings), stdout=log, stderr=log
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until(check: Callable[[], Any], *, timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
