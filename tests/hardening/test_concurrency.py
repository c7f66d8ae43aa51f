"""Concurrent imports on PostgreSQL with real commits: many CI pipelines upload at once, into
different assets and into one asset, and every import succeeds with exact counts and metrics.

The imports run through the real ingest service (`run_import`), each thread on its own session
and connection, in a schema of their own (created, migrated and dropped by the fixture), so the
commits touch nothing the rest of the suite sees.
"""

import io
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Asset
from aspm.common.clock import reset_clock, set_clock
from aspm.db.migrate import upgrade
from aspm.db.session import make_engine, make_sessionmaker, unit_of_work
from aspm.findings.models import Detection, Finding
from aspm.ingest.models import IngestRun
from aspm.ingest.schemas import IngestResult
from aspm.ingest.service import IngestOptions, run_import
from aspm.metrics import service as metrics_service
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.postgres

ROUNDS = 5
ASSETS = 16  # one import each per round, all at once
BRANCHES = 4  # imports into one shared asset per round, all at once (one scope per branch)
PER_REPORT = 6  # results per report; each round shifts the window by one (one new, one fixed)
JOIN_TIMEOUT = 120  # seconds a round may take before the test gives up on its threads

# what the metric tables hold, minus when they were written
METRIC_TABLES = {
    "metric_snapshots": "day, asset_id, team, priority, environment, open_count, open_risk, "
    "overdue_count, accepted_count",
    "metric_snapshot_totals": "day, team, environment, priority, assets, open_count, open_risk, "
    "overdue_count, accepted_count",
    "metric_flows": "day, kind, team, environment, priority, severity, count, with_sla, "
    "within_sla, round(seconds::numeric, 3)",
    "metric_flows_by_asset": "day, asset_id, kind, team, environment, priority, severity, "
    "count, with_sla, within_sla, round(seconds::numeric, 3)",
    "metric_compliance": "asset_id, framework, control, open_count, fixed_count",
}


def sarif(tool: str, numbers: range) -> bytes:
    """A SARIF report of one result per number: rule R<n % 3> in src/f<n>.py."""
    results = [
        {
            "ruleId": f"R{n % 3}",
            "level": ("error", "warning", "note")[n % 3],
            "message": {"text": f"issue {n}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"src/f{n}.py"},
                        "region": {"startLine": n + 1},
                    }
                }
            ],
        }
        for n in numbers
    ]
    rules = [{"id": f"R{i}", "shortDescription": {"text": f"rule {i}"}} for i in range(3)]
    run = {"tool": {"driver": {"name": tool, "rules": rules}}, "results": results}
    return json.dumps({"version": "2.1.0", "runs": [run]}).encode()


@dataclass(frozen=True)
class Upload:
    asset: str
    scope: str
    report: bytes


def sarif_of_repositories(tool: str, repositories: list[str], numbers: range) -> bytes:
    """A SARIF report of one run per repository (in this order), each with the same results."""
    run = json.loads(sarif(tool, numbers))["runs"][0]
    runs = [  # the provenance before the results: the reader streams
        {"versionControlProvenance": [{"repositoryUri": uri}], **run} for uri in repositories
    ]
    return json.dumps({"version": "2.1.0", "runs": runs}).encode()


def window(round_no: int) -> range:
    return range(round_no, round_no + PER_REPORT)


def uploads(round_no: int) -> list[Upload]:
    """One report per asset, and the same report from each branch of the shared asset."""
    own = [
        Upload(f"acme/svc-{i:02d}", "", sarif("semgrep", window(round_no))) for i in range(ASSETS)
    ]
    shared = [
        Upload("acme/monorepo", f"branch-{b}", sarif("semgrep", window(round_no)))
        for b in range(BRANCHES)
    ]
    return own + shared


def import_one(factory: sessionmaker[Session], upload: Upload) -> IngestResult:
    """`upload.asset` "" imports into the assets the report names."""
    return run_import(
        factory,
        source=io.BytesIO(upload.report),
        filename=f"{upload.asset or 'named'}@{upload.scope or 'default'}.sarif",
        options=IngestOptions(asset=upload.asset or None, scope=upload.scope),
        hmac_key=TEST_SECRET.encode(),
        batch_size=3,  # small: each import crosses batch boundaries
    )


