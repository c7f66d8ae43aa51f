"""Small real reports about one S3 bucket, for code-to-cloud tests: a raw Terraform state (v4),
a Checkov report naming the bucket's address, a Security Hub (ASFF) finding naming its ARN, and
a refresh-only plan in which the bucket's versioning and ACL changed outside Terraform. Every one
goes through the real readers (formats are detected by content)."""

import json
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aspm.ingest.schemas import IngestResult
from tests.factories import ingest_bytes

ADDRESS = "aws_s3_bucket.logs"
ARN = "arn:aws:s3:::acme-logs"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
CODE_ASSET = "acme/infra"
CLOUD_ASSET = "aws-prod"


def _bucket_values(*, acl: str = "private", versioning: bool = True) -> dict[str, Any]:
    return {
        "arn": ARN,
        "id": "acme-logs",
        "bucket": "acme-logs",
        "region": REGION,
        "acl": acl,
        "versioning": [{"enabled": versioning, "mfa_delete": False}],
        "tags": {"team": "platform"},
        "tags_all": {"team": "platform"},
    }


def tfstate(*extra: dict[str, Any], bucket: bool = True) -> bytes:
    """A raw v4 state holding the bucket (and `extra` resources entries)."""
    resources = [
        {
            "mode": "managed",
            "type": "aws_s3_bucket",
            "name": "logs",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [
                {"schema_version": 0, "attributes": _bucket_values(), "sensitive_attributes": []}
            ],
        }
    ]
    doc = {
        "version": 4,
        "terraform_version": "1.9.5",
        "serial": 3,
        "lineage": "0f0f0f0f-1111-2222-3333-444455556666",
        "outputs": {},
        "resources": (resources if bucket else []) + list(extra),
    }
    return json.dumps(doc).encode()


def state_resource(type_: str, name: str, arn: str) -> dict[str, Any]:
    """Another managed resource of a state (e.g. for coverage counts)."""
    return {
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
        "instances": [
            {
                "schema_version": 0,
                "attributes": {"arn": arn, "id": name},
                "sensitive_attributes": [],
            }
        ],
    }


def checkov(address: str = ADDRESS, *, path: str = "/storage/s3.tf", line: int = 12) -> bytes:
    """One failed check (access logging) on the bucket's address."""
    failed = {
        "check_id": "CKV_AWS_18",
        "bc_check_id": "BC_AWS_S3_13",
        "check_name": "Ensure the S3 bucket has access logging enabled",
        "check_result": {"result": "FAILED", "evaluated_keys": []},
        "code_block": [[line, 'resource "aws_s3_bucket" "logs" {\n']],
        "file_path": path,
        "file_abs_path": f"/home/ci/repo{path}",
        "file_line_range": [line, line + 4],
        "resource": address,
        "check_class": "checkov.terraform.checks.resource.aws.S3AccessLogs",
        "repo_file_path": path,
    }
    doc = {
        "check_type": "terraform",
        "results": {
            "passed_checks": [],
            "failed_checks": [failed],
            "skipped_checks": [],
            "parsing_errors": [],
        },
        "summary": {"passed": 0, "failed": 1, "skipped": 0, "parsing_errors": 0,
                    "resource_count": 1, "checkov_version": "3.2.100"},
    }  # fmt: skip
    return json.dumps(doc).encode()


def asff(arn: str = ARN, *, control: str = "S3.8", title: str | None = None) -> bytes:
    """One failed Security Hub control on the bucket's ARN."""
    finding = {
        "SchemaVersion": "2018-10-08",
        "Id": f"arn:aws:securityhub:{REGION}:{ACCOUNT}:finding/{control}/{arn}",
        "ProductArn": f"arn:aws:securityhub:{REGION}::product/aws/securityhub",
        "GeneratorId": f"aws-foundational-security-best-practices/v/1.0.0/{control}",
        "AwsAccountId": ACCOUNT,
        "Region": REGION,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": "2024-05-01T08:00:00.000Z",
        "UpdatedAt": "2024-06-01T08:00:00.000Z",
        "Severity": {"Label": "HIGH", "Normalized": 70},
        "Title": title or f"{control} S3 general purpose buckets should block public access",
        "Description": "The bucket is not protected.",
        "ProductFields": {"ControlId": control},
        "Resources": [{"Type": "AwsS3Bucket", "Id": arn, "Partition": "aws", "Region": REGION}],
        "Compliance": {"Status": "FAILED"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
    }
    return json.dumps({"Findings": [finding]}).encode()


def drift_plan() -> bytes:
    """A refresh-only plan: outside Terraform, versioning was suspended and the ACL opened."""
    before, after = _bucket_values(), _bucket_values(acl="public-read", versioning=False)
    doc = {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "resource_drift": [
            {
                "address": ADDRESS,
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "logs",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["update"],
                    "before": before,
                    "after": after,
                    "before_sensitive": {},
                    "after_sensitive": {},
                    "after_unknown": {},
                },
            }
        ],
        "prior_state": {
            "format_version": "1.0",
            "values": {
                "root_module": {
                    "resources": [
                        {
                            "address": ADDRESS,
                            "mode": "managed",
                            "type": "aws_s3_bucket",
                            "name": "logs",
                            "provider_name": "registry.terraform.io/hashicorp/aws",
                            "values": after,
                            "sensitive_values": {},
                        }
                    ]
                }
            },
        },
    }
    return json.dumps(doc).encode()


def imported(
    sessions: sessionmaker[Session],
    data: bytes,
    asset: str,
    *,
    filename: str = "report.json",
    partial: bool = False,
) -> IngestResult:
    result = ingest_bytes(sessions, data, asset=asset, filename=filename, partial=partial)
    assert result.status == "ok", result.error
    return result


def code_and_cloud(sessions: sessionmaker[Session], *, drift: bool = False) -> None:
    """State and Checkov report in the code asset, the ASFF finding in the cloud asset, and
    (`drift`) the refresh-only plan in the code asset."""
    imported(sessions, tfstate(), CODE_ASSET, filename="terraform.tfstate")
    imported(sessions, checkov(), CODE_ASSET, filename="results_json.json")
    imported(sessions, asff(), CLOUD_ASSET, filename="securityhub.json")
    if drift:
        imported(sessions, drift_plan(), CODE_ASSET, filename="plan.json")
