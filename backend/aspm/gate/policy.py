"""The CI gate's policy-as-code: load and validate `gate-policy.yaml`, resolve per-asset and
per-branch overrides, and decide pass/fail for a set of findings. Pure: no SQL, no I/O but
reading the file.

A policy is a list of rules. Each rule selects findings (`when`: priorities, severities,
categories, verified secrets, a minimum risk score, tools, controls) and allows at most `max` of
them (default 0: any one fails). Which findings are gated at all:
- `scope: new` gates only findings that are new (first seen by this evaluation's imports, or absent
  from the `baseline` scope when one is named); `scope: all` gates every finding the reports list;
- findings whose triage state is in `honour_triage` (accepted_risk, false_positive by default) and
  suppressed findings (`honour_suppressed`) are never gated: they are reported as ignored.
`overrides` change the scope, baseline or a rule's `max`/`enabled` for assets and branches that
match their glob patterns (README "Patterns"; first to last; later overrides win).
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aspm.common import globs, yamlfile
from aspm.common.severity import Severity
from aspm.errors import InvalidInput

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.yaml")

PriorityLabel = Literal["P1", "P2", "P3", "P4"]
Honourable = Literal["accepted_risk", "false_positive", "wont_fix"]
DEFAULT_HONOURED: tuple[Honourable, ...] = ("accepted_risk", "false_positive")


class GateScope(StrEnum):
    NEW = "new"  # only findings new to the database (or absent from the baseline)
    ALL = "all"  # every finding the reports list


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Selector(_Strict):
    """Which findings a rule counts; every given condition must hold (an empty selector counts
    every gated finding)."""

    priority: list[PriorityLabel] = Field(default_factory=list)
    severity: list[Severity] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list, description="iac, secret, cspm, sast, ...")
    verified_secret: bool | None = Field(
        None, description="true: only secrets the scanner verified as live"
    )
    min_risk: int | None = Field(None, ge=0, le=100, description="risk score at least this")
    tool: list[str] = Field(default_factory=list, description="reported by any of these tools")
    control: list[str] = Field(default_factory=list, description="canonical control ids")


class Rule(_Strict):
    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    description: str = ""
    when: Selector = Field(default_factory=Selector)
    max: int = Field(0, ge=0, description="fail when more than this many findings match")
    enabled: bool = True
    fix: str = Field("", description="advice printed when the rule fails")


class RulePatch(_Strict):
    max: int | None = Field(None, ge=0)
    enabled: bool | None = None


class Match(_Strict):
    asset: str | None = Field(None, description="glob on the asset name, e.g. acme/*")
    branch: str | None = Field(None, description="glob on the branch, e.g. release/*")

    @model_validator(mode="after")
    def _something(self) -> "Match":
        if self.asset is None and self.branch is None:
            raise ValueError("an override must match an asset, a branch, or both")
        return self


class Override(_Strict):
    match: Match
    scope: GateScope | None = None
    baseline: str | None = None
    rules: dict[str, RulePatch] = Field(default_factory=dict)


class GatePolicy(_Strict):
    version: Literal[1] = 1
    name: str = Field("gate", min_length=1, max_length=100)
    scope: GateScope = GateScope.ALL
    baseline: str | None = Field(
        None, description="scope target (e.g. main) that new findings are compared with"
    )
    honour_triage: list[Honourable] = Field(
        default_factory=lambda: list(DEFAULT_HONOURED),
        description="findings in these triage states never fail the gate",
    )
    honour_suppressed: bool = True
    rules: list[Rule] = Field(min_length=1)
    overrides: list[Override] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return rules

    @model_validator(mode="after")
    def _overrides_name_rules(self) -> "GatePolicy":
        ids = {r.id for r in self.rules}
        for n, override in enumerate(self.overrides):
            unknown = sorted(set(override.rules) - ids)
            if unknown:
                raise ValueError(
                    f"overrides[{n}] names unknown rule(s) {', '.join(unknown)}; "
                    f"rules are: {', '.join(sorted(ids))}"
                )
        return self


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    policy: GatePolicy
    source: str
    digest: str  # sha256 of the normalized policy (not of the file's bytes)


def digest_of(policy: GatePolicy) -> str:
    canonical = json.dumps(policy.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse(text: str, *, source: str) -> LoadedPolicy:
    """Validate a policy document. Raises InvalidInput naming `source:LINE: key: problem`."""
    policy = yamlfile.load(text, GatePolicy, source=source)
    return LoadedPolicy(policy=policy, source=source, digest=digest_of(policy))


def load(path: Path | None = None) -> LoadedPolicy:
    """A policy file, or the shipped default."""
    path = path or DEFAULT_POLICY_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the gate policy ({exc.strerror})") from exc
    return parse(text, source=str(path))


@dataclass(frozen=True, slots=True)
class Effective:
    """The policy after the overrides that match one asset and branch."""

    scope: GateScope
    baseline: str | None
    rules: tuple[Rule, ...]
    overrides: tuple[int, ...]  # indexes of the overrides applied


def _matches(pattern: str | None, value: str | None) -> bool:
    if pattern is None:
        return True
    return globs.matches(pattern, value)  # the one dialect (README "Patterns"), case ignored


def effective(policy: GatePolicy, *, asset: str | None, branch: str | None) -> Effective:
    scope, baseline = policy.scope, policy.baseline
    rules = {r.id: r for r in policy.rules}
    applied: list[int] = []
    for n, override in enumerate(policy.overrides):
        if not (_matches(override.match.asset, asset) and _matches(override.match.branch, branch)):
            continue
        applied.append(n)
        scope = override.scope or scope
        baseline = override.baseline if override.baseline is not None else baseline
        for rule_id, patch in override.rules.items():
            rules[rule_id] = rules[rule_id].model_copy(
                update={k: v for k, v in patch.model_dump().items() if v is not None}
            )
    return Effective(scope, baseline, tuple(rules.values()), tuple(applied))


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the policy looks at of one finding the reports list."""

    key: str  # finding id (or a stand-in for a dry run's new finding)
    asset: str
    severity: Severity
    priority: str | None
    risk_score: int | None
    category: str
    secret_verified: bool | None
    tools: tuple[str, ...]
    control_id: str
    triage_state: str
    suppressed: bool
    new: bool  # first seen by this evaluation, or absent from the baseline


