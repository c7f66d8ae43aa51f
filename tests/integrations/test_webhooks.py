"""Outgoing webhooks against a receiver on loopback: signed deliveries, retries with backoff,
events fired after the causing transaction commits, Slack and Teams presets."""

import json
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.session import unit_of_work
from aspm.findings.models import Finding
from aspm.integrations import outbox, service, signing
from aspm.integrations.models import WebhookDelivery, WebhookEvent
from aspm.integrations.schemas import EventType, WebhookEnvelope
from tests.conftest import TEST_SECRET
from tests.factories import ingest_bytes
from tests.gate.helpers import CRITICAL, sarif_report, sarif_result
from tests.integrations.conftest import Clock
from tests.integrations.receiver import Answer, Receiver

URL = "/api/v1/webhooks"
SECRET = "whsec-0123456789abcdef"
KEY = TEST_SECRET.encode()
ENVELOPE: TypeAdapter[Any] = TypeAdapter(WebhookEnvelope)
DRIFTCTL = Path(__file__).parents[1] / "ingest" / "samples" / "driftctl" / "one.json"


def create(client: TestClient, hook: Receiver, **extra: Any) -> dict[str, Any]:
    spec = {"name": "ci", "url": hook.url, "secret": SECRET, **extra}
    response = client.post(URL, json=spec)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def deliveries(client: TestClient, webhook_id: str) -> list[dict[str, Any]]:
    page = client.get(f"{URL}/{webhook_id}/deliveries").json()
    items: list[dict[str, Any]] = page["items"]
    return items


def send_due(sessions: sessionmaker[Session], timeout: float = 5.0) -> int:
    return service.deliver_due(sessions, instance_key=KEY, timeout=timeout)


def test_send_test_delivers_a_signed_envelope_that_the_receiver_can_verify(
    client: TestClient, hook: Receiver
) -> None:
    webhook = create(client, hook)
    response = client.post(f"{URL}/{webhook['id']}/test")
    assert response.status_code == 200, response.text
    delivery = response.json()
    assert (delivery["status"], delivery["attempts"], delivery["response_code"]) == (
        "delivered", 1, 200,
    )  # fmt: skip
    assert delivery["duration_ms"] >= 0
    (got,) = hook.received
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-aspm-event"] == "webhook.test"
    assert got.headers["x-aspm-delivery"] == delivery["id"]
    signature = got.headers["x-aspm-signature"]
    assert signing.verify(SECRET, signature, got.body, now=int(time.time()))
    assert not signing.verify(SECRET, signature, got.body + b" ", now=int(time.time()))
    assert not signing.verify("another-secret-value", signature, got.body, now=int(time.time()))
    assert not signing.verify(SECRET, signature, got.body, now=int(time.time()) + 3600)
    envelope = ENVELOPE.validate_json(got.body)  # the schema the OpenAPI documents
    assert (envelope.version, envelope.type, envelope.data.webhook) == ("1", "webhook.test", "ci")
    assert deliveries(client, webhook["id"])[0]["id"] == delivery["id"]
    detail = client.get(f"{URL}/deliveries/{delivery['id']}").json()
    assert detail["envelope"] == json.loads(got.body)


def test_a_5xx_then_a_timeout_is_retried_with_exponential_backoff_until_it_succeeds(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver, clock: Clock
) -> None:
    webhook = create(client, hook)
    hook.answer(Answer(status=503), Answer(delay=1.5))  # then 200
    first = client.post(f"{URL}/{webhook['id']}/test").json()
    assert (first["status"], first["response_code"], first["error"]) == (
        "retrying", 503, "answered HTTP 503",
    )  # fmt: skip
    assert _seconds_until_next(first) == outbox.backoff_seconds(1) == 30
    assert send_due(sessions) == 0  # not due yet
    clock.advance(30)
    assert send_due(sessions, timeout=0.5) == 1
    (second,) = deliveries(client, webhook["id"])
    assert (second["status"], second["attempts"], second["response_code"]) == (
        "retrying", 2, None,
    )  # fmt: skip
    assert second["error"] == "no answer within 0.5 s"
    assert _seconds_until_next(second) == outbox.backoff_seconds(2) == 60
    clock.advance(59)
    assert send_due(sessions) == 0
    clock.advance(1)
    assert send_due(sessions) == 1
    (third,) = deliveries(client, webhook["id"])
    assert (third["status"], third["attempts"], third["response_code"]) == ("delivered", 3, 200)
    assert [a["response_code"] for a in third["attempt_log"]] == [503, None, 200]
    bodies = {r.body for r in hook.received}
    assert len(hook.received) == 3
    assert len(bodies) == 1
    assert len({r.headers["x-aspm-event-id"] for r in hook.received}) == 1


def _seconds_until_next(delivery: dict[str, Any]) -> float:
    last = datetime.fromisoformat(delivery["last_attempt_at"])
    nxt = datetime.fromisoformat(delivery["next_attempt_at"])
    return (nxt - last).total_seconds()


