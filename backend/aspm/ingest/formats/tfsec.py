"""tfsec JSON (`tfsec --format json`): the 1.x layout and the 0.x legacy one.

1.x record: rule_id "AVD-AWS-0124", long_id "aws-ec2-add-description-to-security-group-rule",
rule_description, rule_provider, rule_service, impact, resolution, links[], description, severity
CRITICAL/HIGH/MEDIUM/LOW, warning, status (0 failed, 1 passed, 2 ignored), resource,
location {filename, start_line, end_line}. 0.x record: rule_id "AWS018", rule_description,
rule_provider, link ("See <url> for more information."), location, description
("Resource 'x' ..."), impact, resolution, severity ERROR/WARNING/INFO, passed (bool).
`{"results": null}` is an empty scan.

Not findings: 1.x status 1 and 0.x `"passed": true` (ctx.passed). 1.x status 2 (ignored in the code
with a tfsec:ignore comment) is a finding with suppressed=True.

Identity, shared with tfsec's SARIF output (driver "defsec" or "tfsec", see sarif.py) so that both
outputs of one scan land on the same detections (decision of the lead):
- rule_id is the long id in 1.x (it is SARIF's ruleId); the AVD id is not kept at all.
- SARIF has no resource, so the resource cannot be part of tfsec's identity, and JSON paths are
  absolute (/Users/.../terraform/main.tf) where SARIF's are relative to the scan directory. Both
  readers therefore set `tool_fingerprint = f"{rule_id}|{relpath}|{k}"` (`tfsec_fingerprints`):
  relpath is the path relative to the scan directory; absolute paths are made relative to the
  longest common directory of all absolute result paths in the report. k is the 0-based ordinal of
  the result among the results with the same rule and relpath, ordered by start line (then end
  line, then report order): stable when lines shift, but inserting a new violation of the same rule
  above an existing one in the same file renumbers the ones below it. Known limit: when every
  finding of a JSON report sits in one subdirectory of the scan directory, the common directory is
  that subdirectory and the JSON relpaths lose the prefix the SARIF ones keep.
- Location.resource (1.x, or parsed from the 0.x description) is kept for display and cross-tool
  matching of the finding; Location.path is the filename as the report gives it.

Buffering: k and the common directory need every result of the report, so the results are all read
before the first one is yielded. tfsec reports are small (one record per failed check of one
Terraform tree), so this documented exception to streaming is acceptable here.
"""

import dataclasses
import re
from collections.abc import Iterator, Sequence
from enum import IntEnum
from typing import Any, BinaryIO, ClassVar

from aspm.common.paths import normalize_path
from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import Category, Location, MalformedReport, ParseContext, RawFinding
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe

TOOL = "tfsec"

# 1.x labels, then the 0.x ERROR/WARNING/INFO ones (as tfsec's SARIF maps them: error, warning,
# note). An unknown or missing label is taken as MEDIUM, with a warning.
_SEVERITY: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "info": Severity.LOW,
}
_DEFAULT_SEVERITY = Severity.MEDIUM


class _Status(IntEnum):
    """A result's `status` in tfsec's JSON (its scan.Status)."""

    FAILED = 0
    PASSED = 1
    IGNORED = 2


_PROVIDERS = {"aws": "aws", "azure": "azure", "google": "gcp", "kubernetes": "kubernetes"}
_LEGACY_RESOURCE = re.compile(r"^(?:Resource|Block) '([^']+)'")
_URL = re.compile(r"https?://[^\s\"'<>]+")
_ABSOLUTE = re.compile(r"^(?:[/\\]|[A-Za-z]:[/\\]|file:)", re.IGNORECASE)
_EMPTY_REPORT = re.compile(rb'^\s*\{\s*"results"\s*:\s*(?:null|\[\s*\])\s*\}\s*$')
_HAS_RESULTS = re.compile(rb'^\s*\{\s*"results"\s*:\s*\[')


def scan_relative_paths(paths: Sequence[str | None]) -> list[str]:
    """Normalized paths; absolute ones made relative to their longest common directory."""
    normalized = [normalize_path(p) for p in paths]
    absolute = [i for i, p in enumerate(paths) if p and _ABSOLUTE.match(p.strip())]
    if not absolute:
        return normalized
    common: list[str] | None = None
    for i in absolute:
        directory = normalized[i].split("/")[:-1]
        if common is None:
            common = directory
            continue
        n = 0
        while n < min(len(common), len(directory)) and common[n] == directory[n]:
            n += 1
        common = common[:n]
    cut = len(common or [])
    for i in absolute:
        normalized[i] = "/".join(normalized[i].split("/")[cut:])
    return normalized


