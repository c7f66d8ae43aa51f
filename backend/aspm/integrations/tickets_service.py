"""Tickets in Jira and GitHub Issues: asked for from findings, created, closed and read back.

Asking for tickets (a person, from a finding or a bulk selection) writes the ticket rows, the
links to the findings and one `create` operation each, in the request's transaction; nothing is
sent from inside it. A later import that fixes every finding of a ticket writes a `close`
operation (a comment, then the Done transition or `state_reason=completed`). Senders take due
operations after the commit, like the webhook deliveries:
- PostgreSQL (imports on the job queue): the workers' periodic tasks `aspm.send_tickets` (every
  5 s) and `aspm.poll_tickets` (every minute; each ticket at most every `poll_minutes`);
- SQLite (one process): a thread of the server (aspm.integrations.tickets_dispatch).
A call that gets no answer, a 429, 408 or 5xx is tried again after the webhooks' backoff (30 s
doubling to an hour, longer when Retry-After asks), without limit: an outage loses nothing. A
4xx the tracker will repeat (a wrong project, a refused token) fails the operation; a person
retries it (POST /tickets/{id}/retry) after fixing the cause.

A ticket closed in the tracker as won't do (a Jira resolution in `wont_do`, GitHub's
`not_planned`) is shown on its findings; their triage does not change without a person.
"""

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aspm.audit import service as audit_service
from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.common.paging import Page
from aspm.db.session import unit_of_work
from aspm.errors import AspmError, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from aspm.findings import service as findings_service
from aspm.findings.schemas import FindingDetail
from aspm.integrations import crypto, tickets_clients, tickets_config, tickets_http, wakeup
from aspm.integrations import tickets_repository as repository
from aspm.integrations.outbox import Attempt, Outbox
from aspm.integrations.tickets_clients import Request
from aspm.integrations.tickets_config import Grouping, TicketsConfig, TrackerConfig, TrackerKind
from aspm.integrations.tickets_models import Ticket, TicketOperation, TicketTracker
from aspm.integrations.tickets_schemas import (
    CredentialsUpdate,
    HookResult,
    OperationAction,
    OperationRead,
    OperationStatus,
    TicketCreate,
    TicketRead,
    TicketsCreated,
    TicketsSettingsRead,
    TicketStatus,
    TrackerRead,
)
from aspm.triage import repository as triage_repository
from aspm.triage import service as triage_service
from aspm.triage.schemas import MAX_BULK

log = logging.getLogger(__name__)

LEASE_SECONDS = 120
MAX_FINDINGS_LISTED = 100
MAX_LOCATIONS = 50
MAX_LOG = 8
CLOSE_BATCH = 500
POLL_BATCH = 50
GITHUB_SIGNATURE = "X-Hub-Signature-256"
JIRA_SIGNATURE = "X-Hub-Signature"
OPERATIONS = Outbox(
    TicketOperation,
    waiting=repository.WAITING,
    done=OperationStatus.DONE,
    retrying=OperationStatus.RETRYING,
    failed=OperationStatus.FAILED,
    done_at="done_at",
    keep=MAX_LOG,
)
WEBHOOK_PATHS = {
    TrackerKind.GITHUB: "/api/v1/tickets/hooks/github/{name}",
    TrackerKind.JIRA_CLOUD: "/api/v1/tickets/hooks/jira/{name}",
    TrackerKind.JIRA_SERVER: "/api/v1/tickets/hooks/jira/{name}",
}

# --- reading ------------------------------------------------------------------------------------


def _reads(session: Session, tickets: Sequence[Ticket]) -> list[TicketRead]:
    ids = [t.id for t in tickets]
    findings = repository.finding_ids_of(session, ids)
    operations = repository.operations_of(session, ids)
    return [
        TicketRead(
            id=t.id, tracker=t.tracker, kind=TrackerKind(t.kind), project=t.project,
            title=t.title, priority=t.priority, due_date=t.due_date,
            status=TicketStatus(t.status), key=t.key, url=t.url,
            tracker_status=t.tracker_status, resolution=t.resolution, wont_do=t.wont_do,
            finding_ids=findings[t.id], created_by=t.created_by, created_at=t.created_at,
            synced_at=t.synced_at, closed_at=t.closed_at,
            operations=[OperationRead.model_validate(o) for o in operations[t.id]],
        )
        for t in tickets
    ]  # fmt: skip


