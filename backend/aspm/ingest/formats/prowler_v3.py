"""Prowler 3.x JSON (`prowler <provider> -M json`): a top-level array of check results.

Fields used: AssessmentStartTime, FindingUniqueId, Provider, CheckID, CheckTitle, ServiceName,
Status (PASS/FAIL/INFO/MANUAL), StatusExtended, Severity, ResourceType, Description, Risk,
RelatedUrl, Remediation{Code{NativeIaC, Terraform, CLI, Other}, Recommendation{Text, Url}},
Compliance{FRAMEWORK: [controls]}, AccountId (AWS) / Subscription (Azure) / ProjectId (GCP),
Region / Location, ResourceId, ResourceArn, ResourceName, Muted (later 3.x), ResourceTags (the
resource's tags -> RawFinding.context).

- Only FAIL is a finding; PASS and INFO count as ctx.passed, MANUAL as ctx.manual; a record
  without a known status is skipped with a warning.
- Identity: FindingUniqueId ("prowler-<provider>-<check>-<account>-<region>-<resource>", the same
  shape as the OCSF finding_info.uid) is Prowler's own stable id and becomes tool_fingerprint. It
  can be empty (early 3.x): then no tool fingerprint, and the pipeline keys on check + resource
  (ARN, else id) + account + region.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.ingest.contract import Category, Location, ParseContext, RawFinding
from aspm.ingest.formats import _context
from aspm.ingest.formats import _prowler as pw
from aspm.ingest.formats._json_records import array_items

_NOT_FINDINGS = frozenset({"PASS", "INFO", "MANUAL"})

_TOP_ARRAY = re.compile(rb"^\s*\[")
_EMPTY_DOC = re.compile(rb"^\s*\[\s*\]\s*$")
_V3_KEYS = (
    re.compile(rb'"FindingUniqueId"\s*:'),
    re.compile(rb'"CheckID"\s*:'),
    re.compile(rb'"StatusExtended"\s*:'),
)


def _obj(raw: object) -> dict[str, object]:
    return raw if isinstance(raw, dict) else {}


def _description(rec: dict[str, object]) -> str:
    parts: list[str] = []
    for key in ("StatusExtended", "Description", "Risk"):
        if (text := pw.value(rec.get(key))) and text not in parts:
            parts.append(text)
    return "\n\n".join(parts)


class ProwlerV3Ingestor:
    name: ClassVar[str] = "prowler-v3"
    title: ClassVar[str] = "Prowler 3.x JSON"

    def sniff(self, head: bytes, filename: str) -> bool:
        if _EMPTY_DOC.match(head):
            # `[]` carries no keys: only the file name can tell. OCSF files are "*.ocsf.json" and
            # belong to prowler-ocsf; an empty report holds nothing either way.
            lowered = filename.lower()
            return "prowler" in lowered and "ocsf" not in lowered
        return bool(_TOP_ARRAY.match(head)) and all(p.search(head) for p in _V3_KEYS)

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "prowler"
        ctx.tools.add(pw.TOOL)
        for number, rec in enumerate(array_items(stream), start=1):
            if not isinstance(rec, dict):
                ctx.skip(f"record {number}: not a JSON object; skipped")
                continue
            status = rec.get("Status")
            status_key = status.strip().upper() if isinstance(status, str) else None
            if status_key == "MANUAL":  # neither passed nor failed: left to a person
                ctx.manual += 1
                continue
            if status_key in _NOT_FINDINGS:
                ctx.passed += 1
                continue
            if status_key != "FAIL":
                ctx.skip(f"record {number}: Status {status!r} is not PASS/FAIL/INFO; skipped")
                continue
            finding = self._finding(rec, number, ctx)
            if finding is not None:
                yield finding

    def _finding(self, rec: dict[str, object], number: int, ctx: ParseContext) -> RawFinding | None:
        check = pw.value(rec.get("CheckID"))
        if check is None:
            ctx.skip(f"record {number}: no CheckID; skipped")
            return None
        provider = pw.value(rec.get("Provider"))
        provider = provider.lower() if provider else None
        account = (
            pw.value(rec.get("AccountId"))
            or pw.value(rec.get("Subscription"))
            or pw.value(rec.get("ProjectId"))
        )
        remediation = _obj(rec.get("Remediation"))
        recommendation = _obj(remediation.get("Recommendation"))
        code = _obj(remediation.get("Code"))
        related_url = pw.value(rec.get("RelatedUrl"))
        lines, refs = pw.remediation_and_refs(
            [recommendation.get("Text")],
            [
                recommendation.get("Url"),
                code.get("CLI"),
                code.get("NativeIaC"),
                code.get("Terraform"),
                code.get("Other"),
                related_url,
            ],
        )
        label = rec.get("Severity")
        return RawFinding(
            tool=pw.TOOL,
            rule_id=check,
            title=pw.value(rec.get("CheckTitle")) or check,
            severity=pw.severity(label, f"record {number}", ctx),
            location=Location(
                resource=pw.value(rec.get("ResourceArn"))
                or pw.value(rec.get("ResourceId"))
                or pw.value(rec.get("ResourceName")),
                resource_type=pw.value(rec.get("ResourceType")),
                cloud_provider=provider,
                account_id=account,
                region=pw.value(rec.get("Region")) or pw.value(rec.get("Location")),
            ),
            category=Category.CSPM,
            raw_severity=str(label) if label is not None else None,
            asset_key=pw.asset_key(provider, account),
            description=_description(rec),
            remediation="\n".join(lines),
            help_uri=related_url if related_url and pw.is_url(related_url) else None,
            references=tuple(refs),
            compliance=pw.compliance_from_map(rec.get("Compliance")),
            tool_fingerprint=pw.value(rec.get("FindingUniqueId")),
            suppressed=rec.get("Muted") is True,
            context=tuple(_context.tags(rec["ResourceTags"])) if "ResourceTags" in rec else (),
        )
