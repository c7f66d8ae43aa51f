"""The ticket tasks the workers run (registered in aspm.jobs.queue), PostgreSQL only."""

import logging

from procrastinate import JobContext

from aspm.integrations import tickets_service
from aspm.jobs.tasks import env_of

log = logging.getLogger(__name__)

SEND_CRON = "* * * * * */5"  # every 5 seconds (cron with a seconds field)
POLL_CRON = "* * * * *"  # every minute; each ticket at most every poll_minutes
SEND_BATCHES = 10


def send_tickets(context: JobContext, timestamp: int) -> int:  # noqa: ARG001
    """Due ticket operations: creations and closes, first attempts and retries."""
    env = env_of(context)
    sent = 0
    for _ in range(SEND_BATCHES):
        n = tickets_service.send_due(
            env.factory, path=env.settings.tickets_file, instance_key=env.settings.secret_hmac_key
        )
        sent += n
        if not n:
            break
    if sent:
        log.info("tickets: %d operation attempts", sent)
    return sent


def poll_tickets(context: JobContext, timestamp: int) -> str:  # noqa: ARG001
    """Closes for fixed findings, and the open tickets' state read back from the trackers."""
    env = env_of(context)
    result = tickets_service.poll(
        env.factory, path=env.settings.tickets_file, instance_key=env.settings.secret_hmac_key
    )
    if any(result.values()):
        log.info("tickets poll: %s", result)
    return str(result)
