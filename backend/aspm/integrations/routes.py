"""HTTP: outgoing webhooks (admins and security leads, signed in as people).

URLs and secrets are write-only: accepted on create and update, stored encrypted, never in an
answer. The event envelope a generic webhook receives is documented by `event-types`
(`WebhookEnvelope` in the schemas)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from aspm.api.deps import LeadAccess, PrincipalDep, SessionDep, SessionFactoryDep, SettingsDep
from aspm.common.paging import MAX_OFFSET, Page
from aspm.integrations import dispatch, service
from aspm.integrations.schemas import (
    DeliveryDetail,
    DeliveryRead,
    EventTypeInfo,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"], lifespan=dispatch.lifespan)


@router.get(
    "/event-types", name="event_types", response_model=list[EventTypeInfo],
    dependencies=[LeadAccess],
)  # fmt: skip
def event_types() -> list[EventTypeInfo]:
    """The events a webhook can subscribe to, each with an example of the JSON envelope that a
    generic webhook receives: `{version, id, type, occurred_at, data}`. The body is signed:
    `X-ASPM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (README
    "Webhooks")."""
    return service.event_types()


@router.get("", name="list", response_model=list[WebhookRead], dependencies=[LeadAccess])
def list_webhooks(session: SessionDep) -> list[WebhookRead]:
    return service.list_webhooks(session)


@router.post(
    "", name="create", status_code=201, response_model=WebhookRead, dependencies=[LeadAccess]
)
def create_webhook(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep, body: WebhookCreate
) -> WebhookRead:
    """A webhook: `generic` (the signed JSON envelope), `slack` or `teams` (their incoming
    webhook formats). The URL and secret are stored encrypted and never shown again."""
    return service.create_webhook(
        session, spec=body, actor=principal.actor, instance_key=settings.secret_hmac_key
    )


@router.get(
    "/deliveries/{delivery_id}", name="get_delivery", response_model=DeliveryDetail,
    dependencies=[LeadAccess],
)  # fmt: skip
def get_delivery(session: SessionDep, delivery_id: uuid.UUID) -> DeliveryDetail:
    """One delivery with the event envelope it carries."""
    return service.get_delivery(session, delivery_id=delivery_id)


@router.get("/{webhook_id}", name="get", response_model=WebhookRead, dependencies=[LeadAccess])
def get_webhook(session: SessionDep, webhook_id: uuid.UUID) -> WebhookRead:
    return service.get_webhook(session, webhook_id)


@router.patch("/{webhook_id}", name="update", response_model=WebhookRead, dependencies=[LeadAccess])
def update_webhook(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    webhook_id: uuid.UUID,
    body: WebhookUpdate,
) -> WebhookRead:
    """Change what is given; `url` and `secret` are replaced only when sent."""
    return service.update_webhook(
        session, webhook_id=webhook_id, spec=body, actor=principal.actor,
        instance_key=settings.secret_hmac_key,
    )  # fmt: skip


@router.delete("/{webhook_id}", name="delete", status_code=204, dependencies=[LeadAccess])
def delete_webhook(session: SessionDep, principal: PrincipalDep, webhook_id: uuid.UUID) -> Response:
    service.delete_webhook(session, webhook_id=webhook_id, actor=principal.actor)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/test", name="send_test", response_model=DeliveryRead,
    dependencies=[LeadAccess],
)  # fmt: skip
def send_test(
    factory: SessionFactoryDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    webhook_id: uuid.UUID,
) -> DeliveryRead:
    """Send a `webhook.test` event now and answer with the delivery (one attempt; a failed one
    is retried later like any other)."""
    return service.send_test(
        factory, webhook_id=webhook_id, actor=principal.actor,
        instance_key=settings.secret_hmac_key,
    )  # fmt: skip


@router.get(
    "/{webhook_id}/deliveries", name="list_deliveries", response_model=Page[DeliveryRead],
    dependencies=[LeadAccess],
)  # fmt: skip
def list_deliveries(
    session: SessionDep,
    webhook_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[DeliveryRead]:
    """The delivery log, newest first: status, attempts, response code, duration."""
    return service.list_deliveries(session, webhook_id=webhook_id, limit=limit, offset=offset)
