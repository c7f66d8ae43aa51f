"""The cross-tool control map: equivalent rules of different scanners -> one canonical control.

The data lives in `controls.yaml` beside this module (shipped as package data, reviewed like code).
Each control names the rules that check the same configuration, keyed by tool family as the
ingestors write `RawFinding.tool`: checkov, tfsec, trivy, kics, terrascan, prowler, securityhub,
scoutsuite. `ControlMap.control_for(tool, rule_id)` is one dict lookup; a rule nobody mapped gives
None, and the finding then keys on `tool:rule_id` (no false merges, DESIGN.md section 4).

Rule ids are matched case-sensitively, as the tools print them. Two aliases are built in, because
tfsec and Trivy share one rule catalogue (defsec, later trivy-checks):
- tfsec 1.x reports carry the AVD id next to the long id; an AVD id looked up under tfsec finds
  the control that lists it under trivy.
- Trivy 0.5x+ prints misconfiguration ids without the "AVD-" prefix ("AWS-0089"), and older
  Kubernetes/Dockerfile ids in the short form ("KSV001", "DS002"); both are looked up as the AVD id
  ("AVD-AWS-0089", "AVD-KSV-0001").

Validation at load (a `ValueError` naming the control): unique ids, known tool families, every
rule id of the shape its tool uses, no rule in two controls, compliance frameworks from
`FRAMEWORKS`, and a remediation (optional) that is not blank nor longer than REMEDIATION_MAX.
"""

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

# Rule id shapes, per tool family.
RULE_ID_PATTERNS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "checkov": re.compile(r"^CKV2?_[A-Z0-9]+_\d+$"),
        # 1.x long id (old ones keep underscores: github-repositories-enable_vulnerability_alerts),
        # the AVD id, or a 0.x legacy id (AWS002, GCP008, GEN003)
        "tfsec": re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9_]+)+|AVD-[A-Z0-9]+-\d{4}|[A-Z]{2,5}\d{3})$"),
        "trivy": re.compile(r"^AVD-[A-Z0-9]+-\d{4}$"),
        "kics": re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
        # current ids (AC_AWS_0214, AC_AZURE_0366) and the Accurics-era ones (accurics.gcp.NS.103,
        # accurics.azure.EKM.7), which terrascan still reports for GCP
        "terrascan": re.compile(r"^(?:AC_[A-Z0-9]+_\d{4}|accurics\.[a-z0-9]+\.[A-Z]+\.\d+)$"),
        # v3+ check ids (s3_bucket_default_encryption; a few keep Kubernetes camelCase:
        # core_minimize_hostPID_containers) and v2 ones (check21, extra718)
        "prowler": re.compile(r"^[a-z0-9]+(?:_[A-Za-z0-9]+)*$"),
        "securityhub": re.compile(r"^[A-Za-z0-9]+\.\d+$"),
        # finding keys of the results file; parameterised rules carry their argument
        # (ec2-security-group-opens-SSH-port-to-all, s3-bucket-AllUsers-read_acp)
        "scoutsuite": re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$"),
    }
)
TOOLS: frozenset[str] = frozenset(RULE_ID_PATTERNS)

PROVIDERS: frozenset[str] = frozenset({"aws", "azure", "gcp", "kubernetes"})
DOMAINS: frozenset[str] = frozenset(
    {
        "storage",
        "network",
        "database",
        "compute",
        "identity",
        "logging",
        "monitoring",
        "encryption",
        "kubernetes",
        "secrets",
    }
)
FRAMEWORKS: frozenset[str] = frozenset(
    {
        "CIS AWS Foundations Benchmark v3.0.0",
        "CIS Microsoft Azure Foundations Benchmark v2.1.0",
        "CIS Google Cloud Platform Foundation Benchmark v2.0.0",
        "CIS Kubernetes Benchmark v1.8.0",
        "PCI DSS v4.0",
        "SOC 2",
        "HIPAA",
        "ISO/IEC 27001:2022",
        "NIS2",
    }
)

REMEDIATION_MAX = 800
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TRIVY_SHORT = re.compile(r"^([A-Z]+)-?(\d{3,4})$")  # AWS-0089, KSV-0001, KSV001, DS002
_AVD = RULE_ID_PATTERNS["trivy"]
_DEFAULT_PATH = "controls.yaml"


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    title: str
    domain: str
    provider: str
    compliance: tuple[tuple[str, str], ...]
    rules: Mapping[str, tuple[str, ...]]
    remediation: str = ""  # how to fix it, tool-neutral (Terraform names where they help)

    def tools(self) -> tuple[str, ...]:
        return tuple(sorted(self.rules))


