"""Wakes a sender thread of this process (aspm.integrations.dispatch) when a transaction that
wrote to its outbox commits, so it sends now rather than at its next poll."""

import threading

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session


class Wakeup:
    """One sender's alarm: `notify` wakes it now; `after_commit` when the session commits (a
    rollback wakes nobody, and each session listens once however often it is asked)."""

    def __init__(self, name: str) -> None:
        self._event = threading.Event()
        self._pending = f"aspm_{name}_pending"
        self._listening = f"aspm_{name}_listening"

    def notify(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> bool:
        woken = self._event.wait(timeout)
        self._event.clear()
        return woken

    def after_commit(self, session: Session) -> None:
        session.info[self._pending] = True
        if not session.info.get(self._listening):
            session.info[self._listening] = True
            sa_event.listen(session, "after_commit", self._committed)
            sa_event.listen(session, "after_rollback", self._rolled_back)

    def _committed(self, session: Session) -> None:
        if session.info.pop(self._pending, False):
            self.notify()

    def _rolled_back(self, session: Session) -> None:
        session.info.pop(self._pending, None)


WEBHOOKS = Wakeup("webhooks")
TICKETS = Wakeup("tickets")
