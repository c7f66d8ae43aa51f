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

Validation at load, with Pydantic as the other policy files (aspm.common.yamlfile): InvalidInput
naming `file:LINE: field.path: problem` for each problem. Unique ids, known tool families, every
rule id of the shape its tool uses, no rule in two controls, compliance frameworks from
`FRAMEWORKS`, and a remediation (optional) that is not blank nor longer than REMEDIATION_MAX.
"""

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from aspm.common import yamlfile
from aspm.errors import InvalidInput

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
    """Controls by id, and by (tool family, rule id). Built from a validated file
    (`parse_control_map`), which guarantees unique ids and rules."""

    def __init__(self, controls: list[Control]) -> None:
        self._by_id: dict[str, Control] = {c.id: c for c in controls}
        self._by_rule: dict[tuple[str, str], Control] = {
            (tool, rule_id): control
            for control in controls
            for tool, rule_ids in control.rules.items()
            for rule_id in rule_ids
        }

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


# ---- the file, as Pydantic models (errors carry the path to the value, hence its line) --------


def _one_of(allowed: frozenset[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what} {value!r}")
        return value

    return check


def _kebab(value: str) -> str:
    if not _ID.match(value):
        raise ValueError("the id must be lower-kebab-case")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _rule_ids(tool: str) -> AfterValidator:
    pattern = RULE_ID_PATTERNS[tool]

    def check(ids: list[str] | None) -> list[str] | None:
        for rule_id in ids or ():
            if not pattern.match(rule_id):
                raise ValueError(f"{rule_id!r} is not a valid {tool} rule id")
        twice = sorted({i for i in ids or () if ids and ids.count(i) > 1})
        if twice:
            raise ValueError(f"{tool} rule {twice[0]!r} is listed twice")
        return ids

    return AfterValidator(check)


def _remediation(value: str) -> str:
    if value and not value.strip():
        raise ValueError("the remediation is blank")
    if len(value) > REMEDIATION_MAX:
        raise ValueError(f"the remediation is longer than {REMEDIATION_MAX} characters")
    return value


_Text = Annotated[StrictStr, AfterValidator(_not_blank)]
_SOME = Field(min_length=1)  # a tool listed names at least one rule


class _Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: Annotated[StrictStr, AfterValidator(_one_of(FRAMEWORKS, "compliance framework"))]
    control: _Text


class _Rules(BaseModel):
    """Rule ids per tool family (an unknown family is an unknown key)."""

    model_config = ConfigDict(extra="forbid")

    checkov: Annotated[list[StrictStr] | None, _SOME, _rule_ids("checkov")] = None
    tfsec: Annotated[list[StrictStr] | None, _SOME, _rule_ids("tfsec")] = None
    trivy: Annotated[list[StrictStr] | None, _SOME, _rule_ids("trivy")] = None
    kics: Annotated[list[StrictStr] | None, _SOME, _rule_ids("kics")] = None
    terrascan: Annotated[list[StrictStr] | None, _SOME, _rule_ids("terrascan")] = None
    prowler: Annotated[list[StrictStr] | None, _SOME, _rule_ids("prowler")] = None
    securityhub: Annotated[list[StrictStr] | None, _SOME, _rule_ids("securityhub")] = None
    scoutsuite: Annotated[list[StrictStr] | None, _SOME, _rule_ids("scoutsuite")] = None


class _Control(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[StrictStr, AfterValidator(_kebab)]
    title: _Text
    domain: Annotated[StrictStr, AfterValidator(_one_of(DOMAINS, "domain"))]
    provider: Annotated[StrictStr, AfterValidator(_one_of(PROVIDERS, "provider"))]
    compliance: list[_Reference] = []
    rules: _Rules
    remediation: Annotated[StrictStr, AfterValidator(_remediation)] = ""

    def control(self) -> Control:
        rules = {tool: tuple(ids) for tool, ids in self.rules.model_dump(exclude_none=True).items()}
        if not rules:
            raise ValueError("no rules")
        return Control(
            id=self.id,
            title=self.title,
            domain=self.domain,
            provider=self.provider,
            compliance=tuple((r.framework, r.control) for r in self.compliance),
            rules=MappingProxyType(rules),
            remediation=self.remediation,
        )


class _ControlFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    controls: list[_Control]


def parse_control_map(text: str, *, source: str = _DEFAULT_PATH) -> ControlMap:
    """Build a ControlMap from the YAML text. InvalidInput lists every problem as
    `source:LINE: field.path: problem` (what one control alone shows), else the first problem
    between controls (an id used twice, a rule in two controls)."""
    data = yamlfile.load(text, _ControlFile, source=source)
    problems: list[tuple[tuple[int | str, ...], str]] = []
    controls: list[Control] = []
    for n, raw in enumerate(data.controls):
        try:
            controls.append(raw.control())
        except ValueError as exc:  # what a field alone cannot say: no rules at all
            problems.append((("controls", n, "rules"), str(exc)))
    ids: dict[str, int] = {}
    owners: dict[tuple[str, str], str] = {}
    for n, raw in enumerate(data.controls):
        if raw.id in ids:
            problems.append((("controls", n, "id"), f"the id {raw.id!r} is used twice"))
        ids.setdefault(raw.id, n)
        for tool, rule_ids in raw.rules.model_dump(exclude_none=True).items():
            for k, rule_id in enumerate(rule_ids):
                other = owners.setdefault((tool, rule_id), raw.id)
                if other != raw.id:
                    problems.append(
                        (
                            ("controls", n, "rules", tool, k),
                            f"{tool} rule {rule_id!r} is already mapped to control {other!r}",
                        )
                    )
    if problems:
        raise InvalidInput(
            "\n".join(
                f"{source}:{yamlfile.line_of(text, loc)}: {'.'.join(map(str, loc))}: {message}"
                for loc, message in problems
            )
        )
    return ControlMap(controls)


@functools.cache
def load_control_map(path: Path | None = None) -> ControlMap:
    """The control map in `path`, by default the one shipped with the package (cached)."""
    if path is None:
        text = resources.files(__package__ or "aspm.findings").joinpath(_DEFAULT_PATH).read_text()
        return parse_control_map(text, source=f"aspm/findings/{_DEFAULT_PATH}")
    return parse_control_map(path.read_text(encoding="utf-8"), source=str(path))
