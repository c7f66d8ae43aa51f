"""The risk policy (DESIGN §6): every number of the risk formula, loaded from YAML and validated.

The shipped default is `default_policy.yaml` beside this module; ASPM_RISK_POLICY names another
file, and the API can store one in the database. Validation keeps the formula's promises: every
"unknown" multiplier is 1.0 (all context unknown gives S x 10), and multipliers never decrease
along each factor's natural order, so more exposure or a more sensitive asset never lowers a score.
"""

import hashlib
import itertools
import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aspm.common import yamlfile
from aspm.errors import InvalidInput

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.yaml")


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


PRIORITY_ORDER = (Priority.P1, Priority.P2, Priority.P3, Priority.P4)  # most urgent first

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


class Guards(_Strict):
    verified_secret_at_least: Priority | None = None
    internet_prod_critical_at_least: Priority | None = None
    dev_not_internet_at_most: Priority | None = None


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
    public_controls: tuple[str, ...] = ()
    not_public_controls: tuple[str, ...] = ()
    max_score: int = Field(ge=1, le=1000)
    bands: dict[Priority, int]
    sla_days: dict[Priority, int]
    guards: Guards = Guards()
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
        missing = [p.value for p in PRIORITY_ORDER if p not in self.bands]
        if missing:
            raise ValueError(f"bands: missing {', '.join(missing)}")
        mins = [self.bands[p] for p in PRIORITY_ORDER]
        if not all(a > b for a, b in itertools.pairwise(mins)) or mins[-1] < 1:
            raise ValueError("bands must strictly decrease from P1 to P4, and P4 must be >= 1")
        if mins[0] > self.max_score:
            raise ValueError("bands: P1 must be reachable (at most max_score)")
        missing = [p.value for p in PRIORITY_ORDER if p not in self.sla_days]
        if missing:
            raise ValueError(f"sla_days: missing {', '.join(missing)}")
        if any(d < 0 or d > 3650 for d in self.sla_days.values()):
            raise ValueError("sla_days must be between 0 and 3650")
        return self

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
