"""finding_search (PostgreSQL): triggers mark what a write changed, `refresh` rewrites it, and a
search answers the same before and after the refresh."""

import uuid
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Asset
from aspm.db.session import unit_of_work
from aspm.findings import repository, search_index
from aspm.findings.models import Detection, Finding
from aspm.findings.schemas import FindingFilter, SuppressedFilter
from tests import alembic_versions
from tests.findings.test_queue_filters import T0, _finding
from tests.findings.test_queue_filters import _detection as detection

pytestmark = pytest.mark.postgres

TERMS = ("finding 3", "tool:r1", "b17", "main.tf", "cve-2024", "nginx", "s3_bucket.b1", "zzz")


def _seed(sessions: sessionmaker[Session], n: int = 60) -> list[uuid.UUID]:
    """n findings over 3 assets; every other one has a detection of another tool whose rule
    id, resource and path differ from its finding's."""
    with unit_of_work(sessions) as s:
        assets = []
        for i in range(3):
            a = Asset(name=f"s/{i}", environment="prod", created_at=T0, updated_at=T0)
            s.add(a)
            s.flush()
            assets.append(a.id)
        rows = [_finding(assets[i % 3], i) for i in range(n)]
        s.execute(insert(Finding), rows)
        s.execute(insert(Detection), [_detection(r, i) for i, r in enumerate(rows) if i % 2 == 0])
    return assets


def _detection(finding: dict[str, Any], i: int) -> dict[str, Any]:
    path = f"images/nginx-{i}.Dockerfile" if i % 4 else None
    return detection(finding, tool="trivy", rule_id=f"CVE-2024-{i:04d}", path=path, resource=None)


def _found(session: Session, q: str) -> set[uuid.UUID]:
    flt = FindingFilter(q=q, limit=500, suppressed=SuppressedFilter.INCLUDE)
    return {row[0].id for row in repository.list_page(session, flt).rows}


def _expected(session: Session, q: str) -> set[uuid.UUID]:
    """The match set by reading every field in Python."""
    term = q.lower()
    hits = {
        f.id
        for f in session.scalars(select(Finding))
        if any(term in (v or "").lower() for v in (f.title, f.control_id, f.resource, f.path))
    }
    hits |= {
        d.finding_id
        for d in session.scalars(select(Detection))
        if any(term in (v or "").lower() for v in (d.rule_id, d.resource, d.path))
    }
    return hits


def _pending(session: Session) -> set[uuid.UUID]:
    return set(session.scalars(select(search_index.pending.c.asset_id)))


def test_a_search_answers_the_same_before_and_after_the_refresh(
    sessions: sessionmaker[Session],
) -> None:
    assets = _seed(sessions)
    with sessions() as s:
        assert _pending(s) == set(assets)  # the import's statements marked every asset
        before = {q: _found(s, q) for q in TERMS}
        assert all(before[q] == _expected(s, q) for q in TERMS)
        assert all(before[q] for q in ("tool:r1", "cve-2024", "nginx"))
        assert not before["zzz"]
    done = search_index.refresh(sessions)
    assert (done.assets, done.again, done.rows) == (3, 0, 60)
    with sessions() as s:
        assert _pending(s) == set()
        assert {q: _found(s, q) for q in TERMS} == before
        assert search_index.count_stale(s) == 0
    assert search_index.refresh(sessions).rows == 0  # nothing pending, nothing written


def test_a_changed_asset_is_read_from_its_tables_until_refreshed(
    sessions: sessionmaker[Session],
) -> None:
    assets = _seed(sessions)
    search_index.refresh(sessions)
    with unit_of_work(sessions) as s:
        target = s.scalars(select(Finding).where(Finding.asset_id == assets[1]).limit(1)).one()
        target.title = "Renamed to something unique"
    with sessions() as s:
        assert _pending(s) == {assets[1]}
        # its stale row still says the old title: the index must not answer for that asset
        assert target.id in _found(s, "something unique")
        assert _found(s, "finding") == _expected(s, "finding")
    search_index.refresh(sessions)
    with sessions() as s:
        assert _pending(s) == set()
        assert _found(s, "something unique") == {target.id}
        row = s.execute(
            select(search_index.finding_search.c.text).where(
                search_index.finding_search.c.finding_id == target.id
            )
        ).scalar_one()
        assert "renamed to something unique" in row.split(search_index.SEPARATOR)


