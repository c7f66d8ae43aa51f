"""Who calls the trackers, decided like the webhook deliveries (aspm.integrations.dispatch):

- imports on the job queue (PostgreSQL): the workers, through the periodic tasks
  `aspm.send_tickets` (every 5 s) and `aspm.poll_tickets` (every minute) (aspm.jobs.queue);
- imports inside the server (SQLite, one process): a daemon thread of the server (the same
  `ServerSender` as the webhooks'), woken when a transaction that asked for tickets commits,
  polling for retries and for the tickets' state.
"""

import logging

from sqlalchemy.orm import Session, sessionmaker

from aspm.integrations import tickets_service, wakeup
from aspm.integrations.dispatch import ServerSender, server_lifespan
from aspm.settings import Settings

log = logging.getLogger(__name__)

WAKE_SECONDS = 5.0
POLL_SECONDS = 60.0


def ticket_sender(factory: sessionmaker[Session], settings: Settings) -> ServerSender | None:
    """The sender thread, when a tickets file is configured (none: there is nothing to send)."""
    key, path = settings.secret_hmac_key, settings.tickets_file
    if path is None:
        return None

    def poll() -> None:
        result = tickets_service.poll(factory, path=path, instance_key=key)
        if any(result.values()):
            log.info("tickets poll: %s", result)

    return ServerSender(
        name="aspm-tickets",
        alarm=wakeup.TICKETS,
        send_due=lambda: tickets_service.send_due(factory, path=path, instance_key=key),
        periodic=poll,
        wake_seconds=WAKE_SECONDS,
        period_seconds=POLL_SECONDS,
    )


lifespan = server_lifespan(ticket_sender)
