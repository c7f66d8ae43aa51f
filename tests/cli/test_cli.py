"""The `aspm` command line against a real SQLite file: ingest, findings, exit codes."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aspm.cli import app
from aspm.settings import get_settings
from tests.factories import gitleaks_leak, gitleaks_report

KEY = "glpat-" + "Xx1Yy2Zz3Ww4Vv5Uu6Tt7"
runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "cli-test-key")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_ingest_json_prints_one_object_per_file_and_exit_2_on_any_failure(cli_db: Path) -> None:
    good = cli_db / "gitleaks.json"
    good.write_bytes(gitleaks_report(gitleaks_leak(KEY), gitleaks_leak(KEY, file="x.env")))
    bad = cli_db / "broken.json"
    bad.write_text('{"runs": [')
    result = runner.invoke(app, ["ingest", str(good), str(bad), "--asset", "acme/cli", "--json"])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["ok", "error"]
    ok = lines[0]
    for key in ("file", "format", "tool", "status", "records", "findings", "new", "unchanged",
                "reopened", "resolved", "skipped", "error"):  # fmt: skip
        assert key in ok
    assert (ok["format"], ok["records"], ok["new"]) == ("gitleaks", 2, 2)
    assert "broken.json" in lines[1]["error"]
    assert KEY not in result.stdout


def test_ingest_all_good_exits_0_and_findings_list_json(cli_db: Path) -> None:
    report = cli_db / "g.json"
    report.write_bytes(gitleaks_report(gitleaks_leak(KEY)))
    result = runner.invoke(app, ["ingest", str(report), "--asset", "acme/cli"])
    assert result.exit_code == 0, result.output
    assert "Imports" in result.stdout
    listed = runner.invoke(app, ["findings", "list", "--json"])
    items = json.loads(listed.stdout)
    assert len(items) == 1
    for key in ("id", "title", "severity", "status", "asset", "tools", "detections"):
        assert key in items[0]
    assert items[0]["tools"] == ["gitleaks"]
    shown = runner.invoke(app, ["findings", "show", items[0]["id"][:8]])
    assert shown.exit_code == 0, shown.output
    assert "Detections" in shown.stdout
    assert KEY not in shown.stdout + listed.stdout


def test_missing_file_is_an_error_not_a_crash(cli_db: Path) -> None:
    result = runner.invoke(app, ["ingest", str(cli_db / "nope.json"), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["status"] == "error"


@pytest.mark.parametrize(
    "command",
    [["findings", "list"], ["users", "list"], ["rules", "suppress", "list"]],
)
def test_unmigrated_database_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    result = runner.invoke(app, command)
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "aspm db upgrade" in result.output


@pytest.mark.parametrize("width", [60, 80, 120])
def test_findings_list_prints_ids_that_findings_show_accepts_at_any_width(
    cli_db: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    from aspm import cli

    report = cli_db / "g.json"
    leaks = [gitleaks_leak(KEY, file=f"svc/config_{i}_with_a_long_name.env") for i in range(3)]
    report.write_bytes(gitleaks_report(*leaks))
    assert runner.invoke(app, ["ingest", str(report), "--asset", "acme/cli"]).exit_code == 0
    monkeypatch.setattr(cli.out, "width", width)
    listed = runner.invoke(app, ["findings", "list"])
    assert listed.exit_code == 0, listed.output
    ids = re.findall(r"^│ ([0-9a-f]{12}) ", listed.stdout, re.MULTILINE)
    full = [f["id"] for f in json.loads(runner.invoke(app, ["findings", "list", "--json"]).stdout)]
    assert sorted(ids) == sorted(f.replace("-", "")[-12:] for f in full)
    for short in ids:
        shown = runner.invoke(app, ["findings", "show", short])
        assert shown.exit_code == 0, shown.output
