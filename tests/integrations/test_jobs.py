"""The webhook senders of the job queue (PostgreSQL): the periodic tasks, and claims that two
workers never share."""

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.common.clock import utcnow
from aspm.integrations import jobs, repository, service
from aspm.integrations.models import Webhook, WebhookDelivery, WebhookEvent
from aspm.jobs import queue
from aspm.jobs.tasks import Env
from aspm.settings import Settings
from tests.integrations.receiver import Answer, Receiver

PG_URL = "postgresql+psycopg://u@127.0.0.1:5432/db"


def test_the_queue_runs_the_webhook_tasks_periodically() -> None:
    app = queue.make_app(Settings(environment="test", database_url=PG_URL), pool_size=1)
    periodic = {t.task.name: t.cron for t in app.periodic_registry.periodic_tasks.values()}
    assert periodic["aspm.deliver_webhooks"] == jobs.DELIVER_CRON
    assert periodic["aspm.webhooks_hourly"] == queue.HOURLY


def test_the_deliver_task_sends_what_is_due(
    client: TestClient, sessions: sessionmaker[Session], settings: Settings, hook: Receiver
) -> None:
    created = client.post(
        "/api/v1/webhooks",
        json={"name": "ci", "url": hook.url, "secret": "0123456789abcdef",
              "events": ["import.failed"]},
    ).json()  # fmt: skip
    hook.answer(Answer(status=502))
    context: Any = SimpleNamespace(additional_context={"aspm": Env(settings, sessions)})
    with sessions() as session, session.begin():
        repository.add_event(
            session, event_type="import.failed", now=utcnow(),
            data={"import_id": str(uuid.uuid4()), "file": "a.json", "format": None, "error": "x"},
            webhook_ids=[uuid.UUID(created["id"])],
        )  # fmt: skip
    assert jobs.deliver_webhooks(context, 0) == 1  # 502: retried later, not now
    assert len(hook.received) == 1
    assert jobs.webhooks_hourly(context, 0) == "{'sla_breached': 0, 'pruned': 0}"


@pytest.mark.postgres
def test_two_senders_never_take_the_same_delivery(engine: Engine) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    now = utcnow()
    webhook_id = uuid.uuid4()
    with factory() as session, session.begin():
        session.add(Webhook(id=webhook_id, name=f"claims-{webhook_id}", kind="generic",
                            url_sealed="v1.x", url_hint="https://x/…", secret_sealed=None,
                            events=[], active=True, created_by="test", created_at=now,
                            updated_at=now))  # fmt: skip
        session.flush()
        events = [
            repository.add_event(session, event_type="gate.failed", data={}, now=now,
                                 webhook_ids=[webhook_id])[0].id
            for _ in range(10)
        ]  # fmt: skip
    try:
        with factory() as first, first.begin(), factory() as second, second.begin():
            lease = now.replace(year=now.year + 1)
            second.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would be a failure
            a = service.DELIVERIES.claim_due(first, now=now, lease_until=lease, limit=5)
            b = service.DELIVERIES.claim_due(second, now=now, lease_until=lease, limit=10)
            assert len(a) == 5
            assert len(b) == 5  # the first sender's rows are locked: skipped, not waited for
            assert not set(a) & set(b)
    finally:
        with factory() as session, session.begin():
            session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id))
            session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(events)))
            session.execute(delete(Webhook).where(Webhook.id == webhook_id))