def test_a_429_waits_as_long_as_retry_after_asks(client: TestClient, hook: Receiver) -> None:
    webhook = create(client, hook)
    hook.answer(Answer(status=429, retry_after=600))
    first = client.post(f"{URL}/{webhook['id']}/test").json()
    assert (first["status"], first["response_code"]) == ("retrying", 429)
    assert _seconds_until_next(first) == 600


def test_after_every_attempt_failed_the_delivery_is_failed(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver, clock: Clock
) -> None:
    webhook = create(client, hook)
    hook.answer(*[Answer(status=500)] * service.MAX_ATTEMPTS)
    client.post(f"{URL}/{webhook['id']}/test")
    for _ in range(service.MAX_ATTEMPTS - 1):
        clock.advance(outbox.RETRY_MAX_SECONDS)
        assert send_due(sessions) == 1
    with unit_of_work(sessions) as session:  # the API session has expired: hours went by
        page = service.list_deliveries(
            session, webhook_id=uuid.UUID(webhook["id"]), limit=10, offset=0
        )
    (last,) = page.model_dump()["items"]
    assert (last["status"], last["attempts"], last["next_attempt_at"]) == (
        "failed", service.MAX_ATTEMPTS, None,
    )  # fmt: skip
    clock.advance(outbox.RETRY_MAX_SECONDS)
    assert send_due(sessions) == 0
    assert len(hook.received) == service.MAX_ATTEMPTS


def test_a_redirect_is_a_failed_attempt_not_followed(client: TestClient, hook: Receiver) -> None:
    webhook = create(client, hook)
    hook.answer(Answer(status=302))
    first = client.post(f"{URL}/{webhook['id']}/test").json()
    assert (first["status"], first["response_code"]) == ("retrying", 302)
    assert len(hook.received) == 1


