"""The webhook tasks the workers run (registered in aspm.jobs.queue), PostgreSQL only."""

import logging

from procrastinate import JobContext

from aspm.db.session import unit_of_work
from aspm.integrations import service
from aspm.jobs.tasks import env_of

log = logging.getLogger(__name__)

DELIVER_CRON = "* * * * * */5"  # every 5 seconds (cron with a seconds field)
DELIVER_BATCHES = 20  # one run sends at most this many batches, then leaves the worker


def deliver_webhooks(context: JobContext, timestamp: int) -> int:  # noqa: ARG001
    """Due deliveries: first attempts and retries whose backoff has passed."""
    env = env_of(context)
    sent = 0
    for _ in range(DELIVER_BATCHES):
        n = service.deliver_due(env.factory, instance_key=env.settings.secret_hmac_key)
        sent += n
        if not n:
            break
    if sent:
        log.info("webhooks: %d delivery attempts", sent)
    return sent


def webhooks_hourly(context: JobContext, timestamp: int) -> str:  # noqa: ARG001
    """SLA breaches since the last run become an event; old events are pruned."""
    with unit_of_work(env_of(context).factory) as session:
        result = service.hourly(session)
    log.info("webhooks hourly: %s", result)
    return str(result)
