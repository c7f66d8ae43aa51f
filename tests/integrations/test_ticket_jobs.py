"""The ticket tasks of the job queue (PostgreSQL): registered as periodic tasks, sending what is
due and polling through the worker's context, and claims that two workers never share."""

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.common.clock import utcnow
from aspm.integrations import tickets_jobs, tickets_service
from aspm.integrations.tickets_models import Ticket, TicketOperation
from aspm.jobs import queue
from aspm.jobs.tasks import Env
from aspm.settings import Settings
from tests.factories import ingest_bytes
from tests.gate.helpers import CRITICAL, sarif_report, sarif_result
from tests.integrations.tickets_fixtures import (
    URL,
    configured,
    github,
    jira,
    jira_dc,
    settings,
    tickets_file,
)
from tests.integrations.trackers import Fail, Tracker

__all__ = ["configured", "github", "jira", "jira_dc", "settings", "tickets_file"]  # fixtures

PG_URL = "postgresql+psycopg://u@127.0.0.1:5432/db"


def test_the_queue_runs_the_ticket_tasks_periodically() -> None:
    app = queue.make_app(Settings(environment="test", database_url=PG_URL), pool_size=1)
    periodic = {t.task.name: t.cron for t in app.periodic_registry.periodic_tasks.values()}
    assert periodic["aspm.send_tickets"] == tickets_jobs.SEND_CRON
    assert periodic["aspm.poll_tickets"] == tickets_jobs.POLL_CRON


def test_the_tasks_send_what_is_due_and_poll(
    configured: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    crown_jewels: None,
) -> None:
    report = sarif_report(sarif_result("sql-injection", level="error", score=CRITICAL))
    ingest_bytes(sessions, report, asset="acme/api")
    (finding,) = configured.get("/api/v1/findings", params={"asset": "acme/api"}).json()["items"]
    configured.post(URL, json={"ids": [finding["id"]]})
    context: Any = SimpleNamespace(additional_context={"aspm": Env(settings, sessions)})
    jira.fail(Fail(503))
    assert tickets_jobs.send_tickets(context, 0) == 1  # 503: retried later, not now
    assert list(jira.issues) == []
    assert tickets_jobs.poll_tickets(context, 0) == "{'closes': 0, 'polled': 0}"


@pytest.mark.postgres
def test_two_senders_never_take_the_same_operation(engine: Engine) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    now = utcnow()
    ticket_id = uuid.uuid4()
    with factory() as session, session.begin():
        session.add(Ticket(id=ticket_id, tracker="jira", kind="jira_cloud", project="SEC",
                           title="t", content={}, status="pending", wont_do=False,
                           created_by="test", created_at=now, updated_at=now))  # fmt: skip
        session.flush()
        session.add_all(
            TicketOperation(id=uuid.uuid4(), ticket_id=ticket_id, action="create",
                            status="pending", attempts=0, created_at=now, next_attempt_at=now,
                            attempt_log=[])
            for _ in range(10)
        )  # fmt: skip
    try:
        with factory() as first, first.begin(), factory() as second, second.begin():
            lease = now.replace(year=now.year + 1)
            second.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would be a failure
            a = tickets_service.OPERATIONS.claim_due(first, now=now, lease_until=lease, limit=5)
            b = tickets_service.OPERATIONS.claim_due(second, now=now, lease_until=lease, limit=10)
            assert len(a) == 5
            assert len(b) == 5  # the first sender's rows are locked: skipped, not waited for
            assert not set(a) & set(b)
    finally:
        with factory() as session, session.begin():
            session.execute(delete(TicketOperation).where(TicketOperation.ticket_id == ticket_id))
            session.execute(delete(Ticket).where(Ticket.id == ticket_id))
