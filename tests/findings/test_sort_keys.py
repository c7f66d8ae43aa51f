"""finding_sort_keys (PostgreSQL): the triggers keep it equal to findings through every kind of
write, a re-score syncs or rebuilds it, and a page walked down its index is the page the sort
gives (the same rows, cursors that continue either way)."""

import uuid
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Asset
from aspm.common.priority import Priority
from aspm.db.session import unit_of_work
from aspm.findings import repository, sort_keys
from aspm.findings.models import Detection, Finding
from aspm.findings.schemas import FindingFilter, FindingSort, PriorityFilter, SuppressedFilter
from aspm.risk import service as risk_service
from aspm.risk.policy import DEFAULT_POLICY_PATH
from tests.findings.test_queue_paging import T0, _finding
from tests.risk.test_risk_e2e import _declare_and_import

pytestmark = pytest.mark.postgres

_OID = text("SELECT 'finding_sort_keys'::regclass::oid")


def _seed(session: Session, n: int, **over: Any) -> list[uuid.UUID]:
    assets = []
    for name, team in (("sk/prod", "red"), ("sk/dev", "blue")):
        asset = Asset(name=name, environment="prod", owner_team=team, created_at=T0, updated_at=T0)
        session.add(asset)
        session.flush()
        assets.append(asset.id)
    rows = [_finding(assets[i % 2], i, **over) for i in range(n)]
    session.execute(insert(Finding), rows)
    return [r["id"] for r in rows]


def _pages(session: Session, flt: FindingFilter, **walk: int) -> list[uuid.UUID]:
    """Every page's ids, from the filter's cursor (`after`) on."""
    ids: list[uuid.UUID] = []
    after = flt.after
    while True:
        page = repository.list_page(session, flt.model_copy(update={"after": after}), **walk)
        ids += [f.id for f, _ in page.rows]
        if page.next_cursor is None:
            return ids
        after = page.next_cursor


FILTERS: list[dict[str, Any]] = [
    {},
    {"open": True},
    {"priority": [PriorityFilter.P1, PriorityFilter.P2]},
    {"priority": [PriorityFilter.NONE]},
    {"teams": ["red"]},
    {"teams": ["red"], "open": True},
    {"teams": ["blue", "red"], "severity": ["critical", "high", "medium"]},
    {"teams": ["blue"], "suppressed": SuppressedFilter.INCLUDE},
    {"assignee": "lead"},
    {"q": "b1"},
    {"severity": ["critical", "high"], "open": True},
    {"suppressed": SuppressedFilter.INCLUDE},
    {"suppressed": SuppressedFilter.ONLY},
]


def _reassign(session: Session, ids: list[uuid.UUID]) -> None:
    """Some findings of each asset get a team of their own (every 7th is red already): the
    other asset's team, and a third one, which a filter of red or blue must leave out."""
    session.execute(update(Finding).where(Finding.id.in_(ids[1::10])).values(team="blue"))
    session.execute(update(Finding).where(Finding.id.in_(ids[4::10])).values(team="green"))


@pytest.mark.parametrize("sort", [FindingSort.RISK, FindingSort.PRIORITY])
def test_walked_pages_are_the_sorted_pages(session: Session, sort: FindingSort) -> None:
    _reassign(session, _seed(session, 150))
    for kw in FILTERS:
        for descending in (True, False):
            flt = FindingFilter(sort=sort, descending=descending, limit=7, **kw)
            if kw.get("teams"):  # as the API resolves `mine`
                flt.teams = kw["teams"]
            expected = _pages(session, flt, walk_from=10**9)  # read and sorted
            assert expected, kw
            assert _pages(session, flt, walk_from=0) == expected, (kw, descending)
            # a walk that gives up after 5 entries falls back to the sort: still the same
            assert _pages(session, flt, walk_from=0, walk_limit=5) == expected, kw
            # an offset page, and a cursor of a sorted page continued by a walk
            at = repository.list_page(session, flt.model_copy(update={"offset": 7}), walk_from=0)
            assert [f.id for f, _ in at.rows] == expected[7:14]
            first = repository.list_page(session, flt, walk_from=10**9)
            rest = _pages(session, flt.model_copy(update={"after": first.next_cursor}), walk_from=0)
            assert [f.id for f, _ in first.rows] + rest == expected


def test_a_page_of_many_matches_is_walked_down_the_index(session: Session) -> None:
    _seed(session, 60)
    flt = FindingFilter(sort=FindingSort.PRIORITY, limit=5)
    walked = repository._walk(session, flt, None, 20_000)
    assert walked is not None
    assert len(walked) == 6
    assert [r[-1] for r in walked[:5]] == _pages(session, flt, walk_from=10**9)[:5]