def in_threads(fns: list[Callable[[], Any]]) -> list[Any]:
    """Run each function in its own thread, all released at once; exceptions are returned."""
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)

    def run(i: int, fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "imports still running after the time limit"
    return results


@pytest.fixture
def own_schema() -> Iterator[tuple[Engine, str]]:
    """An engine on a fresh, migrated schema of the test database (dropped afterwards), with a
    connection pool big enough for every thread to hold its own connection."""
    base = os.environ.get("ASPM_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set ASPM_TEST_DATABASE_URL")
    schema = f"hardening_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    try:
        upgrade(url_text)
        engine = make_engine(url_text, pool_size=ASSETS + BRANCHES + 4, max_overflow=8)
        yield engine, url_text
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def moving_clock() -> Iterator[None]:
    """Today at noon UTC, moving with real time: no import of the test crosses midnight."""
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    started = time.monotonic()
    set_clock(lambda: noon + timedelta(seconds=time.monotonic() - started))
    yield
    reset_clock()


def metric_rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(
            session.execute(text(f"SELECT {cols} FROM {table}")).all(),
            key=repr,
        )
        for table, cols in METRIC_TABLES.items()
    }


def recomputed(factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """The metric tables as `aspm metrics snapshot` rebuilds them from the findings in one go,
    read inside a transaction that is then rolled back."""
    with factory() as session, session.begin():
        metrics_service.take_snapshot(session)
        rows = metric_rows(session)
        session.rollback()
    return rows


def count_by_asset(session: Session, model: Any, *where: Any) -> dict[str, int]:
    stmt = (
        select(Asset.name, func.count())
        .join(model, model.asset_id == Asset.id)
        .where(*where)
        .group_by(Asset.name)
    )
    return dict(session.execute(stmt).all())


@pytest.mark.usefixtures("moving_clock")
def test_concurrent_imports_into_many_assets_and_one_asset_all_succeed_with_exact_counts(
    own_schema: tuple[Engine, str],
) -> None:
    engine, _url = own_schema
    factory = make_sessionmaker(engine)
    tried = failed = 0
    for round_no in range(ROUNDS):
        batch = uploads(round_no)
        results = in_threads([lambda u=u: import_one(factory, u) for u in batch])  # type: ignore[misc]
        tried += len(batch)
        bad = [r if isinstance(r, Exception) else r.error for r in results
               if isinstance(r, Exception) or r.status != "ok"]  # fmt: skip
        failed += len(bad)
        assert not bad, f"round {round_no}: {len(bad)} of {len(batch)} imports failed: {bad[:3]}"

        seen = round_no + PER_REPORT  # distinct results so far; the last PER_REPORT are open
        names = sorted({u.asset for u in batch})
        with unit_of_work(factory) as s:
            findings = count_by_asset(s, Finding)
            detections = count_by_asset(s, Detection)
            open_ = count_by_asset(s, Finding, Finding.detector_state == "active")
            runs = s.scalar(select(func.count()).select_from(IngestRun))
            errors = s.scalar(select(func.count()).where(IngestRun.status != "ok"))
            tables = metric_rows(s)
        assert findings == dict.fromkeys(names, seen)
        assert detections == dict.fromkeys(names, seen)
        assert open_ == dict.fromkeys(names, PER_REPORT)
        assert (runs, errors) == ((round_no + 1) * len(batch), 0)
        assert len(tables["metric_snapshots"]) >= len(names)
        assert tables == recomputed(factory), f"round {round_no}: metrics differ from a rebuild"
    assert (tried, failed) == (ROUNDS * (ASSETS + BRANCHES), 0)


@pytest.mark.usefixtures("moving_clock")
def test_concurrent_imports_of_several_assets_in_opposite_orders_all_succeed(
    own_schema: tuple[Engine, str],
) -> None:
    """Each import locks its assets in the order its report names them, so two imports naming
    the same two assets in opposite orders can deadlock; PostgreSQL then fails one of them,
    which runs again (ingest.service._ingest_retrying) instead of failing."""
    engine, _url = own_schema
    factory = make_sessionmaker(engine)
    repos = ["https://git.example.com/acme/left", "https://git.example.com/acme/right"]
    numbers = range(40)  # with batches of 3, each import spends a while on its first asset
    for round_no in range(3):
        batch = [
            Upload("", f"ci-{round_no}-{i}", sarif_of_repositories("semgrep", order, numbers))
            for i, order in enumerate((repos, repos[::-1]))
        ]
        results = in_threads([lambda u=u: import_one(factory, u) for u in batch])  # type: ignore[misc]
        outcomes = [r if isinstance(r, Exception) else (r.status, r.error) for r in results]
        assert outcomes == [("ok", None)] * len(batch), f"round {round_no}"
    with unit_of_work(factory) as s:
        assert count_by_asset(s, Finding) == {"acme/left": 40, "acme/right": 40}
        assert count_by_asset(s, Detection) == {"acme/left": 40, "acme/right": 40}
        tables = metric_rows(s)
    assert tables == recomputed(factory)