def selects(selector: Selector, c: Candidate) -> bool:
    return (
        (not selector.priority or c.priority in selector.priority)
        and (not selector.severity or c.severity in selector.severity)
        and (not selector.category or c.category in selector.category)
        and (
            selector.verified_secret is None or bool(c.secret_verified) == selector.verified_secret
        )
        and (selector.min_risk is None or (c.risk_score or 0) >= selector.min_risk)
        and (not selector.tool or any(t in selector.tool for t in c.tools))
        and (not selector.control or c.control_id in selector.control)
    )


@dataclass(slots=True)
class RuleOutcome:
    rule: Rule
    asset: str
    matched: list[str] = field(default_factory=list)  # candidate keys

    @property
    def failed(self) -> bool:
        return self.rule.enabled and len(self.matched) > self.rule.max


@dataclass(slots=True)
class Decision:
    passed: bool
    outcomes: list[RuleOutcome]
    gated: list[str]  # keys the rules looked at
    ignored: dict[str, str]  # key -> why it was not gated (accepted_risk, suppressed, not new)
    effective: dict[str, Effective]  # per asset

    @property
    def failing_keys(self) -> list[str]:
        keys: dict[str, None] = {}
        for outcome in self.outcomes:
            if outcome.failed:
                keys.update(dict.fromkeys(outcome.matched))
        return list(keys)


def why_ignored(policy: GatePolicy, scope: GateScope, c: Candidate) -> str | None:
    if c.triage_state in policy.honour_triage:
        return c.triage_state
    if policy.honour_suppressed and c.suppressed:
        return "suppressed"
    if scope is GateScope.NEW and not c.new:
        return "not new"
    return None


def decide(
    policy: GatePolicy,
    candidates: Sequence[Candidate],
    *,
    branch: str | None,
    scope: GateScope | None = None,
) -> Decision:
    """Apply the policy to each asset's candidates (its overrides resolved per asset). `scope`
    forces new/all over the policy's (the CLI's --new-only / --baseline)."""
    by_asset: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_asset.setdefault(c.asset, []).append(c)
    outcomes: list[RuleOutcome] = []
    gated: list[str] = []
    ignored: dict[str, str] = {}
    per_asset: dict[str, Effective] = {}
    for asset, group in sorted(by_asset.items()):
        eff = effective(policy, asset=asset, branch=branch)
        per_asset[asset] = eff
        use_scope = scope or eff.scope
        kept = []
        for c in group:
            reason = why_ignored(policy, use_scope, c)
            if reason is None:
                kept.append(c)
            else:
                ignored[c.key] = reason
        gated.extend(c.key for c in kept)
        for rule in eff.rules:
            outcomes.append(
                RuleOutcome(rule, asset, [c.key for c in kept if selects(rule.when, c)])
            )
    return Decision(
        passed=not any(o.failed for o in outcomes),
        outcomes=outcomes,
        gated=gated,
        ignored=ignored,
        effective=per_asset,
    )
