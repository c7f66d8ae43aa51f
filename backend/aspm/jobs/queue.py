"""The job queue: procrastinate on the application's PostgreSQL database.

Why procrastinate: a maintained PostgreSQL-only queue (jobs are rows, workers take them with
SELECT ... FOR UPDATE SKIP LOCKED and wake on LISTEN/NOTIFY), with worker heartbeats to find the
jobs of a dead worker, periodic tasks deduplicated across workers, and graceful shutdown; it adds
no broker to run. Its schema is applied by our Alembic migrations (import_jobs).

Tasks (aspm.jobs.tasks), all on one queue:
- `aspm.import_report`: one queued upload (no automatic retry: a report that fails stays failed);
- `aspm.evaluate_gate`: one queued gate evaluation (the same: run again only after a dead worker);
- `aspm.retry_stalled`: jobs of workers silent for ASPM_JOB_LEASE_SECONDS run again;
- `aspm.expire_triage` (hourly), `aspm.metrics_snapshot` (daily), `aspm.sweep_spool` (hourly);
- `aspm.deliver_webhooks` (every 5 s), `aspm.webhooks_hourly` (aspm.integrations.jobs);
- `aspm.send_tickets` (every 5 s), `aspm.poll_tickets` (every minute) (tickets_jobs).
"""

from collections.abc import Callable
from typing import Any

import procrastinate
from sqlalchemy.engine import make_url

from aspm.errors import InvalidInput
from aspm.integrations import jobs as webhook_jobs
from aspm.integrations import tickets_jobs
from aspm.jobs import tasks
from aspm.settings import Settings

IMPORT_TASK = tasks.IMPORT_TASK
GATE_TASK = "aspm.evaluate_gate"
HOURLY = "7 * * * *"
DAILY = "15 0 * * *"  # after midnight UTC: yesterday is complete, today's row starts
SEARCH_CRON = "* * * * * */5"  # every 5 seconds: how long a search may read an asset's tables
PERIODIC_PRIORITY = 10  # before waiting imports, when a worker frees up
# after waiting imports (0): pipelines wait on their imports, while a search is exact before the
# refresh too (it reads a pending asset's tables); a burst of imports delays the refresh, up to
# tasks.SEARCH_MAX_LAG_SECONDS, also while the last of them run
SEARCH_PRIORITY = -10


def conninfo(database_url: str) -> str:
    """libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise InvalidInput(
            "the job queue needs PostgreSQL (ASPM_DATABASE_URL=postgresql+psycopg://...); "
            "on SQLite the server imports uploads itself and needs no worker"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def stalled_check_cron(lease_seconds: float) -> str:
    """How often to look for dead workers' jobs: every minute, or every half lease when the
    lease is shorter (cron with a seconds field)."""
    if lease_seconds >= 120:
        return "* * * * *"
    return f"* * * * * */{max(1, int(lease_seconds // 2))}"


def make_app(settings: Settings, *, pool_size: int = 4) -> procrastinate.App:
    """The queue with every task registered; open it (`open_async`) before use."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(settings.database_url), min_size=1, max_size=pool_size
    )
    app = procrastinate.App(connector=connector)
    app.task(name=IMPORT_TASK, pass_context=True)(tasks.import_report)
    app.task(name=GATE_TASK, pass_context=True)(tasks.evaluate_gate)

    def periodic(
        name: str, cron: str, func: Callable[..., Any], priority: int = PERIODIC_PRIORITY
    ) -> None:
        task: procrastinate.tasks.Task[Any, Any, Any] = app.task(
            name=name, pass_context=True, queueing_lock=name, priority=priority
        )(func)
        app.periodic(cron=cron, periodic_id=name)(task)

    periodic("aspm.retry_stalled", stalled_check_cron(settings.job_lease_seconds),
             tasks.retry_stalled)  # fmt: skip
    periodic("aspm.expire_triage", HOURLY, tasks.expire_triage)
    periodic("aspm.metrics_snapshot", DAILY, tasks.metrics_snapshot)
    periodic("aspm.sweep_spool", HOURLY, tasks.sweep_spool)
    periodic("aspm.refresh_search", SEARCH_CRON, tasks.refresh_search, SEARCH_PRIORITY)
    periodic("aspm.deliver_webhooks", webhook_jobs.DELIVER_CRON, webhook_jobs.deliver_webhooks)
    periodic("aspm.webhooks_hourly", HOURLY, webhook_jobs.webhooks_hourly)
    periodic("aspm.send_tickets", tickets_jobs.SEND_CRON, tickets_jobs.send_tickets)
    periodic("aspm.poll_tickets", tickets_jobs.POLL_CRON, tickets_jobs.poll_tickets)
    return app
