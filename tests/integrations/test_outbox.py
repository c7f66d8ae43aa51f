"""What the webhook deliveries and the ticket operations share: the backoff, the bookkeeping of
an attempt, the wake-up on commit, and the server's sender thread (SQLite)."""

import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aspm.integrations import outbox, service, tickets_service
from aspm.integrations.dispatch import ServerSender
from aspm.integrations.wakeup import Wakeup

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BOTH = pytest.mark.parametrize(
    "box", [service.DELIVERIES, tickets_service.OPERATIONS], ids=["webhooks", "tickets"]
)


def test_backoff_doubles_and_is_capped() -> None:
    waits = [outbox.backoff_seconds(n) for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert outbox.backoff_seconds(3, retry_after=1000) == 1000  # longer when asked
    assert outbox.backoff_seconds(3, retry_after=5) == 120  # never shorter
    assert outbox.backoff_seconds(1, retry_after=10**6) == outbox.RETRY_MAX_SECONDS


def _row(box: outbox.Outbox) -> Any:
    return SimpleNamespace(
        status=box.waiting[0], attempts=0, next_attempt_at=NOW, last_attempt_at=None,
        response_code=None, error=None, attempt_log=[], **{box.done_at: None},
    )  # fmt: skip


@BOTH
def test_a_failed_attempt_is_retried_after_the_backoff_then_a_success_ends_it(
    box: outbox.Outbox,
) -> None:
    row = _row(box)
    box.record(row, outbox.Attempt(ok=False, response_code=503, error="x" * 400), now=NOW)
    assert (row.status, row.attempts, row.response_code) == (box.retrying, 1, 503)
    assert row.error == "x" * 300
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    later = NOW + timedelta(minutes=1)
    box.record(row, outbox.Attempt(ok=False, retry_after=600), now=later)
    assert row.next_attempt_at == later + timedelta(seconds=600)  # Retry-After wins
    done_at = later + timedelta(minutes=10)
    box.record(row, outbox.Attempt(ok=True, response_code=200, duration_ms=12), now=done_at)
    assert (row.status, row.attempts, row.next_attempt_at, row.error) == (box.done, 3, None, None)
    assert getattr(row, box.done_at) == row.last_attempt_at == done_at
    assert [e["response_code"] for e in row.attempt_log] == [503, None, 200]
    assert row.attempt_log[-1] == {
        "at": done_at.isoformat(), "response_code": 200, "duration_ms": 12, "error": None,
    }  # fmt: skip


@BOTH
def test_a_final_failure_is_not_retried_and_the_log_keeps_the_last_attempts(
    box: outbox.Outbox,
) -> None:
    row = _row(box)
    for n in range(box.keep + 2):
        box.record(row, outbox.Attempt(ok=False, error=f"try {n}"), now=NOW)
        if row.status == box.failed:
            break
    box.record(row, outbox.Attempt(ok=False, error="refused", final=True), now=NOW)
    assert (row.status, row.next_attempt_at) == (box.failed, None)
    assert len(row.attempt_log) == box.keep
    assert row.attempt_log[-1]["error"] == "refused"


def test_webhooks_give_up_after_max_attempts_and_tickets_never_do() -> None:
    delivery, operation = _row(service.DELIVERIES), _row(tickets_service.OPERATIONS)
    for _ in range(service.MAX_ATTEMPTS):
        service.DELIVERIES.record(delivery, outbox.Attempt(ok=False), now=NOW)
        tickets_service.OPERATIONS.record(operation, outbox.Attempt(ok=False), now=NOW)
    assert delivery.status == "failed"
    assert operation.status == "retrying"  # an outage loses no ticket


def test_a_commit_wakes_the_sender_and_a_rollback_does_not(
    sessions: sessionmaker[Session],
) -> None:
    alarm = Wakeup("test")
    with sessions() as session, session.begin():
        alarm.after_commit(session)
        alarm.after_commit(session)  # asked twice, listens once
    assert alarm.wait(0)
    assert not alarm.wait(0)  # waiting clears it
    with sessions() as session:
        session.begin()
        alarm.after_commit(session)
        session.rollback()
    assert not alarm.wait(0)


def _until(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the sender thread did not get there"
        time.sleep(0.01)


def test_the_server_sender_sends_until_nothing_is_due_and_survives_a_bad_pass() -> None:
    due: list[int | Exception] = [3, 1, 0, RuntimeError("the database went away"), 2, 0]
    calls: list[int] = []
    periodic: list[float] = []
    lock = threading.Lock()

    def send_due() -> int:
        with lock:
            item = due.pop(0) if due else 0
        if isinstance(item, Exception):
            raise item
        calls.append(item)
        return item

    alarm = Wakeup("sender-test")
    sender = ServerSender(
        name="aspm-test", alarm=alarm, send_due=send_due,
        periodic=lambda: periodic.append(time.monotonic()),
        wake_seconds=60.0, period_seconds=3600.0, join_seconds=5.0,
    )  # fmt: skip
    sender.start()
    try:
        _until(lambda: calls == [3, 1, 0])  # one pass: until nothing is due
        _until(lambda: len(periodic) == 1)  # the periodic job runs on the first pass
        alarm.notify()  # this pass raises: logged, the thread goes on
        _until(lambda: not due or isinstance(due[0], int))
        alarm.notify()
        _until(lambda: calls == [3, 1, 0, 2, 0])
        assert len(periodic) == 1  # not again within its period
        assert sender.thread.is_alive()
    finally:
        sender.stop()
    assert not sender.thread.is_alive()
