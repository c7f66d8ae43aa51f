"""Imports as jobs on PostgreSQL: queued -> running (progress) -> ok or error; a worker killed
mid-import loses nothing and its job runs again; the periodic jobs run on the same queue."""

import os
import signal
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from aspm.db.session import make_engine, make_sessionmaker
from aspm.ingest.service import IngestOptions
from aspm.jobs import queue, service, spool
from aspm.jobs import worker as jobs_worker
from aspm.settings import Settings
from tests.factories import gitleaks_leak, gitleaks_report
from tests.jobs.conftest import StartWorker, wait_until

pytestmark = pytest.mark.postgres


def leaks(n: int, asset: str) -> bytes:
    return gitleaks_report(
        *(gitleaks_leak(f"s3cr3t-{asset}-{i:06d}", file=f"cfg/{i}.env") for i in range(n))
    )


def upload(client: TestClient, data: bytes, asset: str) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/imports",
        params={"asset": asset, "filename": "gitleaks.json"},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )
    assert resp.status_code == 202, resp.text
    assert resp.headers["location"] == f"/api/v1/imports/{resp.json()['import_id']}"
    return dict(resp.json())


def state(client: TestClient, import_id: str) -> dict[str, Any]:
    resp = client.get(f"/api/v1/imports/{import_id}")
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def open_findings(client: TestClient, asset: str) -> int:
    return int(client.get("/api/v1/findings", params={"asset": asset}).json()["total"])