def list_tickets(
    session: Session,
    *,
    finding_id: uuid.UUID | None,
    status: TicketStatus | None,
    limit: int,
    offset: int,
) -> Page[TicketRead]:
    rows, total = repository.list_tickets(
        session, finding_id=finding_id, status=None if status is None else status.value,
        limit=limit, offset=offset,
    )  # fmt: skip
    return Page[TicketRead](items=_reads(session, rows), total=total, limit=limit, offset=offset)


def get_ticket(session: Session, ticket_id: uuid.UUID) -> TicketRead:
    ticket = repository.get_ticket(session, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    return _reads(session, [ticket])[0]


# --- configuration and credentials --------------------------------------------------------------


def _target_text(target: tickets_config.Target | None) -> str | None:
    return None if target is None else f"{target.tracker}:{target.project}"


def tickets_settings(session: Session, *, path: Path | None) -> TicketsSettingsRead:
    """What the tickets file says (or why it cannot be used) and which credentials are set."""
    try:
        config = tickets_config.load(path)
        error = None
    except InvalidInput as exc:
        config, error = None, str(exc)
    stored = repository.list_trackers(session)
    trackers = []
    if config is not None:
        for name, tracker in sorted(config.trackers.items()):
            row = stored.get(name)
            trackers.append(
                TrackerRead(
                    name=name, kind=tracker.kind, url=tracker.url, email=tracker.email,
                    token_set=row is not None and row.token_sealed is not None,
                    webhook_secret_set=row is not None and row.webhook_secret_sealed is not None,
                    webhook_path=WEBHOOK_PATHS[tracker.kind].format(name=name),
                )
            )  # fmt: skip
    return TicketsSettingsRead(
        configured=config is not None, file=None if path is None else str(path), error=error,
        grouping=None if config is None else config.grouping,
        poll_minutes=None if config is None else config.poll_minutes,
        default=None if config is None else _target_text(config.default),
        teams={} if config is None else {k: _target_text(v) or "" for k, v in config.teams.items()},
        assets={} if config is None else {
            k: _target_text(v) or "" for k, v in config.assets.items()
        },
        trackers=trackers,
    )  # fmt: skip


def _context(name: str, field: str) -> str:
    return f"tracker:{name}:{field}"


def set_credentials(
    session: Session,
    *,
    name: str,
    spec: CredentialsUpdate,
    actor: str,
    path: Path | None,
    instance_key: bytes,
) -> TicketsSettingsRead:
    config = tickets_config.require(path)
    if name not in config.trackers:
        raise NotFound(f"no tracker {name!r} in the tickets file")
    row = repository.get_tracker(session, name)
    now = utcnow()
    if row is None:
        row = TicketTracker(name=name, updated_by=actor[:200], updated_at=now)
        repository.add(session, row)
    changed: list[str] = []
    for field, value in (("token", spec.token), ("webhook_secret", spec.webhook_secret)):
        if value is None:
            continue
        plain = value.get_secret_value()
        sealed = (
            crypto.seal(plain, instance_key=instance_key, context=_context(name, field))
            if plain
            else None
        )
        setattr(row, f"{field}_sealed", sealed)
        changed.append(field if plain else f"{field} removed")
    if changed:
        row.updated_by, row.updated_at = actor[:200], now
        session.flush()
        audit_service.record(
            session, actor, "tracker_credentials_set", "tracker",
            uuid.uuid5(uuid.NAMESPACE_URL, name), to_value=name,
            details={"changed": changed},  # which fields: never their values
        )  # fmt: skip
        wakeup.TICKETS.after_commit(session)  # operations waiting for a token can go now
    return tickets_settings(session, path=path)


def _open(row: TicketTracker | None, name: str, field: str, instance_key: bytes) -> str | None:
    sealed = None if row is None else getattr(row, f"{field}_sealed")
    if sealed is None:
        return None
    return crypto.open_sealed(sealed, instance_key=instance_key, context=_context(name, field))


# --- asking for tickets -------------------------------------------------------------------------


@dataclass
class _Group:
    target: tickets_config.Target
    findings: list[FindingDetail]


def _locations(detail: FindingDetail) -> list[str]:
    out: list[str] = []
    for d in detail.detection_list:
        if d.path:
            out.append(f"{d.path}:{d.start_line}" if d.start_line else d.path)
        if d.resource:
            out.append(d.resource)
    if detail.resource:
        out.append(detail.resource)
    return out


def _content(group: _Group, *, base_url: str, grouped: bool) -> dict[str, Any]:
    findings = group.findings
    first = findings[0]
    priorities = sorted(f.priority for f in findings if f.priority)
    priority = priorities[0] if priorities else None
    dues = sorted(f.sla_due_at for f in findings if f.sla_due_at is not None)
    due = dues[0].date().isoformat() if dues else None
    locations = list(dict.fromkeys(loc for f in findings for loc in _locations(f)))
    control = first.control.title if first.control is not None else first.control_id
    prefix = f"[{priority}] " if priority else ""
    if grouped:
        title = f"{prefix}{control} on {first.asset} ({len(findings)} findings)"
        summary = f"{len(findings)} findings of control {first.control_id} on asset {first.asset}."
    else:
        title = f"{prefix}{first.title} ({first.asset})"
        summary = (first.description or "").strip()[:2000]
    return {
        "title": title[:255],
        "summary": summary,
        "priority": priority,
        "due_date": due,
        "asset": first.asset,
        "control": first.control_id,
        "severity": first.severity,
        "explanation": [e.text for e in first.risk_explanation],
        "locations": locations[:MAX_LOCATIONS],
        "findings": [
            {"id": str(f.id), "title": f.title[:200], "url": f"{base_url}/findings/{f.id}"}
            for f in findings[:MAX_FINDINGS_LISTED]
        ],
    }


def create_tickets(
    session: Session,
    *,
    spec: TicketCreate,
    principal: Principal,
    path: Path | None,
    base_url: str,
) -> TicketsCreated:
    """Tickets for the selected findings (all or nothing): the rows and their `create`
    operations, sent after the commit. Findings with a pending or open ticket are left out."""
    config = tickets_config.require(path)
    ids = findings_service.select_many(
        session, ids=spec.ids, query=spec.filter, principal=principal, cap=MAX_BULK
    )
    if not ids:
        raise InvalidInput("the selection is empty")
    rows = {f.id: (f, team) for f, team in triage_repository.get_findings(session, ids)}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise NotFound(f"no finding with id {', '.join(missing[:5])}; no ticket was made")
    for fid in ids:
        finding, owner_team = rows[fid]
        if not triage_service.can_act(principal, finding, owner_team):
            raise PermissionDenied(
                f"finding {fid} belongs to neither your teams nor you; no ticket was made"
            )
    linked = repository.live_links(session, ids)
    wanted = [i for i in ids if i not in linked]
    grouping = spec.grouping or config.grouping
    groups: dict[tuple[str, ...], _Group] = {}
    for fid in wanted:
        detail = findings_service.get_finding(session, fid)
        finding, owner_team = rows[fid]
        target = config.target_for(asset=detail.asset, team=finding.team or owner_team)
        if target is None:
            raise InvalidInput(
                f"the tickets file maps neither asset {detail.asset!r} nor its team, and has no "
                "default: add one"
            )
        group_key = (
            (target.tracker, target.project, detail.control_id, str(detail.asset_id))
            if grouping is Grouping.CONTROL_ASSET
            else (str(fid),)
        )
        groups.setdefault(group_key, _Group(target, [])).findings.append(detail)
    now = utcnow()
    created: list[Ticket] = []
    for key, group in groups.items():
        tracker = config.trackers[group.target.tracker]
        content = _content(group, base_url=base_url, grouped=grouping is Grouping.CONTROL_ASSET)
        ticket = Ticket(
            id=uuid.uuid4(), tracker=group.target.tracker, kind=tracker.kind.value,
            project=group.target.project,
            group_key="|".join(key[2:])[:500] if grouping is Grouping.CONTROL_ASSET else None,
            title=content["title"], priority=content["priority"], due_date=content["due_date"],
            content=content, status=TicketStatus.PENDING, wont_do=False,
            created_by=principal.actor[:200], created_at=now, updated_at=now,
        )  # fmt: skip
        repository.add(session, ticket)
        repository.link(session, ticket.id, [f.id for f in group.findings])
        _queue(session, ticket.id, OperationAction.CREATE, now=now)
        audit_service.record(
            session, principal, "ticket_requested", "ticket", ticket.id, to_value=ticket.title,
            details={"tracker": ticket.tracker, "project": ticket.project,
                     "findings": [str(f.id) for f in group.findings[:MAX_FINDINGS_LISTED]]},
        )  # fmt: skip
        created.append(ticket)
    if created:
        wakeup.TICKETS.after_commit(session)
    log.info("tickets: %d asked for by %s (%d findings already linked)",
             len(created), principal.actor, len(linked))  # fmt: skip
    return TicketsCreated(tickets=_reads(session, created), already_linked=sorted(linked))


def _queue(
    session: Session, ticket_id: uuid.UUID, action: OperationAction, *, now: Any,
    comment: str | None = None,
) -> TicketOperation:  # fmt: skip
    operation = TicketOperation(
        id=uuid.uuid4(), ticket_id=ticket_id, action=action.value,
        status=OperationStatus.PENDING, comment=comment, attempts=0, created_at=now,
        next_attempt_at=now, attempt_log=[],
    )  # fmt: skip
    repository.add(session, operation)
    return operation


def retry(session: Session, *, ticket_id: uuid.UUID, actor: Principal) -> TicketRead:
    """Failed operations of a ticket are due again now."""
    ticket = repository.get_ticket(session, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}")
    failed = repository.failed_operations(session, ticket_id)
    if not failed:
        raise InvalidInput("nothing of this ticket has failed")
    now = utcnow()
    for op in failed:
        op.status, op.next_attempt_at = OperationStatus.PENDING, now
    if ticket.status == TicketStatus.FAILED:
        ticket.status = TicketStatus.PENDING
    ticket.updated_at = now
    session.flush()
    audit_service.record(session, actor, "ticket_retried", "ticket", ticket.id,
                         to_value=ticket.title)  # fmt: skip
    wakeup.TICKETS.after_commit(session)
    return _reads(session, [ticket])[0]


# --- closing when the findings are fixed --------------------------------------------------------


def request_closes(session: Session) -> int:
    """Tickets whose every finding is fixed get a `close` operation (once). Called in the
    transaction of each import, and by the poller for imports made elsewhere."""
    ids = repository.resolved_without_close(session, limit=CLOSE_BATCH)
    if not ids:
        return 0
    now = utcnow()
    for ticket_id in ids:
        ticket = repository.get_ticket(session, ticket_id)
        assert ticket is not None  # noqa: S101
        ticket.close_requested_at = now
        ticket.updated_at = now
        _queue(
            session, ticket_id, OperationAction.CLOSE, now=now,
            comment="Every finding of this ticket was fixed: a later scan no longer reports it. "
            "Closed by ASPM.",
        )  # fmt: skip
    session.flush()
    wakeup.TICKETS.after_commit(session)
    log.info("tickets: %d to close, their findings fixed", len(ids))
    return len(ids)


def after_import(session: Session) -> None:
    request_closes(session)


# --- the sender ---------------------------------------------------------------------------------


class _Refused(AspmError):  # noqa: N818 - a refusal, recorded as the attempt's error
    """The operation cannot go now: `final` ends it, else it is retried."""

    def __init__(self, message: str, *, final: bool) -> None:
        super().__init__(message)
        self.final = final


@dataclass
class _Job:
    operation_id: uuid.UUID
    action: OperationAction
    step: str | None
    comment: str | None
    ticket_id: uuid.UUID
    tracker: TrackerConfig
    token: str
    project: str
    content: dict[str, Any]
    external_id: str | None
    key: str | None


def send_due(
    factory: sessionmaker[Session],
    *,
    path: Path | None,
    instance_key: bytes,
    limit: int = 20,
    timeout: float = tickets_http.TIMEOUT_SECONDS,
) -> int:
    """Send the operations due now (at most `limit`); returns how many were attempted."""
    try:
        config = tickets_config.load(path)
    except InvalidInput:
        log.warning("tickets: the tickets file cannot be used; operations wait")
        return 0
    if config is None:
        return 0
    now = utcnow()
    with unit_of_work(factory) as session:
        ids = OPERATIONS.claim_due(
            session, now=now, lease_until=now + timedelta(seconds=LEASE_SECONDS), limit=limit
        )
    for operation_id in ids:
        perform(factory, operation_id, config=config, instance_key=instance_key, timeout=timeout)
    return len(ids)


def perform(
    factory: sessionmaker[Session],
    operation_id: uuid.UUID,
    *,
    config: TicketsConfig,
    instance_key: bytes,
    timeout: float = tickets_http.TIMEOUT_SECONDS,
) -> None:
    """One attempt of one operation: read what it needs (a short transaction), call the tracker
    with no transaction open, record the outcome (another)."""
    with unit_of_work(factory) as session:
        job_or_refusal = _prepare(session, operation_id, config, instance_key)
        if job_or_refusal is None:
            return
        if isinstance(job_or_refusal, _Refused):
            operation = repository.get_operation(session, operation_id)
            assert operation is not None  # noqa: S101
            _record(session, operation, None, job_or_refusal, final=job_or_refusal.final)
            return
        job = job_or_refusal
    if job.action is OperationAction.CREATE:
        _do_create(factory, job, timeout)
    else:
        _do_close(factory, job, timeout)


def _prepare(
    session: Session, operation_id: uuid.UUID, config: TicketsConfig, instance_key: bytes
) -> "_Job | _Refused | None":
    operation = repository.get_operation(session, operation_id)
    if operation is None:
        return None
    ticket = repository.get_ticket(session, operation.ticket_id)
    assert ticket is not None  # noqa: S101 - operations go with their ticket
    tracker = config.trackers.get(ticket.tracker)
    if tracker is None:
        return _Refused(f"the tickets file has no tracker {ticket.tracker!r} any more", final=True)
    try:
        token = _open(repository.get_tracker(session, ticket.tracker), ticket.tracker, "token",
                      instance_key)  # fmt: skip
    except crypto.Unreadable:
        return _Refused("the stored API token cannot be read: enter it again", final=False)
    if token is None:
        return _Refused(f"no API token is set for tracker {ticket.tracker!r}", final=False)
    action = OperationAction(operation.action)
    if action is OperationAction.CLOSE and ticket.key is None:
        if ticket.status == TicketStatus.FAILED:
            return _Refused("the ticket was never created", final=True)
        return _Refused("waiting for the ticket to be created", final=False)
    return _Job(
        operation_id=operation.id, action=action, step=operation.step, comment=operation.comment,
        ticket_id=ticket.id, tracker=tracker, token=token, project=ticket.project,
        content=dict(ticket.content), external_id=ticket.external_id, key=ticket.key,
    )  # fmt: skip


def _send(job: _Job, request: Request, timeout: float) -> tickets_http.Reply:
    return tickets_http.call(
        request.method, request.url, headers=tickets_clients.headers(job.tracker, job.token),
        body=request.body, timeout=timeout,
    )  # fmt: skip


def _do_create(factory: sessionmaker[Session], job: _Job, timeout: float) -> None:
    request = tickets_clients.create_request(job.tracker, job.project, job.content)
    reply = _send(job, request, timeout)
    created = None
    if reply.ok:
        try:
            created = tickets_clients.read_created(job.tracker, job.project, reply.body)
        except (KeyError, TypeError, ValueError):
            reply = tickets_http.Reply(reply.status, None, reply.duration_ms,
                                       "the answer does not name the new issue")  # fmt: skip
    with unit_of_work(factory) as session:
        operation = repository.get_operation(session, job.operation_id)
        ticket = repository.get_ticket(session, job.ticket_id)
        if operation is None or ticket is None:
            return
        now = utcnow()
        if created is not None:
            ticket.status = TicketStatus.OPEN
            ticket.external_id, ticket.key, ticket.url = (
                created.external_id,
                created.key,
                created.url,
            )
            ticket.tracker_status = created.tracker_status
            ticket.synced_at = now  # its state is known: new
            ticket.updated_at = now
            _record(session, operation, reply, None, final=False)
            log.info("ticket %s created as %s", ticket.id, created.key)
            if ticket.close_requested_at is not None:
                wakeup.TICKETS.after_commit(session)  # its close waited for this
        else:
            final = not reply.transient
            _record(session, operation, reply, None, final=final)
            if operation.status == OperationStatus.FAILED:
                ticket.status = TicketStatus.FAILED
                ticket.updated_at = now


def _do_close(factory: sessionmaker[Session], job: _Job, timeout: float) -> None:
    assert job.key is not None  # noqa: S101
    assert job.external_id is not None  # noqa: S101
    reply: tickets_http.Reply | None = None
    step = job.step
    if step is None and job.comment:
        reply = _send(job, tickets_clients.comment_request(
            job.tracker, job.project, job.external_id, job.key, job.comment), timeout)  # fmt: skip
        if reply.ok:
            step = "commented"
    refusal: _Refused | None = None
    if step is not None or not job.comment:
        if job.tracker.kind is TrackerKind.GITHUB:
            reply = _send(job, tickets_clients.close_github_request(
                job.tracker, job.project, job.external_id), timeout)  # fmt: skip
        else:
            reply = _send(job, tickets_clients.transitions_request(job.tracker, job.key), timeout)
            if reply.ok:
                transition = tickets_clients.pick_transition(job.tracker, reply.body)
                if transition is None:
                    refusal = _Refused(
                        f"the workflow offers no transition named {job.tracker.done_transition!r}"
                        " nor one into a done status", final=True,
                    )  # fmt: skip
                else:
                    reply = _send(job, tickets_clients.transition_request(
                        job.tracker, job.key, transition), timeout)  # fmt: skip
    assert reply is not None or refusal is not None  # noqa: S101
    with unit_of_work(factory) as session:
        operation = repository.get_operation(session, job.operation_id)
        ticket = repository.get_ticket(session, job.ticket_id)
        if operation is None or ticket is None:
            return
        operation.step = step
        now = utcnow()
        if refusal is None and reply is not None and reply.ok:
            _record(session, operation, reply, None, final=False)
            ticket.status = TicketStatus.CLOSED
            ticket.closed_at = now
            ticket.resolution = "completed" if job.tracker.kind is TrackerKind.GITHUB else "Done"
            ticket.tracker_status = "closed" if job.tracker.kind is TrackerKind.GITHUB else None
            ticket.wont_do = False
            ticket.updated_at = now
            log.info("ticket %s (%s) closed: its findings are fixed", ticket.id, ticket.key)
        else:
            final = refusal.final if refusal is not None else not (reply and reply.transient)
            _record(session, operation, reply, refusal, final=final)


def _record(
    session: Session,
    operation: TicketOperation,
    reply: tickets_http.Reply | None,
    refusal: _Refused | None,
    *,
    final: bool,
) -> None:
    error = str(refusal) if refusal is not None else (None if reply is None else reply.error)
    attempt = Attempt(
        ok=refusal is None and reply is not None and reply.ok,
        response_code=None if reply is None else reply.status,
        duration_ms=None if reply is None else reply.duration_ms,
        error=error,
        retry_after=None if reply is None else reply.retry_after,
        final=final,
    )
    OPERATIONS.record(operation, attempt, now=utcnow())
    session.flush()
    log.info("ticket operation %s (%s) attempt %d: %s", operation.id, operation.action,
             operation.attempts, operation.status)  # fmt: skip


# --- reading tickets back: the poller and the trackers' webhooks --------------------------------


def _apply(ticket: Ticket, state: tickets_clients.State) -> None:
    now = utcnow()
    ticket.tracker_status = state.tracker_status
    ticket.synced_at = now
    if state.closed:
        if ticket.status != TicketStatus.CLOSED:
            ticket.closed_at = now
        ticket.status = TicketStatus.CLOSED
        ticket.resolution = state.resolution
        ticket.wont_do = state.wont_do
    elif ticket.status == TicketStatus.CLOSED:  # reopened in the tracker
        ticket.status = TicketStatus.OPEN
        ticket.closed_at, ticket.resolution, ticket.wont_do = None, None, False
    ticket.updated_at = now


def poll(
    factory: sessionmaker[Session],
    *,
    path: Path | None,
    instance_key: bytes,
    limit: int = POLL_BATCH,
    timeout: float = tickets_http.TIMEOUT_SECONDS,
) -> dict[str, int]:
    """Closes asked for by fixed findings, then open tickets not read for `poll_minutes` read
    again (at most `limit`). A tracker that does not answer is asked at the next poll."""
    try:
        config = tickets_config.load(path)
    except InvalidInput:
        return {"closes": 0, "polled": 0}
    if config is None:
        return {"closes": 0, "polled": 0}
    with unit_of_work(factory) as session:
        closes = request_closes(session)
        ids = repository.due_for_poll(
            session, before=utcnow() - timedelta(minutes=config.poll_minutes), limit=limit
        )
    polled = 0
    for ticket_id in ids:
        with unit_of_work(factory) as session:
            ticket = repository.get_ticket(session, ticket_id)
            if ticket is None or ticket.external_id is None or ticket.key is None:
                continue
            tracker = config.trackers.get(ticket.tracker)
            try:
                token = _open(repository.get_tracker(session, ticket.tracker), ticket.tracker,
                              "token", instance_key)  # fmt: skip
            except crypto.Unreadable:
                token = None
            if tracker is None or token is None:
                continue
            request = tickets_clients.get_request(tracker, ticket.project, ticket.external_id,
                                                  ticket.key)  # fmt: skip
        reply = tickets_http.call(
            request.method, request.url, headers=tickets_clients.headers(tracker, token),
            timeout=timeout,
        )  # fmt: skip
        if not reply.ok:
            log.info("ticket %s: the tracker answered %s when read", ticket_id, reply.error)
            continue
        try:
            state = tickets_clients.read_state(tracker, reply.body)
        except (KeyError, TypeError, ValueError):
            continue
        with unit_of_work(factory) as session:
            ticket = repository.get_ticket(session, ticket_id)
            if ticket is not None:
                _apply(ticket, state)
                polled += 1
    return {"closes": closes, "polled": polled}


def _verify(secret: str | None, header: str | None, body: bytes) -> None:
    """`sha256=<hex HMAC-SHA256 of the body>` (GitHub's X-Hub-Signature-256, Jira's
    X-Hub-Signature), compared in constant time."""
    if secret is None:
        raise NotAuthenticated("no webhook secret is set for this tracker: set one first")
    method, _, given = (header or "").partition("=")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if method.strip().lower() != "sha256" or not hmac.compare_digest(expected, given.strip()):
        raise NotAuthenticated("the webhook signature does not match")


def receive_hook(
    session: Session,
    *,
    kind: str,
    name: str,
    body: bytes,
    signature: str | None,
    event: str | None,
    path: Path | None,
    instance_key: bytes,
) -> HookResult:
    """A tracker's webhook: the signature checked with the tracker's secret, then the issue's
    state applied to its ticket (an issue of no ticket is ignored)."""
    config = tickets_config.load(path)
    tracker = None if config is None else config.trackers.get(name)
    if tracker is None or (kind == "github") != (tracker.kind is TrackerKind.GITHUB):
        raise NotFound(f"no {kind} tracker {name!r}")
    try:
        secret = _open(repository.get_tracker(session, name), name, "webhook_secret", instance_key)
    except crypto.Unreadable:
        secret = None
    _verify(secret, signature, body)
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise InvalidInput("the body is not JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("issue"), dict):
        return HookResult(matched=False)
    issue = payload["issue"]
    if tracker.kind is TrackerKind.GITHUB:
        if event not in (None, "issues"):
            return HookResult(matched=False)
        repo = (payload.get("repository") or {}).get("full_name")
        key = f"{repo}#{issue.get('number')}"
        state = tickets_clients.github_state(issue)
    else:
        key = str(issue.get("key"))
        if not isinstance(issue.get("fields"), dict):
            return HookResult(matched=False)
        state = tickets_clients.jira_state(tracker, issue)
    ticket = repository.ticket_by_key(session, name, key)
    if ticket is None:
        return HookResult(matched=False)
    _apply(ticket, state)
    session.flush()
    log.info("ticket %s (%s): %s from the tracker's webhook", ticket.id, key, ticket.status)
    return HookResult(matched=True, ticket_id=ticket.id)


def pending(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as session:
        return OPERATIONS.waiting_count(session)
