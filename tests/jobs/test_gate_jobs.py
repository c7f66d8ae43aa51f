"""Gate evaluations as jobs on PostgreSQL: POST /gate/evaluations answers 202 and a worker
evaluates (queued -> running -> done with the verdict, or error with why); a worker killed
mid-evaluation loses nothing and its job runs again; the CLI waits for the verdict."""

import asyncio
import json
import os
import signal
import stat
import uuid
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from aspm import client as server_client
from aspm.auth.principal import SYSTEM
from aspm.cli import app as cli_app
from aspm.db.session import make_engine, make_sessionmaker
from aspm.gate import policy as gate_policy
from aspm.gate.service import GateOptions
from aspm.jobs import service, spool
from aspm.jobs import worker as jobs_worker
from aspm.settings import Settings
from tests.exports.sarif_schema import assert_valid_sarif
from tests.gate.helpers import CRITICAL, LOW, sarif_report, sarif_result
from tests.jobs.conftest import StartWorker, wait_until

pytestmark = pytest.mark.postgres

URL = "/api/v1/gate/evaluations"
NO_CRITICAL = b"version: 1\nname: no-critical\nscope: all\nrules:\n  - id: critical\n"
NO_CRITICAL += b"    when: {severity: [critical]}\n"


def report(n: int, *, score: float, tag: str) -> bytes:
    return sarif_report(
        *(sarif_result(f"{tag}-rule-{i}", score=score, path=f"src/{tag}/{i}.py") for i in range(n))
    )


def post(
    client: TestClient,
    *reports: bytes,
    policy: bytes | None = NO_CRITICAL,
    params: dict[str, str] | None = None,
) -> Any:
    parts: list[tuple[str, tuple[str, bytes]]] = [
        ("reports", (f"r{n}.sarif", r)) for n, r in enumerate(reports)
    ]
    if policy is not None:
        parts.append(("policy", ("gate-policy.yaml", policy)))
    return client.post(URL, files=parts, params=params or {})


def queued(client: TestClient, *reports: bytes, **params: str) -> dict[str, Any]:
    resp = post(client, *reports, params=params)
    assert resp.status_code == 202, resp.text
    body = dict(resp.json())
    assert resp.headers["location"] == f"{URL}/{body['id']}"
    assert body["status"] == "queued"
    return body


def state(client: TestClient, evaluation_id: str) -> dict[str, Any]:
    resp = client.get(f"{URL}/{evaluation_id}")
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def findings_of(client: TestClient, asset: str) -> int:
    return int(client.get("/api/v1/findings", params={"asset": asset}).json()["total"])


def new_asset() -> str:
    return f"acme/g-{uuid.uuid4().hex[:6]}"


def test_an_evaluation_is_queued_then_a_worker_fails_the_build(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    asset = new_asset()
    body = queued(
        jobs_client, report(3, score=CRITICAL, tag="c"), report(2, score=LOW, tag="l"),
        asset=asset, branch="pr-7", commit="abc123", sarif="true",
    )  # fmt: skip
    waiting = state(jobs_client, body["id"])
    assert (waiting["status"], waiting["passed"], waiting["result"]) == ("queued", None, None)
    assert (waiting["policy_name"], waiting["branch"], waiting["attempts"]) == (
        "no-critical", "pr-7", 0,
    )  # fmt: skip
    # two reports and the policy wait in the private spool, named after the evaluation
    names = sorted(p.name for p in jobs_settings.spool_dir.iterdir())
    assert names == [f"{body['id']}.{part}.upload" for part in ("policy", "report-0", "report-1")]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in jobs_settings.spool_dir.iterdir())
    assert findings_of(jobs_client, asset) == 0

    jobs_worker.run(jobs_settings, wait=False)  # until the queue is empty

    done = state(jobs_client, body["id"])
    assert (done["status"], done["passed"], done["error"], done["attempts"]) == (
        "done", False, None, 1,
    )  # fmt: skip
    result = done["result"]
    assert (result["evaluation_id"], result["passed"], result["exit_code"]) == (
        body["id"],
        False,
        1,
    )
    assert (result["failed"], result["evaluated"], len(result["imports"])) == (3, 5, 2)
    assert [r["rule_id"] for r in result["rules"] if r["failed"]] == ["critical"]
    assert {f["where"] for f in result["failing"]} == {f"src/c/{i}.py:10" for i in range(3)}
    assert_valid_sarif(result["sarif"])
    assert sorted(done["finding_ids"]) == sorted(f["id"] for f in result["failing"])
    assert done["import_ids"] == [i["import_id"] for i in result["imports"]]
    assert findings_of(jobs_client, asset) == 5
    assert list(jobs_settings.spool_dir.iterdir()) == []  # the reports went with the job
    listed = jobs_client.get(URL, params={"asset": asset}).json()
    assert [(i["id"], i["status"], i["passed"]) for i in listed["items"]] == [
        (body["id"], "done", False)
    ]


