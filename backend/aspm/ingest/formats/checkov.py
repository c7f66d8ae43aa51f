"""Checkov JSON (`checkov -o json`): one report object, a list of them, or a summary-only object.

A report is {"check_type", "results": {"passed_checks", "failed_checks", "skipped_checks",
"parsing_errors"}, "summary": {..., "checkov_version"}}; with several frameworks Checkov writes a
list with one report per check_type. When nothing was scanned it writes only the summary object
(0 records). A list element that is not a report is ignored with a warning.

Records: one finding per element of results.failed_checks, nothing else (this is the corpus
MANIFEST's counting rule). passed_checks are not counted at all (not even in ctx.passed), and
skipped_checks (suppressed in the code with a checkov:skip comment) are left out: Checkov's SARIF
writes them as results with suppressions, so a scan with skips has more SARIF results than JSON
findings.

Fields: check_id -> rule_id, check_name -> title, severity (usually null: MEDIUM and raw_severity
None, without a warning, so the pipeline can prefer the rule catalog's severity; an unknown label
warns), resource, repo_file_path (preferred, repo-relative) / file_path / file_abs_path,
file_line_range, code_block joined as the snippet, guideline -> help_uri, bc_check_id ->
references, benchmarks -> compliance (framework, control) pairs, description, check_type ->
category (secrets -> secret, sca_* -> sca, everything else iac). Secrets results: Checkov masks the
secret in code_block, but not reliably (a secrets code_block holding an escaped, unmasked key has
been seen), and the value itself is not in the report, so the pipeline could not redact it: their
snippet is dropped. Their resource is Checkov's hash of the secret, not the secret.

Identity: tool_fingerprint = "<check id>|<path>|<block>" (`checkov_fingerprint`), where block is the
resource address without its module path and instance key: the code block that holds the problem.
Checkov's SARIF names the resource only for the first result of each check (one rule per check
id), so its later results can only recover the block from the snippet (`resource "T" "N" {`);
keying both formats on the block makes them land on the same detections (see sarif.py's Checkov
hook and tests/ingest/test_same_scan.py). The instance keys of the address (module `for_each` keys,
`count` indexes) are appended when there are any: two instances of one module, e.g.
`module.vm["backend"]` and `module.vm["frontend"]`, are two detections (issue 15). Checkov's SARIF
names the full address only for the first result of a check, so its later results of instanced
modules cannot tell the instances apart by name; the pipeline keeps them apart by occurrence.

Streaming: the document is walked with JsonCursor; each failed check is decoded on its own and the
passed/skipped arrays are skipped element by element, so memory does not grow with the report.
"""

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from aspm.common.iac import block_address
from aspm.common.paths import normalize_path
from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import Category, Location, MalformedReport, ParseContext, RawFinding
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe
from aspm.ingest.formats.tfsec import terraform_resource_type

TOOL = "checkov"

_TF_BLOCK = re.compile(r'^\s*(resource|data)\s+"([^"]+)"\s+"([^"]+)"', re.MULTILINE)


def block_from_snippet(snippet: str | None) -> str | None:
    """The Terraform block a snippet opens with (`resource "T" "N" {` -> `T.N`), if any."""
    match = _TF_BLOCK.search(snippet or "")
    if match is None:
        return None
    kind, rtype, name = match.groups()
    return f"{rtype}.{name}" if kind == "resource" else f"data.{rtype}.{name}"


_INSTANCE_KEY = re.compile(r"\[[^\[\]]*\]")


def checkov_fingerprint(rule_id: str, path: str | None, resource: str | None) -> str:
    """`<check id>|<path>|<block>`, plus `|<instance keys>` when the address has any
    (`module.vm["backend"].aws_instance.this[0]` -> `["backend"][0]`): two instances of one module,
    or two `count` copies of a resource, are two things (issue 15). Addresses without instance keys
    keep the identity they always had."""
    block = block_address(resource)
    keys = "".join(_INSTANCE_KEY.findall(resource)) if resource and "[" in resource else ""
    if keys:
        return f"{rule_id}|{normalize_path(path)}|{block}|{keys}"
    return f"{rule_id}|{normalize_path(path)}|{block}"


# Checkov's severity labels (filled in by the Prisma Cloud platform, else null). null -> MEDIUM
# with raw_severity None and no warning (null is normal); an unknown label -> MEDIUM with a warning.
_SEVERITY: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
    "none": Severity.INFO,
}
_DEFAULT_SEVERITY = Severity.MEDIUM

_TERRAFORM = frozenset({"terraform", "terraform_plan", "terraform_json"})
_REPORT_KEYS = frozenset({"check_type", "results", "summary"})
_SUMMARY_KEYS = frozenset(
    {"passed", "failed", "skipped", "parsing_errors", "parsingerrors", "checkov_version"}
)
_SNIFF_REPORT = re.compile(rb'"check_type"\s*:\s*"')
_SNIFF_CHECKS = re.compile(rb'"(?:failed|passed|skipped)_checks"\s*:')
_SNIFF_SUMMARY = re.compile(rb'"checkov_version"\s*:')


def _category(check_type: str | None, check_id: str) -> Category:
    if check_type == "secrets" or check_id.startswith("CKV_SECRET"):
        return Category.SECRET
    if check_type is not None and check_type.startswith("sca_"):
        return Category.SCA
    return Category.IAC