@pytest.mark.parametrize("sort", [FindingSort.RISK, FindingSort.PRIORITY])
@pytest.mark.parametrize("descending", [True, False])
def test_a_team_page_of_many_matches_merges_ranges_of_the_table(
    session: Session, sort: FindingSort, descending: bool
) -> None:
    _reassign(session, _seed(session, 90))
    flt = FindingFilter(sort=sort, descending=descending, limit=5)
    flt.teams = ["red"]
    expected = _pages(session, flt, walk_from=10**9)  # each asset's findings read and sorted
    owned = repository._team_assets(session, flt)
    assert owned
    merged = repository._team_merge(flt, owned, few=False, walk=True)
    assert "finding_sort_keys" in str(merged)
    keys = session.execute(merged.limit(6)).all()
    assert [r[-1] for r in keys] == expected[:6]
    # its cursor continues where the sorted page left off, and the other way round
    first = repository.list_page(session, flt, walk_from=0)
    assert [f.id for f, _ in first.rows] == expected[:5]
    after = flt.model_copy(update={"after": first.next_cursor})
    assert _pages(session, after, walk_from=10**9) == expected[5:]


def _mismatches(sessions: sessionmaker[Session]) -> int:
    with unit_of_work(sessions) as session:
        return sort_keys.count_mismatches(session)


def test_every_kind_of_write_keeps_the_table_equal_to_findings(
    sessions: sessionmaker[Session],
) -> None:
    _declare_and_import(sessions)  # inserts (an import), then its scoring
    assert _mismatches(sessions) == 0
    with unit_of_work(sessions) as session:  # more inserts, a bulk update, an ORM update
        ids = _seed(session, 40, risk_key=None)  # unscored: a policy change scores them in full
        session.execute(update(Finding).where(Finding.id.in_(ids[:10])).values(risk_score=77))
        one = session.get(Finding, ids[20])
        assert one is not None
        one.priority, one.sla_due_at, one.severity_rank = Priority.P1, T0, 4
        # a team of their own (triage, ownership rules), and back to the asset's
        session.execute(update(Finding).where(Finding.id.in_(ids[10:20])).values(team="blue"))
        session.execute(update(Finding).where(Finding.id.in_(ids[10:13])).values(team=None))
        other = session.get(Finding, ids[21])
        assert other is not None
        other.team = "red"
        moved = session.get(Finding, ids[22])
        assert moved is not None
        moved.asset_id = session.get_one(Finding, ids[23]).asset_id
    assert _mismatches(sessions) == 0
    # a policy change re-scores every finding: the table is rebuilt (a new table)
    with unit_of_work(sessions) as session:
        before = session.execute(_OID).scalar_one()
        text_ = DEFAULT_POLICY_PATH.read_text()
        changed = text_.replace("critical: 9.5", "critical: 9.0").replace("ranked-2026.12", "x-1")
        assert changed != text_
        result = risk_service.set_policy(session, yaml_text=changed, actor="t")
        assert result.updated > 0
        assert session.execute(_OID).scalar_one() != before
    assert _mismatches(sessions) == 0
    with unit_of_work(sessions) as session:  # deletes
        session.execute(delete(Detection).where(Detection.finding_id.in_(ids[:5])))
        session.execute(delete(Finding).where(Finding.id.in_(ids[:5])))
    assert _mismatches(sessions) == 0


def _shape(session: Session) -> tuple[list[tuple[Any, ...]], list[str]]:
    """finding_sort_keys' columns (name, type, nullable) and index definitions."""
    columns = session.execute(
        text(
            "SELECT column_name, data_type, character_maximum_length, is_nullable"
            " FROM information_schema.columns WHERE table_name = 'finding_sort_keys'"
            " ORDER BY ordinal_position"
        )
    )
    indexes = session.execute(
        text("SELECT indexdef FROM pg_indexes WHERE tablename = 'finding_sort_keys'")
    )
    return [tuple(c) for c in columns], sorted(indexes.scalars())


def test_a_small_bulk_rewrite_syncs_rows_and_a_large_one_rebuilds(session: Session) -> None:
    migrated = _shape(session)
    assert len(migrated[1]) == len(sort_keys.INDEXES) + 1  # and the primary key
    ids = _seed(session, 100)
    session.execute(text("ANALYZE findings"))
    before = session.execute(_OID).scalar_one()
    sort_keys.defer(session)  # as a re-score writes: the row trigger is off
    session.execute(update(Finding).where(Finding.id.in_(ids[:3])).values(risk_score=99))
    assert sort_keys.count_mismatches(session) == 3  # the check can fail
    sort_keys.after_bulk_write(session, 3, select(Finding.id).where(Finding.id.in_(ids[:3])))
    assert sort_keys.count_mismatches(session) == 0
    assert session.execute(_OID).scalar_one() == before  # synced in place
    sort_keys.defer(session)  # a team is a key too
    session.execute(update(Finding).where(Finding.id.in_(ids[3:5])).values(team="blue"))
    assert sort_keys.count_mismatches(session) == 2
    assert sort_keys.sync(session, select(Finding.id)) == 2
    assert sort_keys.count_mismatches(session) == 0
    sort_keys.defer(session)
    session.execute(update(Finding).values(priority="P2"))
    sort_keys.after_bulk_write(session, 100, select(Finding.id))
    assert sort_keys.count_mismatches(session) == 0
    assert session.execute(_OID).scalar_one() != before  # rebuilt
    # the row trigger is on again after either
    session.execute(update(Finding).where(Finding.id == ids[50]).values(risk_score=5))
    session.execute(update(Finding).where(Finding.id == ids[51]).values(team="green"))
    assert sort_keys.count_mismatches(session) == 0
    # the rebuild builds the table the migrations built (its copy of the DDL)
    assert _shape(session) == migrated
    assert {i for i in migrated[1] if "WHERE" in i} == {
        i for i in migrated[1] if "_asset_" in i or "_team_" in i
    }


