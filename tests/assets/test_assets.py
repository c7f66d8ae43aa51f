"""Assets: assets.yaml (idempotent, errors naming the line), match rules at ingestion, REST, CLI."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.assets import service
from aspm.assets.matching import Matcher, Record
from aspm.assets.models import Asset
from aspm.assets.schemas import ApplyResult
from aspm.audit.models import AuditEvent
from aspm.cli import app
from aspm.db.session import unit_of_work
from aspm.errors import InvalidInput
from aspm.findings.models import Finding
from aspm.risk.service import context_rescorer
from aspm.settings import get_settings
from tests.factories import ingest_bytes
from tests.risk.helpers import ASSETS_YAML, sarif

runner = CliRunner()


def _apply(sessions: sessionmaker[Session], text: str = ASSETS_YAML) -> ApplyResult:
    with unit_of_work(sessions) as session:
        return service.apply(
            session, yaml_text=text, source="assets.yaml", rescore=context_rescorer(actor="test")
        )


def test_apply_creates_then_changes_nothing_the_second_time(
    sessions: sessionmaker[Session],
) -> None:
    first = _apply(sessions)
    assert first.created == ["acme/payments-prod", "acme/sandbox-dev"]
    second = _apply(sessions)
    assert (second.created, second.updated) == ([], [])
    assert second.unchanged == ["acme/payments-prod", "acme/sandbox-dev"]
    with unit_of_work(sessions) as session:
        prod = service.get_read(session, name="acme/payments-prod")
    assert (prod.environment, prod.exposure, prod.data_tags, prod.criticality) == (
        "prod", "internet", ["pci"], 1,
    )  # fmt: skip
    assert prod.match[0].paths == ["envs/prod/**"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("assets:\n  - name: a\n    environment: production\n", 3, "environment"),
        ("assets:\n  - name: a\n  - name: b\n    colour: red\n", 4, "colour"),
        ("assets:\n  - name: a\n    criticality: 7\n", 3, "criticality"),
        ("assets:\n  - name: a\n    match:\n      paths: ['**']\n", 4, "match everything"),
        ("assets:\n  - name: a\n    match: {}\n", 3, "at least one"),
        ("assets:\n  - name: a\n  - name: a\n", 3, "declared twice"),
        ("assets:\n  - name: a\n    environment: [prod\n", 4, "not valid YAML"),
    ],
)
def test_errors_name_the_line(
    sessions: sessionmaker[Session], text: str, line: int, words: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        _apply(sessions, text)
    assert f"assets.yaml:{line}:" in str(info.value)
    assert words in str(info.value)
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Asset).where(Asset.name == "a")).first() is None


def test_matcher_prefers_the_most_specific_rule() -> None:
    matcher = Matcher(
        [
            ("repo", "repo", [{"repositories": ["acme/platform"]}]),
            ("prod", "prod", [{"repositories": ["acme/platform"], "paths": ["envs/prod/**"]}]),
            ("acct", "acct", [{"accounts": ["111122223333"], "regions": ["eu-*"]}]),
            ("tagged", "tagged", [{"tags": {"environment": "prod"}}]),
            ("bucket", "bucket", [{"arns": ["arn:aws:s3:::acme-pay-*"]}]),
        ]
    )
    key = "https://github.com/acme/platform.git"
    assert matcher.best(Record(key=key, path="envs/prod/a/main.tf")) == "prod"
    assert matcher.best(Record(key=key, path="./envs/dev/main.tf")) == "repo"
    assert matcher.best(Record(account="111122223333", region="eu-west-1")) == "acct"
    assert matcher.best(Record(key="aws:111122223333", region="eu-west-1")) == "acct"
    assert matcher.best(Record(account="111122223333", region="us-east-1")) is None
    assert matcher.best(Record(tags=(("Environment", "prod"),))) == "tagged"
    assert matcher.best(Record(resource="arn:aws:s3:::acme-pay-logs")) == "bucket"
    assert matcher.fields == {"key", "path", "account", "region", "tags", "resource"}


def test_ingest_attaches_detections_by_rules_then_report_key_then_unassigned(
    sessions: sessionmaker[Session],
) -> None:
    _apply(sessions)
    report = sarif(
        [
            ("CKV_AWS_20", "envs/prod/s3.tf", "public bucket"),
            ("CKV_AWS_20", "envs/dev/s3.tf", "public bucket"),
            ("CKV_AWS_21", "modules/s3.tf", "no versioning"),
        ]
    )
    result = ingest_bytes(sessions, report, filename="c.sarif", asset=None)
    assert result.status == "ok", result.error
    other = sarif([("CKV_AWS_21", "main.tf", "x")], repo=None)
    assert ingest_bytes(sessions, other, filename="d.sarif", asset=None).status == "ok"
    with unit_of_work(sessions) as session:
        rows = session.execute(
            select(Finding.path, Asset.name).join(Asset, Asset.id == Finding.asset_id)
        ).all()
    assert sorted(rows) == [
        ("envs/dev/s3.tf", "acme/sandbox-dev"),
        ("envs/prod/s3.tf", "acme/payments-prod"),
        ("main.tf", "unassigned"),
        ("modules/s3.tf", "acme/platform"),
    ]


def test_rest_put_get_list_and_yaml_apply(client: TestClient) -> None:
    body = {"environment": "prod", "exposure": "internet", "data_tags": ["PII"], "criticality": 2,
            "match": {"accounts": ["111122223333"]}}  # fmt: skip
    put = client.put("/api/v1/assets/aws:111122223333", json=body)
    assert put.status_code == 200, put.text
    assert put.json()["data_tags"] == ["pii"]
    got = client.get("/api/v1/assets/aws:111122223333").json()
    assert got["match"] == [
        {"repositories": [], "paths": [], "accounts": ["111122223333"], "regions": [],
         "tags": {}, "arns": []}
    ]  # fmt: skip
    bad = client.put("/api/v1/assets/x", json={"environment": "moon"})
    assert bad.status_code == 422
    applied = client.put(
        "/api/v1/assets", content=ASSETS_YAML, headers={"content-type": "application/yaml"}
    )
    assert applied.status_code == 200, applied.text
    assert applied.json()["created"] == ["acme/payments-prod", "acme/sandbox-dev"]
    broken = client.put(
        "/api/v1/assets", content="assets:\n  - name: a\n    exposure: everywhere\n",
        headers={"content-type": "application/yaml"},
    )  # fmt: skip
    assert broken.status_code == 422
    assert "assets.yaml:3:" in broken.json()["detail"]
    names = [a["name"] for a in client.get("/api/v1/assets").json()]
    assert {"aws:111122223333", "acme/payments-prod", "acme/sandbox-dev"} <= set(names)
    ops = client.get("/openapi.json").json()["paths"]
    assert ops["/api/v1/assets"]["get"]["operationId"] == "assets-list"
    assert ops["/api/v1/assets/{name}"]["put"]["operationId"] == "assets-put"


def test_context_change_is_audited(sessions: sessionmaker[Session]) -> None:
    _apply(sessions)
    _apply(sessions, ASSETS_YAML.replace("exposure: internal", "exposure: isolated"))
    with unit_of_work(sessions) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "asset_context_changed")
        ).all()
    assert len(events) == 1
    assert events[0].details["before"]["exposure"] == "internal"
    assert events[0].details["after"]["exposure"] == "isolated"


def test_cli_apply_and_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        path = tmp_path / "assets.yaml"
        path.write_text(ASSETS_YAML)
        first = runner.invoke(app, ["assets", "apply", str(path)])
        assert first.exit_code == 0, first.output
        assert "2 created" in first.output
        again = runner.invoke(app, ["assets", "apply", str(path), "--json"])
        assert json.loads(again.stdout)["unchanged"] == ["acme/payments-prod", "acme/sandbox-dev"]
        listed = runner.invoke(app, ["assets", "list", "--json"])
        assert {a["name"] for a in json.loads(listed.stdout)} == {
            "acme/payments-prod", "acme/sandbox-dev"
        }  # fmt: skip
        path.write_text("assets:\n  - name: x\n    tier: 1\n")
        bad = runner.invoke(app, ["assets", "apply", str(path)])
        assert bad.exit_code == 2
        assert f"{path}:3:" in bad.output
    finally:
        get_settings.cache_clear()
