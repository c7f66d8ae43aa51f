"""Tells this process's webhook sender thread (aspm.integrations.dispatch) that deliveries were
committed, so it sends them now rather than at its next poll."""

import threading

_event = threading.Event()


def notify() -> None:
    _event.set()


def wait(timeout: float) -> bool:
    woken = _event.wait(timeout)
    _event.clear()
    return woken
