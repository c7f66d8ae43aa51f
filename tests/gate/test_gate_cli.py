"""`aspm gate` through typer's CliRunner: exit codes 0/1/2, text/json/sarif output."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aspm.cli import app
from aspm.settings import get_settings
from tests.conftest import ClientAs
from tests.exports.sarif_schema import assert_valid_sarif
from tests.gate.helpers import CRITICAL, CROWN_JEWELS_YAML, LOW, sarif_report, sarif_result

runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'gate.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "gate-cli-test-key")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assets = tmp_path / "assets.yaml"
    assets.write_text(CROWN_JEWELS_YAML)
    assert runner.invoke(app, ["assets", "apply", str(assets)]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def write(dirpath: Path, name: str, data: bytes) -> Path:
    path = dirpath / name
    path.write_bytes(data)
    return path


def critical_report(dirpath: Path) -> Path:
    return write(
        dirpath,
        "semgrep.sarif",
        sarif_report(sarif_result("sql-injection", level="error", score=CRITICAL, path="db.py")),
    )


def test_failing_gate_exits_1_and_tells_how_to_fix_or_accept(workdir: Path) -> None:
    result = runner.invoke(app, ["gate", str(critical_report(workdir)), "--asset", "acme/cli",
                                 "--branch", "feature/a", "--commit", "abc123"])  # fmt: skip
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "GATE FAILED" in out
    assert "FAIL no-p1" in out
    assert "db.py:10" in out
    assert "How to fix sql-injection" in out
    assert "aspm triage set" in out
    assert "--state accepted_risk" in out


def test_passing_gate_exits_0(workdir: Path) -> None:
    report = write(workdir, "low.sarif", sarif_report(sarif_result("style", score=LOW)))
    result = runner.invoke(app, ["gate", str(report), "--asset", "acme/cli"])
    assert result.exit_code == 0, result.output
    assert "GATE PASSED" in result.stdout


def test_json_output_for_scripts(workdir: Path) -> None:
    result = runner.invoke(
        app, ["gate", str(critical_report(workdir)), "--asset", "acme/cli", "--format", "json"]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["passed"], data["exit_code"], data["failed"]) == (False, 1, 1)
    assert data["failing"][0]["failed_rules"] == ["no-p1", "critical"]  # the default policy
    assert data["evaluation_id"]


def test_sarif_output_is_valid_sarif_for_pr_annotations(workdir: Path) -> None:
    sarif_file = workdir / "gate.sarif"
    result = runner.invoke(app, ["gate", str(critical_report(workdir)), "--asset", "acme/cli",
                                 "--format", "sarif", "--sarif-file", str(sarif_file)])  # fmt: skip
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert_valid_sarif(log)
    assert json.loads(sarif_file.read_text()) == log
    (res,) = log["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "db.py"


def test_dry_run_stores_no_finding_and_exits_by_policy(workdir: Path) -> None:
    result = runner.invoke(
        app, ["gate", str(critical_report(workdir)), "--asset", "acme/cli", "--dry-run"]
    )
    assert result.exit_code == 1
    assert "dry run" in result.stdout
    listed = runner.invoke(app, ["findings", "list", "--json"])
    assert json.loads(listed.stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "choose text, json or sarif"),
        (["--new-only", "--baseline", "main"], "exclude each other"),
        (["--policy", "missing.yaml"], "cannot read the gate policy"),
    ],
)
def test_usage_errors_exit_2(workdir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["gate", str(critical_report(workdir)), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_bad_policy_exits_2_naming_the_line(workdir: Path) -> None:
    policy = write(workdir, "gate-policy.yaml", b"version: 1\nrules:\n  - id: x\n    max: lots\n")
    result = runner.invoke(app, ["gate", str(critical_report(workdir)), "--policy", str(policy)])
    assert result.exit_code == 2
    assert "gate-policy.yaml:4: rules.0.max" in result.output


def test_unreadable_report_exits_2_and_stores_nothing(workdir: Path) -> None:
    bad = write(workdir, "broken.json", b'{"runs": [')
    good = critical_report(workdir)
    result = runner.invoke(app, ["gate", str(good), str(bad), "--asset", "acme/cli"])
    assert result.exit_code == 2
    assert "nothing was stored" in result.output
    assert json.loads(runner.invoke(app, ["findings", "list", "--json"]).stdout) == []


def test_missing_report_exits_2(workdir: Path) -> None:
    result = runner.invoke(app, ["gate", str(workdir / "nope.sarif")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_custom_policy_file_decides(workdir: Path) -> None:
    lenient = write(
        workdir, "lenient.yaml",
        b"version: 1\nname: lenient\nrules:\n  - id: crit\n    when: {severity: [critical]}\n"
        b"    max: 5\n",
    )  # fmt: skip
    result = runner.invoke(
        app, ["gate", str(critical_report(workdir)), "--policy", str(lenient), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["policy"]["name"] == "lenient"


def test_server_mode_without_token_is_a_usage_error(workdir: Path) -> None:
    result = runner.invoke(
        app, ["--server", "http://127.0.0.1:9", "gate", str(critical_report(workdir))],
        env={"ASPM_TOKEN": ""},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--token" in result.output


@pytest.mark.usefixtures("crown_jewels")
def test_server_mode_gates_over_http_with_an_ingest_token(
    served: None, token_client: ClientAs, tmp_path: Path
) -> None:
    bot = token_client(["ingest"], role="engineer", teams=["ci"])  # its assets: team ci
    token = bot.headers["Authorization"].removeprefix("Bearer ")
    remote = ["--server", "https://aspm.example", "--token", token]
    report = critical_report(tmp_path)
    policy = write(
        tmp_path,
        "gate-policy.yaml",
        b"version: 1\nname: remote\nrules:\n  - id: p1\n    when: {priority: [P1]}\n",
    )
    result = runner.invoke(app, [*remote, "gate", str(report), "--asset", "acme/srv", "--policy",
                                 str(policy), "--branch", "pr-1", "--format", "json"])  # fmt: skip
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["policy"]["name"], data["branch"], data["failed"]) == ("remote", "pr-1", 1)
    assert data["evaluation_id"]
    # the finding is known now: the default policy (new findings only) passes it, ours fails it
    again = [*remote, "gate", str(report), "--asset", "acme/srv", "--dry-run"]
    assert runner.invoke(app, again).exit_code == 0
    sarif = runner.invoke(app, [*again, "--policy", str(policy), "--format", "sarif"])
    assert sarif.exit_code == 1
    assert_valid_sarif(json.loads(sarif.stdout))


def test_server_mode_refuses_a_read_only_token(
    served: None, token_client: ClientAs, tmp_path: Path
) -> None:
    reader = token_client(["read"], role="viewer")
    token = reader.headers["Authorization"].removeprefix("Bearer ")
    result = runner.invoke(app, ["--server", "https://aspm.example", "--token", token, "gate",
                                 str(critical_report(tmp_path))])  # fmt: skip
    assert result.exit_code == 2
    assert "403" in result.output
