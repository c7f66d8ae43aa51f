"""Links to code through the API: an asset's repository URL and default branch (API, assets.yaml),
the commit an import or a record names, and each detection's `code_url` and `rule_url`."""

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from aspm.assets import service as assets_service
from aspm.cli import app
from aspm.db.session import unit_of_work
from aspm.findings.models import Detection
from aspm.ingest.models import IngestRun
from aspm.risk.service import context_rescorer
from tests.factories import ingest_bytes

SHA = "4f2c1e9a0b7d3c5e8f1a2b3c4d5e6f708192a3b4"
OTHER_SHA = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807"


def _sarif(*, revision: str | None = None, path: str = "/github/workspace/app/db.py") -> bytes:
    provenance: dict[str, Any] = {"repositoryUri": "https://example.com/not-a-forge/pay"}
    if revision:
        provenance["revisionId"] = revision
    run = {
        "tool": {"driver": {"name": "acme-sast", "rules": [{"id": "SQLI", "name": "SQLI"}]}},
        "versionControlProvenance": [provenance],
        "results": [
            {
                "ruleId": "SQLI",
                "level": "error",
                "message": {"text": "SQL built from input"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": path},
                            "region": {"startLine": 12, "endLine": 14},
                        }
                    }
                ],
            }
        ],
    }
    return json.dumps({"version": "2.1.0", "runs": [run]}).encode()


def _gitleaks(commit: str, line: int = 3) -> bytes:
    return json.dumps(
        [
            {
                "RuleID": "aws-access-token",
                "Description": "AWS access key",
                "StartLine": line,
                "EndLine": line,
                "Match": "key = AKIAIOSFODNN7EXAMPLE",
                "Secret": "AKIAIOSFODNN7EXAMPLE",
                "File": "config/settings.py",
                "Commit": commit,
                "Link": f"https://github.com/acme/leaky/blob/{commit}/config/settings.py#L{line}",
            }
        ]
    ).encode()


def _detections(client: TestClient, asset: str) -> list[dict[str, Any]]:
    page = client.get("/api/v1/findings", params={"asset": asset})
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert len(items) == 1, items
    detail = client.get(f"/api/v1/findings/{items[0]['id']}")
    assert detail.status_code == 200, detail.text
    detections: list[dict[str, Any]] = detail.json()["detection_list"]
    return detections


def _put_asset(client: TestClient, name: str, **fields: Any) -> dict[str, Any]:
    resp = client.put(f"/api/v1/assets/{name}", json=fields)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_an_asset_takes_a_repository_url_and_default_branch(client: TestClient) -> None:
    body = _put_asset(
        client, "acme/pay", repository_url=" git@gitlab.com:acme/pay.git ", default_branch="main"
    )
    assert (body["repository_url"], body["default_branch"]) == (
        "git@gitlab.com:acme/pay.git",
        "main",
    )
    got = client.get("/api/v1/assets/acme/pay").json()
    assert (got["repository_url"], got["default_branch"]) == ("git@gitlab.com:acme/pay.git", "main")
    listed = {a["name"]: a for a in client.get("/api/v1/assets").json()}
    assert listed["acme/pay"]["default_branch"] == "main"
    # blank clears, and PUT replaces: leaving them out clears them too
    cleared = _put_asset(client, "acme/pay", repository_url="", default_branch="  ")
    assert (cleared["repository_url"], cleared["default_branch"]) == (None, None)
    for bad in (
        {"repository_url": "not a url"},
        {"repository_url": "javascript:alert(1)"},
        {"repository_url": "https://github.com/acme/pay\u0000"},
        {"default_branch": "feature..x"},
        {"default_branch": "has space"},
        {"default_branch": "-x"},
    ):
        resp = client.put("/api/v1/assets/acme/pay", json=bad)
        assert resp.status_code == 422, (bad, resp.text)


def test_assets_yaml_declares_them(sessions: sessionmaker[Session]) -> None:
    text = (
        "assets:\n  - name: acme/pay\n    repository_url: https://bitbucket.org/acme/pay\n"
        "    default_branch: develop\n"
    )
    with unit_of_work(sessions) as session:
        result = assets_service.apply(
            session, yaml_text=text, source="assets.yaml", rescore=context_rescorer(actor="t")
        )
        assert result.created == ["acme/pay"]
        read = assets_service.get_read(session, name="acme/pay")
        again = assets_service.apply(
            session, yaml_text=text, source="assets.yaml", rescore=context_rescorer(actor="t")
        )
    assert (read.repository_url, read.default_branch) == (
        "https://bitbucket.org/acme/pay",
        "develop",
    )
    assert again.unchanged == ["acme/pay"]