def test_a_passing_evaluation_and_a_dry_run_are_queued_too(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    asset = new_asset()
    passing = queued(jobs_client, report(2, score=LOW, tag="p"), asset=asset)
    dry = queued(jobs_client, report(1, score=CRITICAL, tag="d"), asset=asset, dry_run="true")
    jobs_worker.run(jobs_settings, wait=False)
    ok = state(jobs_client, passing["id"])
    assert (ok["status"], ok["passed"], ok["result"]["exit_code"]) == ("done", True, 0)
    blocked = state(jobs_client, dry["id"])
    assert (blocked["status"], blocked["passed"], blocked["dry_run"]) == ("done", False, True)
    assert blocked["result"]["failing"][0]["id"] is None  # the dry run's finding was not kept
    assert findings_of(jobs_client, asset) == 2  # the passing run's; none of the dry run's


def test_a_report_that_fails_stays_failed_with_its_error(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    asset = new_asset()
    body = queued(jobs_client, report(1, score=CRITICAL, tag="x"), b'{"runs": [', asset=asset)
    jobs_worker.run(jobs_settings, wait=False)
    failed = state(jobs_client, body["id"])
    assert (failed["status"], failed["passed"], failed["result"]) == ("error", None, None)
    assert "r1.sarif" in failed["error"], failed["error"]
    assert failed["error"].endswith("nothing was stored")
    assert findings_of(jobs_client, asset) == 0  # the good report was not kept either
    assert list(jobs_settings.spool_dir.iterdir()) == []
    engine = create_engine(jobs_settings.database_url)
    with engine.connect() as conn:  # the job ended normally: nothing waits to run it again
        waiting = conn.scalar(text("SELECT count(*) FROM procrastinate_jobs "
                                   "WHERE status IN ('todo', 'doing')"))  # fmt: skip
    engine.dispose()
    assert waiting == 0
    jobs_worker.run(jobs_settings, wait=False)
    assert state(jobs_client, body["id"]) == failed


def test_refusals_and_unrecorded_evaluations_are_answered_in_the_request(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    bad_policy = post(jobs_client, report(1, score=LOW, tag="b"), policy=b"version: 1\nrules: 3\n")
    assert bad_policy.status_code == 422
    assert "gate-policy.yaml" in bad_policy.json()["detail"]
    both = post(
        jobs_client, report(1, score=LOW, tag="b"), params={"new_only": "true", "baseline": "main"}
    )
    assert both.status_code == 422
    assert list(jobs_settings.spool_dir.iterdir()) == []  # nothing spooled, nothing queued
    asset = new_asset()
    unrecorded = post(
        jobs_client, report(1, score=CRITICAL, tag="u"), params={"asset": asset, "record": "false"}
    )
    assert unrecorded.status_code == 200, unrecorded.text  # no row to follow: inline
    assert (unrecorded.json()["passed"], unrecorded.json()["evaluation_id"]) == (False, None)
    assert findings_of(jobs_client, asset) == 1


def queue_from_fifo(settings: Settings, asset: str) -> tuple[str, Path]:
    """A queued evaluation whose report is a named pipe: the test feeds the worker at its pace."""
    folder = spool.folder(settings.spool_dir)
    fifo = folder / "feed.part"
    os.mkfifo(fifo, 0o600)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    job = service.create_queued_evaluation(
        factory,
        reports=[service.Received(fifo, "semgrep.sarif")],
        policy=None,
        loaded=gate_policy.load(),
        options=GateOptions(asset=asset, branch="pr-9"),
        principal=SYSTEM,
    )
    asyncio.run(service.defer_evaluation(settings, factory, job))
    engine.dispose()
    (spooled,) = job.spooled(settings)
    return str(job.evaluation.id), spooled


def test_a_worker_killed_mid_evaluation_loses_nothing_and_the_job_runs_again(
    jobs_client: TestClient, jobs_settings: Settings, start_worker: StartWorker
) -> None:
    asset = new_asset()
    data = report(400, score=CRITICAL, tag="k")
    evaluation_id, fifo = queue_from_fifo(jobs_settings, asset)
    first = start_worker()
    feed = os.open(fifo, os.O_WRONLY)  # waits for the worker to open the report
    os.write(feed, data[: len(data) // 2])
    running = wait_until(
        lambda: (r := state(jobs_client, evaluation_id))["status"] == "running" and r,
        what="the evaluation running",
    )
    assert running["attempts"] == 1

    first.send_signal(signal.SIGKILL)  # mid-evaluation: its transaction dies with it
    first.wait()
    os.close(feed)
    assert state(jobs_client, evaluation_id)["status"] == "running"
    assert findings_of(jobs_client, asset) == 0  # nothing of the half evaluation was committed
    fifo.unlink()
    fifo.write_bytes(data)  # the report as the API would have spooled it

    start_worker()  # finds the dead worker's job once its lease passed, and runs it again
    done = wait_until(
        lambda: (r := state(jobs_client, evaluation_id))["status"] in ("done", "error") and r,
        timeout=60,
        what="the retried evaluation to finish",
    )
    assert (done["status"], done["attempts"], done["passed"]) == ("done", 2, False), done
    assert done["result"]["failed"] == 400
    assert len(done["import_ids"]) == 1
    assert findings_of(jobs_client, asset) == 400
    assert not fifo.exists()


runner = CliRunner()


@pytest.fixture
def served_queue(jobs_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> str:
    """`aspm --server URL --token T` reaches the queueing test server (in process); yields T."""
    token = jobs_client.headers["Authorization"].removeprefix("Bearer ")

    def connect(url: str, token: str) -> server_client.ServerClient:
        http = TestClient(jobs_client.app, base_url=url)
        http.headers["Authorization"] = f"Bearer {token}"
        return server_client.ServerClient(cast(httpx.Client, http))

    monkeypatch.setattr(server_client, "connect", connect)
    return token


def test_the_cli_waits_for_the_workers_verdict_or_leaves_it_queued(
    served_queue: str, jobs_client: TestClient, start_worker: StartWorker, tmp_path: Path
) -> None:
    asset = new_asset()
    critical = tmp_path / "semgrep.sarif"
    critical.write_bytes(report(1, score=CRITICAL, tag="w"))
    policy = tmp_path / "gate-policy.yaml"
    policy.write_bytes(NO_CRITICAL)
    remote = ["--server", "https://aspm.example", "--token", served_queue, "gate", str(critical),
              "--asset", asset, "--policy", str(policy)]  # fmt: skip

    left = runner.invoke(cli_app, [*remote, "--no-wait"])
    assert left.exit_code == 0, left.output
    evaluation_id = left.stdout.split()[3].rstrip(";")
    assert state(jobs_client, evaluation_id)["status"] == "queued"

    start_worker()
    waited = runner.invoke(cli_app, [*remote, "--format", "json", "--branch", "pr-3"])
    assert waited.exit_code == 1, waited.output  # a policy failure, as inline
    data = json.loads(waited.stdout)
    assert (data["passed"], data["failed"], data["branch"]) == (False, 1, "pr-3")
    assert state(jobs_client, data["evaluation_id"])["status"] == "done"
    assert state(jobs_client, evaluation_id)["status"] == "done"  # the worker took both
