"""The risk formula: table tests against DESIGN §6 and hypothesis properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aspm.risk.policy import Priority, load_file
from aspm.risk.scoring import Inputs, multiply_back, score

POLICY = load_file()

EXPOSURES = ("isolated", "not_deployed", "internal", "internet")
ENVIRONMENTS = (("dev", "staging", "prod"), ("test", "staging", "prod"))
SENSITIVITIES = ("public", "internal", "confidential", "restricted")
SEVERITIES = ("info", "low", "medium", "high", "critical")
TIERS = (3, 2, 1)


@pytest.mark.parametrize(
    ("inputs", "expected", "priority"),
    [
        (Inputs(severity="critical"), 95, Priority.P1),
        (Inputs(severity="high"), 80, Priority.P2),
        (Inputs(severity="medium"), 55, Priority.P3),
        (Inputs(severity="low"), 25, Priority.P4),
        (Inputs(severity="info"), 0, None),
        (Inputs(severity="low", cvss=7.5), 75, Priority.P2),
        # 8 x 1.25 x 1.1 x 1.2 x 1.15 = 15.18 -> capped
        (Inputs(severity="high", exposure="internet", environment="prod",
                data_sensitivity="restricted", criticality=1), 100, Priority.P1),
        # 5.5 x 1.25 x 1.1 = 7.5625 -> 76
        (Inputs(severity="medium", exposure="internet", environment="prod"), 76, Priority.P2),
        # 5.5 x 0.6 x 0.7 = 2.31 -> 23
        (Inputs(severity="medium", exposure="isolated", environment="dev"), 23, Priority.P4),
        # dev, not internet: 9.5 -> capped to the top of P3
        (Inputs(severity="critical", environment="dev", exposure="internal"), 57, Priority.P3),
        (Inputs(severity="critical", environment="dev", exposure="unknown",
                criticality=1, data_sensitivity="restricted"), 69, Priority.P3),
        # verified secret: 8 x 1.3 = 10.4 -> 100; in dev the floor P2 beats the dev cap
        (Inputs(severity="high", secret_verified=True), 100, Priority.P1),
        (Inputs(severity="low", secret_verified=True, environment="dev"), 70, Priority.P2),
        # data tags raise sensitivity: pci => restricted 1.2; 5.5 x 1.2 = 6.6
        (Inputs(severity="medium", data_tags=("pci",)), 66, Priority.P3),
        # corroboration 5.5 x 1.1 = 6.05 -> 61
        (Inputs(severity="medium", tools=2), 61, Priority.P3),
        # internet + prod + critical => P1 even with dampening factors
        (Inputs(severity="critical", exposure="internet", environment="prod",
                data_sensitivity="public", criticality=3), 90, Priority.P1),
        # toxic combination: another finding shows the resource public
        (Inputs(severity="medium", exposure="internal", public_via="abc"), 69, Priority.P3),
        (Inputs(severity="medium", kev=True), 72, Priority.P2),
        (Inputs(severity="medium", epss=0.7), 58, Priority.P3),
        (Inputs(severity="medium", epss=0.1), 55, Priority.P3),
    ],
)  # fmt: skip
def test_formula_table(inputs: Inputs, expected: int, priority: Priority | None) -> None:
    result = score(POLICY, inputs)
    assert (result.score, result.priority) == (expected, priority)
    assert multiply_back(POLICY, result.explanation) == result.score


def test_sla_days_follow_priority() -> None:
    assert score(POLICY, Inputs(severity="critical")).sla_days == 7
    assert score(POLICY, Inputs(severity="high")).sla_days == 30
    assert score(POLICY, Inputs(severity="medium")).sla_days == 90
    assert score(POLICY, Inputs(severity="low")).sla_days == 180
    assert score(POLICY, Inputs(severity="info")).sla_days is None


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
def test_all_context_unknown_gives_severity_times_ten(severity: str, cvss: float | None) -> None:
    result = score(POLICY, Inputs(severity=severity, cvss=cvss))
    s = cvss if cvss is not None else getattr(POLICY.severity, severity)
    assert result.score == min(100, int(s * 10 + 0.5))


@settings(max_examples=300)
@given(ctx=contexts())
def test_explanation_multiplies_back_to_the_score(ctx: dict[str, object]) -> None:
    tags: tuple[str, ...] = tuple(ctx.pop("data_tags"))  # type: ignore[arg-type]
    result = score(POLICY, Inputs(data_tags=tags, **ctx))  # type: ignore[arg-type]
    assert multiply_back(POLICY, result.explanation) == result.score
    assert all(e.source for e in result.explanation)
