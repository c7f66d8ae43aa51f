"""The gate policy: validation errors name the line, thresholds, overrides, what is ignored."""

import pytest

from aspm.common.severity import Severity
from aspm.errors import InvalidInput
from aspm.gate import policy
from aspm.gate.policy import Candidate, GateScope

POLICY = """\
version: 1
name: test
scope: all
rules:
  - id: no-p1
    when: {priority: [P1]}
  - id: high-budget
    when: {severity: [high]}
    max: 2
  - id: live-secrets
    when: {category: [secret], verified_secret: true}
overrides:
  - match: {asset: "acme/*", branch: main}
    rules:
      high-budget: {max: 0}
  - match: {branch: "sandbox/*"}
    scope: new
    rules:
      high-budget: {enabled: false}
"""


def cand(
    key: str,
    *,
    severity: str = "medium",
    priority: str | None = "P3",
    category: str = "sast",
    verified: bool | None = None,
    triage: str = "new",
    suppressed: bool = False,
    new: bool = True,
    asset: str = "acme/api",
    risk: int | None = 50,
) -> Candidate:
    return Candidate(
        key=key, asset=asset, severity=Severity(severity), priority=priority, risk_score=risk,
        category=category, secret_verified=verified, tools=("semgrep",), control_id="c",
        triage_state=triage, suppressed=suppressed, new=new,
    )  # fmt: skip


def loaded() -> policy.GatePolicy:
    return policy.parse(POLICY, source="gate-policy.yaml").policy


def test_shipped_default_policy_is_valid() -> None:
    default = policy.load()
    assert default.policy.name == "default"
    assert {r.id for r in default.policy.rules} >= {"no-p1", "verified-secrets"}
    assert len(default.digest) == 64


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nrules:\n  - id: a\n    max: -1\n", "gate-policy.yaml:4: rules.0.max"),
        ("version: 1\nrules:\n  - id: a\n    when: {severty: [high]}\n", "rules.0.when.severty"),
        ("version: 1\nrules:\n  - id: a\n    when: {priority: [P9]}\n", ":4: rules.0.when"),
        ("version: 2\nrules:\n  - id: a\n", "gate-policy.yaml:1: version"),
        ("version: 1\nrules: []\n", "gate-policy.yaml:2: rules"),
        ("version: 1\nrules:\n  - id: a\n  - id: a\n", "used twice"),
        ("version: 1\nscope: some\nrules:\n  - id: a\n", "gate-policy.yaml:2: scope"),
        (
            "version: 1\nrules:\n  - id: a\noverrides:\n  - match: {branch: x}\n"
            "    rules: {b: {max: 1}}\n",
            "unknown rule(s) b",
        ),
        ("version: 1\nrules:\n  - id: a\noverrides:\n  - match: {}\n", ":5: overrides.0.match"),
        ("version: 1\nrules: [\n", "gate-policy.yaml:3: not valid YAML"),
        ("", "the file is empty"),
    ],
)
def test_invalid_policy_names_the_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as info:
        policy.parse(text, source="gate-policy.yaml")
    assert expected in str(info.value)


def test_any_p1_fails_and_names_the_rule() -> None:
    decision = policy.decide(loaded(), [cand("a", priority="P1"), cand("b")], branch=None)
    assert not decision.passed
    failed = [o for o in decision.outcomes if o.failed]
    assert [(o.rule.id, o.matched) for o in failed] == [("no-p1", ["a"])]
    assert decision.failing_keys == ["a"]


def test_threshold_allows_up_to_max_and_fails_above() -> None:
    highs = [cand(str(n), severity="high") for n in range(3)]
    assert policy.decide(loaded(), highs[:2], branch="feature").passed
    decision = policy.decide(loaded(), highs, branch="feature")
    assert not decision.passed
    assert sorted(decision.failing_keys) == ["0", "1", "2"]


def test_verified_secret_fails_unverified_does_not() -> None:
    unverified = cand("s1", category="secret", verified=False)
    live = cand("s2", category="secret", verified=True)
    assert policy.decide(loaded(), [unverified], branch=None).passed
    decision = policy.decide(loaded(), [unverified, live], branch=None)
    assert decision.failing_keys == ["s2"]


def test_accepted_risk_false_positive_and_suppressed_never_fail() -> None:
    findings = [
        cand("a", priority="P1", triage="accepted_risk"),
        cand("b", priority="P1", triage="false_positive"),
        cand("c", priority="P1", suppressed=True),
    ]
    decision = policy.decide(loaded(), findings, branch=None)
    assert decision.passed
    assert decision.ignored == {"a": "accepted_risk", "b": "false_positive", "c": "suppressed"}
    assert decision.gated == []


def test_honour_lists_are_policy_choices() -> None:
    strict = loaded().model_copy(update={"honour_triage": [], "honour_suppressed": False})
    decision = policy.decide(strict, [cand("a", priority="P1", suppressed=True)], branch=None)
    assert not decision.passed


def test_new_scope_gates_only_new_findings() -> None:
    old_p1 = cand("old", priority="P1", new=False)
    assert not policy.decide(loaded(), [old_p1], branch=None).passed  # policy scope: all
    decision = policy.decide(loaded(), [old_p1], branch=None, scope=GateScope.NEW)
    assert decision.passed
    assert decision.ignored == {"old": "not new"}


def test_asset_and_branch_override_tightens_a_threshold() -> None:
    one_high = [cand("h", severity="high", asset="acme/api")]
    assert policy.decide(loaded(), one_high, branch="feature").passed
    decision = policy.decide(loaded(), one_high, branch="main")
    assert not decision.passed
    assert decision.effective["acme/api"].overrides == (0,)
    other_asset = [cand("h", severity="high", asset="other/repo")]
    assert policy.decide(loaded(), other_asset, branch="main").passed


def test_branch_override_disables_a_rule_and_changes_scope() -> None:
    highs = [cand(str(n), severity="high", new=True) for n in range(5)]
    decision = policy.decide(loaded(), highs, branch="sandbox/try")
    assert decision.passed
    assert decision.effective["acme/api"].scope is GateScope.NEW
    budget = next(o for o in decision.outcomes if o.rule.id == "high-budget")
    assert (budget.rule.enabled, len(budget.matched), budget.failed) == (False, 5, False)


def test_overrides_resolve_per_asset() -> None:
    findings = [
        cand("a", severity="high", asset="acme/api"),
        cand("b", severity="high", asset="other/repo"),
    ]
    decision = policy.decide(loaded(), findings, branch="main")
    assert decision.failing_keys == ["a"]


def test_min_risk_and_tool_selectors() -> None:
    text = POLICY.replace(
        "  - id: live-secrets", "  - id: risky\n    when: {min_risk: 80, tool: [semgrep]}\n"
        "  - id: live-secrets"
    )  # fmt: skip
    strict = policy.parse(text, source="p.yaml").policy
    assert policy.decide(strict, [cand("a", risk=79)], branch=None).passed
    assert policy.decide(strict, [cand("a", risk=80)], branch=None).failing_keys == ["a"]


def test_digest_ignores_formatting_but_not_content() -> None:
    a = policy.parse(POLICY, source="a").digest
    b = policy.parse("# comment\n" + POLICY.replace("{priority: [P1]}", "{priority: ['P1']}"),
                     source="b").digest  # fmt: skip
    c = policy.parse(POLICY.replace("max: 2", "max: 3"), source="c").digest
    assert a == b
    assert a != c
