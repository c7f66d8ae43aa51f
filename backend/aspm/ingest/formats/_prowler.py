"""What Prowler's non-OCSF outputs share: severity labels, placeholders, compliance, remediation.

Used by prowler_v2 (2.x JSON lines and CSV), prowler_v3 (3.x JSON) and prowler_csv (4.x+ CSV).
All of them are tool family "prowler", like prowler-ocsf: one scope whatever the Prowler version.
"""

import re

from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import ParseContext

TOOL = "prowler"

# Prowler's severity labels (2.x capitalised, 3.x+ lower case). Unknown/missing -> MEDIUM (Prowler's
# most common check severity, neither hiding nor inflating the finding), with a warning.
SEVERITY = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "informational": Severity.INFO,
    "info": Severity.INFO,
}
DEFAULT_SEVERITY = Severity.MEDIUM

NO_COMMAND = "No command available."
_PLACEHOLDER = re.compile(r"^<[A-Za-z0-9_ .-]+>$")


def value(raw: object) -> str | None:
    """A non-empty string that is not a sanitising placeholder such as "<account_uid>".

    Prowler's published examples replace real values by such placeholders; used as an identity
    (a finding uid) one would merge every finding of the file into one detection.
    """
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or _PLACEHOLDER.match(raw):
        return None
    return raw


def is_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def severity(label: object, where: str, ctx: ParseContext) -> Severity:
    sev, known = from_label(label, SEVERITY, default=DEFAULT_SEVERITY)
    if not known:
        ctx.warn(f"{where}: unknown severity {label!r}; using {DEFAULT_SEVERITY.value}")
    return sev


def add_pair(pairs: list[tuple[str, str]], framework: str, control: object) -> None:
    if isinstance(control, str | int | float) and str(control).strip():
        pair = (framework.strip(), str(control).strip())
        if pair[0] and pair not in pairs:
            pairs.append(pair)


def compliance_from_map(raw: object) -> tuple[tuple[str, str], ...]:
    """{"CIS-1.5": ["1.20"], "SOC2": ["cc_6_7"]} -> (framework, control) pairs."""
    pairs: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        for framework, controls in raw.items():
            for control in controls if isinstance(controls, list) else [controls]:
                add_pair(pairs, str(framework), control)
    return tuple(pairs)


def compliance_from_text(raw: str | None) -> tuple[tuple[str, str], ...]:
    """ "CIS-1.4: 1.20 | KISA-ISMS-P-2023: 2.5.6, 2.6.4" -> (framework, control) pairs."""
    pairs: list[tuple[str, str]] = []
    for part in (raw or "").split("|"):
        framework, sep, controls = part.partition(":")
        if not sep:
            continue
        for control in controls.split(","):
            add_pair(pairs, framework, control)
    return tuple(pairs)


def split_list(raw: str | None) -> list[str]:
    """Prowler CSV list cells: "a | b | c"."""
    return [item.strip() for item in (raw or "").split("|") if item.strip()]


def remediation_and_refs(texts: list[object], refs: list[object]) -> tuple[list[str], list[str]]:
    """Remediation lines and reference URLs: URLs among `refs` are references, other text (a CLI
    command, console steps) is remediation; "No command available." and placeholders are dropped.
    """
    lines: list[str] = []
    urls: list[str] = []
    for raw in texts:
        if (text := value(raw)) and text != NO_COMMAND and text not in lines:
            lines.append(text)
    for raw in refs:
        text = value(raw)
        if not text or text == NO_COMMAND:
            continue
        if is_url(text):
            if text not in urls:
                urls.append(text)
        elif text not in lines:
            lines.append(text)
    return lines, urls


def asset_key(provider: str | None, account: str | None) -> str | None:
    """ "aws:<account>", "azure:<subscription>", "gcp:<project>", "kubernetes:<cluster>"."""
    return f"{provider}:{account}" if provider and account else None
