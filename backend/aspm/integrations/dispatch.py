"""Who sends an outbox of this installation (webhook deliveries here, ticket operations in
aspm.integrations.tickets_dispatch), decided like imports (Settings.queue_imports):

- imports on the job queue (PostgreSQL): the workers, through periodic tasks (aspm.jobs.queue):
  `aspm.deliver_webhooks` (every few seconds) and `aspm.webhooks_hourly`;
- imports inside the server (SQLite, one process): a daemon thread of the server (`ServerSender`),
  woken when a transaction that wrote to its outbox commits, and polling for retries that come
  due. Each pass is bounded (`deliver_due` takes at most 50) and each attempt has a timeout, so a
  dead receiver delays nothing but its own deliveries. Deliveries waiting while no server runs
  (e.g. from `aspm ingest` on the command line) go when the server next starts.
"""

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.session import unit_of_work
from aspm.integrations import service, wakeup
from aspm.settings import Settings

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
HOURLY_SECONDS = 3600.0


class ServerSender:
    """A daemon thread that empties one outbox: `send_due` (how many it attempted) until
    nothing is due, `periodic` at start and then every `period_seconds`, and between passes
    sleeps until its wake-up rings or `wake_seconds` pass. A pass that raises is logged; the
    thread goes on."""

    def __init__(
        self,
        *,
        name: str,
        alarm: wakeup.Wakeup,
        send_due: Callable[[], int],
        periodic: Callable[[], None],
        wake_seconds: float,
        period_seconds: float,
        join_seconds: float = 20.0,
    ) -> None:
        self.name = name
        self.alarm = alarm
        self.send_due = send_due
        self.periodic = periodic
        self.wake_seconds = wake_seconds
        self.period_seconds = period_seconds
        self.join_seconds = join_seconds
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.periodic_at: float | None = None

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.alarm.notify()
        self.thread.join(timeout=self.join_seconds)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.pass_once()
            except Exception:  # the thread outlives a bad pass: the next one tries again
                log.exception("%s: sender pass failed", self.name)
            self.alarm.wait(self.wake_seconds)

    def pass_once(self) -> None:
        while not self.stopping.is_set() and self.send_due():
            pass
        now = time.monotonic()
        if self.periodic_at is None or now - self.periodic_at >= self.period_seconds:
            self.periodic_at = now
            self.periodic()


def own_engine(factory: sessionmaker[Session]) -> bool:
    """A sessionmaker bound to an Engine (not to one connection, as the tests' is): a thread
    may open its own connections from it."""
    return isinstance(factory.kw.get("bind"), Engine)


def server_lifespan(
    make: Callable[[sessionmaker[Session], Settings], ServerSender | None],
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A router's lifespan: the sender `make` gives (None: no thread) runs while the app does,
    when imports run inside the server and the app's sessions have an engine of their own."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings: Settings = app.state.settings
        factory: sessionmaker[Session] = app.state.sessionmaker
        sender: ServerSender | None = None
        if not settings.queue_imports and own_engine(factory):
            sender = make(factory, settings)
        if sender is not None:
            sender.start()
        try:
            yield
        finally:
            if sender is not None:
                sender.stop()

    return lifespan


def webhook_sender(factory: sessionmaker[Session], settings: Settings) -> ServerSender:
    key = settings.secret_hmac_key

    def hourly() -> None:
        with unit_of_work(factory) as session:
            result = service.hourly(session)
        log.info("webhooks hourly: %s", result)

    return ServerSender(
        name="aspm-webhooks",
        alarm=wakeup.WEBHOOKS,
        send_due=lambda: service.deliver_due(factory, instance_key=key),
        periodic=hourly,
        wake_seconds=POLL_SECONDS,
        period_seconds=HOURLY_SECONDS,
        join_seconds=15.0,
    )


lifespan = server_lifespan(webhook_sender)
