"""Concurrency on PostgreSQL with real transactions: two triage writers of one finding, and two
imports of the same report into the same asset at once."""

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Principal, Role
from aspm.db.session import make_sessionmaker, unit_of_work
from aspm.errors import Conflict
from aspm.findings.models import Detection, Finding
from aspm.ingest.schemas import IngestResult
from aspm.triage import service as triage_service
from aspm.triage.schemas import TriageRequest
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes
from tests.triage.helpers import secret

LEAD = Principal(kind="user", id=None, name="lena", role=Role.SECURITY_LEAD)


@pytest.fixture
def committed(engine: Engine) -> Iterator[tuple[sessionmaker[Session], str]]:
    """A session factory whose transactions really commit (other connections see them), and a
    fresh asset name; the asset's rows are removed afterwards (audit events stay: append-only)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent transactions on PostgreSQL")
    asset = f"acme/conc-{uuid.uuid4().hex[:8]}"
    yield make_sessionmaker(engine), asset
    with engine.begin() as conn:
        ids = "(SELECT id FROM assets WHERE name = :a)"
        for table in ("detections", "findings", "ingest_scopes"):
            conn.execute(text(f"DELETE FROM {table} WHERE asset_id IN {ids}"), {"a": asset})
        conn.execute(
            text("DELETE FROM ingest_runs WHERE asset_id IN " + ids + " OR filename = :f"),
            {"a": asset, "f": asset},
        )
        conn.execute(text("DELETE FROM assets WHERE name = :a"), {"a": asset})


def _in_threads(*fns: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)

    def run(i: int, fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
def test_two_concurrent_triage_writers_one_wins_the_other_gets_409(
    committed: tuple[sessionmaker[Session], str],
) -> None:
    factory, asset = committed
    report = gitleaks_report(gitleaks_leak(secret(1), file="a.env"))
    assert ingest_bytes(factory, report, asset=asset, filename=asset).status == "ok"
    with unit_of_work(factory) as s:
        f = s.scalars(select(Finding).where(Finding.asset_id == select_asset_id(s, asset))).one()
        fid, version = f.id, f.version

    def move(state: str) -> Callable[[], Any]:
        def go() -> Any:
            with unit_of_work(factory) as s:
                return triage_service.triage(
                    s,
                    finding_id=fid,
                    request=TriageRequest(state=state, reason="r", version=version),
                    principal=LEAD,
                )

        return go

    results = _in_threads(move("confirmed"), move("in_progress"))
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert isinstance(losers[0], Conflict)
    with unit_of_work(factory) as s:
        final = s.get(Finding, fid)
        assert final is not None
        assert final.triage_state == winners[0].triage_state
        assert final.version == version + 1


def select_asset_id(s: Session, name: str) -> Any:
    return s.scalar(text("SELECT id FROM assets WHERE name = :n").bindparams(n=name))


@pytest.mark.postgres
def test_concurrent_imports_of_one_report_never_duplicate_findings(
    committed: tuple[sessionmaker[Session], str],
) -> None:
    factory, asset = committed
    leaks = [gitleaks_leak(secret(i), file=f"f{i}.env") for i in range(20)]
    report = gitleaks_report(*leaks)
    # the asset exists first (as after any earlier import); then two uploads race
    first = ingest_bytes(factory, gitleaks_report(leaks[0]), asset=asset, filename=asset)
    assert first.status == "ok", first.error

    def upload() -> IngestResult:
        return ingest_bytes(factory, report, asset=asset, filename=asset)

    results = _in_threads(upload, upload)
    assert all(isinstance(r, IngestResult) for r in results), results
    with unit_of_work(factory) as s:
        aid = select_asset_id(s, asset)
        n_findings = s.scalar(select(func.count()).where(Finding.asset_id == aid))
        n_keys = s.scalar(
            select(func.count(func.distinct(Finding.finding_key))).where(Finding.asset_id == aid)
        )
        n_detections = s.scalar(select(func.count()).where(Detection.asset_id == aid))
    assert n_findings == n_keys == 20
    assert n_detections == 20
    statuses = sorted(r.status for r in results)
    assert statuses == ["ok", "ok"], [(r.status, r.error) for r in results]


@pytest.mark.postgres
def test_concurrent_first_imports_of_a_new_asset_never_duplicate_assets_or_findings(
    committed: tuple[sessionmaker[Session], str],
) -> None:
    """The later of two racing inserts of the new asset row takes the row the other committed
    (assets.service._add_or_get): both imports succeed and nothing is duplicated."""
    factory, asset = committed
    report = gitleaks_report(*(gitleaks_leak(secret(i), file=f"n{i}.env") for i in range(10)))

    def upload() -> IngestResult:
        return ingest_bytes(factory, report, asset=asset, filename=asset)

    results = _in_threads(upload, upload)
    assert all(isinstance(r, IngestResult) for r in results), results
    assert [r.status for r in results] == ["ok", "ok"], [(r.status, r.error) for r in results]
    with unit_of_work(factory) as s:
        assets = s.scalar(text("SELECT count(*) FROM assets WHERE name = :n").bindparams(n=asset))
        aid = select_asset_id(s, asset)
        n_findings = s.scalar(select(func.count()).where(Finding.asset_id == aid))
    assert (assets, n_findings) == (1, 10)
