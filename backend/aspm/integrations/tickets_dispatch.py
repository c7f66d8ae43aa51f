"""Who calls the trackers, decided like the webhook deliveries (aspm.integrations.dispatch):

- imports on the job queue (PostgreSQL): the workers, through the periodic tasks
  `aspm.send_tickets` (every 5 s) and `aspm.poll_tickets` (every minute) (aspm.jobs.queue);
- imports inside the server (SQLite, one process): a daemon thread of the server, woken when a
  transaction that asked for tickets commits, polling for retries and for the tickets' state.
"""

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aspm.integrations import tickets_service
from aspm.settings import Settings

log = logging.getLogger(__name__)

WAKE_SECONDS = 5.0
POLL_SECONDS = 60.0


class ServerTicketSender:
    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="aspm-tickets", daemon=True)
        self.polled_at = 0.0

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        tickets_service.notify()
        self.thread.join(timeout=20)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.pass_once()
            except Exception:  # the thread outlives a bad pass: the next one tries again
                log.exception("ticket sender pass failed")
            tickets_service.wait(WAKE_SECONDS)

    def pass_once(self) -> None:
        key, path = self.settings.secret_hmac_key, self.settings.tickets_file
        while not self.stopping.is_set() and tickets_service.send_due(
            self.factory, path=path, instance_key=key
        ):
            pass
        if time.monotonic() - self.polled_at >= POLL_SECONDS or not self.polled_at:
            self.polled_at = time.monotonic()
            result = tickets_service.poll(self.factory, path=path, instance_key=key)
            if any(result.values()):
                log.info("tickets poll: %s", result)


def _own_engine(factory: sessionmaker[Session]) -> bool:
    return isinstance(factory.kw.get("bind"), Engine)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    factory: sessionmaker[Session] = app.state.sessionmaker
    sender: ServerTicketSender | None = None
    if not settings.queue_imports and settings.tickets_file is not None and _own_engine(factory):
        sender = ServerTicketSender(factory, settings)
        sender.start()
    try:
        yield
    finally:
        if sender is not None:
            sender.stop()
