"""The risk formula (DESIGN §6) as pure functions of plain values. Every number comes from the
policy; this module only knows the shape of the formula:

    score = min(max_score, round_half_up(10 x S x product(factor multipliers)))

then the guards move the score to a band edge when they apply, and the bands give the priority.
Each step is kept as an `Explanation` entry (factor, value, multiplier, source) whose multipliers,
times 10, give back the score (capped at max_score): a finding can always answer "why this score".
"""

from dataclasses import dataclass

from aspm.risk.policy import PRIORITY_ORDER, Priority, RiskPolicy

UNKNOWN = "unknown"
_DEV = ("dev", "test")
_SCALE = 10.0


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


def priority_for(policy: RiskPolicy, score: int) -> Priority | None:
    for priority in PRIORITY_ORDER:
        if score >= policy.bands[priority]:
            return priority
    return None


def _band_floor(policy: RiskPolicy, priority: Priority) -> int:
    return policy.bands[priority]


def _band_ceiling(policy: RiskPolicy, priority: Priority) -> int:
    """Highest score that still has `priority` (one below the next more urgent band)."""
    index = PRIORITY_ORDER.index(priority)
    if index == 0:
        return policy.max_score
    return policy.bands[PRIORITY_ORDER[index - 1]] - 1


def _sensitivity(inputs: Inputs, policy: RiskPolicy) -> tuple[str, str]:
    """Declared sensitivity, raised by data tags (pci => restricted, ...)."""
    factors = policy.data_sensitivity
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
    """Effective exposure: another finding showing the resource public makes it internet."""
    return "internet" if inputs.public_via else inputs.exposure


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
    return out


def _guards(policy: RiskPolicy, inputs: Inputs, score: int) -> list[tuple[str, int]]:
    """(guard description, score it moves to) for each guard that changes `score`.
    Caps first, then floors: a floor (e.g. a verified live secret) wins over a cap."""
    g = policy.guards
    moves: list[tuple[str, int]] = []
    exposure = exposure_of(inputs)
    if g.dev_not_internet_at_most and inputs.environment in _DEV and exposure != "internet":
        cap = _band_ceiling(policy, g.dev_not_internet_at_most)
        if score > cap:
            moves.append(
                (f"dev/test and not internet-facing: at most {g.dev_not_internet_at_most}", cap)
            )
            score = cap
    floors = []
    if g.verified_secret_at_least and inputs.secret_verified:
        floors.append((f"verified live secret: at least {g.verified_secret_at_least}",
                       _band_floor(policy, g.verified_secret_at_least)))  # fmt: skip
    if (
        g.internet_prod_critical_at_least
        and inputs.severity == "critical"
        and inputs.environment == "prod"
        and exposure == "internet"
    ):
        floors.append((f"critical, internet-facing, prod: at least "
                       f"{g.internet_prod_critical_at_least}",
                       _band_floor(policy, g.internet_prod_critical_at_least)))  # fmt: skip
    for name, floor in sorted(floors, key=lambda f: f[1]):
        if score < floor:
            moves.append((name, floor))
            score = floor
    return moves


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
    product = _SCALE
    for item in explanation:
        product *= item.multiplier
    value = min(policy.max_score, round_half_up(product))
    if value > 0:
        for name, target in _guards(policy, inputs, value):
            # the guard's multiplier takes the product exactly to its target
            explanation.append(Explanation("guard", name, target / product, "policy guard"))
            product = float(target)
            value = target
    priority = priority_for(policy, value)
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
    """The score an explanation stands for (used by tests and to check stored explanations)."""
    product = _SCALE
    for item in explanation:
        product *= item.multiplier
    return min(policy.max_score, round_half_up(product))


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
    if factor == "guard":
        return f"Policy guard applied: {value} (score adjusted {effect})."
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
