"""The risk formula (DESIGN §6) as pure functions of plain values. Every number and the decision
table come from the policy; this module only knows the shape of the formula:

    r        = S x product(factor multipliers)                    (S: severity 0-10)
    score    = round_half_up(100 x ln(1 + r) / ln(1 + r_max))     (r_max: RiskPolicy.max_raw)
    priority = the first rule of the policy's decision table whose conditions hold

A bounded curve in log space instead of a cap: the score stays inside 0-100 without clipping,
and more severity or context never lowers it. Each step is kept as an `Explanation` entry: the
severity and every factor (value, multiplier, source), the curve (its r_max), the decision points
and the rule that fired. `multiply_back` reproduces the score from them exactly.
"""

import math
from dataclasses import dataclass

from aspm.common.priority import Priority
from aspm.risk.policy import RiskPolicy

UNKNOWN = "unknown"
# explanation entries that are not multipliers of r
CURVE, POINTS, DECISION = "curve", "decision_points", "decision"
_STEPS = frozenset({CURVE, POINTS, DECISION})


@dataclass(frozen=True, slots=True)
class Explanation:
    factor: str  # severity, exploitability, exposure, environment, data_sensitivity, ...
    value: str  # what was found: "high", "internet", "2 tools", ...
    multiplier: float
    source: str  # where the value came from: the tool, the asset, another finding, the policy

    def as_dict(self) -> dict[str, str | float]:
        return {
            "factor": self.factor,
            "value": self.value,
            "multiplier": self.multiplier,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Inputs:
    """What one finding's score depends on, as plain values."""

    severity: str  # critical, high, medium, low, info
    cvss: float | None = None
    secret_verified: bool = False
    kev: bool = False
    epss: float | None = None
    tools: int = 1  # distinct tools with an active detection
    asset: str = ""  # asset name, for the sources
    exposure: str = UNKNOWN
    environment: str = UNKNOWN
    data_sensitivity: str = UNKNOWN
    data_tags: tuple[str, ...] = ()
    criticality: int | None = None  # tier 1 (most critical) .. 3
    public_via: str | None = None  # another open finding showing the resource public
    public_via_title: str = ""
    # where a value came from when not from the asset (the report's own context, aspm.risk.context)
    environment_source: str | None = None
    sensitivity_source: str | None = None
    criticality_source: str | None = None
    report_tags: tuple[tuple[str, str], ...] = ()  # (data tag, source) the report names
    kev_source: str = "CISA KEV in the report"
    epss_source: str | None = None
    public_exploit: str | None = None  # where the report says a public exploit exists
    # from the resource inventory (aspm.resources.exposure), before the asset's declared context
    resource_exposure: tuple[str, str] | None = None  # (internet | internal, source in words)
    resource_sensitivity: tuple[str, str] | None = None  # (level, source)
    combinations: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (name, title, path)


@dataclass(frozen=True, slots=True)
class Score:
    score: int
    priority: Priority | None
    sla_days: int | None
    explanation: tuple[Explanation, ...]


def round_half_up(value: float) -> int:
    return int(value + 0.5)


def severity_value(policy: RiskPolicy, severity: str, cvss: float | None) -> tuple[float, str]:
    """S on 0-10 and where it came from."""
    if cvss is not None and policy.use_cvss and 0.0 <= cvss <= 10.0:
        return float(cvss), "CVSS / security-severity score in the report"
    return float(getattr(policy.severity, severity, policy.severity.medium)), "severity label"


def _sensitivity(inputs: Inputs, policy: RiskPolicy) -> tuple[str, str]:
    """Declared sensitivity, raised by data tags (pci => restricted, ...)."""
    factors = policy.data_sensitivity
    if inputs.resource_sensitivity is not None:  # the resource's own classification comes first
        return inputs.resource_sensitivity
    level = inputs.data_sensitivity
    source = inputs.sensitivity_source or f"asset {inputs.asset}"
    best = getattr(factors, level, factors.unknown)
    tagged = [(t, f"asset {inputs.asset} holds {t} data") for t in inputs.data_tags]
    tagged += [(t, f"{s} ({t} data)") for t, s in inputs.report_tags]
    for tag, tag_source in tagged:
        implied = policy.data_tags.get(tag.lower())
        if implied is not None and getattr(factors, implied.value) > best:
            level, best = implied.value, getattr(factors, implied.value)
            source = tag_source
    return level, source


def exposure_of(inputs: Inputs) -> str:
    """Effective exposure: another finding showing the resource public makes it internet, else
    what the inventory knows of the resource, else the asset's declared exposure."""
    if inputs.public_via:
        return "internet"
    if inputs.resource_exposure is not None:
        return inputs.resource_exposure[0]
    return inputs.exposure


def factors(policy: RiskPolicy, inputs: Inputs) -> list[Explanation]:
    """The context factors (without severity), unknown ones included with multiplier 1.0."""
    out: list[Explanation] = []
    ex = policy.exploitability
    exploit: list[tuple[float, str, str]] = []
    if inputs.secret_verified:
        exploit.append((ex.verified_secret, "verified live secret", "the scanner verified it"))
    if inputs.kev:
        exploit.append((ex.kev, "known exploited (KEV)", inputs.kev_source))
    if inputs.epss is not None and inputs.epss >= ex.epss_threshold:
        exploit.append((ex.public_exploit, f"EPSS {inputs.epss:.2f}",
                        inputs.epss_source or "EPSS in the report"))  # fmt: skip
    if inputs.public_exploit:
        exploit.append((ex.public_exploit, "public exploit available", inputs.public_exploit))
    if exploit:  # the strongest signal counts once
        mult, value, source = max(exploit)
        out.append(Explanation("exploitability", value, mult, source))
    if inputs.public_via:
        out.append(
            Explanation(
                "exposure",
                "internet",
                policy.exposure.internet,
                f"finding {inputs.public_via}"
                + (f" ({inputs.public_via_title[:120]})" if inputs.public_via_title else ""),
            )
        )
    elif inputs.resource_exposure is not None:
        value, source = inputs.resource_exposure
        out.append(
            Explanation(
                "exposure", value, getattr(policy.exposure, value, policy.exposure.unknown), source
            )
        )
    else:
        value = inputs.exposure
        out.append(
            Explanation(
                "exposure",
                value,
                getattr(policy.exposure, value, policy.exposure.unknown),
                f"asset {inputs.asset}",
            )
        )
    env = inputs.environment
    out.append(
        Explanation(
            "environment",
            env,
            getattr(policy.environment, env, policy.environment.unknown),
            inputs.environment_source or f"asset {inputs.asset}",
        )
    )
    level, source = _sensitivity(inputs, policy)
    out.append(
        Explanation(
            "data_sensitivity",
            level,
            getattr(policy.data_sensitivity, level, policy.data_sensitivity.unknown),
            source,
        )
    )
    tier = f"tier_{inputs.criticality}" if inputs.criticality in (1, 2, 3) else UNKNOWN
    out.append(
        Explanation(
            "criticality",
            tier.replace("_", " "),
            getattr(policy.criticality, tier),
            inputs.criticality_source or f"asset {inputs.asset}",
        )
    )
    # unknown context is neutral (x1.0, a policy invariant): it is not stored, so that a finding
    # of an undeclared asset carries only what moved its score; `undeclared()` names it
    out = [e for e in out if not (e.value == UNKNOWN and e.multiplier == 1.0)]
    if inputs.tools >= policy.corroboration.min_tools:
        out.append(
            Explanation(
                "corroboration",
                f"{inputs.tools} tools",
                policy.corroboration.multiplier,
                "detections from several tools",
            )
        )
    if inputs.combinations:  # several combinations count once: the first names the path
        _, title, path = inputs.combinations[0]
        more = len(inputs.combinations) - 1
        out.append(
            Explanation(
                "toxic_combination",
                title + (f" (and {more} more)" if more else ""),
                policy.toxic_combination,
                " -> ".join(path),
            )
        )
    return out


def _exploitation(policy: RiskPolicy, inputs: Inputs) -> str:
    if inputs.secret_verified or inputs.kev:
        return "active"
    epss = inputs.epss is not None and inputs.epss >= policy.exploitability.epss_threshold
    return "poc" if epss or inputs.public_exploit else "none"


def _value(policy: RiskPolicy, inputs: Inputs) -> str:
    level, _ = _sensitivity(inputs, policy)
    facts = {
        "environment": inputs.environment,
        "criticality": f"tier_{inputs.criticality}" if inputs.criticality in (1, 2, 3) else UNKNOWN,
        "data_sensitivity": level,
    }
    for name, conditions in (("high", policy.value.high), ("medium", policy.value.medium)):
        for cond in conditions:
            if all(facts[key] in values for key, values in cond.items()):
                return name
    return "low"


def decision_points(policy: RiskPolicy, inputs: Inputs) -> dict[str, str]:
    """The values the decision table decides on."""
    return {
        "exploitation": _exploitation(policy, inputs),
        "exposure": exposure_of(inputs),
        "severity": inputs.severity,
        "value": _value(policy, inputs),
        "toxic": "yes" if inputs.combinations else "no",
    }


def decide(policy: RiskPolicy, points: dict[str, str]) -> tuple[int, Priority | None]:
    """(index of the rule that fired, its priority); the last rule always matches."""
    for index, rule in enumerate(policy.decision):
        if rule.matches(points):
            return index, rule.priority
    raise AssertionError("the policy's last decision rule has no conditions")  # validated


def curve(raw: float, top: float) -> int:
    """The score of a raw product: 100 x ln(1 + r) / ln(1 + r_max), rounded half up."""
    return round_half_up(100.0 * math.log1p(max(raw, 0.0)) / math.log1p(top))


def score(
    policy: RiskPolicy, inputs: Inputs, context_factors: list[Explanation] | None = None
) -> Score:
    """`context_factors`: `factors(policy, inputs)` when the caller already has them (they do
    not depend on severity or CVSS, so many inputs share them)."""
    s, s_source = severity_value(policy, inputs.severity, inputs.cvss)
    label = f"{s:g} ({inputs.severity})" if s_source == "severity label" else f"{s:g}"
    if context_factors is None:
        context_factors = factors(policy, inputs)
    explanation = [Explanation("severity", label, s, s_source), *context_factors]
    raw = 1.0
    for item in explanation:
        raw *= item.multiplier
    top = policy.max_raw()
    value = curve(raw, top)
    explanation.append(
        Explanation(
            CURVE,
            f"r = {raw:.4g}",
            top,
            "score = 100 x ln(1 + r) / ln(1 + r_max), r = severity x the factors, "
            f"r_max = {top:.4g} (every factor at its largest)",
        )
    )
    points = decision_points(policy, inputs)
    index, priority = decide(policy, points)
    explanation.append(
        Explanation(
            POINTS,
            ", ".join(f"{k} {v}" for k, v in points.items()),
            1.0,
            "the values the decision table decides on",
        )
    )
    rule = policy.decision[index]
    explanation.append(
        Explanation(
            DECISION,
            priority.value if priority else "none",
            1.0,
            f"rule {index + 1} of the decision table: {rule.name}",
        )
    )
    return Score(
        score=value,
        priority=priority,
        sla_days=policy.sla_days[priority] if priority is not None else None,
        explanation=tuple(explanation),
    )


CONTEXT_FACTORS = ("exposure", "environment", "data_sensitivity", "criticality")


def undeclared(explanation: list[dict[str, object]]) -> list[str]:
    """Context factors absent from a stored explanation: unknown, hence neutral."""
    present = {str(e.get("factor")) for e in explanation}
    return [f for f in CONTEXT_FACTORS if f not in present]


def multiply_back(policy: RiskPolicy, explanation: tuple[Explanation, ...]) -> int:
    """The score an explanation stands for: severity times every factor, through the curve whose
    r_max the explanation names (used by tests and to check stored explanations)."""
    raw, top = 1.0, policy.max_raw()
    for item in explanation:
        if item.factor == CURVE:
            top = item.multiplier
        elif item.factor not in _STEPS:
            raw *= item.multiplier
    return curve(raw, top)


# --- in words ------------------------------------------------------------------------------

_FACTOR_WORDS = {
    "exposure": {
        "internet": "reachable from the internet",
        "internal": "reachable only from internal networks",
        "isolated": "isolated from other networks",
        "not_deployed": "not deployed",
        "unknown": "exposure unknown",
    },
    "environment": {
        "prod": "in production",
        "staging": "in staging",
        "dev": "in a development environment",
        "test": "in a test environment",
        "unknown": "environment unknown",
    },
}


def describe(item: dict[str, object]) -> str:
    """One explanation entry as a sentence a security lead can read."""
    factor, value = str(item.get("factor")), str(item.get("value"))
    source = str(item.get("source"))
    mult = float(item.get("multiplier", 1.0))  # type: ignore[arg-type]
    effect = f"x{mult:.2f}"
    if factor == "severity":
        return (
            f"Base severity {value} on a 0-10 scale (from the {source}): starts at {mult * 10:.0f}."
        )
    if factor == CURVE:
        return (
            f"Combined: {value}; score = 100 x ln(1 + r) / ln(1 + {mult:.4g}), where {mult:.4g} "
            "is the largest r this policy allows (no cap, no clipping)."
        )
    if factor == POINTS:
        return f"Decision points: {value}."
    if factor == DECISION:
        return f"Priority {value}: {source}."
    if factor == "toxic_combination":
        return f"Toxic combination: {value}, path {source} ({effect})."
    if factor == "exploitability":
        return f"Exploitability: {value}, {source} ({effect})."
    if factor == "corroboration":
        return f"Corroborated: {value} report it ({effect})."
    if factor == "criticality":
        return f"Business criticality {value}, from {source} ({effect})."
    if factor == "data_sensitivity":
        return f"Data sensitivity {value}, from {source} ({effect})."
    words = _FACTOR_WORDS.get(factor, {}).get(value, f"{factor} {value}")
    if factor == "exposure" and source.startswith("finding "):
        return (f"Exposure: {words}, because {source} shows the same resource to be public "
                f"({effect}).")  # fmt: skip
    return f"{words[:1].upper()}{words[1:]}, from {source} ({effect})."
