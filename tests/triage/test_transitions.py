"""The triage state machine: every move of the table, legal or not, and what each move needs."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aspm.errors import Conflict, InvalidInput
from aspm.findings.models import TriageState
from aspm.triage.transitions import ALLOWED, NEEDS_REASON, Move, check, is_allowed

S = TriageState
LEGAL = {
    (S.NEW, S.CONFIRMED), (S.NEW, S.IN_PROGRESS), (S.NEW, S.FALSE_POSITIVE),
    (S.NEW, S.ACCEPTED_RISK), (S.NEW, S.WONT_FIX),
    (S.CONFIRMED, S.IN_PROGRESS), (S.CONFIRMED, S.FALSE_POSITIVE),
    (S.CONFIRMED, S.ACCEPTED_RISK), (S.CONFIRMED, S.WONT_FIX),
    (S.IN_PROGRESS, S.CONFIRMED), (S.IN_PROGRESS, S.FALSE_POSITIVE),
    (S.IN_PROGRESS, S.ACCEPTED_RISK), (S.IN_PROGRESS, S.WONT_FIX),
    (S.FALSE_POSITIVE, S.CONFIRMED),
    (S.ACCEPTED_RISK, S.CONFIRMED), (S.ACCEPTED_RISK, S.IN_PROGRESS),
    (S.ACCEPTED_RISK, S.ACCEPTED_RISK),
    (S.WONT_FIX, S.CONFIRMED),
}  # fmt: skip
ALL_PAIRS = list(itertools.product(S, S))


def _complete(to: TriageState) -> Move:
    """A move carrying everything any target state may need."""
    return Move(to, reason="checked by hand", has_expiry=True, approver="lead")


@pytest.mark.parametrize(("current", "to"), ALL_PAIRS, ids=lambda s: s.value)
def test_each_move_is_allowed_exactly_when_the_table_says(
    current: TriageState, to: TriageState
) -> None:
    assert is_allowed(current, to) == ((current, to) in LEGAL)
    if (current, to) in LEGAL:
        check(current, _complete(to), requester="alice", approver_required=True)
    else:
        with pytest.raises(Conflict, match=f"illegal triage move {current.value} -> {to.value}"):
            check(current, _complete(to), requester="alice", approver_required=True)


def test_the_table_covers_every_state_and_nothing_returns_to_new() -> None:
    assert set(ALLOWED) == set(S)
    assert all(S.NEW not in targets for targets in ALLOWED.values())


@pytest.mark.parametrize("to", sorted(NEEDS_REASON), ids=lambda s: s.value)
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_closing_moves_require_a_reason(to: TriageState, reason: str | None) -> None:
    with pytest.raises(InvalidInput, match="requires a reason"):
        check(S.CONFIRMED, Move(to, reason=reason, has_expiry=True), requester="alice")


def test_accepting_a_risk_requires_an_expiry() -> None:
    with pytest.raises(InvalidInput, match="expiry"):
        check(S.CONFIRMED, Move(S.ACCEPTED_RISK, reason="compensating WAF"), requester="a")


def test_when_the_policy_says_so_an_acceptance_needs_an_approver_other_than_the_requester() -> None:
    move = Move(S.ACCEPTED_RISK, reason="WAF", has_expiry=True)
    check(S.CONFIRMED, move, requester="alice")  # not required: fine without
    with pytest.raises(InvalidInput, match="requires an approver"):
        check(S.CONFIRMED, move, requester="alice", approver_required=True)
    self_approved = Move(S.ACCEPTED_RISK, reason="WAF", has_expiry=True, approver="Alice")
    with pytest.raises(InvalidInput, match="must not be its requester"):
        check(S.CONFIRMED, self_approved, requester="alice", approver_required=True)
    approved = Move(S.ACCEPTED_RISK, reason="WAF", has_expiry=True, approver="bob")
    check(S.CONFIRMED, approved, requester="alice", approver_required=True)


@given(st.lists(st.sampled_from(list(S)), max_size=12))
def test_any_walk_through_legal_moves_only_visits_states_the_table_reaches(
    targets: list[TriageState],
) -> None:
    """Applying arbitrary requested moves, the state only ever changes along the table, and a
    refused move never changes it."""
    state = S.NEW
    for to in targets:
        try:
            check(state, _complete(to), requester="alice")
        except Conflict:
            assert (state, to) not in LEGAL
            continue
        assert (state, to) in LEGAL
        state = to
    assert state in ALLOWED
