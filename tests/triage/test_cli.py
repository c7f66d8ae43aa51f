"""`aspm triage ...`, `aspm rules ...` and `aspm findings list --mine` against a SQLite file."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aspm.cli import app
from aspm.settings import get_settings
from tests.factories import gitleaks_leak, gitleaks_report
from tests.triage.helpers import secret

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "cli-test-key")
    monkeypatch.delenv("ASPM_SERVER", raising=False)
    monkeypatch.delenv("ASPM_USER", raising=False)
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def _json(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_rules_triage_and_my_findings_from_the_command_line(cli_db: Path) -> None:
    own = runner.invoke(app, ["rules", "own", "add", "--team", "payments", "--path", "svc/*"])
    assert own.exit_code == 0, own.output
    report = cli_db / "g.json"
    report.write_bytes(
        gitleaks_report(
            gitleaks_leak(secret(1), file="svc/a.env"),
            gitleaks_leak(secret(2), file="docs/example.env"),
        )
    )
    assert runner.invoke(app, ["ingest", str(report), "--asset", "acme/cli"]).exit_code == 0
    items = {f["path"]: f for f in _json(["findings", "list", "--json"])}
    assert items["svc/a.env"]["team"] == "payments"
    fid = items["svc/a.env"]["id"]

    # ids are time-ordered: one import's findings share a prefix, so the CLI takes their ends
    other = items["docs/example.env"]["id"]
    assert fid[:8] == other[:8]
    ambiguous = runner.invoke(app, ["triage", fid[:8], "--state", "confirmed"])
    assert ambiguous.exit_code == 2
    assert "ambiguous" in ambiguous.output
    refused = runner.invoke(app, ["triage", fid[-12:], "--state", "false_positive"])
    assert refused.exit_code == 2
    assert "requires a reason" in refused.output
    moved = _json(["triage", fid, "--state", "in_progress", "--as", "carl", "--json"])
    assert moved["triage_state"] == "in_progress"
    illegal = runner.invoke(app, ["triage", "set", fid, "--state", "new"])
    assert illegal.exit_code == 2
    assert "illegal triage move" in illegal.output
    # assignment takes existing users and teams only
    typo = runner.invoke(app, ["triage", "assign", fid, "--user", "carl", "--as", "lead"])
    assert typo.exit_code == 2
    assert "no user named 'carl'" in typo.output
    assert runner.invoke(app, ["teams", "create", "sre"]).exit_code == 0
    made = runner.invoke(app, ["users", "create", "carl", "--role", "engineer"])
    assert made.exit_code == 0, made.output
    assigned = _json(
        ["triage", "assign", fid, "--user", "carl", "--team", "sre", "--as", "lead", "--json"]
    )
    assert assigned["assignee"] == "carl"
    mine = _json(["findings", "list", "--mine", "--as", "carl", "--json"])
    assert [f["id"] for f in mine] == [fid]
    assert _json(["findings", "list", "--mine", "--as", "dora", "--json"]) == []
    history = _json(["triage", "history", fid, "--json"])
    assert [(e["action"], e["actor"], e["to_value"]) for e in history][-3:] == [
        ("triage", "user:carl", "in_progress"),
        ("assigned", "user:lead", "carl"),
        ("team_assigned", "user:lead", "sre"),
    ]

    everything = runner.invoke(app, ["rules", "suppress", "add", "--justification", "noise"])
    assert everything.exit_code == 2
    rule = _json(
        ["rules", "suppress", "add", "--path", "docs/*", "--justification", "examples", "--json"]
    )
    assert rule["findings"] == 1
    assert [f["path"] for f in _json(["findings", "list", "--json"])] == ["svc/a.env"]
    assert len(_json(["rules", "suppress", "list", "--json"])) == 1
    assert runner.invoke(app, ["rules", "suppress", "remove", rule["id"]]).exit_code == 0
    assert len(_json(["findings", "list", "--json"])) == 2
    assert _json(["triage", "expire", "--json"])["rules_expired"] == 0
