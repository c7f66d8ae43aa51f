"""Outgoing webhooks: endpoints (admins and security leads), events, and their delivery.

Events are written set-based into an outbox (webhook_events, one webhook_deliveries row per
subscribed endpoint) inside the transaction that caused them, so they exist exactly when it
commits; nothing is sent from inside it. Senders take due deliveries after the commit:
- PostgreSQL (imports on the job queue): the workers' periodic task `aspm.deliver_webhooks`;
- SQLite (one process): a thread of the server (aspm.integrations.dispatch), woken on commit.
A failed attempt (connection error, timeout, non-2xx) is tried again after an exponential
backoff (aspm.integrations.outbox: 30 s doubling, at most an hour, longer when a 429/503 asks
with Retry-After), MAX_ATTEMPTS times in all; then the delivery is failed. Each event has one id on
every attempt, so receivers can deduplicate.
"""

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aspm.audit import service as audit_service
from aspm.common.clock import utcnow
from aspm.common.paging import Page
from aspm.common.priority import Priority
from aspm.db.session import unit_of_work
from aspm.errors import Conflict, InvalidInput, NotFound
from aspm.integrations import crypto, formats, repository, sender, wakeup
from aspm.integrations.models import Webhook, WebhookDelivery, WebhookEvent
from aspm.integrations.outbox import Attempt, Outbox
from aspm.integrations.schemas import (
    ENVELOPE_VERSION,
    DeliveryDetail,
    DeliveryRead,
    DeliveryStatus,
    EventType,
    EventTypeInfo,
    FindingRef,
    FindingsData,
    GateFailedData,
    ImportFailedData,
    TestData,
    WebhookCreate,
    WebhookKind,
    WebhookRead,
    WebhookUpdate,
    url_hint,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE_SECONDS = 120  # a taken delivery is due again after this if its sender vanished
MAX_FINDINGS_PER_EVENT = 100
KEEP_EVENTS_DAYS = 30
SLA_MARK = "sla_breached"
DRIFT = "drift"
DELIVERIES = Outbox(
    WebhookDelivery,
    waiting=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
    done=DeliveryStatus.DELIVERED,
    retrying=DeliveryStatus.RETRYING,
    failed=DeliveryStatus.FAILED,
    done_at="delivered_at",
    keep=MAX_ATTEMPTS,
    max_attempts=MAX_ATTEMPTS,
)

# --- endpoints ----------------------------------------------------------------------------------


def _read(webhook: Webhook) -> WebhookRead:
    return WebhookRead(
        id=webhook.id, name=webhook.name, kind=WebhookKind(webhook.kind),
        url_hint=webhook.url_hint, has_secret=webhook.secret_sealed is not None,
        events=[EventType(e) for e in webhook.events], active=webhook.active,
        created_by=webhook.created_by, created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )  # fmt: skip


def _context(webhook_id: uuid.UUID, field: str) -> str:
    return f"webhook:{webhook_id}:{field}"


def _get(session: Session, webhook_id: uuid.UUID) -> Webhook:
    webhook = repository.get_webhook(session, webhook_id)
    if webhook is None:
        raise NotFound(f"no webhook {webhook_id}")
    return webhook


def list_webhooks(session: Session) -> list[WebhookRead]:
    return [_read(w) for w in repository.list_webhooks(session)]


def get_webhook(session: Session, webhook_id: uuid.UUID) -> WebhookRead:
    return _read(_get(session, webhook_id))


def create_webhook(
    session: Session, *, spec: WebhookCreate, actor: str, instance_key: bytes
) -> WebhookRead:
    if spec.kind is WebhookKind.GENERIC and spec.secret is None:
        raise InvalidInput("a generic webhook needs a signing secret (16 characters or more)")
    if repository.get_webhook_by_name(session, spec.name) is not None:
        raise Conflict(f"a webhook named {spec.name!r} exists")
    now = utcnow()
    webhook_id = uuid.uuid4()
    url = spec.url.get_secret_value()
    webhook = repository.add_webhook(
        session,
        Webhook(
            id=webhook_id, name=spec.name, kind=spec.kind.value,
            url_sealed=crypto.seal(url, instance_key=instance_key,
                                   context=_context(webhook_id, "url")),
            url_hint=url_hint(url)[:300],
            secret_sealed=None if spec.secret is None else crypto.seal(
                spec.secret.get_secret_value(), instance_key=instance_key,
                context=_context(webhook_id, "secret")),
            events=[e.value for e in spec.events], active=spec.active, created_by=actor[:200],
            created_at=now, updated_at=now,
        ),
    )  # fmt: skip
    audit_service.record(
        session, actor, "webhook_created", "webhook", webhook.id, to_value=webhook.name,
        details={"kind": webhook.kind, "events": webhook.events, "host": webhook.url_hint},
    )  # fmt: skip
    return _read(webhook)


def update_webhook(
    session: Session,
    *,
    webhook_id: uuid.UUID,
    spec: WebhookUpdate,
    actor: str,
    instance_key: bytes,
) -> WebhookRead:
    webhook = _get(session, webhook_id)
    changed: list[str] = []
    if spec.name is not None and spec.name != webhook.name:
        other = repository.get_webhook_by_name(session, spec.name)
        if other is not None:
            raise Conflict(f"a webhook named {spec.name!r} exists")
        webhook.name = spec.name
        changed.append("name")
    if spec.url is not None:
        url = spec.url.get_secret_value()
        webhook.url_sealed = crypto.seal(
            url, instance_key=instance_key, context=_context(webhook.id, "url")
        )
        webhook.url_hint = url_hint(url)[:300]
        changed.append("url")
    if spec.secret is not None:
        webhook.secret_sealed = crypto.seal(
            spec.secret.get_secret_value(), instance_key=instance_key,
            context=_context(webhook.id, "secret"),
        )  # fmt: skip
        changed.append("secret")
    if spec.events is not None:
        webhook.events = [e.value for e in spec.events]
        changed.append("events")
    if spec.active is not None and spec.active != webhook.active:
        webhook.active = spec.active
        changed.append("active")
    if changed:
        webhook.updated_at = utcnow()
        session.flush()
        audit_service.record(
            session, actor, "webhook_updated", "webhook", webhook.id, to_value=webhook.name,
            details={"changed": changed},  # which fields: never their values
        )  # fmt: skip
    return _read(webhook)


def delete_webhook(session: Session, *, webhook_id: uuid.UUID, actor: str) -> None:
    webhook = _get(session, webhook_id)
    repository.delete_webhook(session, webhook)
    audit_service.record(
        session, actor, "webhook_deleted", "webhook", webhook_id, from_value=webhook.name
    )


def list_deliveries(
    session: Session, *, webhook_id: uuid.UUID, limit: int, offset: int
) -> Page[DeliveryRead]:
    _get(session, webhook_id)
    rows, total = repository.list_deliveries(
        session, webhook_id=webhook_id, limit=limit, offset=offset
    )
    return Page[DeliveryRead](
        items=[DeliveryRead.model_validate(r) for r in rows], total=total, limit=limit,
        offset=offset,
    )  # fmt: skip


def get_delivery(session: Session, *, delivery_id: uuid.UUID) -> DeliveryDetail:
    found = repository.load_delivery(session, delivery_id)
    if found is None:
        raise NotFound(f"no delivery {delivery_id}")
    delivery, _, event = found
    return DeliveryDetail.model_validate(
        {**DeliveryRead.model_validate(delivery).model_dump(), "envelope": envelope(event)}
    )


# --- events: written in the causing transaction -------------------------------------------------


def envelope(event: WebhookEvent) -> dict[str, Any]:
    return {
        "version": ENVELOPE_VERSION,
        "id": str(event.id),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.data,
    }


def emit(session: Session, event_type: EventType, data: dict[str, Any]) -> WebhookEvent | None:
    """Queue one event for every active webhook subscribed to it (none: nothing is written)."""
    webhook_ids = repository.subscribers(session, event_type.value)
    if not webhook_ids:
        return None
    event, _ = repository.add_event(
        session, event_type=event_type.value, data=data, webhook_ids=webhook_ids, now=utcnow()
    )
    wakeup.WEBHOOKS.after_commit(session)
    log.info("webhook event %s (%s) for %d webhooks", event.id, event_type, len(webhook_ids))
    return event


def _findings_data(
    total: int, rows: Sequence[repository.FindingRow], import_id: uuid.UUID | None = None
) -> dict[str, Any]:
    return FindingsData(
        import_id=import_id, count=total,
        findings=[
            FindingRef(
                id=r.id, title=r.title[:300], severity=r.severity, priority=r.priority,
                risk_score=r.risk_score, category=r.category, asset=r.asset, team=r.team,
                sla_due_at=r.sla_due_at, path=f"/findings/{r.id}",
            )
            for r in rows
        ],
    ).model_dump(mode="json")  # fmt: skip


def after_import(session: Session, *, import_id: uuid.UUID) -> None:
    """An import is about to commit: its new open P1 findings and its new drift findings."""
    for event_type, priority, category in (
        (EventType.NEW_P1, Priority.P1, None),
        (EventType.DRIFT_DETECTED, None, DRIFT),
    ):
        if not repository.subscribers(session, event_type.value):
            continue
        total, rows = repository.created_by_import(
            session, import_id=import_id, priority=priority, category=category,
            limit=MAX_FINDINGS_PER_EVENT,
        )  # fmt: skip
        if total:
            emit(session, event_type, _findings_data(total, rows, import_id))


def import_failed(
    session: Session, *, import_id: uuid.UUID, file: str, format: str | None, error: str | None
) -> None:
    data = ImportFailedData(import_id=import_id, file=file, format=format, error=error)
    emit(session, EventType.IMPORT_FAILED, data.model_dump(mode="json"))


def gate_failed(session: Session, data: GateFailedData) -> None:
    """A recorded gate evaluation that failed: the `gate.failed` event."""
    emit(session, EventType.GATE_FAILED, data.model_dump(mode="json"))


def hourly(session: Session) -> dict[str, int]:
    """SLA breaches since the last run (one event), and old events pruned. The mark moves
    even when nobody subscribes, so a new subscriber does not get the whole past at once."""
    now = utcnow()
    mark = repository.get_mark(session, SLA_MARK, for_update=True)
    after = mark.at if mark is not None else now - timedelta(hours=1)
    breached = 0
    if after < now and repository.subscribers(session, EventType.SLA_BREACHED.value):
        breached, rows = repository.sla_breached_between(
            session, after=after, until=now, limit=MAX_FINDINGS_PER_EVENT
        )
        if breached:
            emit(session, EventType.SLA_BREACHED, _findings_data(breached, rows))
    repository.set_mark(session, SLA_MARK, now)
    pruned = repository.prune(session, before=now - timedelta(days=KEEP_EVENTS_DAYS))
    return {"sla_breached": breached, "pruned": pruned}


def event_types() -> list[EventTypeInfo]:
    """Each event type, what it means and an example envelope."""
    at = datetime(2026, 1, 1, 12, 0, tzinfo=utcnow().tzinfo)
    finding = FindingRef(
        id=uuid.UUID(int=1), title="S3 bucket is public", severity="critical", priority=Priority.P1,
        risk_score=97, category="iac", asset="acme/payments", team="payments",
        sla_due_at=at + timedelta(days=7), path=f"/findings/{uuid.UUID(int=1)}",
    )  # fmt: skip
    findings = FindingsData(import_id=uuid.UUID(int=2), count=1, findings=[finding])
    samples: dict[EventType, tuple[str, Any]] = {
        EventType.NEW_P1: ("an import created open P1 findings", findings),
        EventType.SLA_BREACHED: (
            "open findings passed their SLA due date (checked hourly)",
            findings.model_copy(update={"import_id": None}),
        ),
        EventType.DRIFT_DETECTED: ("an import created open drift findings", findings),
        EventType.GATE_FAILED: (
            "a recorded gate evaluation failed",
            GateFailedData(
                evaluation_id=uuid.UUID(int=3),
                asset="acme/payments",
                branch="main",
                commit="4f2c1e9",
                policy="default",
                failed=2,
                failed_rules=["no-new-critical"],
            ),
        ),
        EventType.IMPORT_FAILED: (
            "an import failed; nothing of it was stored",
            ImportFailedData(
                import_id=uuid.UUID(int=2),
                file="trivy.json",
                format="trivy",
                error="trivy.json: not valid JSON",
            ),
        ),
        EventType.TEST: (
            "the send-test button",
            TestData(webhook="chat", message="it works"),
        ),
    }
    return [
        EventTypeInfo.model_validate(
            {"type": t, "description": text,
             "example": {"id": uuid.UUID(int=4), "occurred_at": at, "type": t,
                         "data": data.model_dump(mode="json")}}
        )
        for t, (text, data) in samples.items()
    ]  # fmt: skip


# --- delivery: after the commit, outside any transaction of the caller --------------------------


def send_test(
    factory: sessionmaker[Session],
    *,
    webhook_id: uuid.UUID,
    actor: str,
    instance_key: bytes,
    timeout: float = sender.TIMEOUT_SECONDS,
) -> DeliveryRead:
    """A webhook.test event for this webhook, sent now (one attempt; retried as any other)."""
    with unit_of_work(factory) as session:
        webhook = _get(session, webhook_id)
        now = utcnow()
        data = TestData(webhook=webhook.name, message=f"a test from {actor}")
        _, (delivery_id,) = repository.add_event(
            session,
            event_type=EventType.TEST.value,
            data=data.model_dump(mode="json"),
            webhook_ids=[webhook.id],
            now=now,
            due_at=now + timedelta(seconds=LEASE_SECONDS),
        )  # fmt: skip  (taken by this request: no sender starts it meanwhile)
        audit_service.record(
            session, actor, "webhook_tested", "webhook", webhook.id, to_value=webhook.name
        )
    return deliver(factory, delivery_id, instance_key=instance_key, timeout=timeout)


def deliver_due(
    factory: sessionmaker[Session],
    *,
    instance_key: bytes,
    limit: int = 50,
    timeout: float = sender.TIMEOUT_SECONDS,
) -> int:
    """Send the deliveries due now (at most `limit`); returns how many were attempted."""
    now = utcnow()
    with unit_of_work(factory) as session:
        ids = DELIVERIES.claim_due(
            session, now=now, lease_until=now + timedelta(seconds=LEASE_SECONDS), limit=limit
        )
    for delivery_id in ids:
        deliver(factory, delivery_id, instance_key=instance_key, timeout=timeout)
    return len(ids)


def deliver(
    factory: sessionmaker[Session],
    delivery_id: uuid.UUID,
    *,
    instance_key: bytes,
    timeout: float = sender.TIMEOUT_SECONDS,
) -> DeliveryRead:
    """One attempt of a delivery this sender has taken: read and open what it needs (one short
    transaction), POST with no transaction open, record the outcome (another)."""
    with unit_of_work(factory) as session:
        found = repository.load_delivery(session, delivery_id)
        if found is None:
            raise NotFound(f"no delivery {delivery_id}")
        delivery, webhook, event = found
        request: tuple[str, str | None, dict[str, Any]] | None = None
        refusal: str | None = None
        if not webhook.active:
            refusal = "the webhook is disabled"
        else:
            try:
                url = crypto.open_sealed(
                    webhook.url_sealed, instance_key=instance_key,
                    context=_context(webhook.id, "url"),
                )  # fmt: skip
                secret = None if webhook.secret_sealed is None else crypto.open_sealed(
                    webhook.secret_sealed, instance_key=instance_key,
                    context=_context(webhook.id, "secret"),
                )  # fmt: skip
                payload = formats.body(WebhookKind(webhook.kind), envelope(event))
                request = (url, secret, payload)
            except crypto.Unreadable:
                refusal = "the stored URL or secret cannot be read: enter them again"
        event_type, event_id, webhook_id = event.type, str(event.id), webhook.id
        if refusal is not None:
            _finish(delivery, sender.Outcome(False, None, 0, refusal), final=True)
            log.warning("webhook %s delivery %s: %s", webhook_id, delivery_id, refusal)
            return DeliveryRead.model_validate(delivery)
    assert request is not None  # noqa: S101 - set when there is no refusal
    url, secret, payload = request
    outcome = sender.post(
        url, payload, secret=secret, event_type=event_type, event_id=event_id,
        delivery_id=str(delivery_id), timestamp=int(utcnow().timestamp()), timeout=timeout,
    )  # fmt: skip
    with unit_of_work(factory) as session:
        done = repository.get_delivery(session, delivery_id)
        if done is None:  # the webhook was deleted meanwhile
            raise NotFound(f"no delivery {delivery_id}")
        _finish(done, outcome, final=False)
        session.flush()
        log.info(
            "webhook %s delivery %s attempt %d: %s", webhook_id, delivery_id, done.attempts,
            done.status,
        )  # fmt: skip
        return DeliveryRead.model_validate(done)


def _finish(delivery: WebhookDelivery, outcome: sender.Outcome, *, final: bool) -> None:
    delivery.duration_ms = outcome.duration_ms
    attempt = Attempt(
        ok=outcome.ok, response_code=outcome.response_code, duration_ms=outcome.duration_ms,
        error=outcome.error, retry_after=outcome.retry_after, final=final,
    )  # fmt: skip
    DELIVERIES.record(delivery, attempt, now=utcnow())


def pending(factory: sessionmaker[Session]) -> tuple[int, datetime | None]:
    """How many deliveries wait, and when the first is due."""
    with unit_of_work(factory) as session:
        return DELIVERIES.waiting_count(session), repository.next_due(session)
