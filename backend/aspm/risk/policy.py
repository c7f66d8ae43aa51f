"""The risk policy (DESIGN §6): every number of the risk formula and the priority decision table,
loaded from YAML and validated.

The shipped default is `default_policy.yaml` beside this module; ASPM_RISK_POLICY names another
file, and the API can store one in the database. Validation keeps the formula's promises: every
"unknown" multiplier is 1.0 (unknown context is neutral), multipliers never decrease along each
factor's natural order (more exposure or a more sensitive asset never lowers a score), and the
decision table only names decision points and values that exist, and ends with a rule that
always matches, so every finding gets a decision.
"""

import hashlib
import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aspm.common import yamlfile
from aspm.common.priority import PRIORITY_ORDER, Priority
from aspm.errors import InvalidInput

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.yaml")


Multiplier = Field(gt=0, le=10)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeverityValues(_Strict):
    critical: float = Field(ge=0, le=10)
    high: float = Field(ge=0, le=10)
    medium: float = Field(ge=0, le=10)
    low: float = Field(ge=0, le=10)
    info: float = Field(ge=0, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> "SeverityValues":
        if not self.critical >= self.high >= self.medium >= self.low >= self.info:
            raise ValueError("severity values must not increase from critical down to info")
        return self


class Exploitability(_Strict):
    verified_secret: float = Multiplier
    kev: float = Multiplier
    public_exploit: float = Multiplier
    epss_threshold: float = Field(ge=0, le=1)


class ExposureFactors(_Strict):
    internet: float = Multiplier
    internal: float = Multiplier
    isolated: float = Multiplier
    not_deployed: float = Multiplier
    unknown: float = Multiplier


class EnvironmentFactors(_Strict):
    prod: float = Multiplier
    staging: float = Multiplier
    dev: float = Multiplier
    test: float = Multiplier
    unknown: float = Multiplier


class SensitivityFactors(_Strict):
    restricted: float = Multiplier
    confidential: float = Multiplier
    internal: float = Multiplier
    public: float = Multiplier
    unknown: float = Multiplier


class CriticalityFactors(_Strict):
    tier_1: float = Multiplier
    tier_2: float = Multiplier
    tier_3: float = Multiplier
    unknown: float = Multiplier


class Corroboration(_Strict):
    min_tools: int = Field(ge=2, le=20)
    multiplier: float = Multiplier


class Sensitivity(StrEnum):
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"
    INTERNAL = "internal"
    PUBLIC = "public"


class ReportContext(_Strict):
    """Using the context a report carries where the asset declares none."""

    # ASFF Criticality (0-100) at or above these is tier 1 / tier 2; below tier_2, tier 3
    criticality_tier_1: float = Field(ge=0, le=100)
    criticality_tier_2: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> "ReportContext":
        if self.criticality_tier_1 < self.criticality_tier_2:
            raise ValueError("criticality_tier_1 must be at least criticality_tier_2")
        return self


# --- the decision table (SSVC-like): decision points and their values --------------------------

DECISION_POINTS: dict[str, tuple[str, ...]] = {
    # evidence of exploitation: active = a verified live secret or a known exploited (KEV)
    # vulnerability; poc = a public exploit or EPSS at or above the threshold
    "exploitation": ("active", "poc", "none"),
    # the resource's (else the asset's) effective exposure
    "exposure": ("internet", "internal", "isolated", "not_deployed", "unknown"),
    "severity": ("critical", "high", "medium", "low", "info"),
    # mission and asset value, from environment, criticality and data sensitivity (`value`)
    "value": ("high", "medium", "low"),
    # part of a toxic combination (a path over the resource inventory)
    "toxic": ("yes", "no"),
}


class DecisionRule(_Strict):
    """First rule whose every condition holds decides; a condition lists the values it accepts."""

    name: str = Field(min_length=1, max_length=120)
    when: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    priority: Priority | None  # None ("none" in YAML): no priority (e.g. informational)

    @model_validator(mode="before")
    @classmethod
    def _none(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("priority") in ("none", "None"):
            data = {**data, "priority": None}
        return data

    @model_validator(mode="after")
    def _known(self) -> "DecisionRule":
        for point, values in self.when.items():
            allowed = DECISION_POINTS.get(point)
            if allowed is None:
                raise ValueError(
                    f"rule {self.name!r}: unknown decision point {point!r} "
                    f"(one of {', '.join(DECISION_POINTS)})"
                )
            wrong = [v for v in values if v not in allowed]
            if wrong or not values:
                raise ValueError(
                    f"rule {self.name!r}: {point} takes {', '.join(allowed)}"
                    + (f", not {', '.join(wrong)}" if wrong else "")
                )
        return self

    def matches(self, points: dict[str, str]) -> bool:
        return all(points[p] in values for p, values in self.when.items())


ValueCondition = dict[str, tuple[str, ...]]  # environment / criticality / data_sensitivity


class AssetValue(_Strict):
    """Mission and asset value: `high` when any of its conditions holds, else `medium` when any
    of its conditions holds, else low. A condition names environment, criticality (tier_1..3)
    and data_sensitivity values; all of its parts must hold."""

    high: tuple[ValueCondition, ...]
    medium: tuple[ValueCondition, ...]

    @model_validator(mode="after")
    def _known(self) -> "AssetValue":
        allowed = {
            "environment": ("prod", "staging", "dev", "test", "unknown"),
            "criticality": ("tier_1", "tier_2", "tier_3", "unknown"),
            "data_sensitivity": ("restricted", "confidential", "internal", "public", "unknown"),
        }
        for cond in (*self.high, *self.medium):
            for key, values in cond.items():
                if key not in allowed:
                    raise ValueError(f"value: unknown condition {key!r} ({', '.join(allowed)})")
                wrong = [v for v in values if v not in allowed[key]]
                if wrong:
                    raise ValueError(f"value: {key} takes {', '.join(allowed[key])}")
        return self


class ResourceContextSettings(_Strict):
    """Context from the resource inventory (a resource's exposure and data classification)."""

    sensitivity_tags: tuple[str, ...] = ("data-classification", "data_classification")


# natural orders, lowest risk first: multipliers must not decrease along them
_ORDERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "exposure": (("isolated", "not_deployed", "internal", "internet"),),
    "environment": (("dev", "staging", "prod"), ("test", "staging", "prod")),
    "data_sensitivity": (("public", "internal", "confidential", "restricted"),),
    "criticality": (("tier_3", "tier_2", "tier_1"),),
}


class RiskPolicy(_Strict):
    version: str = Field(min_length=1, max_length=50, pattern=r"^[\w.:+-]+$")
    severity: SeverityValues
    use_cvss: bool = True
    exploitability: Exploitability
    exposure: ExposureFactors
    environment: EnvironmentFactors
    data_sensitivity: SensitivityFactors
    data_tags: dict[str, Sensitivity] = Field(default_factory=dict)
    criticality: CriticalityFactors
    corroboration: Corroboration
    # a finding in a toxic combination (aspm.resources.exposure)
    toxic_combination: float = Field(ge=1, le=10)
    resource_context: ResourceContextSettings = ResourceContextSettings()
    public_controls: tuple[str, ...] = ()
    not_public_controls: tuple[str, ...] = ()
    value: AssetValue
    decision: tuple[DecisionRule, ...] = Field(min_length=1)
    sla_days: dict[Priority, int]
    # absent: report context (resource tags, ASFF Criticality, OCSF data classification, KEV,
    # EPSS) is not used
    report_context: ReportContext | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "RiskPolicy":
        for name, orders in _ORDERS.items():
            factors = getattr(self, name)
            if factors.unknown != 1.0:
                raise ValueError(f"{name}.unknown must be 1.0 (unknown context is neutral)")
            for order in orders:
                values = [getattr(factors, key) for key in order]
                if values != sorted(values):
                    raise ValueError(
                        f"{name} multipliers must not decrease along {' < '.join(order)}"
                    )
        if self.decision[-1].when:
            raise ValueError(
                "decision: the last rule must have no conditions (it decides what no other "
                "rule does)"
            )
        missing = [p.value for p in PRIORITY_ORDER if p not in self.sla_days]
        if missing:
            raise ValueError(f"sla_days: missing {', '.join(missing)}")
        if any(d < 0 or d > 3650 for d in self.sla_days.values()):
            raise ValueError("sla_days must be between 0 and 3650")
        return self

    def max_raw(self) -> float:
        """The largest raw score this policy can give (severity 10, every factor at its largest
        multiplier): the top of the score curve, so that no finding is clipped."""
        top = 10.0
        ex = self.exploitability
        top *= max(1.0, ex.verified_secret, ex.kev, ex.public_exploit)
        for name in _ORDERS:
            top *= max(1.0, *getattr(self, name).model_dump().values())
        return top * max(1.0, self.corroboration.multiplier) * self.toxic_combination

    def digest(self) -> str:
        """Stable hash of the policy's content (two files with one version but other numbers
        differ here)."""
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def parse(text: str, *, source: str) -> RiskPolicy:
    """Validate a policy document; errors name the line (InvalidInput)."""
    return yamlfile.load(text, RiskPolicy, source=source)


def from_dict(data: dict[str, Any]) -> RiskPolicy:
    return RiskPolicy.model_validate(data)


@lru_cache(maxsize=8)
def _load_file(path: Path, mtime_ns: int) -> RiskPolicy:  # noqa: ARG001 - the cache key
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the risk policy {path}: {exc.strerror}") from exc
    return parse(text, source=str(path))


def load_file(path: Path | None = None) -> RiskPolicy:
    """The policy in `path`, or the shipped default. Cached until the file changes."""
    target = path or DEFAULT_POLICY_PATH
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as exc:
        raise InvalidInput(f"cannot read the risk policy {target}: {exc.strerror}") from exc
    return _load_file(target, mtime)