def test_a_gate_failure_and_its_new_p1_finding_are_sent_only_after_the_commit(
    client: TestClient,
    sessions: sessionmaker[Session],
    hook: Receiver,
    crown_jewels: None,
) -> None:
    create(client, hook, events=["findings.new_p1", "gate.failed", "import.failed"])
    report = sarif_report(
        sarif_result("sql-injection", level="error", score=CRITICAL, path="db.py")
    )
    response = client.post(
        "/api/v1/gate/evaluations", files=[("reports", ("r.sarif", report))],
        params={"asset": "acme/api", "branch": "pr-7"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["passed"] is False
    assert hook.received == []  # nothing is sent from inside the request's transaction
    assert send_due(sessions) == 2
    by_type = {r.headers["x-aspm-event"]: ENVELOPE.validate_json(r.body) for r in hook.received}
    assert set(by_type) == {"findings.new_p1", "gate.failed"}
    gate = by_type["gate.failed"].data
    assert (gate.asset, gate.branch, gate.failed) == ("acme/api", "pr-7", 1)
    assert str(gate.evaluation_id) == response.json()["evaluation_id"]
    p1 = by_type["findings.new_p1"].data
    assert p1.count == 1
    assert (p1.findings[0].priority, p1.findings[0].asset) == ("P1", "acme/api")
    assert p1.findings[0].path == f"/findings/{p1.findings[0].id}"


def test_an_import_that_rolls_back_leaves_no_event(
    sessions: sessionmaker[Session], client: TestClient, hook: Receiver
) -> None:
    create(client, hook, events=["drift.detected"])

    def failing_import() -> None:
        with unit_of_work(sessions) as session:
            service.emit(session, EventType.DRIFT_DETECTED, {"count": 0, "findings": []})
            raise RuntimeError("the import failed after the event was written")

    with pytest.raises(RuntimeError):
        failing_import()
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_drift_findings_of_an_import_become_one_event(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver
) -> None:
    create(client, hook, events=["drift.detected"])
    result = ingest_bytes(
        sessions, DRIFTCTL.read_bytes(), filename="driftctl.json", asset="acme/infra"
    )
    assert result.status == "ok"
    assert result.new_findings >= 1
    assert send_due(sessions) == 1
    (got,) = hook.received
    event = ENVELOPE.validate_json(got.body)
    assert event.type == "drift.detected"
    assert str(event.data.import_id) == str(result.import_id)
    assert event.data.count == result.new_findings
    assert {f.category for f in event.data.findings} == {"drift"}
    ingest_bytes(sessions, DRIFTCTL.read_bytes(), filename="driftctl.json", asset="acme/infra")
    assert send_due(sessions) == 0  # the same drift again is not new


def test_a_failed_import_is_an_event(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver
) -> None:
    create(client, hook, events=["import.failed"])
    result = ingest_bytes(sessions, b"{ not json", filename="trivy.json", fmt="trivy")
    assert result.status == "error"
    assert send_due(sessions) == 1
    event = ENVELOPE.validate_json(hook.received[0].body)
    assert (event.type, str(event.data.import_id)) == ("import.failed", str(result.import_id))
    assert event.data.file == "trivy.json"
    assert event.data.error


def test_events_nobody_subscribes_to_write_nothing(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver
) -> None:
    create(client, hook, events=["gate.failed"], active=True)
    create(client, hook, name="off", events=["import.failed"], active=False)
    ingest_bytes(sessions, b"{ not json", filename="trivy.json", fmt="trivy")
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_sla_breaches_are_announced_once_each_hour(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver, clock: Clock
) -> None:
    create(client, hook, events=["findings.sla_breached"])
    result = ingest_bytes(sessions, sarif_report(sarif_result("xss", level="error")))
    with unit_of_work(sessions) as session:
        service.hourly(session)  # the first run starts the mark
        (finding,) = session.scalars(
            select(Finding).where(Finding.created_import_id == result.import_id)
        )
        finding.sla_due_at = clock.now + timedelta(minutes=30)
    clock.advance(3600)
    with unit_of_work(sessions) as session:
        assert service.hourly(session)["sla_breached"] == 1
    clock.advance(3600)
    with unit_of_work(sessions) as session:
        assert service.hourly(session)["sla_breached"] == 0  # announced once
    assert send_due(sessions) == 1
    event = ENVELOPE.validate_json(hook.received[0].body)
    assert event.type == "findings.sla_breached"
    assert [str(f.id) for f in event.data.findings] == [str(finding.id)]


@pytest.mark.parametrize("kind", ["slack", "teams"])
def test_slack_and_teams_presets_send_their_incoming_webhook_formats(
    client: TestClient, hook: Receiver, kind: str
) -> None:
    webhook = create(client, hook, kind=kind, secret=None)
    assert webhook["has_secret"] is False
    delivery = client.post(f"{URL}/{webhook['id']}/test").json()
    assert delivery["status"] == "delivered"
    (got,) = hook.received
    body = json.loads(got.body)
    assert "x-aspm-signature" not in got.headers  # no secret given: chat URLs carry the token
    if kind == "slack":
        assert body["text"] == "Test message from ASPM (ci)"
        assert [b["type"] for b in body["blocks"]] == ["header", "section", "context"]
    else:
        assert body["type"] == "message"
        (attachment,) = body["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
        assert card["body"][0]["text"] == "Test message from ASPM (ci)"


def test_a_generic_webhook_needs_a_secret_and_an_https_or_loopback_url(
    client: TestClient,
) -> None:
    assert client.post(URL, json={"name": "a", "url": "http://127.0.0.1:9/x"}).status_code == 422
    response = client.post(URL, json={"name": "b", "url": "http://example.com/x", "secret": SECRET})
    assert response.status_code == 422
    assert "https" in response.text
    ok = client.post(URL, json={"name": "c", "url": "https://example.com/x", "secret": SECRET})
    assert ok.status_code == 201
    assert ok.json()["url_hint"] == "https://example.com/…"
    again = client.post(URL, json={"name": "c", "url": "https://example.com/y", "secret": SECRET})
    assert again.status_code == 409


def test_update_replaces_only_what_is_given_and_delete_removes_the_log(
    client: TestClient, sessions: sessionmaker[Session], hook: Receiver
) -> None:
    webhook = create(client, hook)
    client.post(f"{URL}/{webhook['id']}/test")
    changed = client.patch(f"{URL}/{webhook['id']}", json={"events": ["gate.failed"]}).json()
    assert changed["events"] == ["gate.failed"]
    assert changed["url_hint"] == webhook["url_hint"]
    client.post(f"{URL}/{webhook['id']}/test")
    assert len(hook.received) == 2  # URL and secret unchanged
    assert signing.verify(
        SECRET, hook.received[1].headers["x-aspm-signature"], hook.received[1].body,
        now=int(time.time()),
    )  # fmt: skip
    disabled = client.patch(f"{URL}/{webhook['id']}", json={"active": False})
    assert disabled.json()["active"] is False
    refused = client.post(f"{URL}/{webhook['id']}/test").json()
    assert (refused["status"], refused["error"]) == ("failed", "the webhook is disabled")
    assert client.delete(f"{URL}/{webhook['id']}").status_code == 204
    assert client.get(f"{URL}/{webhook['id']}").status_code == 404
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert client.post(f"{URL}/{uuid.uuid4()}/test").status_code == 404


def test_event_types_document_an_example_envelope_for_each_event(client: TestClient) -> None:
    types = client.get(f"{URL}/event-types").json()
    assert {t["type"] for t in types} == {e.value for e in EventType}
    for t in types:
        assert ENVELOPE.validate_python(t["example"]).type == t["type"]
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"NewP1Event", "GateFailedEvent", "FindingsData"} <= set(schemas)
