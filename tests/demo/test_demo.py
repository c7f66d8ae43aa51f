"""`aspm demo`: native-format reports of a fictional company, imported through the pipeline."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.assets.models import Asset
from aspm.cli import app
from aspm.db.all_models import Base
from aspm.demo.generate import DemoReport, build_reports
from aspm.demo.schemas import DemoSummary
from aspm.demo.service import run_demo
from aspm.findings.controls import load_control_map
from aspm.findings.models import Finding
from aspm.ingest.models import IngestRun
from aspm.settings import get_settings
from tests.conftest import TEST_SECRET
from tests.ingest.harness import Parsed, parse_file

REPORTS = build_reports()
runner = CliRunner()


def _parse(report: DemoReport, folder: Path) -> Parsed:
    path = folder / report.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(report.content)
    return parse_file(path)


def _demo(sessions: sessionmaker[Session], out: Path, *, if_empty: bool = False) -> DemoSummary:
    return run_demo(
        sessions, out_dir=out, hmac_key=TEST_SECRET.encode(), batch_size=50, if_empty=if_empty
    )


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("report", REPORTS, ids=[r.path for r in REPORTS])
def test_every_report_is_detected_as_its_format_and_parses_without_warnings(
    report: DemoReport, tmp_path: Path
) -> None:
    parsed = _parse(report, tmp_path)
    assert parsed.format == report.format
    assert parsed.warnings == []
    assert parsed.ctx.skipped == 0
    # a state holds resources and no findings; every other report exercises its ingestor
    assert parsed.findings or report.format == "terraform-state"
    assert parsed.findings or parsed.ctx.resources
    assert {f.tool for f in parsed.findings} <= set(report.tools)


def test_reports_are_deterministic_and_cover_every_format() -> None:
    again = build_reports()
    assert [(r.path, r.content) for r in again] == [(r.path, r.content) for r in REPORTS]
    assert {r.format for r in REPORTS} == {
        "checkov", "tfsec", "sarif", "gitleaks", "trufflehog", "prowler-ocsf", "asff",
        "terraform-state", "terraform-plan", "driftctl",
    }  # fmt: skip
    assert {r.round for r in REPORTS} == {1, 2, 3}
    assert len({r.asset for r in REPORTS}) == 7


def test_the_only_cloud_credential_in_the_reports_is_the_documented_example() -> None:
    text = b"\n".join(r.content for r in REPORTS).decode()
    assert set(re.findall(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", text)) == {"AKIAIOSFODNN7EXAMPLE"}
    for prefix in ("ghp_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "sk_live_", "AIza"):
        assert prefix not in text


def test_demo_imports_every_report_and_shows_resolved_and_reopened_findings(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    summary = _demo(sessions, tmp_path)
    assert not summary.skipped
    assert [r.status for r in summary.imports] == ["ok"] * len(REPORTS), [
        r.error for r in summary.imports if r.error
    ]
    assert all(not r.warnings and r.skipped == 0 for r in summary.imports)
    assert all((tmp_path / r.path).is_file() for r in REPORTS)
    assert "aspm ingest --asset" in (tmp_path / "README.txt").read_text()

    findings = session.scalars(select(Finding)).all()
    assert len(findings) == summary.findings == summary.active + summary.fixed
    assert len({f.asset_id for f in findings}) == 7
    assert {f.category for f in findings} >= {"iac", "secret", "sast", "cspm", "sca", "drift"}
    assert {f.severity for f in findings} >= {"critical", "high", "medium", "low"}
    assert summary.fixed > 0
    assert sum(r.resolved_findings for r in summary.imports) >= summary.fixed
    reopened = [f for f in findings if f.reopen_count > 0]
    assert summary.reopened == len(reopened) > 0
    assert all(f.detector_state == "active" for f in reopened)


def test_demo_lifecycle_follows_the_story(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    _demo(sessions, tmp_path)
    rows = session.execute(
        select(Finding, Asset.name).join(Asset, Asset.id == Finding.asset_id)
    ).all()
    by_control = {(name, f.control_id, f.resource or f.path): f for f, name in rows}
    controls = load_control_map()

    def control(tool_rule: str) -> str:
        """The finding's control: canonical when the control map knows the rule."""
        tool, rule = tool_rule.split(":", 1)
        mapped = controls.control_for(tool, rule)
        return mapped.id if mapped else tool_rule

    # the bastion's SSH rule was closed in the fix sprint: Checkov and tfsec both see it gone
    for rule in ("checkov:CKV_AWS_24", "tfsec:aws-ec2-no-public-ingress-sgr"):
        bastion = by_control[
            ("acme-corp/payments-api", control(rule), "aws_security_group.bastion")
        ]
        assert bastion.detector_state == "fixed"
        assert bastion.resolved_at is not None
    # the public ALB rule is by design and stays open
    alb = by_control[
        (
            "acme-corp/payments-api",
            control("tfsec:aws-ec2-no-public-ingress-sgr"),
            "aws_security_group.api_alb",
        )
    ]
    assert alb.detector_state == "active"
    # a revert brought the public EKS endpoint back in round 3
    eks = by_control[
        ("acme-corp/infra-modules", control("checkov:CKV_AWS_39"), "aws_eks_cluster.this")
    ]
    assert (eks.detector_state, eks.reopen_count) == ("active", 1)
    # a function added in round 2 is new
    lambda_findings = [
        f for (asset, _, where), f in by_control.items()
        if asset == "acme-corp/payments-api" and where == "aws_lambda_function.refund_worker"
    ]  # fmt: skip
    assert lambda_findings
    assert all(f.detector_state == "active" for f in lambda_findings)