def test_triggers_mark_what_a_search_reads_and_nothing_else(
    sessions: sessionmaker[Session],
) -> None:
    assets = _seed(sessions)
    search_index.refresh(sessions)
    a0, a1, a2 = assets

    def marked(change: Any) -> set[uuid.UUID]:
        with unit_of_work(sessions) as s:
            change(s)
        with sessions() as s:
            found = _pending(s)
        search_index.refresh(sessions)
        return found

    first = select(Finding.id).where(Finding.asset_id == a0).limit(1).scalar_subquery()
    # the risk result, triage and ownership are not searched: no mark
    assert marked(lambda s: s.execute(update(Finding).values(risk_score=99, team="red"))) == set()
    assert marked(lambda s: s.execute(update(Finding).values(path=Finding.path))) == set()
    assert marked(lambda s: s.execute(update(Finding).where(Finding.id == first).values(
        path="moved.tf"))) == {a0}  # fmt: skip
    assert marked(lambda s: s.execute(update(Detection).where(Detection.asset_id == a1).values(
        resource="arn:aws:s3:::logs"))) == {a1}  # fmt: skip
    assert marked(lambda s: s.execute(delete(Detection).where(Detection.asset_id == a2))) == {a2}
    with sessions() as s:
        assert _found(s, "arn:aws:s3:::logs") == _expected(s, "arn:aws:s3:::logs") != set()
        assert _found(s, "cve-2024") == _expected(s, "cve-2024")
    gone = marked(lambda s: s.execute(delete(Finding).where(Finding.asset_id == a1)))
    assert gone == {a1}
    with sessions() as s:
        ids = s.scalars(select(search_index.finding_search.c.asset_id).distinct()).all()
        assert set(ids) == {a0, a2}  # the deleted findings' rows went with the refresh


def test_a_mark_set_again_meanwhile_stays(sessions: sessionmaker[Session]) -> None:
    assets = _seed(sessions, n=9)
    with unit_of_work(sessions) as s:
        version = s.execute(
            select(search_index.pending.c.version).where(
                search_index.pending.c.asset_id == assets[0]
            )
        ).scalar_one()
        # an import that committed after the rows were computed marked the asset again
        s.execute(update(search_index.pending).values(version=search_index.pending.c.version + 1))
        written, unmarked = search_index.refresh_asset(s, assets[0], version)
    assert (written, unmarked) == (3, False)
    with sessions() as s:
        assert _pending(s) == set(assets)


def test_a_term_holding_the_separator_reads_the_tables(sessions: sessionmaker[Session]) -> None:
    _seed(sessions, n=6)
    search_index.refresh(sessions)
    with sessions() as s:
        joined = "finding 1" + search_index.SEPARATOR + "k"  # would span two pieces of a row
        assert not search_index.usable(joined)
        assert _found(s, joined) == set()


def test_the_check_finds_rows_no_trigger_marked(
    sessions: sessionmaker[Session], connection: Connection
) -> None:
    assets = _seed(sessions, n=6)
    search_index.refresh(sessions)
    connection.execute(text("ALTER TABLE findings DISABLE TRIGGER findings_search_update"))
    with unit_of_work(sessions) as s:
        s.execute(update(Finding).where(Finding.asset_id == assets[0]).values(title="Changed"))
    with sessions() as s:
        assert _pending(s) == set()
        assert search_index.count_stale(s) == 2
    connection.execute(text("ALTER TABLE findings ENABLE TRIGGER findings_search_update"))
    search_index.refresh(sessions, assets=[])  # nothing pending: the rows stay stale
    with unit_of_work(sessions) as s:  # what the teardown check needs: mark it, refresh it
        s.execute(insert(search_index.pending).values(asset_id=assets[0], version=1))
    search_index.refresh(sessions)


def test_the_folded_index_finds_identifiers_exactly(sessions: sessionmaker[Session]) -> None:
    """The index answers the folded term; a text that only folds like the term (`ckvqaws_42`
    against `ckv_aws_42`), or holds a LIKE wildcard's letter, is not a match."""
    assets = _seed(sessions, n=6)
    titles = ["CKV_AWS_42 open", "ckvqaws_42 folded twin", "100% public", "100q public",
              "a\\b path", "aqb path"]  # fmt: skip
    with unit_of_work(sessions) as s:
        ids = s.scalars(select(Finding.id).order_by(Finding.title)).all()
        for fid, title in zip(ids, titles, strict=True):
            s.execute(update(Finding).where(Finding.id == fid).values(title=title))
    search_index.refresh(sessions)
    with sessions() as s:
        assert _pending(s) == set()
        folded = s.execute(
            select(search_index.finding_search.c.text, search_index.finding_search.c.folded)
        ).all()
        assert all(f == search_index.fold(t) for t, f in folded)  # the column and Python agree
        for q in ("ckv_aws_42", "CKV_AWS", "100%", "% pub", "a\\b", "s_4", "q"):
            assert _found(s, q) == _expected(s, q), q
        assert len(_found(s, "ckv_aws_42")) == 1
        assert len(_found(s, "100%")) == 1
    assert assets


def test_the_migration_folds_as_the_search_does() -> None:
    """The migration's generated column is a frozen copy of FOLD_FROM / FOLD_TO."""
    module = alembic_versions.load("finding_search_folded")
    assert (module.FOLD_FROM, module.FOLD_TO) == (search_index.FOLD_FROM, search_index.FOLD_TO)
