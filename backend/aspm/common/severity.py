"""The one severity scale every tool's labels map onto."""

from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info; higher is worse."""
        return _RANK[self]


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}

SEVERITY_BY_RANK = {rank: severity for severity, rank in _RANK.items()}


def from_score(score: float) -> Severity:
    """Map a CVSS-like 0-10 score (SARIF `security-severity`) to a label (DESIGN §4)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO


def from_label(
    label: object, table: dict[str, Severity], *, default: Severity
) -> tuple[Severity, bool]:
    """Look `label` up case-insensitively in `table`.

    Returns (severity, known). An unknown or missing label gives `default` and known=False so the
    caller can warn; the default per tool is documented next to its table.
    """
    if isinstance(label, str):
        hit = table.get(label.strip().lower())
        if hit is not None:
            return hit, True
    return default, False
