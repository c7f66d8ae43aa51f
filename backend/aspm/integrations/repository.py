"""Every SQL statement of the webhooks: endpoints, the event outbox, deliveries, marks.

The finding selections read `findings` and `assets` (read only, set-based, at most
`limit` rows each): what an event lists."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.common.priority import Priority
from aspm.findings.models import Finding
from aspm.findings.states import open_clause
from aspm.integrations.models import IntegrationMark, Webhook, WebhookDelivery, WebhookEvent
from aspm.integrations.schemas import DeliveryStatus

# --- endpoints ----------------------------------------------------------------------------------


def add_webhook(session: Session, webhook: Webhook) -> Webhook:
    session.add(webhook)
    session.flush()
    return webhook


def get_webhook(session: Session, webhook_id: uuid.UUID) -> Webhook | None:
    return session.get(Webhook, webhook_id)


def get_webhook_by_name(session: Session, name: str) -> Webhook | None:
    return session.scalars(select(Webhook).where(Webhook.name == name)).first()


def list_webhooks(session: Session) -> list[Webhook]:
    return list(session.scalars(select(Webhook).order_by(Webhook.name)))


def delete_webhook(session: Session, webhook: Webhook) -> None:
    # deliveries first: SQLite enforces the foreign key but the ORM issues no cascade
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    session.delete(webhook)
    session.flush()


def subscribers(session: Session, event_type: str) -> list[uuid.UUID]:
    """Active webhooks subscribed to `event_type` (a handful of rows: filtered here, the same
    on every database)."""
    rows = session.execute(select(Webhook.id, Webhook.events).where(Webhook.active.is_(True)))
    return [r.id for r in rows if event_type in (r.events or [])]


# --- the outbox ---------------------------------------------------------------------------------


def add_event(
    session: Session,
    *,
    event_type: str,
    data: dict[str, Any],
    webhook_ids: Sequence[uuid.UUID],
    now: datetime,
    due_at: datetime | None = None,
) -> tuple[WebhookEvent, list[uuid.UUID]]:
    """The event and one pending delivery per webhook, due at `due_at` (default: now)."""
    event = WebhookEvent(id=uuid.uuid4(), type=event_type, occurred_at=now, data=data)
    session.add(event)
    session.flush()
    deliveries = [
        WebhookDelivery(
            id=uuid.uuid4(), webhook_id=webhook_id, event_id=event.id, event_type=event_type,
            status=DeliveryStatus.PENDING, attempts=0, created_at=now,
            next_attempt_at=due_at or now, attempt_log=[],
        )
        for webhook_id in webhook_ids
    ]  # fmt: skip
    session.add_all(deliveries)
    session.flush()
    return event, [d.id for d in deliveries]


@dataclass(frozen=True, slots=True)
class FindingRow:
    id: uuid.UUID
    title: str
    severity: str
    priority: Priority | None
    risk_score: int | None
    category: str
    asset: str | None
    team: str | None
    sla_due_at: datetime | None


def _finding_rows(
    session: Session, where: Sequence[Any], *, limit: int
) -> tuple[int, list[FindingRow]]:
    total = session.scalar(select(func.count()).select_from(Finding).where(*where)) or 0
    if not total:
        return 0, []
    rows = session.execute(
        select(
            Finding.id, Finding.title, Finding.severity, Finding.priority, Finding.risk_score,
            Finding.category, Asset.name, Finding.team, Finding.sla_due_at,
        )
        .outerjoin(Asset, Asset.id == Finding.asset_id)
        .where(*where)
        .order_by(Finding.risk_score.desc().nulls_last(), Finding.id)
        .limit(limit)
    )  # fmt: skip
    return total, [FindingRow(*r) for r in rows]


def created_by_import(
    session: Session,
    *,
    import_id: uuid.UUID,
    priority: Priority | None = None,
    category: str | None = None,
    limit: int,
) -> tuple[int, list[FindingRow]]:
    """Open findings an import created, of a priority or a category."""
    where: list[Any] = [Finding.created_import_id == import_id, open_clause()]
    if priority is not None:
        where.append(Finding.priority == priority)
    if category is not None:
        where.append(Finding.category == category)
    return _finding_rows(session, where, limit=limit)


def sla_breached_between(
    session: Session, *, after: datetime, until: datetime, limit: int
) -> tuple[int, list[FindingRow]]:
    """Open findings whose SLA due date passed in (after, until]."""
    where = [Finding.sla_due_at > after, Finding.sla_due_at <= until, open_clause()]
    return _finding_rows(session, where, limit=limit)


# --- the sender (taking due deliveries: aspm.integrations.outbox) ------------------------------


def load_delivery(
    session: Session, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, Webhook, WebhookEvent] | None:
    row = session.execute(
        select(WebhookDelivery, Webhook, WebhookEvent)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id == delivery_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def get_delivery(session: Session, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    return session.get(WebhookDelivery, delivery_id)


def get_event(session: Session, event_id: uuid.UUID) -> WebhookEvent | None:
    return session.get(WebhookEvent, event_id)


def list_deliveries(
    session: Session, *, webhook_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[WebhookDelivery], int]:
    where = WebhookDelivery.webhook_id == webhook_id
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(where)) or 0
    rows = session.scalars(
        select(WebhookDelivery)
        .where(where)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def next_due(session: Session) -> datetime | None:
    return session.scalar(
        select(func.min(WebhookDelivery.next_attempt_at)).where(
            WebhookDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING))
        )
    )


def prune(session: Session, *, before: datetime) -> int:
    """Events older than `before` whose deliveries have all ended, with those deliveries."""
    unfinished = select(WebhookDelivery.event_id).where(
        WebhookDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.RETRYING))
    )
    old = select(WebhookEvent.id).where(
        WebhookEvent.occurred_at < before, WebhookEvent.id.not_in(unfinished)
    )
    ids = list(session.scalars(old))
    if not ids:
        return 0
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(ids)))
    session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(ids)))
    return len(ids)


# --- marks --------------------------------------------------------------------------------------


def get_mark(session: Session, name: str, *, for_update: bool = False) -> IntegrationMark | None:
    stmt = select(IntegrationMark).where(IntegrationMark.name == name)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def set_mark(session: Session, name: str, at: datetime) -> None:
    mark = session.get(IntegrationMark, name)
    if mark is None:
        session.add(IntegrationMark(name=name, at=at))
    else:
        mark.at = at
    session.flush()
