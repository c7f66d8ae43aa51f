"""`aspm resources list|show` against a real SQLite file."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aspm.cli import app
from aspm.settings import get_settings
from tests.resources import reports
from tests.resources.conftest import FORMAT, bucket, report

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "cli-test-key")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    state = tmp_path / "state.json"
    hand = {"provider": "aws", "type": "aws_s3_bucket", "cloud_id": "arn:aws:s3:::hand",
            "managed": False}  # fmt: skip
    state.write_bytes(report([bucket("logs"), hand]))
    findings = tmp_path / "checkov.json"
    findings.write_bytes(
        report(findings=[{"tool": "checkov", "rule_id": "CKV_AWS_18",
                          "resource": "aws_s3_bucket.logs"}], complete=False, tool=None)
    )  # fmt: skip
    for path in (state, findings):
        done = runner.invoke(app, ["ingest", str(path), "--format", FORMAT, "--asset", "infra"])
        assert done.exit_code == 0, done.output
    yield tmp_path
    get_settings.cache_clear()


def test_list_prints_a_table_and_json_with_filters(cli_db: Path) -> None:
    table = runner.invoke(app, ["resources", "list"])
    assert table.exit_code == 0, table.output
    assert "Resources 1-2 of 2" in table.stdout
    listed = json.loads(runner.invoke(app, ["resources", "list", "--json"]).stdout)
    assert {r["address"] for r in listed} == {"aws_s3_bucket.logs", None}
    unmanaged = runner.invoke(app, ["resources", "list", "--unmanaged", "--json"])
    assert [r["cloud_id"] for r in json.loads(unmanaged.stdout)] == ["arn:aws:s3:::hand"]
    linked = runner.invoke(app, ["resources", "list", "--has-findings", "--json"])
    assert [(r["address"], r["findings"]) for r in json.loads(linked.stdout)] == [
        ("aws_s3_bucket.logs", 1)
    ]


def test_list_drifted_shows_resources_with_drift_still_reported(
    cli_db: Path, tmp_path: Path
) -> None:
    drifted = runner.invoke(app, ["resources", "list", "--drifted", "--json"])
    assert drifted.exit_code == 0, drifted.output
    assert json.loads(drifted.stdout) == []
    for name, data in (
        ("terraform.tfstate", reports.tfstate()),
        ("plan.json", reports.drift_plan()),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        done = runner.invoke(app, ["ingest", str(path), "--asset", "code"])
        assert done.exit_code == 0, done.output
    drifted = runner.invoke(app, ["resources", "list", "--drifted", "--json"])
    assert [(r["asset"], r["address"]) for r in json.loads(drifted.stdout)] == [
        ("code", reports.ADDRESS)
    ]
    table = runner.invoke(app, ["resources", "list", "--drifted"])
    assert "Resources 1-1 of 1" in table.stdout
    rest = runner.invoke(app, ["resources", "list", "--not-drifted", "--json"])
    assert {r["asset"] for r in json.loads(rest.stdout)} == {"infra"}


def test_show_by_address_lists_facts_relations_and_findings(cli_db: Path) -> None:
    shown = runner.invoke(app, ["resources", "show", "aws_s3_bucket.logs"])
    assert shown.exit_code == 0, shown.output
    for text in ("arn:aws:s3:::acme-logs", "111122223333", "encrypted: true", "Relations",
                 "aws_s3_bucket_policy.logs", "Findings", "address"):  # fmt: skip
        assert text in shown.stdout
    as_json = json.loads(runner.invoke(app, ["resources", "show", "arn:aws:s3:::hand",
                                             "--json"]).stdout)  # fmt: skip
    assert as_json["managed"] is False
    missing = runner.invoke(app, ["resources", "show", "aws_s3_bucket.nope"])
    assert missing.exit_code == 2
