"""KICS JSON: unreadable files, resources, identity, detection (beyond the goldens)."""

import json
from pathlib import Path
from typing import Any

import pytest

from aspm.errors import MalformedReport
from aspm.ingest.contract import Category
from aspm.ingest.formats.kics import KicsIngestor, resource_of
from tests.ingest.harness import parse_file


def _write(tmp_path: Path, doc: Any, name: str = "kics.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _query(files: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "query_name": "S3 Bucket Without Versioning",
        "query_id": "568a4d22-3517-44a6-a7ad-6a7eed88722c",
        "query_url": "https://docs.kics.io/",
        "severity": "MEDIUM",
        "platform": "Terraform",
        "category": "Backup",
        "description": "S3 bucket should have versioning enabled",
        "files": files,
        **extra,
    }


def _file(line: int, **extra: Any) -> dict[str, Any]:
    return {
        "file_name": "infra/s3.tf",
        "similarity_id": "ab" * 32,
        "line": line,
        "issue_type": "MissingAttribute",
        "search_key": "aws_s3_bucket[assets]",
        "search_value": "",
        "expected_value": "'versioning' should be true",
        "actual_value": "'versioning' is undefined",
        **extra,
    }


def _report(*queries: Any) -> dict[str, Any]:
    return {
        "kics_version": "v2.1.3",
        "files_scanned": 1,
        "queries_total": 1000,
        "queries": list(queries),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "a KICS report is a JSON object with 'queries'; the file holds an array"),
        ("", "the file is empty"),
        ('{"results": []}', "not a KICS report"),
        ('{"kics_version": "v2", "queries": {"a": 1}}', "'queries' is an object, not an array"),
        (
            '{"kics_version": "v2", "queries": [{"query_id": "x", "files": [{"line": ',
            "invalid KICS",
        ),
    ],
)
def test_unreadable_kics_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, text), format_name="kics")


def test_similarity_id_is_the_identity_and_survives_line_moves(tmp_path: Path) -> None:
    before = parse_file(_write(tmp_path, _report(_query([_file(12)])), "a.json")).findings
    after = parse_file(_write(tmp_path, _report(_query([_file(40)])), "b.json")).findings
    assert before[0].tool_fingerprint == after[0].tool_fingerprint == "ab" * 32


def test_without_similarity_id_the_pipeline_identity_applies(tmp_path: Path) -> None:
    entry = _file(12)
    del entry["similarity_id"]
    (finding,) = parse_file(_write(tmp_path, _report(_query([entry])))).findings
    assert finding.tool_fingerprint is None
    assert finding.location.resource == "aws_s3_bucket.assets"
    assert finding.location.cloud_provider == "aws"


def test_files_before_the_query_metadata_still_get_it(tmp_path: Path) -> None:
    """The 2021 layout writes "files" before "category" and "description"."""
    query = {
        "query_name": "Passwords And Secrets In Infrastructure Code",
        "query_id": "f996f3cb-00fc-480c-8973-8ab04d44a8cc",
        "severity": "HIGH",
        "platform": "Common",
        "files": [_file(3, search_key="", actual_value="Hardcoded secret key appears in source")],
        "category": "Secret Management",
        "description": "Query to find passwords and secrets in infrastructure code.",
    }
    doc = {"files_scanned": 1, "queries_total": 800, "queries": [query]}
    (finding,) = parse_file(_write(tmp_path, doc)).findings
    assert finding.category is Category.SECRET
    assert finding.secret is None
    assert finding.description == "Query to find passwords and secrets in infrastructure code."


@pytest.mark.parametrize(
    ("platform", "rtype", "rname", "search_key", "expected"),
    [
        ("Terraform", "aws_s3_bucket", "my-bucket-name", "aws_s3_bucket[logs].acl",
         ("aws_s3_bucket.logs", "aws_s3_bucket")),
        ("Terraform", "", "", "resource.aws_s3_bucket[logs].website",
         ("aws_s3_bucket.logs", "aws_s3_bucket")),
        ("Terraform", "", "", "aws_redshift_cluster[{{default1}}]",
         ("aws_redshift_cluster.default1", "aws_redshift_cluster")),
        ("Terraform", "", "", "data.aws_iam_policy_document[p].statement",
         ("data.aws_iam_policy_document.p", "aws_iam_policy_document")),
        ("Terraform", "module", "vpc", "module[vpc].source", ("module.vpc", None)),
        ("CloudFormation", "AWS::S3::Bucket", "Logs", "Resources.Logs.Properties",
         ("AWS::S3::Bucket.Logs", "AWS::S3::Bucket")),
        ("Kubernetes", "", "", "metadata.name={{web}}.spec.containers",
         ("metadata.name={{web}}.spec.containers", None)),
        ("Dockerfile", "", "", "", (None, None)),
    ],
)  # fmt: skip
def test_resource_of(
    platform: str,
    rtype: str,
    rname: str,
    search_key: str,
    expected: tuple[str | None, str | None],
) -> None:
    assert resource_of(platform, rtype, rname, search_key) == expected


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (b'{\n\t"kics_version": "v1.7.13",\n\t"files_scanned": 3,', True),
        (b'{\n\t"files_scanned": 15,\n\t"files_parsed": 14,\n\t"queries_total": 834,', True),
        (b'{"results": {"violations": []}}', False),  # terrascan
        (b'{"files_scanned": 2}', False),
        (b'[{"kics_version": "x"}]', False),
    ],
)
def test_kics_is_recognised_from_its_head(head: bytes, claimed: bool) -> None:
    assert KicsIngestor().sniff(head, "results.json") is claimed
