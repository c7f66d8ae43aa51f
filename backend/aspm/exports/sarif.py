"""Findings as a SARIF 2.1.0 log, built with sarif-om's classes and serialised by walking their
attrs fields (sarif-om has no serializer of its own; `attrs.asdict` gives Python field names and
nulls, which is not SARIF). Pure: plain values in, a JSON-ready dict out.

Shape, chosen for code-scanning services (GitHub code scanning rejects several runs of one tool):
- one run whose driver is `aspm`; its rules are our controls (the canonical control id, or
  `tool:rule_id` for unmapped rules), each with `security-severity`, tags and help (remediation);
- one result per finding: `ruleId`, `level` from severity, a message naming priority, risk score
  and the tools that reported it; `partialFingerprints` carry our finding key so an upload of a
  later export updates the same alert; the original tools and their rule ids are in `properties`;
- a finding with a file has a physical location (repository-relative URI, `startLine` >= 1); a
  cloud finding without one has a logical location naming the resource (kind `resource`);
- accepted risks, false positives, won't-fix and suppressed findings carry a SARIF `suppression`
  (kind external, the reason as justification): a code-scanning service shows them dismissed.
Snippets are never exported (secret values are redacted at ingest; the log has no snippet at all).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import attrs
import sarif_om as om  # type: ignore[import-untyped]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "aspm"
INFORMATION_URI = "https://github.com/aspm-platform/aspm"
FINGERPRINT_KEY = "aspmFindingKey/v1"

_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# the numbers GitHub reads to show critical/high/medium/low
_SECURITY_SEVERITY = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "2.5",
    "info": "0.0",
}
_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
_DISMISSED = {"accepted_risk", "false_positive", "wont_fix"}
MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class Where:
    """One detection's location."""

    tool: str
    rule_id: str
    path: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    resource: str | None = None
    resource_type: str | None = None


@dataclass(frozen=True, slots=True)
class SarifFinding:
    id: str
    finding_key: str
    title: str
    severity: str
    category: str
    control_id: str
    asset: str
    priority: str | None = None
    risk_score: int | None = None
    status: str = "active"
    triage_state: str = "new"
    suppressed: bool = False
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()
    cwe_ids: tuple[int, ...] = ()
    locations: tuple[Where, ...] = ()
    note: str | None = None  # appended to the message, e.g. the gate rule that failed
    extra: dict[str, Any] = field(default_factory=dict)  # more result properties


def to_json(obj: Any) -> Any:
    """A sarif-om object (or list/dict of them) as SARIF JSON: schema property names, no None
    values, no fields left at their default (except required ones)."""
    if attrs.has(type(obj)):
        out: dict[str, Any] = {}
        for f in attrs.fields(type(obj)):
            value = getattr(obj, f.name)
            if value is None:
                continue
            default = f.default
            if default is not attrs.NOTHING:
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    default = default.factory()
                if value == default:
                    continue
            out[f.metadata.get("schema_property_name", f.name)] = to_json(value)
        return out
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    return obj


def _uri(path: str) -> str:
    return quote(path.lstrip("/"), safe="/-_.~")


def _text(value: str) -> str:
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 3] + "..."


def _location(f: SarifFinding) -> om.Location:
    with_path = [w for w in f.locations if w.path]
    if with_path:
        w = with_path[0]
        start = max(1, w.start_line or 1)
        region = om.Region(start_line=start)
        if w.end_line and w.end_line > start:
            region.end_line = w.end_line
        loc = om.Location(
            physical_location=om.PhysicalLocation(
                artifact_location=om.ArtifactLocation(uri=_uri(w.path or "")), region=region
            )
        )
        if w.resource:
            loc.logical_locations = [
                om.LogicalLocation(fully_qualified_name=w.resource, kind="resource")
            ]
        return loc
    resource = next((w.resource for w in f.locations if w.resource), None)
    name = resource or f.asset
    return om.Location(
        logical_locations=[
            om.LogicalLocation(
                fully_qualified_name=name, name=name.rsplit("/", 1)[-1] or name, kind="resource"
            )
        ],
        message=om.Message(text=f"{resource} in {f.asset}" if resource else f.asset),
    )