def tfsec_fingerprints(
    items: Sequence[tuple[str, str | None, int | None, int | None]],
) -> list[str]:
    """tool_fingerprint for each (rule id, path, start line, end line) of one report, in order."""
    relpaths = scan_relative_paths([path for _, path, _, _ in items])

    def order(i: int) -> tuple[str, str, int, int, int]:
        rule_id, _, start, end = items[i]
        return (rule_id, relpaths[i], start or 0, end or 0, i)

    fingerprints = [""] * len(items)
    seen: dict[tuple[str, str], int] = {}
    for i in sorted(range(len(items)), key=order):
        key = (items[i][0], relpaths[i])
        k = seen.get(key, 0)
        seen[key] = k + 1
        fingerprints[i] = f"{key[0]}|{key[1]}|{k}"
    return fingerprints


def with_tfsec_fingerprints(findings: list[RawFinding]) -> Iterator[RawFinding]:
    """The findings of one report (or SARIF run) with their tfsec tool_fingerprint set."""
    items = [
        (f.rule_id, f.location.path, f.location.start_line, f.location.end_line) for f in findings
    ]
    for finding, fingerprint in zip(findings, tfsec_fingerprints(items), strict=True):
        yield dataclasses.replace(finding, tool_fingerprint=fingerprint)


def terraform_resource_type(address: str | None) -> str | None:
    """`aws_s3_bucket` from `module.x.aws_s3_bucket.logs[0]` or `data.aws_iam_policy.p`."""
    if not address:
        return None
    parts = address.split(".")
    while len(parts) >= 2 and parts[0] == "module":
        parts = parts[2:]
    if parts and parts[0] == "data":
        parts = parts[1:]
    if len(parts) < 2 or not re.fullmatch(r"[a-z][a-z0-9_]*", parts[0]):
        return None
    return parts[0]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class TfsecIngestor:
    name: ClassVar[str] = "tfsec"
    title: ClassVar[str] = "tfsec JSON"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        if _EMPTY_REPORT.match(head):
            return True
        if not _HAS_RESULTS.match(head):
            return False
        return b'"rule_id"' in head and (
            b'"long_id"' in head or b'"rule_description"' in head or b'"rule_provider"' in head
        )

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "tfsec"
        ctx.tools.add(TOOL)
        cursor = JsonCursor(stream)
        try:
            findings = self._read(cursor, ctx)
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid tfsec JSON: {exc}") from exc
        yield from with_tfsec_fingerprints(findings)

    def _read(self, cursor: JsonCursor, ctx: ParseContext) -> list[RawFinding]:
        first = cursor.peek()
        if first != "{":
            raise MalformedReport(
                f"a tfsec report is a JSON object with 'results'; the file holds {describe(first)}"
            )
        findings: list[RawFinding] = []
        saw_results = False
        for key in cursor.members():
            if key != "results":
                cursor.skip()
                continue
            saw_results = True
            found = cursor.peek()
            if found == "n":
                cursor.value()
                continue
            if found != "[":
                raise MalformedReport(f"'results' is {describe(found)}, not an array")
            for n, record in enumerate(cursor.values()):
                finding = self._finding(record, n, ctx)
                if finding is not None:
                    findings.append(finding)
        cursor.end()
        if not saw_results:
            raise MalformedReport("not a tfsec report: the object has no 'results'")
        return findings

    def _finding(self, record: Any, n: int, ctx: ParseContext) -> RawFinding | None:
        if not isinstance(record, dict):
            ctx.skip(f"result {n}: not an object; skipped")
            return None
        long_id = _text(record.get("long_id"))
        rule_id = long_id or _text(record.get("rule_id"))
        if not rule_id:
            ctx.skip(f"result {n}: no rule_id; skipped")
            return None
        status = record.get("status")
        if record.get("passed") is True or status == _Status.PASSED:
            ctx.passed += 1
            return None
        label = record.get("severity")
        severity, known = from_label(label, _SEVERITY, default=_DEFAULT_SEVERITY)
        if not known:
            ctx.warn(f"result {n} ({rule_id}): unknown severity {label!r}; taken as medium")
        description = _text(record.get("description"))
        location = record.get("location")
        location = location if isinstance(location, dict) else {}
        resource = _text(record.get("resource")) or None
        if resource is None:
            legacy = _LEGACY_RESOURCE.match(description)
            resource = legacy.group(1) if legacy else None
        links = record.get("links")
        references = tuple(
            link.strip() for link in (links if isinstance(links, list) else []) if _text(link)
        )
        if not references:
            references = tuple(_URL.findall(_text(record.get("link"))))
        impact = _text(record.get("impact"))
        provider = _text(record.get("rule_provider")).lower()
        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=_text(record.get("rule_description")) or description or rule_id,
            severity=severity,
            location=Location(
                path=_text(location.get("filename")) or None,
                start_line=_line(location.get("start_line")),
                end_line=_line(location.get("end_line")),
                resource=resource,
                resource_type=terraform_resource_type(resource),
                cloud_provider=_PROVIDERS.get(provider),
            ),
            category=Category.IAC,
            raw_severity=label if isinstance(label, str) else None,
            description="\n\n".join(p for p in (description, impact and f"Impact: {impact}") if p),
            remediation=_text(record.get("resolution")),
            help_uri=references[0] if references else None,
            references=references,
            suppressed=status == _Status.IGNORED,
        )
