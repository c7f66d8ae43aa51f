"""An evaluation's states as clients see them: inline (SQLite) it is done in the request, with
its result kept for GET /gate/evaluations/{id}; against a server that queues it (202), the CLI
polls until done or error, prints and exits as inline, or leaves it queued with --no-wait.
The server here is a mock transport; tests/jobs/test_gate_jobs.py runs the real queue."""

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from aspm import client as server_client
from aspm.cli import app
from aspm.gate.schemas import (
    EXIT_FAIL,
    FailingFinding,
    GateEvaluationDetail,
    GateResult,
    PolicyRef,
    RuleResult,
)
from aspm.ingest.schemas import IngestResult
from tests.gate.helpers import CRITICAL, sarif_report, sarif_result

URL = "/api/v1/gate/evaluations"
CRIT = sarif_report(sarif_result("sql-injection", level="error", score=CRITICAL, path="db.py"))


@pytest.mark.usefixtures("crown_jewels")
def test_inline_evaluation_answers_200_and_keeps_its_result(client: TestClient) -> None:
    response = client.post(
        URL, files=[("reports", ("r.sarif", CRIT))], params={"asset": "acme/api", "sarif": "true"}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "location" not in response.headers
    one = client.get(f"{URL}/{answer['evaluation_id']}").json()
    assert (one["status"], one["error"], one["attempts"], one["passed"]) == (
        "done", None, 0, False,
    )  # fmt: skip
    assert one["result"] == answer  # what the worker's job shows once done, the same object
    listed = client.get(URL).json()["items"]
    assert [(i["id"], i["status"]) for i in listed] == [(answer["evaluation_id"], "done")]
    assert "result" not in listed[0]  # the list stays light: results only one at a time


EVALUATION_ID = uuid.uuid4()


def verdict() -> GateResult:
    return GateResult(
        evaluation_id=EVALUATION_ID, passed=False, exit_code=EXIT_FAIL,
        evaluated_at=datetime(2026, 12, 7, 3, 0, tzinfo=UTC),
        policy=PolicyRef(name="ci", digest="d" * 64, source="gate-policy.yaml"),
        asset="acme/api", branch="pr-1", commit=None, scope="new", baseline=None, dry_run=False,
        evaluated=1, failed=1,
        imports=[IngestResult(file="r.sarif", status="ok", records=1, findings=1)],
        rules=[RuleResult(rule_id="critical", description="No new critical finding",
                          asset="acme/api", max=0, enabled=True, matched=1, failed=True,
                          finding_ids=["f1"])],
        failing=[FailingFinding(id="f1", new=True, title="SQL injection", severity="critical",
                                priority="P1", risk_score=90, category="sast", asset="acme/api",
                                tools=["semgrep"], where="db.py:10", failed_rules=["critical"],
                                remediation="", fix=[], accept=None)],
        ignored=[],
    )  # fmt: skip


def row(status: str, *, result: GateResult | None = None, error: str | None = None) -> Any:
    return json.loads(
        GateEvaluationDetail(
            id=EVALUATION_ID, status=status, error=error, attempts=int(status != "queued"),
            evaluated_at=datetime(2026, 12, 7, 3, 0, tzinfo=UTC), actor="token:t",
            asset_id=None, asset_name="acme/api", branch="pr-1", commit=None,
            passed=None if result is None else result.passed, failed_count=0,
            evaluated_count=0, ignored_count=0, finding_ids=[], failed_rules=[],
            policy_name="ci", policy_digest="d" * 64, scope=None, baseline=None,
            dry_run=False, import_ids=[], result=result,
        ).model_dump_json()
    )  # fmt: skip


class FakeServer:
    """Answers the POST with 202 (queued) and each GET with the next of `states` (the last one
    again once they run out); keeps the client's pauses and a clock they advance."""

    def __init__(self, states: list[Any]) -> None:
        self.states = states
        self.gets = 0
        self.pauses: list[float] = []
        self.now = 0.0

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            assert request.url.path == URL
            return httpx.Response(202, json=row("queued"), headers={"Location": self.url})
        assert request.url.path == self.url
        self.gets += 1
        return httpx.Response(200, json=self.states[min(self.gets, len(self.states)) - 1])

    @property
    def url(self) -> str:
        return f"{URL}/{EVALUATION_ID}"

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


Serve = Callable[[list[Any]], FakeServer]


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Serve:
    def start(states: list[Any]) -> FakeServer:
        fake = FakeServer(states)

        def connect(url: str, token: str) -> server_client.ServerClient:
            http = httpx.Client(base_url=url, transport=httpx.MockTransport(fake.handler))
            return server_client.ServerClient(http, sleep=fake.sleep, clock=lambda: fake.now)

        monkeypatch.setattr(server_client, "connect", connect)
        return fake

    return start


runner = CliRunner()


def gate(tmp_path: Path, *args: str) -> Any:
    report = tmp_path / "r.sarif"
    report.write_bytes(CRIT)
    remote = ["--server", "https://aspm.example", "--token", "aspm_t"]
    return runner.invoke(app, [*remote, "gate", str(report), "--asset", "acme/api", *args])


def test_the_cli_waits_for_a_queued_verdict_and_exits_as_inline(
    serve: Serve, tmp_path: Path
) -> None:
    fake = serve([row("queued"), row("running"), row("running"), row("done", result=verdict())])
    result = gate(tmp_path)
    assert result.exit_code == 1, result.output  # the policy failed
    assert "GATE FAILED" in result.stdout
    assert "SQL injection" in result.stdout
    assert fake.gets == 4
    assert len(fake.pauses) == 3
    assert fake.pauses[0] < fake.pauses[1] < fake.pauses[2]  # a growing pause between polls
    as_json = gate(tmp_path, "--format", "json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == json.loads(verdict().model_dump_json(exclude={"sarif"}))


def test_a_failed_evaluation_exits_2_with_the_servers_reason(serve: Serve, tmp_path: Path) -> None:
    reason = "r.sarif: not a readable SARIF report: truncated; nothing was stored"
    serve([row("running"), row("error", error=reason)])
    result = gate(tmp_path)
    assert result.exit_code == 2
    assert reason in result.output


def test_no_wait_prints_the_queued_id_and_exits_0(serve: Serve, tmp_path: Path) -> None:
    fake = serve([row("done", result=verdict())])
    text = gate(tmp_path, "--no-wait")
    assert text.exit_code == 0, text.output
    assert str(EVALUATION_ID) in text.stdout
    as_json = gate(tmp_path, "--no-wait", "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["status"] == "queued"
    assert fake.gets == 0  # it did not wait
    refused = gate(tmp_path, "--no-wait", "--format", "sarif")
    assert refused.exit_code == 2
    assert "--no-wait" in refused.output


def test_the_wait_is_bounded_by_the_timeout(serve: Serve, tmp_path: Path) -> None:
    fake = serve([row("queued")])  # no worker ever takes it
    result = gate(tmp_path, "--timeout", "30")
    assert result.exit_code == 2
    assert "still queued after 30 s" in result.output
    assert "--timeout" in result.output
    assert sum(fake.pauses) == pytest.approx(30)  # it stopped at the bound, not past it