def test_demo_stores_no_secret_value(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    secrets = {
        f.secret
        for r in REPORTS
        if r.format in ("gitleaks", "trufflehog")
        for f in _parse(r, tmp_path / "parsed").findings
        if f.secret
    }
    assert len(secrets) >= 6
    _demo(sessions, tmp_path / "out")
    dump = "\n".join(
        repr(tuple(row))
        for table in Base.metadata.sorted_tables
        for row in session.execute(select(table)).all()
    )
    for secret in secrets:
        assert secret not in dump
        assert json.dumps(secret)[1:-1] not in dump


def test_if_empty_leaves_a_database_with_findings_alone(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    first = _demo(sessions, tmp_path / "one", if_empty=True)
    assert not first.skipped
    counts = (_count(session, Finding), _count(session, IngestRun), _count(session, Asset))
    second = _demo(sessions, tmp_path / "two", if_empty=True)
    assert second.skipped
    assert second.imports == []
    assert not (tmp_path / "two").exists()
    assert (_count(session, Finding), _count(session, IngestRun), _count(session, Asset)) == counts


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "demo-cli-test-key")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_cli_demo_json_then_if_empty_does_nothing(cli_db: Path) -> None:
    out = cli_db / "reports"
    result = runner.invoke(app, ["demo", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["skipped"] is False
    assert summary["out_dir"] == str(out)
    assert len(summary["imports"]) == len(REPORTS)
    assert {i["status"] for i in summary["imports"]} == {"ok"}
    assert summary["findings"] == summary["active"] + summary["fixed"] > 0
    assert len(summary["assets"]) == 7
    assert (out / "README.txt").is_file()

    again = runner.invoke(app, ["demo", "--if-empty", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["skipped"] is True
    listed = runner.invoke(app, ["findings", "list", "--view", "all", "--json", "--limit", "500"])
    assert len(json.loads(listed.stdout)) == summary["findings"]


def test_cli_demo_prints_a_summary_table(cli_db: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(cli_db / "reports")])
    assert result.exit_code == 0, result.output
    assert "Imports" in result.stdout
    assert "reopened" in result.stdout
    skipped = runner.invoke(app, ["demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "skipped" in skipped.output


def test_cli_demo_into_an_unwritable_folder_fails_cleanly(cli_db: Path) -> None:
    blocker = cli_db / "not-a-folder"
    blocker.write_text("a file where the reports folder should go")
    result = runner.invoke(app, ["demo", "--out", str(blocker)])
    assert result.exit_code == 2
    assert "cannot write the demo reports" in result.output
    listed = runner.invoke(app, ["findings", "list", "--json"])
    assert json.loads(listed.stdout) == []