class ControlMap:
    """Controls by id, and by (tool family, rule id)."""

    def __init__(self, controls: list[Control]) -> None:
        self._by_id: dict[str, Control] = {}
        self._by_rule: dict[tuple[str, str], Control] = {}
        for control in controls:
            _check_control(control)
            if control.id in self._by_id:
                raise ValueError(f"control {control.id!r}: the id is used twice")
            self._by_id[control.id] = control
            for tool, rule_ids in control.rules.items():
                for rule_id in rule_ids:
                    other = self._by_rule.get((tool, rule_id))
                    if other is not None:
                        raise ValueError(
                            f"control {control.id!r}: {tool} rule {rule_id!r} is already "
                            f"mapped to control {other.id!r}"
                        )
                    self._by_rule[(tool, rule_id)] = control

    def control_for(self, tool: str, rule_id: str) -> Control | None:
        control = self._by_rule.get((tool, rule_id))
        if control is not None or tool not in ("tfsec", "trivy"):
            return control
        if _AVD.match(rule_id):  # tfsec 1.x's AVD id, Trivy's own
            return self._by_rule.get(("trivy", rule_id))
        short = _TRIVY_SHORT.match(rule_id)
        if tool == "trivy" and short is not None:
            return self._by_rule.get(("trivy", f"AVD-{short[1]}-{int(short[2]):04d}"))
        return None

    def get(self, control_id: str) -> Control | None:
        return self._by_id.get(control_id)

    def all(self) -> list[Control]:
        return list(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Control]:
        return iter(self._by_id.values())


def _check_control(control: Control) -> None:
    name = f"control {control.id!r}"
    if not _ID.match(control.id):
        raise ValueError(f"{name}: the id must be lower-kebab-case")
    if not control.title.strip():
        raise ValueError(f"{name}: the title is empty")
    if control.domain not in DOMAINS:
        raise ValueError(f"{name}: unknown domain {control.domain!r}")
    if control.provider not in PROVIDERS:
        raise ValueError(f"{name}: unknown provider {control.provider!r}")
    for framework, ref in control.compliance:
        if framework not in FRAMEWORKS:
            raise ValueError(f"{name}: unknown compliance framework {framework!r}")
        if not ref.strip():
            raise ValueError(f"{name}: {framework} reference is empty")
    if control.remediation and not control.remediation.strip():
        raise ValueError(f"{name}: the remediation is blank")
    if len(control.remediation) > REMEDIATION_MAX:
        raise ValueError(f"{name}: the remediation is longer than {REMEDIATION_MAX} characters")
    if not control.rules:
        raise ValueError(f"{name}: no rules")
    for tool, rule_ids in control.rules.items():
        pattern = RULE_ID_PATTERNS.get(tool)
        if pattern is None:
            raise ValueError(f"{name}: unknown tool family {tool!r}")
        if not rule_ids:
            raise ValueError(f"{name}: no {tool} rule listed")
        seen: set[str] = set()
        for rule_id in rule_ids:
            if not pattern.match(rule_id):
                raise ValueError(f"{name}: {rule_id!r} is not a valid {tool} rule id")
            if rule_id in seen:
                raise ValueError(f"{name}: {tool} rule {rule_id!r} is listed twice")
            seen.add(rule_id)


def _text(value: Any, name: str, key: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name}: {key} must be a string")
    return value


def _control(raw: Any, index: int) -> Control:
    if not isinstance(raw, dict):
        raise ValueError(f"control #{index + 1}: not a mapping")
    control_id = raw.get("id")
    name = f"control {control_id!r}" if isinstance(control_id, str) else f"control #{index + 1}"
    unknown = set(raw) - {"id", "title", "domain", "provider", "compliance", "rules", "remediation"}
    if unknown:
        raise ValueError(f"{name}: unknown keys {sorted(unknown)}")
    compliance: list[tuple[str, str]] = []
    for ref in raw.get("compliance") or []:
        if not isinstance(ref, dict) or set(ref) != {"framework", "control"}:
            raise ValueError(f"{name}: a compliance entry needs exactly framework and control")
        compliance.append(
            (
                _text(ref["framework"], name, "framework"),
                str(_text(ref["control"], name, "control")),
            )
        )
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, dict):
        raise ValueError(f"{name}: rules must be a mapping of tool family to rule ids")
    rules: dict[str, tuple[str, ...]] = {}
    for tool, ids in rules_raw.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError(f"{name}: rules.{tool} must be a list of strings")
        rules[str(tool)] = tuple(ids)
    return Control(
        id=_text(control_id, name, "id"),
        title=_text(raw.get("title"), name, "title"),
        domain=_text(raw.get("domain"), name, "domain"),
        provider=_text(raw.get("provider"), name, "provider"),
        compliance=tuple(compliance),
        rules=MappingProxyType(rules),
        remediation=_text(raw.get("remediation", ""), name, "remediation"),
    )


def parse_control_map(text: str) -> ControlMap:
    """Build a ControlMap from the YAML text; ValueError (naming the control) when it is wrong."""
    try:
        # libyaml's C loader when present: the pure-Python one took 0.3 s of every `aspm ingest`
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        raise ValueError(f"control map: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError("control map: expected a mapping with version: 1")
    raw_controls = data.get("controls")
    if not isinstance(raw_controls, list):
        raise ValueError("control map: controls must be a list")
    return ControlMap([_control(raw, i) for i, raw in enumerate(raw_controls)])


@functools.cache
def load_control_map(path: Path | None = None) -> ControlMap:
    """The control map in `path`, by default the one shipped with the package (cached)."""
    if path is None:
        text = resources.files(__package__ or "aspm.findings").joinpath(_DEFAULT_PATH).read_text()
    else:
        text = path.read_text(encoding="utf-8")
    return parse_control_map(text)