def _compliance(benchmarks: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(benchmarks, dict):
        return ()
    pairs: list[tuple[str, str]] = []
    for framework, controls in benchmarks.items():
        for control in controls if isinstance(controls, list) else [controls]:
            name = control.get("name") if isinstance(control, dict) else control
            if isinstance(name, str | int) and str(name).strip():
                pairs.append((str(framework), str(name).strip()))
    return tuple(dict.fromkeys(pairs))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


class _Report:
    """What the walk knows about the report it is in."""

    def __init__(self) -> None:
        self.check_type: str | None = None
        self.recognised = False


class CheckovIngestor:
    name: ClassVar[str] = "checkov"
    title: ClassVar[str] = "Checkov JSON"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        if _SNIFF_REPORT.search(head) and _SNIFF_CHECKS.search(head):
            return True
        # summary-only output: a small object with Checkov's summary keys
        return bool(_SNIFF_SUMMARY.search(head)) and b'"failed"' in head and b'"runs"' not in head

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "Checkov"
        ctx.tools.add(TOOL)
        cursor = JsonCursor(stream)
        try:
            yield from self._document(cursor, ctx)
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid Checkov JSON: {exc}") from exc

    def _document(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        first = cursor.peek()
        if first == "{":
            report = _Report()
            yield from self._report(cursor, ctx, report, "the report")
            if not report.recognised:
                raise MalformedReport(
                    "not a Checkov report: the object has no check_type, results or summary"
                )
        elif first == "[":
            for index in cursor.elements():
                where = f"report {index}"
                if cursor.peek() != "{":
                    ctx.warn(f"{where} is {describe(cursor.peek())}, not a Checkov report; ignored")
                    cursor.skip()
                    continue
                report = _Report()
                yield from self._report(cursor, ctx, report, where)
                if not report.recognised:
                    ctx.warn(f"{where} is not a Checkov report; ignored")
        else:
            raise MalformedReport(
                "a Checkov report is a JSON object or a list of them; "
                f"the file holds {describe(first)}"
            )
        cursor.end()

    def _report(
        self, cursor: JsonCursor, ctx: ParseContext, report: _Report, where: str
    ) -> Iterator[RawFinding]:
        for key in cursor.members():
            if key in _REPORT_KEYS or key in _SUMMARY_KEYS:
                report.recognised = True
            if key == "check_type":
                value = cursor.value()
                report.check_type = value if isinstance(value, str) else None
            elif key == "summary":
                summary = cursor.value()
                if isinstance(summary, dict):
                    self._version(summary.get("checkov_version"), ctx)
            elif key == "checkov_version":  # summary-only output
                self._version(cursor.value(), ctx)
            elif key == "results":
                if cursor.peek() != "{":
                    ctx.warn(f"{where}: 'results' is {describe(cursor.peek())}; ignored")
                    cursor.skip()
                    continue
                for group in cursor.members():
                    if group != "failed_checks" or cursor.peek() != "[":
                        cursor.skip()
                        continue
                    for n, check in enumerate(cursor.values()):
                        finding = self._finding(check, report, ctx, f"{where}, failed check {n}")
                        if finding is not None:
                            yield finding
            else:
                cursor.skip()

    @staticmethod
    def _version(version: Any, ctx: ParseContext) -> None:
        if isinstance(version, str) and version and ctx.tool_version is None:
            ctx.tool_version = version

    def _finding(
        self, check: Any, report: _Report, ctx: ParseContext, where: str
    ) -> RawFinding | None:
        if not isinstance(check, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return None
        rule_id = _text(check.get("check_id"))
        if not rule_id:
            ctx.skip(f"{where}: no check_id; skipped")
            return None
        label = check.get("severity")
        if label is None:
            severity, raw_severity = _DEFAULT_SEVERITY, None
        else:
            severity, known = from_label(label, _SEVERITY, default=_DEFAULT_SEVERITY)
            raw_severity = str(label)
            if not known:
                ctx.warn(f"{where} ({rule_id}): unknown severity {label!r}; taken as medium")
        category = _category(report.check_type, rule_id)
        path = (
            _text(check.get("repo_file_path"))
            or _text(check.get("file_path"))
            or _text(check.get("file_abs_path"))
            or None
        )
        lines = check.get("file_line_range")
        start = end = None
        if isinstance(lines, list) and len(lines) == 2:
            start, end = (
                v if isinstance(v, int) and not isinstance(v, bool) else None for v in lines
            )
        snippet = None
        code = check.get("code_block")
        if category is not Category.SECRET and isinstance(code, list):
            snippet = (
                "".join(
                    line[1]
                    for line in code
                    if isinstance(line, list) and len(line) == 2 and isinstance(line[1], str)
                )
                or None
            )
        resource = _text(check.get("resource")) or None
        guideline = _text(check.get("guideline")) or None
        bc_check_id = _text(check.get("bc_check_id"))
        resource_type = (
            terraform_resource_type(resource) if report.check_type in _TERRAFORM else None
        )
        # positional, as sarif.py (keyword arguments cost twice as much per record); the field
        # order is pinned by tests/ingest/formats/test_sarif_fast_path.py
        return RawFinding(
            TOOL,
            rule_id,
            _text(check.get("check_name")) or _text(check.get("short_description")) or rule_id,
            severity,
            # path, start_line, end_line, resource, resource_type, cloud_provider, account_id,
            # region, snippet
            Location(path, start, end, resource, resource_type, None, None, None, snippet),
            category,
            raw_severity,
            None,  # asset_key
            _text(check.get("description")),
            "",  # remediation
            guideline,  # help_uri
            (bc_check_id,) if bc_check_id else (),  # references
            (),  # cwe_ids
            _compliance(check.get("benchmarks")),
            checkov_fingerprint(rule_id, path, resource),
        )