@pytest.mark.parametrize("sort", [FindingSort.RISK, FindingSort.PRIORITY])
def test_a_team_page_checked_after_the_merge_falls_back_when_a_finding_fails(
    session: Session, sort: FindingSort
) -> None:
    """_team_candidates takes the page from finding_sort_keys alone and checks its findings
    after: its page when every one passes the filter, None (the joined merge answers) when one
    does not, and the list pages are the sorted ones either way."""
    _reassign(session, _seed(session, 90, suppression_rule_id=None))  # at first every one passes
    flt = FindingFilter(sort=sort, limit=5)
    flt.teams = ["red"]
    owned = repository._team_assets(session, flt)
    assert owned
    expected = _pages(session, flt, walk_from=10**9)
    checked = repository._team_candidates(session, flt, owned)
    assert checked is not None
    assert [r[-1] for r in checked] == expected[:6]
    # a rule hides the second finding of the page: the unchecked merge holds it, so the check
    # gives up, and the page skips it
    session.execute(
        update(Finding).where(Finding.id == expected[1]).values(suppression_rule_id=uuid.uuid4())
    )
    assert repository._team_candidates(session, flt, owned) is None
    hidden = [i for i in expected if i != expected[1]]
    assert _pages(session, flt, walk_from=0) == hidden
    assert _pages(session, flt, walk_from=10**9) == hidden
    # a filter by more than the team is not tried, even one every finding passes
    every = flt.model_copy(update={"severity": ["critical", "high", "medium", "low", "info"]})
    assert repository._team_candidates(session, every, owned) is None
    # an offset page is not checked after the merge (the skipped entries would need checking)
    assert repository._team_candidates(session, flt.model_copy(update={"offset": 5}), owned) is None


@pytest.mark.parametrize("cap", [3, 8, 10_000])
def test_a_priority_filter_is_counted_on_the_table_as_on_findings(
    session: Session, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    """_sort_key_counts gives what _capped_counts gives, below and above the cap, for the
    filters it takes (priority bands, assets; rule-hidden findings left out), and declines the
    others."""
    ids = _seed(session, 120)  # every 13th hidden by a rule
    monkeypatch.setattr(repository, "COUNT_CAP", cap)
    asset = session.scalars(select(Finding.asset_id).where(Finding.id == ids[0])).one()
    p1, p2 = PriorityFilter.P1, PriorityFilter.P2
    taken: list[dict[str, Any]] = [
        {"priority": [p1]},
        {"priority": [p1, p2]},
        {"priority": [p2], "asset_ids": [asset]},
        {"priority": [p1], "sort": FindingSort.RISK, "limit": 3},
    ]
    answered = 0
    for kw in taken:
        flt = FindingFilter(**kw)
        only = flt.model_copy(update={"suppressed": SuppressedFilter.ONLY})
        counted = repository._sort_key_counts(session, flt)
        expected = repository._capped_counts(session, [flt, only], None)
        if expected[1][1]:  # the rules hide more than the cap: counted on findings
            assert counted is None, (kw, cap)
            continue
        assert counted == expected, (kw, cap)
        assert counted[1][0] > 0  # some of them hidden: the subtraction is tested
        answered += 1
    assert answered >= 2
    declined: list[dict[str, Any]] = [
        {"priority": [p1], "open": True},
        {"priority": [PriorityFilter.NONE]},
        {"priority": [p1], "suppressed": SuppressedFilter.INCLUDE},
        {},
        {"priority": [p1], "severity": ["high"]},
        {"priority": [p1], "q": "b1"},
    ]
    for kw in declined:
        assert repository._sort_key_counts(session, FindingFilter(**kw)) is None, kw


@pytest.mark.parametrize("walk", [True, False])
def test_a_team_merge_is_one_cached_statement(walk: bool) -> None:
    """The owned assets and the teams are bound as arrays: a VALUES list of literals gave the
    statement no cache key, so SQLAlchemy compiled it on every request (6 ms at 1M findings)."""
    flt = FindingFilter(sort=FindingSort.PRIORITY)
    flt.teams = ["red", "blue"]
    owned = [uuid.uuid4() for _ in range(40)]
    merged = repository._team_merge(flt, owned, few=not walk, walk=walk)
    key = merged._generate_cache_key()
    assert key is not None
    other = repository._team_merge(flt, [uuid.uuid4()], few=not walk, walk=walk)
    assert other._generate_cache_key() == key  # the same statement for any assets
