"""The parts of imports-as-jobs that need no PostgreSQL: the mode, the spool, the CLI's wait."""

import json
import os
import time
import uuid
from pathlib import Path

import httpx
import pytest

from aspm.client import ServerClient
from aspm.errors import InvalidInput
from aspm.jobs import queue, spool
from aspm.settings import Settings


def test_sqlite_imports_inline_and_postgresql_queues_by_default() -> None:
    assert not Settings(database_url="sqlite:///./x.db").queue_imports
    assert Settings(database_url="postgresql+psycopg://u@h/db").queue_imports
    assert not Settings(
        database_url="postgresql+psycopg://u@h/db", import_mode="inline"
    ).queue_imports


def test_the_queue_refuses_sqlite_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="needs PostgreSQL"):
        queue.conninfo("sqlite:///./aspm.db")
    assert queue.conninfo("postgresql+psycopg://u:p%40ss@h:5433/db") == (
        "postgresql://u:p%40ss@h:5433/db"
    )


def test_dead_workers_are_looked_for_every_half_lease_or_every_minute() -> None:
    assert queue.stalled_check_cron(2) == "* * * * * */1"
    assert queue.stalled_check_cron(30) == "* * * * * */15"
    assert queue.stalled_check_cron(300) == "* * * * *"


def test_the_sweep_deletes_finished_uploads_and_abandoned_parts_only(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    done, waiting, arrived_now = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    fd, fresh_part = spool.new_partial(folder)
    os.close(fd)
    fd, old_part = spool.new_partial(folder)
    os.close(fd)
    os.utime(old_part, (time.time() - 7200, time.time() - 7200))
    for i in (done, waiting, arrived_now):
        (folder / f"{i}.upload").write_bytes(b"{}")
    removed = spool.sweep(folder, checked={done, waiting}, pending={waiting})
    assert removed == 2
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [fresh_part.name, f"{waiting}.upload", f"{arrived_now}.upload"]
    )


def test_a_job_cannot_name_a_file_outside_the_spool(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="spool"):
        spool.path_of(tmp_path, "../etc/passwd")
    with pytest.raises(ValueError, match="spool"):
        spool.path_of(tmp_path, "x.json")


def test_the_cli_waits_for_a_queued_import_and_prints_its_result(tmp_path: Path) -> None:
    report = tmp_path / "gitleaks.json"
    report.write_text("[]")
    import_id = str(uuid.uuid4())
    states = iter(["queued", "running", "ok"])
    polls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(
                202, json={"import_id": import_id, "file": "gitleaks.json", "status": "queued"}
            )
        assert request.url.path == f"/api/v1/imports/{import_id}"
        status = next(states)
        return httpx.Response(200, json={
            "id": import_id, "filename": "gitleaks.json", "sha256": "ab" * 32, "size_bytes": 2,
            "format": "gitleaks", "tool": "gitleaks", "tool_version": None, "asset_id": None,
            "scope_target": "", "partial": False, "uploaded_by": "token:x", "status": status,
            "error": None, "started_at": "2026-12-06T20:00:00Z", "finished_at": None,
            "duration_ms": 5, "progress_bytes": 1, "warnings": [],
            "counts": {"records": 4, "findings": 3, "new": 3} if status == "ok" else {},
        })  # fmt: skip

    http = httpx.Client(base_url="http://aspm.test", transport=httpx.MockTransport(handler))
    client = ServerClient(http, sleep=polls.append)
    result = client.ingest(report, asset="acme/a", scope="", partial=False, format=None)
    assert (result.status, result.findings, result.new, str(result.import_id)) == (
        "ok", 3, 3, import_id,
    )  # fmt: skip
    assert len(polls) == 2
    assert polls[1] > polls[0]
    states = iter(["queued"])
    queued = client.ingest(report, asset=None, scope="", partial=False, format=None, wait=False)
    assert queued.status == "queued"
    assert json.loads(queued.model_dump_json())["import_id"] == import_id
