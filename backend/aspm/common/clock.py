"""The one place that reads the wall clock, so tests can move time."""

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def utcnow() -> datetime:
    return _now()


def set_clock(fn: Callable[[], datetime]) -> None:
    """Tests only: replace the clock (restore with `reset_clock`)."""
    global _now
    _now = fn


def reset_clock() -> None:
    global _now
    _now = lambda: datetime.now(UTC)  # noqa: E731
