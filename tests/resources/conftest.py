"""A test-only inventory format: JSON that names resources and findings directly, so these tests
build ResourceRecords themselves and do not depend on the Terraform or driftctl readers."""

import json
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

import pytest

from aspm.common.severity import Severity
from aspm.ingest import registry
from aspm.ingest.contract import Category, Location, ParseContext, RawFinding, ResourceRecord

FORMAT = "test-inventory"


class InventoryIngestor:
    """{"tool": "terraform", "complete": true, "resources": [{ResourceRecord fields}],
    "findings": [{"tool", "rule_id", "resource", "category", optional "path", "line",
    "account_id", "region", "cloud_provider", "severity"}]}"""

    name: ClassVar[str] = FORMAT
    title: ClassVar[str] = "test inventory"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - protocol
        return False  # chosen by --format only

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        doc: dict[str, Any] = json.load(stream)
        if doc.get("tool"):
            ctx.tools.add(doc["tool"])
        ctx.inventory_complete = bool(doc.get("complete"))
        for r in doc.get("resources", []):
            fields = dict(r)
            for pairs in ("tags", "facts", "relations"):
                fields[pairs] = tuple(tuple(p) for p in fields.get(pairs, ()))
            ctx.resources.append(ResourceRecord(**fields))
        for f in doc.get("findings", []):
            ctx.tools.add(f["tool"])
            yield RawFinding(
                tool=f["tool"],
                rule_id=f["rule_id"],
                title=f.get("title", f["rule_id"]),
                severity=Severity(f.get("severity", "high")),
                location=Location(
                    resource=f["resource"],
                    path=f.get("path"),
                    start_line=f.get("line"),
                    account_id=f.get("account_id"),
                    region=f.get("region"),
                    cloud_provider=f.get("cloud_provider"),
                ),
                category=Category(f.get("category", "iac")),
            )


@pytest.fixture(autouse=True)
def inventory_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.BY_NAME, FORMAT, InventoryIngestor())  # the same dict


def report(
    resources: list[dict[str, Any]] | None = None,
    *,
    complete: bool = True,
    findings: list[dict[str, Any]] | None = None,
    tool: str | None = "terraform",
) -> bytes:
    return json.dumps(
        {"tool": tool, "complete": complete, "resources": resources or [],
         "findings": findings or []}
    ).encode()  # fmt: skip


def bucket(key: str, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "aws",
        "type": "aws_s3_bucket",
        "address": f"aws_s3_bucket.{key}",
        "cloud_id": f"arn:aws:s3:::acme-{key}",
        "account_id": "111122223333",
        "region": "eu-west-1",
        "name": f"acme-{key}",
        "tags": [["team", "payments"]],
        "facts": [["public", "false"], ["encrypted", "true"]],
        "relations": [["policy", f"aws_s3_bucket_policy.{key}"]],
        **extra,
    }