def test_an_upload_is_queued_then_imported_by_a_worker(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    asset = f"acme/q-{uuid.uuid4().hex[:6]}"
    queued = upload(jobs_client, leaks(7, asset), asset)
    assert queued["status"] == "queued"
    run = state(jobs_client, queued["import_id"])
    assert (run["status"], run["size_bytes"], run["counts"]) == ("queued", run["size_bytes"], {})
    assert run["size_bytes"] > 0
    # the upload waits in a private spool, named after its import
    (spooled,) = jobs_settings.spool_dir.iterdir()
    assert spooled.name == f"{queued['import_id']}.upload"
    assert stat.S_IMODE(spooled.stat().st_mode) == 0o600
    assert stat.S_IMODE(jobs_settings.spool_dir.stat().st_mode) == 0o700
    assert open_findings(jobs_client, asset) == 0

    jobs_worker.run(jobs_settings, wait=False)  # until the queue is empty

    run = state(jobs_client, queued["import_id"])
    assert run["status"] == "ok", run
    assert (run["counts"]["findings"], run["counts"]["new"]) == (7, 7)
    assert run["progress_bytes"] is None
    assert run["finished_at"] is not None
    assert open_findings(jobs_client, asset) == 7
    assert list(jobs_settings.spool_dir.iterdir()) == []  # the report (and its secrets) went


def test_a_report_that_fails_stays_failed_with_its_error(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    queued = upload(jobs_client, b"this is no scanner report\n", "acme/broken")
    jobs_worker.run(jobs_settings, wait=False)
    run = state(jobs_client, queued["import_id"])
    assert run["status"] == "error"
    assert "format" in run["error"].lower() or "report" in run["error"].lower(), run["error"]
    assert list(jobs_settings.spool_dir.iterdir()) == []
    engine = create_engine(jobs_settings.database_url)
    with engine.connect() as conn:  # the job ended normally: nothing waits to run it again
        waiting = conn.scalar(text("SELECT count(*) FROM procrastinate_jobs "
                                   "WHERE status IN ('todo', 'doing')"))  # fmt: skip
    engine.dispose()
    assert waiting == 0
    jobs_worker.run(jobs_settings, wait=False)
    assert state(jobs_client, queued["import_id"]) == run


def queue_from_fifo(settings: Settings, asset: str, size: int) -> tuple[str, Path]:
    """A queued import whose upload is a named pipe: the test feeds the worker at its pace."""
    partial = settings.spool_dir / "feed.part"
    spool.folder(settings.spool_dir)
    os.mkfifo(partial, 0o600)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    options = IngestOptions(asset=asset, actor="test")
    result, name = service.create_queued(
        factory, partial=partial, size=size, filename="gitleaks.json", options=options
    )
    import asyncio

    asyncio.run(
        service.defer_import(settings, factory, result=result, spool_name=name, options=options)
    )
    engine.dispose()
    return str(result.import_id), settings.spool_dir / name


def test_a_running_import_shows_progress_and_a_killed_worker_loses_nothing(
    jobs_client: TestClient, jobs_settings: Settings, start_worker: StartWorker
) -> None:
    asset = f"acme/k-{uuid.uuid4().hex[:6]}"
    report = leaks(3000, asset)
    import_id, fifo = queue_from_fifo(jobs_settings, asset, len(report))
    first = start_worker()
    feed = os.open(fifo, os.O_WRONLY)  # waits for the worker to open the upload
    os.write(feed, report[: len(report) // 2])
    running = wait_until(
        lambda: (
            (r := state(jobs_client, import_id))["status"] == "running"
            and (r["progress_bytes"] or 0) > 0
            and r
        ),
        what="the import running with progress",
    )
    assert 0 < running["progress_bytes"] <= len(report) // 2
    assert running["size_bytes"] == len(report)

    first.send_signal(signal.SIGKILL)  # mid-import: its transaction dies with it
    first.wait()
    os.close(feed)
    assert state(jobs_client, import_id)["status"] == "running"
    assert open_findings(jobs_client, asset) == 0  # nothing of the half import was committed
    fifo.unlink()
    fifo.write_bytes(report)  # the upload as the API would have spooled it

    start_worker()  # finds the dead worker's job once its lease passed, and runs it again
    done = wait_until(
        lambda: (r := state(jobs_client, import_id))["status"] in ("ok", "error") and r,
        timeout=60,
        what="the retried import to finish",
    )
    assert done["status"] == "ok", done
    assert done["counts"]["findings"] == 3000
    assert open_findings(jobs_client, asset) == 3000
    assert not fifo.exists()


def test_periodic_jobs_are_scheduled_and_run_on_the_queue(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    app = queue.make_app(jobs_settings)
    crons = {t.task.name: t.cron for t in app.periodic_registry.periodic_tasks.values()}
    assert crons["aspm.expire_triage"] == queue.HOURLY
    assert crons["aspm.metrics_snapshot"] == queue.DAILY
    assert crons["aspm.sweep_spool"] == queue.HOURLY
    assert crons["aspm.refresh_search"] == queue.SEARCH_CRON
    # imports before the search refresh, periodic maintenance before imports
    priority = {name: app.tasks[name].priority for name in crons}
    assert priority["aspm.refresh_search"] < app.tasks[queue.IMPORT_TASK].priority
    assert priority["aspm.expire_triage"] > app.tasks[queue.IMPORT_TASK].priority
    assert "aspm.retry_stalled" in crons

    # an accepted risk past its expiry, a spool file nobody will read, no snapshot of today
    asset = f"acme/p-{uuid.uuid4().hex[:6]}"
    queued = upload(jobs_client, leaks(1, asset), asset)
    jobs_worker.run(jobs_settings, wait=False)
    assert state(jobs_client, queued["import_id"])["status"] == "ok"
    (finding,) = jobs_client.get("/api/v1/findings", params={"asset": asset}).json()["items"]
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    resp = jobs_client.post(
        f"/api/v1/findings/{finding['id']}/triage",
        json={"state": "accepted_risk", "reason": "WAF", "expires_at": until,
              "version": finding["version"]},
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    stray = jobs_settings.spool_dir / f"{uuid.uuid4()}.upload"
    stray.write_bytes(b"[]")
    engine = create_engine(jobs_settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE risk_acceptances SET expires_at = now() - interval '1 minute' "
                          "WHERE finding_id = :f"), {"f": finding["id"]})  # fmt: skip
        conn.execute(text("DELETE FROM metric_snapshots"))
    import asyncio

    async def defer_all() -> None:
        async with app.open_async():
            for name in ("aspm.expire_triage", "aspm.metrics_snapshot", "aspm.sweep_spool",
                         "aspm.refresh_search"):  # fmt: skip
                await app.configure_task(name).defer_async(timestamp=0)

    asyncio.run(defer_all())
    jobs_worker.run(jobs_settings, wait=False)

    after = jobs_client.get(f"/api/v1/findings/{finding['id']}").json()
    assert after["triage_state"] == "confirmed"
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM metric_snapshots")) > 0
        # the import marked its asset for search; the refresh wrote its row and unmarked it
        assert conn.scalar(text("SELECT count(*) FROM finding_search_pending")) == 0
        searched = text("SELECT text FROM finding_search WHERE finding_id = :f")
        assert conn.scalar(searched, {"f": finding["id"]})
        failed = conn.scalar(text("SELECT count(*) FROM procrastinate_jobs "
                                  "WHERE status <> 'succeeded'"))  # fmt: skip
    engine.dispose()
    assert failed == 0
    assert not stray.exists()
