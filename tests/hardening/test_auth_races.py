"""Sign-in under concurrency: the per-user limit holds however many guesses arrive at once, and
password hashing is bounded per process.

The race tests run the application on its own engine (every request on its own pooled connection,
each thread with its own client), so their rows are committed; each test removes what it made.
A wrong-password check is held until every request has either reached its check or been refused,
so the requests overlap as much as they can: without an atomic check-and-count every one of them
would reach its check.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth import credentials
from aspm.auth import service as auth_service
from aspm.auth.models import AuthSession, LoginThrottle, User
from aspm.auth.principal import Role
from aspm.auth.schemas import UserCreate
from aspm.db.session import unit_of_work
from aspm.main import create_app
from aspm.settings import Settings

LOGIN = "/api/v1/auth/login"
RIGHT = "the-right-password"
WRONG = "a-wrong-password"
HOLD_SECONDS = 20  # a bound on each wait, so that a broken limit fails instead of hanging


class Gate:
    """Counts requests that reached their password check (`checked`) or were refused, and
    holds wrong-password checks until `release()` (or HOLD_SECONDS)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._released = threading.Event()
        self.arrived = 0
        self.checked = 0

    def arrive(self, *, checked: bool) -> None:
        with self._cond:
            self.arrived += 1
            self.checked += checked
            self._cond.notify_all()

    def wait_for_arrivals(self, n: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.arrived >= n, timeout=HOLD_SECONDS)

    def release(self) -> None:
        self._released.set()

    def hold(self) -> None:
        self._released.wait(timeout=HOLD_SECONDS)


@dataclass
class Live:
    app: FastAPI
    sessions: sessionmaker[Session]
    settings: Settings
    username: str

    def login(self, password: str) -> int:
        client = TestClient(self.app, base_url="https://testserver")  # one client per thread
        resp = client.post(LOGIN, json={"username": self.username, "password": password})
        return resp.status_code


@pytest.fixture
def live(engine: Engine, settings: Settings) -> Iterator[Live]:
    """The application on its own engine (real, committed transactions), with one user."""
    live_settings = settings.model_copy(
        update={
            "database_url": engine.url.render_as_string(hide_password=False),
            "password_hash_concurrency": 64,  # not the bound under test here
        }
    )
    app = create_app(live_settings)
    factory: sessionmaker[Session] = app.state.sessionmaker
    username = f"race-{uuid.uuid4().hex[:10]}"
    with unit_of_work(factory) as s:
        auth_service.create_user(
            s, spec=UserCreate(username=username, role=Role.ENGINEER, password=RIGHT),
            actor="system:test", settings=live_settings,
        )  # fmt: skip
    yield Live(app=app, sessions=factory, settings=live_settings, username=username)
    with unit_of_work(factory) as s:
        s.execute(delete(LoginThrottle).where(LoginThrottle.value.in_([username, "testclient"])))
        s.execute(delete(User).where(User.username == username))  # sessions cascade
    app.state.engine.dispose()


def _hold_wrong_checks(monkeypatch: pytest.MonkeyPatch, gate: Gate, release_after: int) -> None:
    """Wrong-password checks wait (after counting themselves) until `release_after` requests
    have arrived, or until the gate is released."""
    real = credentials.verify_password

    def held(stored: str | None, password: str, params: credentials.HashParams) -> bool:
        if password != RIGHT:
            gate.arrive(checked=True)
            if release_after:
                gate.wait_for_arrivals(release_after)
            gate.hold()
        return real(stored, password, params)

    monkeypatch.setattr(credentials, "verify_password", held)


def _run(n: int, target: Callable[[int], None]) -> list[threading.Thread]:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    return threads


def test_parallel_wrong_passwords_get_exactly_the_limits_number_of_checks(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    n, limit = 30, live.settings.login_max_failures
    gate = Gate()
    _hold_wrong_checks(monkeypatch, gate, release_after=n)
    statuses: list[int] = []

    def guess(_i: int) -> None:
        status = live.login(WRONG)
        statuses.append(status)
        if status != 401:
            gate.arrive(checked=False)

    threads = _run(n, guess)
    gate.wait_for_arrivals(n)
    gate.release()
    for t in threads:
        t.join(timeout=HOLD_SECONDS)
    assert gate.checked == limit
    assert Counter(statuses) == {401: limit, 429: n - limit}


def test_parallel_guesses_ending_with_the_right_password_do_not_sign_in(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong, limit = 19, live.settings.login_max_failures
    gate = Gate()
    _hold_wrong_checks(monkeypatch, gate, release_after=0)  # held until the right guess is in
    statuses: list[int] = []

    def guess(_i: int) -> None:
        status = live.login(WRONG)
        statuses.append(status)
        if status == 429:
            gate.arrive(checked=False)

    threads = _run(wrong, guess)
    gate.wait_for_arrivals(wrong)  # every wrong guess is being checked or was refused
    right = live.login(RIGHT)
    gate.release()
    for t in threads:
        t.join(timeout=HOLD_SECONDS)
    assert right == 429
    assert gate.checked == limit
    assert Counter(statuses) == {401: limit, 429: wrong - limit}
    with unit_of_work(live.sessions) as s:
        user = s.scalars(select(User).where(User.username == live.username)).one()
        assert s.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).all() == []


def test_password_checks_beyond_the_process_bound_answer_429_and_count_no_attempt(
    anon_client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with unit_of_work(sessions) as s:
        auth_service.create_user(
            s, spec=UserCreate(username="busy", role=Role.VIEWER, password=RIGHT),
            actor="system:test", settings=settings,
        )  # fmt: skip
    checks: list[str] = []
    real = credentials.verify_password

    def counted(stored: str | None, password: str, params: credentials.HashParams) -> bool:
        checks.append(password)
        return real(stored, password, params)

    monkeypatch.setattr(credentials, "verify_password", counted)
    slots = credentials.password_check_slots(settings.password_hash_concurrency)
    held = 0
    try:
        while slots.acquire(blocking=False):  # every slot of this process is busy
            held += 1
        assert held == settings.password_hash_concurrency
        for _ in range(settings.login_max_failures + 1):
            resp = anon_client.post(LOGIN, json={"username": "busy", "password": RIGHT})
            assert resp.status_code == 429
            assert int(resp.headers["Retry-After"]) >= 1
            assert "busy" in resp.json()["detail"]
    finally:
        for _ in range(held):
            slots.release()
    assert checks == []
    # the refused requests counted no attempt: the user is not locked out
    resp = anon_client.post(LOGIN, json={"username": "busy", "password": RIGHT})
    assert resp.status_code == 200
    assert checks == [RIGHT]
