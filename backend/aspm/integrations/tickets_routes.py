"""HTTP: tickets in Jira and GitHub Issues (README "Tickets (Jira, GitHub Issues)").

The trackers and the project mapping come from the tickets file (ASPM_TICKETS_FILE); their API
tokens and webhook secrets are entered here by admins, write-only. The trackers' own webhooks
post to /tickets/hooks/..., authenticated by their HMAC signature, not by a session."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from aspm.api.deps import (
    AdminAccess,
    LeadAccess,
    PrincipalDep,
    ReadAccess,
    SessionDep,
    SettingsDep,
    TriageAccess,
)
from aspm.common.paging import MAX_OFFSET, Page
from aspm.integrations import tickets_dispatch, tickets_service
from aspm.integrations.tickets_schemas import (
    CredentialsUpdate,
    HookResult,
    TicketCreate,
    TicketRead,
    TicketsCreated,
    TicketsSettingsRead,
    TicketStatus,
)

router = APIRouter(prefix="/tickets", tags=["tickets"], lifespan=tickets_dispatch.lifespan)


@router.get(
    "/settings", name="settings", response_model=TicketsSettingsRead, dependencies=[LeadAccess]
)
def get_settings(session: SessionDep, settings: SettingsDep) -> TicketsSettingsRead:
    """The trackers and project mapping of the tickets file, and which credentials are set
    (never their values)."""
    return tickets_service.tickets_settings(session, path=settings.tickets_file)


@router.put(
    "/trackers/{name}/credentials", name="set_credentials", response_model=TicketsSettingsRead,
    dependencies=[AdminAccess],
)  # fmt: skip
def set_credentials(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    name: str,
    body: CredentialsUpdate,
) -> TicketsSettingsRead:
    """A tracker's API token and webhook secret: stored encrypted, never shown again."""
    return tickets_service.set_credentials(
        session, name=name, spec=body, actor=principal.actor, path=settings.tickets_file,
        instance_key=settings.secret_hmac_key,
    )  # fmt: skip


@router.post(
    "", name="create", status_code=201, response_model=TicketsCreated, dependencies=[TriageAccess]
)
def create_tickets(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    body: TicketCreate,
) -> TicketsCreated:
    """Tickets for findings by id or by the bulk filter: one per finding, or one per control
    and asset. They are created in the tracker by the job queue (status `pending` until then),
    retried through outages and rate limits."""
    base_url = settings.public_url or str(request.base_url).rstrip("/")
    return tickets_service.create_tickets(
        session, spec=body, principal=principal, path=settings.tickets_file, base_url=base_url
    )


@router.get("", name="list", response_model=Page[TicketRead], dependencies=[ReadAccess])
def list_tickets(
    session: SessionDep,
    finding_id: uuid.UUID | None = None,
    status: TicketStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[TicketRead]:
    """Tickets, newest first; `finding_id`: the ticket of one finding."""
    return tickets_service.list_tickets(
        session, finding_id=finding_id, status=status, limit=limit, offset=offset
    )


@router.get("/{ticket_id}", name="get", response_model=TicketRead, dependencies=[ReadAccess])
def get_ticket(session: SessionDep, ticket_id: uuid.UUID) -> TicketRead:
    return tickets_service.get_ticket(session, ticket_id)


@router.post(
    "/{ticket_id}/retry", name="retry", response_model=TicketRead, dependencies=[LeadAccess]
)
def retry(session: SessionDep, principal: PrincipalDep, ticket_id: uuid.UUID) -> TicketRead:
    """Failed operations of the ticket (a refused token, a wrong project) are tried again."""
    return tickets_service.retry(session, ticket_id=ticket_id, actor=principal)


@router.post("/hooks/github/{name}", name="github_hook", response_model=HookResult)
async def github_hook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: str,
    x_hub_signature_256: Annotated[str | None, Header()] = None,
    x_github_event: Annotated[str | None, Header()] = None,
) -> HookResult:
    """GitHub's `issues` event (signed with the tracker's webhook secret, X-Hub-Signature-256)."""
    return tickets_service.receive_hook(
        session, kind="github", name=name, body=await request.body(),
        signature=x_hub_signature_256, event=x_github_event, path=settings.tickets_file,
        instance_key=settings.secret_hmac_key,
    )  # fmt: skip


@router.post("/hooks/jira/{name}", name="jira_hook", response_model=HookResult)
async def jira_hook(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: str,
    x_hub_signature: Annotated[str | None, Header()] = None,
) -> HookResult:
    """A Jira admin webhook (issue updated), signed with its secret (X-Hub-Signature)."""
    return tickets_service.receive_hook(
        session, kind="jira", name=name, body=await request.body(), signature=x_hub_signature,
        event=None, path=settings.tickets_file, instance_key=settings.secret_hmac_key,
    )  # fmt: skip