def _message(f: SarifFinding) -> str:
    tools = sorted({w.tool for w in f.locations})
    parts = [f.title]
    rank = []
    if f.priority:
        rank.append(f.priority)
    if f.risk_score is not None:
        rank.append(f"risk {f.risk_score}")
    rank.append(f.severity)
    parts.append(f"[{', '.join(rank)}]")
    if tools:
        parts.append(f"reported by {', '.join(tools)}")
    where = next((w.resource for w in f.locations if w.resource), None)
    if where:
        parts.append(f"on {where}")
    text = " ".join(parts) + "."
    if f.note:
        text += f" {f.note}"
    return _text(text)


def _rule(f: SarifFinding, severity: str) -> om.ReportingDescriptor:
    tags = ["security", f.category] + [f"external/cwe/cwe-{c}" for c in f.cwe_ids]
    rule = om.ReportingDescriptor(
        id=f.control_id,
        short_description=om.MultiformatMessageString(text=_text(f.title)),
        default_configuration=om.ReportingConfiguration(level=_LEVEL.get(severity, "warning")),
        properties={
            "security-severity": _SECURITY_SEVERITY.get(severity, "5.5"),
            "tags": list(dict.fromkeys(tags)),
            "problem.severity": "error" if _RANK.get(severity, 2) >= 3 else "warning",
        },
    )
    if f.description:
        rule.full_description = om.MultiformatMessageString(text=_text(f.description))
    if f.remediation:
        rule.help = om.MultiformatMessageString(text=_text(f.remediation))
    url = next((r for r in f.references if r.startswith(("https://", "http://"))), None)
    if url:
        rule.help_uri = url
    return rule


def _result(f: SarifFinding, rule_index: int) -> om.Result:
    result = om.Result(
        message=om.Message(text=_message(f)),
        rule_id=f.control_id,
        rule_index=rule_index,
        level=_LEVEL.get(f.severity, "warning"),
        locations=[_location(f)],
        partial_fingerprints={FINGERPRINT_KEY: f.finding_key},
        properties={
            "findingId": f.id,
            "asset": f.asset,
            "severity": f.severity,
            "priority": f.priority,
            "riskScore": f.risk_score,
            "status": f.status,
            "triageState": f.triage_state,
            "category": f.category,
            "tools": sorted({w.tool for w in f.locations}),
            "toolRules": sorted({f"{w.tool}:{w.rule_id}" for w in f.locations}),
            **f.extra,
        },
    )
    if f.status == "fixed":
        result.kind = "pass"
        result.level = "none"
    if f.triage_state in _DISMISSED or f.suppressed:
        why = f.triage_state if f.triage_state in _DISMISSED else "suppressed"
        result.suppressions = [om.Suppression(kind="external", justification=why)]
    return result


def build_log(
    findings: Sequence[SarifFinding], *, tool_version: str, run_properties: dict[str, Any] | None
) -> dict[str, Any]:
    """One SARIF log with one run holding every finding (see the module docstring)."""
    worst: dict[str, tuple[str, SarifFinding]] = {}
    for f in findings:
        seen = worst.get(f.control_id)
        if seen is None or _RANK.get(f.severity, 0) > _RANK.get(seen[0], 0):
            worst[f.control_id] = (f.severity, f)
    order = {cid: n for n, cid in enumerate(sorted(worst))}
    rules = [_rule(worst[cid][1], worst[cid][0]) for cid in sorted(worst)]
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name=TOOL_NAME,
                semantic_version=tool_version,
                information_uri=INFORMATION_URI,
                rules=rules,
            )
        ),
        results=[_result(f, order[f.control_id]) for f in findings],
        column_kind="utf16CodeUnits",
    )
    if run_properties:
        run.properties = run_properties
    log = om.SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SARIF_SCHEMA)
    data: dict[str, Any] = to_json(log)
    return data
