"""Cross-tool correlation through the control map (DESIGN §4, issue: one finding per control and
resource, whose detections name each tool; no false merges)."""

import json
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.findings.models import Detection, Finding
from tests.factories import ingest_bytes
from tests.ingest.harness import CORPUS


def checkov_report(*checks: tuple[str, str, str]) -> bytes:
    """Checkov JSON with failed checks (check_id, repo-relative path, resource address)."""
    failed = [
        {
            "check_id": check_id,
            "check_name": f"check {check_id}",
            "check_result": {"result": "FAILED"},
            "file_path": f"/{path}",
            "repo_file_path": f"/{path}",
            "file_line_range": [1, 9],
            "resource": resource,
            "guideline": "https://docs.example/checkov",
        }
        for check_id, path, resource in checks
    ]
    return json.dumps(
        {
            "check_type": "terraform",
            "results": {"passed_checks": [], "failed_checks": failed, "skipped_checks": []},
            "summary": {"passed": 0, "failed": len(failed), "checkov_version": "3.2.0"},
        }
    ).encode()


def tfsec_report(*results: tuple[str, str, str, str]) -> bytes:
    """tfsec 1.x JSON (avd id, long id, absolute path, resource address)."""
    return json.dumps(
        {
            "results": [
                {
                    "rule_id": avd,
                    "long_id": long_id,
                    "rule_description": f"rule {long_id}",
                    "rule_provider": "aws",
                    "rule_service": "s3",
                    "impact": "",
                    "resolution": "",
                    "links": [],
                    "description": f"{resource} fails {long_id}",
                    "severity": "HIGH",
                    "warning": False,
                    "status": 0,
                    "resource": resource,
                    "location": {"filename": path, "start_line": 3, "end_line": 9},
                }
                for avd, long_id, path, resource in results
            ]
        }
    ).encode()


def _findings(session: Session) -> list[tuple[str, list[str]]]:
    rows = session.execute(select(Finding.id, Finding.control_id)).all()
    out = []
    for fid, control in rows:
        tools = session.scalars(
            select(Detection.tool).where(Detection.finding_id == fid).order_by(Detection.tool)
        ).all()
        out.append((control, list(tools)))
    return sorted(out)


def test_checkov_and_tfsec_on_the_same_bucket_are_one_finding_with_two_detections(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ingest_bytes(
        sessions,
        checkov_report(("CKV_AWS_18", "infra/s3.tf", "aws_s3_bucket.logs")),
        asset="acme/infra",
    )
    second = ingest_bytes(
        sessions,
        tfsec_report(
            (
                "AVD-AWS-0089",
                "aws-s3-enable-bucket-logging",
                "/ci/work/infra/s3.tf",
                "aws_s3_bucket.logs",
            ),
        ),
        asset="acme/infra",
    )
    assert (second.new, second.new_findings) == (1, 0)
    [(control, tools)] = _findings(session)
    assert ":" not in control  # a canonical control, not tool:rule
    assert tools == ["checkov", "tfsec"]


def test_same_control_on_other_block_or_other_directory_is_not_merged(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ingest_bytes(
        sessions,
        checkov_report(
            ("CKV_AWS_18", "envs/prod/s3.tf", "aws_s3_bucket.logs"),
            ("CKV_AWS_18", "envs/dev/s3.tf", "aws_s3_bucket.logs"),
            ("CKV_AWS_18", "envs/prod/s3.tf", "aws_s3_bucket.assets"),
        ),
        asset="acme/infra",
    )
    result = ingest_bytes(
        sessions,
        tfsec_report(
            (
                "AVD-AWS-0089",
                "aws-s3-enable-bucket-logging",
                "/w/envs/prod/s3.tf",
                "aws_s3_bucket.logs",
            ),
        ),
        asset="acme/infra",
    )
    assert result.new_findings == 0
    merged = [tools for _, tools in _findings(session)]
    assert sorted(merged) == [["checkov"], ["checkov"], ["checkov", "tfsec"]]


def test_unmapped_rules_never_merge(sessions: sessionmaker[Session], session: Session) -> None:
    ingest_bytes(
        sessions,
        checkov_report(("CKV_NOPE_1", "main.tf", "aws_s3_bucket.logs")),
        asset="acme/x",
    )
    ingest_bytes(
        sessions,
        tfsec_report(("AVD-AWS-9999", "aws-made-up-rule", "/w/main.tf", "aws_s3_bucket.logs")),
        asset="acme/x",
    )
    findings = _findings(session)
    assert [tools for _, tools in findings] == [["checkov"], ["tfsec"]]
    assert {control for control, _ in findings} == {"checkov:CKV_NOPE_1", "tfsec:aws-made-up-rule"}


@pytest.mark.corpus
def test_corpus_checkov_and_tfsec_of_one_configuration_correlate(
    sessions: sessionmaker[Session], session: Session
) -> None:
    if not CORPUS.is_dir():
        pytest.skip("corpus absent")
    for rel in (
        "checkov-sarif/aurelien-checkov-3.2.510.sarif",
        "tfsec/aurelien-tfsec-1.x-aws.json",
    ):
        result = ingest_bytes(sessions, (CORPUS / rel).read_bytes(), filename=rel, asset="aur")
        assert result.status == "ok", result.error
    findings = _findings(session)
    by_tools = Counter(tuple(tools) for _, tools in findings)
    assert by_tools[("checkov", "tfsec")] >= 8  # one finding, two detections, per shared control
    detections = session.scalars(select(Detection)).all()
    assert len(findings) < len(detections)
    # every merged finding is a canonical control; every unmerged unmapped rule stands alone
    for control, tools in findings:
        if len(tools) > 1:
            assert ":" not in control


def test_finding_api_shows_its_control_and_every_tool(
    sessions: sessionmaker[Session], client: TestClient
) -> None:
    ingest_bytes(
        sessions,
        checkov_report(("CKV_AWS_18", "infra/s3.tf", "aws_s3_bucket.logs")),
        asset="acme/api",
    )
    ingest_bytes(
        sessions,
        tfsec_report(
            ("AVD-AWS-0089", "aws-s3-enable-bucket-logging", "/w/infra/s3.tf", "aws_s3_bucket.logs")
        ),
        asset="acme/api",
    )
    [item] = client.get("/api/v1/findings", params={"asset": "acme/api"}).json()["items"]
    assert item["tools"] == ["checkov", "tfsec"]
    detail = client.get(f"/api/v1/findings/{item['id']}").json()
    assert detail["control"]["id"] == item["control_id"]
    assert {"checkov", "tfsec"} <= set(detail["control"]["rules"])
    assert {d["tool"] for d in detail["detection_list"]} == {"checkov", "tfsec"}
    listed = client.get("/api/v1/controls", params={"tool": "kics"}).json()
    assert listed
    assert all("kics" in c["rules"] for c in listed)
    assert client.get("/api/v1/controls/no-such-control").status_code == 404