def test_the_import_commit_else_the_default_branch_and_no_link_without_either(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    # no repository URL, and the key the report names is on no known forge: no link
    ingest_bytes(sessions, _sarif(), filename="a.sarif", asset="acme/pay")
    (det,) = _detections(client, "acme/pay")
    assert (det["path"], det["code_url"]) == ("github/workspace/app/db.py", None)

    # a repository URL without a branch, and an import without a commit: still no link
    _put_asset(client, "acme/pay", repository_url="https://github.com/acme/pay")
    assert _detections(client, "acme/pay")[0]["code_url"] is None

    _put_asset(
        client, "acme/pay", repository_url="https://github.com/acme/pay", default_branch="main"
    )
    (det,) = _detections(client, "acme/pay")
    assert det["code_url"] == "https://github.com/acme/pay/blob/main/app/db.py#L12-L14"

    # an import at a commit: its lines are that commit's
    # (the same lines: the re-import writes nothing, yet it saw the detection at that commit)
    ingest_bytes(sessions, _sarif(revision=SHA.upper()), filename="b.sarif", asset="acme/pay")
    with unit_of_work(sessions) as session:
        commits = session.scalars(select(IngestRun.commit).order_by(IngestRun.started_at)).all()
    assert commits[-1] == SHA
    (det,) = _detections(client, "acme/pay")
    assert det["code_url"] == f"https://github.com/acme/pay/blob/{SHA}/app/db.py#L12-L14"
    assert det["commit"] is None  # the import's commit, not one the record named

    # GitLab and Bitbucket shapes from the same detection
    _put_asset(
        client, "acme/pay", repository_url="git@gitlab.com:acme/pay.git", default_branch="main"
    )
    assert _detections(client, "acme/pay")[0]["code_url"] == (
        f"https://gitlab.com/acme/pay/-/blob/{SHA}/app/db.py#L12-14"
    )
    _put_asset(client, "acme/pay", repository_url="https://bitbucket.org/acme/pay.git")
    assert _detections(client, "acme/pay")[0]["code_url"] == (
        f"https://bitbucket.org/acme/pay/src/{SHA}/app/db.py#lines-12:14"
    )


def det_finding(client: TestClient, asset: str) -> str:
    finding_id: str = client.get("/api/v1/findings", params={"asset": asset}).json()["items"][0][
        "id"
    ]
    return finding_id


def test_a_secret_links_to_its_own_commit_and_follows_a_new_one(
    client: TestClient, sessions: sessionmaker[Session], monkeypatch: Any
) -> None:
    # the asset is named after the report's repository (its key): no repository URL is needed
    ingest_bytes(sessions, _gitleaks(SHA), filename="gitleaks.json", asset=None)
    (det,) = _detections(client, "acme/leaky")
    assert det["commit"] == SHA
    assert det["code_url"] == f"https://github.com/acme/leaky/blob/{SHA}/config/settings.py#L3"

    # seen again in a later commit at the same line: nothing else changed, the link follows
    ingest_bytes(sessions, _gitleaks(OTHER_SHA), filename="gitleaks.json", asset=None)
    (det,) = _detections(client, "acme/leaky")
    assert det["code_url"] == (
        f"https://github.com/acme/leaky/blob/{OTHER_SHA}/config/settings.py#L3"
    )
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Detection.commit)).all() == [OTHER_SHA]
    # `aspm findings show` prints the link whole, however narrow the terminal
    monkeypatch.setattr("aspm.cli_database.factory", lambda _settings=None: sessions)
    shown = CliRunner().invoke(app, ["findings", "show", det_finding(client, "acme/leaky")],
                               env={"COLUMNS": "60"})  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert f"https://github.com/acme/leaky/blob/{OTHER_SHA}/config/settings.py#L3" in shown.output

    # gitleaks --no-git writes no commit: the link falls back to the default branch
    _put_asset(client, "acme/leaky", repository_url="https://github.com/acme/leaky",
               default_branch="trunk")  # fmt: skip
    no_git = _gitleaks("", line=4)
    ingest_bytes(sessions, no_git, filename="gitleaks.json", asset="acme/leaky")
    (det,) = _detections(client, "acme/leaky")
    assert det["code_url"] == (
        f"https://github.com/acme/leaky/blob/{OTHER_SHA}/config/settings.py#L4"
    ), "the detection's own commit, once known, is kept"


def test_a_detection_links_to_the_rule_page_its_report_names(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    report = {
        "check_type": "terraform",
        "results": {
            "failed_checks": [
                {
                    "check_id": "CKV_AWS_18",
                    "check_name": "Ensure the S3 bucket has access logging enabled",
                    "check_result": {"result": "FAILED"},
                    "repo_file_path": "/infra/s3.tf",
                    "file_line_range": [1, 9],
                    "resource": "aws_s3_bucket.logs",
                    "guideline": "https://docs.prismacloud.io/en/enterprise-edition/policy-"
                    "reference/aws-policies/s3-policies/s3-13-enable-logging",
                },
                {
                    "check_id": "CKV_AWS_144",
                    "check_name": "Ensure that S3 bucket has cross-region replication enabled",
                    "check_result": {"result": "FAILED"},
                    "repo_file_path": "/infra/s3.tf",
                    "file_line_range": [1, 9],
                    "resource": "aws_s3_bucket.logs",
                    "guideline": "javascript:alert(1)",
                },
            ]
        },
        "summary": {"failed": 2, "checkov_version": "3.2.0"},
    }
    ingest_bytes(sessions, json.dumps(report).encode(), filename="checkov.json", asset="acme/iac")
    _put_asset(
        client, "acme/iac", repository_url="https://github.com/acme/iac", default_branch="main"
    )
    page = client.get("/api/v1/findings", params={"asset": "acme/iac"}).json()["items"]
    by_rule = {}
    for item in page:
        for det in client.get(f"/api/v1/findings/{item['id']}").json()["detection_list"]:
            by_rule[det["rule_id"]] = det
    assert by_rule["CKV_AWS_18"]["rule_url"].endswith("/s3-13-enable-logging")
    assert by_rule["CKV_AWS_18"]["code_url"] == (
        "https://github.com/acme/iac/blob/main/infra/s3.tf#L1-L9"
    )
    # not a web address: not a link; the control map's page for the rule instead, if any
    assert not (by_rule["CKV_AWS_144"]["rule_url"] or "").startswith("javascript")
