"""The one selection of a bulk request (bulk triage, tickets): explicit ids, or what the
findings list's filter selects for the principal, refused rather than cut short above the cap."""

import uuid

import pytest
from sqlalchemy.orm import Session

from aspm.auth.principal import Principal, Role
from aspm.errors import InvalidInput
from aspm.findings.schemas import FindingQuery
from aspm.findings.service import select_many
from tests.metrics.helpers import make_asset, make_finding

ALICE = Principal(
    kind="user", id=None, name="alice", role=Role.ADMIN, team_names=frozenset({"red"})
)


def test_explicit_ids_are_kept_in_order_without_repeats(session: Session) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    got = select_many(session, ids=[b, a, b], query=None, principal=ALICE, cap=10)
    assert got == [b, a]


@pytest.mark.parametrize("both", [True, False])
def test_ids_and_a_filter_are_one_or_the_other(session: Session, both: bool) -> None:
    with pytest.raises(InvalidInput, match="either ids or filter"):
        select_many(
            session, ids=[uuid.uuid4()] if both else None,
            query=FindingQuery() if both else None, principal=ALICE, cap=10,
        )  # fmt: skip


def test_a_filter_selects_as_the_list_reads_it_and_is_refused_above_the_cap(
    session: Session,
) -> None:
    api, web = make_asset(session, "acme/api"), make_asset(session, "acme/web")
    mine = [make_finding(session, api, assignee="alice") for _ in range(3)]
    make_finding(session, api, assignee="bob")
    theirs = make_finding(session, web, assignee="alice")
    got = select_many(
        session, ids=None, query=FindingQuery(assignee="me", asset="acme/api"),
        principal=ALICE, cap=3,
    )  # fmt: skip
    assert sorted(got) == sorted(f.id for f in mine)  # `me` is the principal, as in the list
    with pytest.raises(InvalidInput, match="more than 2 findings"):
        select_many(session, ids=None, query=FindingQuery(assignee="me"), principal=ALICE, cap=2)
    token = Principal(
        kind="token", id=uuid.uuid4(), name="ci", role=Role.ADMIN, asset_ids=frozenset({web.id})
    )
    got = select_many(session, ids=None, query=FindingQuery(), principal=token, cap=10)
    assert got == [theirs.id]  # a token bound to assets selects only theirs
