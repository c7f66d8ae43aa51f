"""The risk formula: table tests against DESIGN §6 and hypothesis properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aspm.common.priority import Priority
from aspm.risk.policy import load_file
from aspm.risk.scoring import Inputs, multiply_back, score

POLICY = load_file()

EXPOSURES = ("isolated", "not_deployed", "internal", "internet")
ENVIRONMENTS = (("dev", "staging", "prod"), ("test", "staging", "prod"))
SENSITIVITIES = ("public", "internal", "confidential", "restricted")
SEVERITIES = ("info", "low", "medium", "high", "critical")
TIERS = (3, 2, 1)


def _curve(raw: float) -> int:
    return int(100 * math.log1p(raw) / math.log1p(POLICY.max_raw()) + 0.5)


@pytest.mark.parametrize(
    ("inputs", "raw", "priority"),
    [
        (Inputs(severity="critical"), 9.5, Priority.P3),
        (Inputs(severity="high"), 8.0, Priority.P3),
        (Inputs(severity="medium"), 5.5, Priority.P4),
        (Inputs(severity="low"), 2.5, Priority.P4),
        (Inputs(severity="info"), 0.0, None),
        (Inputs(severity="high", cvss=7.5), 7.5, Priority.P3),
        # the crown-jewel asset of the issue: 5.5 x 1.25 x 1.1 x 1.2 x 1.15 = 10.43, no cap
        (Inputs(severity="medium", exposure="internet", environment="prod",
                data_sensitivity="restricted", criticality=1), 5.5 * 1.25 * 1.1 * 1.2 * 1.15,
         Priority.P3),
        (Inputs(severity="high", exposure="internet", environment="prod",
                data_sensitivity="restricted", criticality=1), 8 * 1.25 * 1.1 * 1.2 * 1.15,
         Priority.P2),
        (Inputs(severity="critical", exposure="internet", environment="prod",
                data_sensitivity="restricted", criticality=1), 9.5 * 1.25 * 1.1 * 1.2 * 1.15,
         Priority.P1),
        (Inputs(severity="medium", exposure="isolated", environment="dev"), 5.5 * 0.7 * 0.6,
         Priority.P4),
        (Inputs(severity="critical", environment="dev", exposure="internal"), 9.5 * 0.6,
         Priority.P3),
        # a verified live secret is "exploited": P2, and P1 when reachable from the internet
        (Inputs(severity="high", secret_verified=True), 8 * 1.3, Priority.P2),
        (Inputs(severity="low", secret_verified=True, environment="dev"), 2.5 * 1.3 * 0.6,
         Priority.P2),
        (Inputs(severity="high", secret_verified=True, exposure="internet"), 8 * 1.3 * 1.25,
         Priority.P1),
        (Inputs(severity="medium", data_tags=("pci",)), 5.5 * 1.2, Priority.P4),
        (Inputs(severity="medium", tools=2), 5.5 * 1.1, Priority.P4),
        (Inputs(severity="medium", exposure="internal", public_via="abc"), 5.5 * 1.25,
         Priority.P3),
        (Inputs(severity="medium", kev=True), 5.5 * 1.3, Priority.P2),
        (Inputs(severity="medium", epss=0.7), 5.5 * 1.05, Priority.P4),
        (Inputs(severity="critical", epss=0.7), 9.5 * 1.05, Priority.P2),
        # a toxic combination: x1.3, and P2 (P1 on a high-value asset)
        (Inputs(severity="medium", combinations=(("c", "C", ("a", "b")),)), 5.5 * 1.3,
         Priority.P2),
        (Inputs(severity="low", environment="prod", criticality=1,
                combinations=(("c", "C", ("a", "b")),)), 2.5 * 1.1 * 1.15 * 1.3, Priority.P1),
        # the resource's own exposure comes before the asset's
        (Inputs(severity="high", exposure="internet", environment="prod",
                resource_exposure=("internal", "private subnet")), 8 * 1.1, Priority.P3),
        (Inputs(severity="high", exposure="internal", environment="prod",
                resource_exposure=("internet", "sg allows 0.0.0.0/0")), 8 * 1.25 * 1.1,
         Priority.P2),
    ],
)  # fmt: skip
def test_formula_table(inputs: Inputs, raw: float, priority: Priority | None) -> None:
    result = score(POLICY, inputs)
    assert (result.score, result.priority) == (_curve(raw), priority)
    assert multiply_back(POLICY, result.explanation) == result.score


def test_crown_jewel_findings_keep_their_order() -> None:
    """The issue's case: 19 checks on a prod, internet, restricted, tier-1 asset all scored 100
    and P1. Now severities keep their order, nothing reaches 100, and mediums are not P1."""
    jewel = {"exposure": "internet", "environment": "prod", "data_sensitivity": "restricted",
             "criticality": 1}  # fmt: skip
    results = [score(POLICY, Inputs(severity=s, **jewel)) for s in ("low", "medium", "high")]  # type: ignore[arg-type]
    scores = [r.score for r in results]
    assert scores == sorted(scores)
    assert len(set(scores)) == 3
    assert max(scores) < 100
    assert [r.priority for r in results] == [Priority.P4, Priority.P3, Priority.P2]


def test_explanation_names_the_rule_that_fired() -> None:
    result = score(POLICY, Inputs(severity="high", secret_verified=True, exposure="internet"))
    decision = result.explanation[-1]
    assert decision.factor == "decision"
    assert decision.value == "P1"
    assert (
        decision.source == "rule 1 of the decision table: exploited and reachable from the internet"
    )
    points = next(e for e in result.explanation if e.factor == "decision_points")
    assert "exploitation active" in points.value
    assert "exposure internet" in points.value


def test_toxic_source_names_the_other_finding() -> None:
    result = score(POLICY, Inputs(severity="medium", public_via="1234abcd"))
    exposure = next(e for e in result.explanation if e.factor == "exposure")
    assert (exposure.value, exposure.source) == ("internet", "finding 1234abcd")


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, object]:
    return {
        "severity": draw(st.sampled_from(SEVERITIES)),
        "cvss": draw(st.none() | st.floats(0, 10)),
        "secret_verified": draw(st.booleans()),
        "kev": draw(st.booleans()),
        "epss": draw(st.none() | st.floats(0, 1)),
        "tools": draw(st.integers(1, 4)),
        "exposure": draw(st.sampled_from((*EXPOSURES, "unknown"))),
        "environment": draw(st.sampled_from(("dev", "test", "staging", "prod", "unknown"))),
        "data_sensitivity": draw(st.sampled_from((*SENSITIVITIES, "unknown"))),
        "data_tags": draw(st.lists(st.sampled_from(("pci", "pii", "phi", "x")), max_size=2)),
        "criticality": draw(st.sampled_from((None, 1, 2, 3))),
        "public_via": draw(st.sampled_from((None, "f1"))),
        "resource_exposure": draw(st.sampled_from((None, ("internet", "sg"), ("internal", "r")))),
        "combinations": draw(st.sampled_from(((), (("n", "T", ("a", "b")),)))),
    }


def _raised(ctx: dict[str, object], key: str, order: tuple[object, ...]) -> st.SearchStrategy:
    low = st.integers(0, len(order) - 1)
    return low.flatmap(
        lambda i: st.integers(i, len(order) - 1).map(lambda j: ({**ctx, key: order[i]},
                                                               {**ctx, key: order[j]}))
    )  # fmt: skip


def _score(ctx: dict[str, object]) -> int:
    tags: tuple[str, ...] = tuple(ctx.pop("data_tags"))  # type: ignore[arg-type]
    return score(POLICY, Inputs(data_tags=tags, **ctx)).score  # type: ignore[arg-type]


@settings(max_examples=300)
@given(data=st.data(), ctx=contexts())
def test_raising_a_factor_never_lowers_the_score(
    data: st.DataObject, ctx: dict[str, object]
) -> None:
    chains: list[tuple[str, tuple[object, ...]]] = [
        ("severity", SEVERITIES),
        ("exposure", EXPOSURES),
        ("environment", ENVIRONMENTS[0]),
        ("environment", ENVIRONMENTS[1]),
        ("data_sensitivity", SENSITIVITIES),
        ("criticality", TIERS),
    ]
    key, order = data.draw(st.sampled_from(chains))
    ctx = {**ctx, "cvss": None} if key == "severity" else ctx
    lower, higher = data.draw(_raised(ctx, key, order))
    assert _score(dict(higher)) >= _score(dict(lower))


@settings(max_examples=200)
@given(cvss_low=st.floats(0, 10), cvss_high=st.floats(0, 10), ctx=contexts())
def test_higher_cvss_never_lowers_the_score(
    cvss_low: float, cvss_high: float, ctx: dict[str, object]
) -> None:
    low, high = sorted((cvss_low, cvss_high))
    severity = "critical" if high >= 9 else "high"
    lo = {**ctx, "cvss": low, "severity": "critical" if low >= 9 else "high"}
    assert _score({**ctx, "cvss": high, "severity": severity}) >= _score(lo)


@given(severity=st.sampled_from(SEVERITIES), cvss=st.none() | st.floats(0, 10))
def test_all_context_unknown_gives_the_curve_of_severity(severity: str, cvss: float | None) -> None:
    result = score(POLICY, Inputs(severity=severity, cvss=cvss))
    s = cvss if cvss is not None else getattr(POLICY.severity, severity)
    assert result.score == _curve(s)


@settings(max_examples=300)
@given(ctx=contexts())
def test_no_score_reaches_the_top_unless_everything_is_at_its_worst(ctx: dict[str, object]) -> None:
    """No cap: the curve stays below 100 for anything short of the policy's worst case."""
    assert _score(dict(ctx)) < 100


@settings(max_examples=300)
@given(ctx=contexts())
def test_explanation_multiplies_back_to_the_score(ctx: dict[str, object]) -> None:
    tags: tuple[str, ...] = tuple(ctx.pop("data_tags"))  # type: ignore[arg-type]
    result = score(POLICY, Inputs(data_tags=tags, **ctx))  # type: ignore[arg-type]
    assert multiply_back(POLICY, result.explanation) == result.score
    assert all(e.source for e in result.explanation)
