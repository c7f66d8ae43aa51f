"""Scores read from reports. A score counts only when it is a finite number on its scale (CVSS
0-10, ASFF 0-100, EPSS 0-1): `1e999` (infinity), `NaN` or 11 would otherwise become a severity,
a CVSS or a risk input. Readers ignore such a value and warn with `off_scale(...)`."""

import math

CVSS_MAX = 10.0


def number(value: object) -> float | None:
    """A JSON number or a numeric string as a float (booleans are not numbers), else None.
    An integer too large for a float is infinity, so it is off every scale."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return float(value.strip())
    except OverflowError:
        return math.inf
    except ValueError:
        return None
    return None


def on_scale(value: float, high: float) -> bool:
    return math.isfinite(value) and 0.0 <= value <= high


def off_scale(what: str, value: object, high: float) -> str:
    """The warning for a value of `what` that is a number but not a finite one from 0 to high."""
    return f"{what} {value!r} is not a number from 0 to {high:g}; ignored"
