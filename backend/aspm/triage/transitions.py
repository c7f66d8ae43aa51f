"""The triage state machine (DESIGN §4): which human decisions may follow which. Pure.

Detector state (active/fixed) is the machine's and independent; this is only the triage state.

    from \\ to      new  confirmed  in_progress  false_positive  accepted_risk  wont_fix
    new             -    yes        yes          yes             yes            yes
    confirmed       -    -          yes          yes             yes            yes
    in_progress     -    yes        -            yes             yes            yes
    false_positive  -    yes        -            -               -              -
    accepted_risk   -    yes        yes          -               yes (renew)    -
    wont_fix        -    yes        -            -               -              -

Nothing returns to `new` (it only means "nobody looked yet"). A closed decision (false positive,
accepted risk, won't fix) is reopened through `confirmed`; an accepted risk may be renewed with a
new justification and expiry, and expiry itself moves it to `confirmed`.
"""

from dataclasses import dataclass

from aspm.errors import Conflict, InvalidInput
from aspm.findings.lifecycle import TriageState

S = TriageState

ALLOWED: dict[TriageState, frozenset[TriageState]] = {
    S.NEW: frozenset({S.CONFIRMED, S.IN_PROGRESS, S.FALSE_POSITIVE, S.ACCEPTED_RISK, S.WONT_FIX}),
    S.CONFIRMED: frozenset({S.IN_PROGRESS, S.FALSE_POSITIVE, S.ACCEPTED_RISK, S.WONT_FIX}),
    S.IN_PROGRESS: frozenset({S.CONFIRMED, S.FALSE_POSITIVE, S.ACCEPTED_RISK, S.WONT_FIX}),
    S.FALSE_POSITIVE: frozenset({S.CONFIRMED}),
    S.ACCEPTED_RISK: frozenset({S.CONFIRMED, S.IN_PROGRESS, S.ACCEPTED_RISK}),
    S.WONT_FIX: frozenset({S.CONFIRMED}),
}

# decisions that close a finding for people (it leaves the work queue and the SLA clock)
CLOSED: frozenset[TriageState] = frozenset({S.FALSE_POSITIVE, S.ACCEPTED_RISK, S.WONT_FIX})
OPEN: frozenset[TriageState] = frozenset(set(S) - CLOSED)
# decisions that must say why
NEEDS_REASON: frozenset[TriageState] = CLOSED


@dataclass(frozen=True, slots=True)
class Move:
    to: TriageState
    reason: str | None = None
    has_expiry: bool = False
    approver: str | None = None


def is_allowed(current: TriageState, to: TriageState) -> bool:
    return to in ALLOWED[current]


def check(
    current: TriageState, move: Move, *, requester: str, approver_required: bool = False
) -> None:
    """Raise Conflict for an illegal move and InvalidInput for a legal move missing what it needs
    (a reason; for accepted_risk also an expiry and, when required, another person's approval)."""
    if not is_allowed(current, move.to):
        allowed = ", ".join(sorted(ALLOWED[current])) or "nothing"
        raise Conflict(
            f"illegal triage move {current.value} -> {move.to.value}; from {current.value} a "
            f"finding may move to: {allowed}"
        )
    if move.to in NEEDS_REASON and not (move.reason or "").strip():
        raise InvalidInput(f"moving a finding to {move.to.value} requires a reason")
    if move.to is S.ACCEPTED_RISK:
        if not move.has_expiry:
            raise InvalidInput("accepting a risk requires an expiry date (expires_at)")
        if approver_required:
            approver = (move.approver or "").strip()
            if not approver:
                raise InvalidInput("the policy requires an approver to accept a risk")
            if approver.lower() == requester.lower():
                raise InvalidInput("the approver of a risk acceptance must not be its requester")
