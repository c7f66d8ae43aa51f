"""Webhook URLs (a chat webhook's path is its token) and signing secrets are write-only: stored
sealed with the instance key, never in an answer, a log line or the database in clear."""

import logging
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.base import Base
from aspm.db.session import unit_of_work
from aspm.integrations import crypto, service
from aspm.integrations.models import Webhook
from tests.conftest import TEST_SECRET
from tests.integrations.receiver import Answer, Receiver, receiver

TOKEN = "T0KEN-B4D-Xq93mZrW7p"
SECRET = "whsec-NEVER-SHOWN-7c1d2e"
KEY = TEST_SECRET.encode()


def _everything_in_the_database(session: Session) -> str:
    dump: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(text(f'SELECT * FROM "{table.name}"')):
            dump.append(repr(tuple(row)))
    return "\n".join(dump)


def test_no_credential_appears_in_the_database_logs_or_answers(
    client: TestClient,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's and httpcore's included
    answers: list[str] = []
    with receiver(path=f"/services/{TOKEN}") as hook:
        created = client.post(
            "/api/v1/webhooks",
            json={"name": "chat", "kind": "slack", "url": hook.url, "secret": SECRET,
                  "events": ["import.failed"]},
        )  # fmt: skip
        assert created.status_code == 201
        webhook_id = created.json()["id"]
        hook.answer(Answer(status=500, body=f"bad token {TOKEN}".encode()))
        answers += [
            created.text,
            client.post(f"/api/v1/webhooks/{webhook_id}/test").text,
            client.patch(f"/api/v1/webhooks/{webhook_id}", json={"url": hook.url + "?x=1",
                                                                   "secret": SECRET}).text,
            client.post(f"/api/v1/webhooks/{webhook_id}/test").text,
            client.get("/api/v1/webhooks").text,
            client.get(f"/api/v1/webhooks/{webhook_id}").text,
            client.get(f"/api/v1/webhooks/{webhook_id}/deliveries").text,
            client.get("/api/v1/audit").text,
        ]  # fmt: skip
        delivery_id = client.get(f"/api/v1/webhooks/{webhook_id}/deliveries").json()["items"][0]
        answers.append(client.get(f"/api/v1/webhooks/deliveries/{delivery_id['id']}").text)
        # an unreachable URL: its connection error must not quote it either
        client.patch(f"/api/v1/webhooks/{webhook_id}", json={"url": "http://127.0.0.1:9/" + TOKEN})
        answers.append(client.post(f"/api/v1/webhooks/{webhook_id}/test").text)
        assert len(hook.received) == 2  # the receiver did get the credential-bearing URL
    with unit_of_work(sessions) as session:
        stored = _everything_in_the_database(session)
        sealed = session.scalars(select(Webhook.url_sealed)).one()
    assert "/services/" not in stored
    assert "chat" in stored
    for where, content in (("answers", "\n".join(answers)), ("logs", caplog.text),
                           ("database", stored)):  # fmt: skip
        assert TOKEN not in content, where
        assert SECRET not in content, where
    assert crypto.open_sealed(
        sealed, instance_key=KEY, context=f"webhook:{webhook_id}:url"
    ).endswith(TOKEN)


def test_a_sealed_value_opens_only_in_its_row_and_field_and_with_its_key() -> None:
    row = uuid.uuid4()
    url = "https://hooks.example/T/B/x"
    sealed = crypto.seal(url, instance_key=KEY, context=f"webhook:{row}:url")
    assert crypto.open_sealed(sealed, instance_key=KEY, context=f"webhook:{row}:url")
    again = crypto.seal(url, instance_key=KEY, context=f"webhook:{row}:url")
    assert sealed != again  # a random nonce each time
    for key, context in ((KEY, f"webhook:{uuid.uuid4()}:url"), (KEY, f"webhook:{row}:secret"),
                         (b"another instance key", f"webhook:{row}:url")):  # fmt: skip
        with pytest.raises(crypto.Unreadable):
            crypto.open_sealed(sealed, instance_key=key, context=context)
    with pytest.raises(crypto.Unreadable):
        crypto.open_sealed(sealed[:-4] + "AAAA", instance_key=KEY, context=f"webhook:{row}:url")


def test_a_secret_sealed_under_another_key_fails_the_delivery_without_sending(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver
) -> None:
    created: dict[str, Any] = client.post(
        "/api/v1/webhooks", json={"name": "x", "url": hook.url, "secret": SECRET}
    ).json()
    delivery = service.send_test(
        sessions, webhook_id=uuid.UUID(created["id"]), actor="test",
        instance_key=b"the instance key was changed",
    )  # fmt: skip
    assert (delivery.status, delivery.error) == (
        "failed", "the stored URL or secret cannot be read: enter them again",
    )  # fmt: skip
    assert hook.received == []
