"""Who sends the webhooks of this installation, decided like imports (Settings.queue_imports):

- imports on the job queue (PostgreSQL): the workers, through the periodic tasks
  `aspm.deliver_webhooks` (every few seconds) and `aspm.webhooks_hourly` (aspm.jobs.queue);
- imports inside the server (SQLite, one process): a daemon thread of the server, woken when a
  transaction that wrote deliveries commits, and polling for retries that come due. Each pass is
  bounded (`deliver_due` takes at most 50) and each attempt has a timeout, so a dead receiver
  delays nothing but its own deliveries. Deliveries waiting while no server runs (e.g. from
  `aspm ingest` on the command line) go when the server next starts.
"""

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="aspm-webhooks", daemon=True)
        self.hourly_at = 0.0

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        wakeup.notify()
        self.thread.join(timeout=15)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.pass_once()
            except Exception:  # the thread outlives a bad pass: the next one tries again
                log.exception("webhook sender pass failed")
            wakeup.wait(POLL_SECONDS)

    def pass_once(self) -> None:
        key = self.settings.secret_hmac_key
        while not self.stopping.is_set() and service.deliver_due(self.factory, instance_key=key):
            pass
        if time.monotonic() - self.hourly_at >= HOURLY_SECONDS or not self.hourly_at:
            self.hourly_at = time.monotonic()
            with unit_of_work(self.factory) as session:
                result = service.hourly(session)
            log.info("webhooks hourly: %s", result)


def _own_engine(factory: sessionmaker[Session]) -> bool:
    """A sessionmaker bound to an Engine (not to one connection, as the tests' is): a thread
    may open its own connections from it."""
    return isinstance(factory.kw.get("bind"), Engine)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    factory: sessionmaker[Session] = app.state.sessionmaker
    sender: ServerSender | None = None
    if not settings.queue_imports and _own_engine(factory):
        sender = ServerSender(factory, settings)
        sender.start()
    try:
        yield
    finally:
        if sender is not None:
            sender.stop()
