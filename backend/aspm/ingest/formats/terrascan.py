"""Terrascan JSON (`terrascan scan -o json`).

A report is {"results": {"scan_errors": [...], "violations": [violation, ...],
"skipped_violations": [...], "passed_rules": [...], "scan_summary": {"file/folder", "iac_type",
"scanned_at", "policies_validated", "violated_policies", "low", "medium", "high"}}}; `null` in
place of a list means none. A violation is {"rule_name", "description", "rule_id", "severity",
"category", "resource_name", "resource_type", "module_name", "file", "plan_root" or "root_path",
"line"}.

Records (the corpus MANIFEST's rule): the elements of results.violations. skipped_violations
(suppressed in the code with `#ts:skip`, or by a severity setting) and passed_rules are neither
counted nor yielded, like Checkov's skipped checks. scan_errors (IaC types or directories
Terrascan could not load) are not findings either: one warning says how many there were and
quotes the first. A violation that is not an object, or has no rule_id, is skipped.

Fields: rule_id (AC_AWS_0001, accurics.gcp.NS.109, ...); description: its first sentence is the
title, all of it the description (rule_name, a camel-case policy name, is quoted in the
description, and is the title only when there is no description); severity HIGH/MEDIUM/LOW;
category (the policy category, e.g. "Data Security") in the description; file -> path (relative
to the scanned directory, as written: possibly with Windows backslashes); line -> start_line;
resource "<resource_type>.<resource_name>"; resource_type; cloud provider from the resource type's
provider prefix (aws_, azurerm_, google_, kubernetes_), else from the rule id. Category `iac`.

Identity: no tool_fingerprint; the pipeline's rule id + path + resource is the identity (line
numbers never enter it). A violation reported twice (one module scanned from two plan roots, as
Terrascan does) is therefore one detection.

Streaming: the document is walked with JsonCursor; each violation is decoded on its own.
"""

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import Category, Location, MalformedReport, ParseContext, RawFinding
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe

TOOL = "terrascan"

# Terrascan's levels (it writes HIGH/MEDIUM/LOW; CRITICAL and INFO are accepted too). An unknown or
# missing label is taken as MEDIUM, with a warning.
_SEVERITY: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
}
_DEFAULT_SEVERITY = Severity.MEDIUM

_TYPE_PROVIDERS = (
    ("aws_", "aws"),
    ("azurerm_", "azure"),
    ("azuread_", "azure"),
    ("google_", "gcp"),
    ("kubernetes_", "kubernetes"),
)
_RULE_PROVIDERS = (
    (re.compile(r"^(?:AC_)?AWS[_.]|^accurics\.aws\.", re.IGNORECASE), "aws"),
    (re.compile(r"^(?:AC_)?AZURE[_.]|^accurics\.azure\.", re.IGNORECASE), "azure"),
    (re.compile(r"^(?:AC_)?GCP[_.]|^accurics\.gcp\.", re.IGNORECASE), "gcp"),
    (re.compile(r"^(?:AC_)?K8S[_.]|^accurics\.kubernetes\.", re.IGNORECASE), "kubernetes"),
)

_SNIFF_START = re.compile(rb'^\s*\{\s*"results"\s*:\s*\{')
_SNIFF_KEYS = re.compile(
    rb'"(?:scan_summary|scan_errors|skipped_violations)"\s*:|"violations"\s*:\s*(?:null|\[\s*\])'
)
_SNIFF_VIOLATION = (re.compile(rb'"violations"\s*:\s*\['), re.compile(rb'"rule_name"\s*:'))


def terraform_provider(resource_type: str | None) -> str | None:
    """aws / azure / gcp / kubernetes from a Terraform resource type's provider prefix."""
    for prefix, provider in _TYPE_PROVIDERS:
        if resource_type and resource_type.startswith(prefix):
            return provider
    return None


def _scan_error(record: Any) -> str:
    """One scan error in a line: the IaC type and the first line of Terrascan's message."""
    if not isinstance(record, dict):
        return "(not an object)"
    iac_type = _text(record.get("iac_type")) or "unknown IaC type"
    message = _text(record.get("errMsg")).splitlines()
    return f"{iac_type}: {message[0] if message else 'no message'}"


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text[: end + 1] if end > 0 else text


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _line(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


class TerrascanIngestor:
    name: ClassVar[str] = "terrascan"
    title: ClassVar[str] = "Terrascan JSON"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        if not _SNIFF_START.match(head):
            return False
        return bool(_SNIFF_KEYS.search(head)) or all(p.search(head) for p in _SNIFF_VIOLATION)

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "Terrascan"
        ctx.tools.add(TOOL)
        cursor = JsonCursor(stream)
        try:
            yield from self._document(cursor, ctx)
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid Terrascan JSON: {exc}") from exc

    def _document(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        first = cursor.peek()
        if first != "{":
            found = "is empty" if first == "" else f"holds {describe(first)}"
            raise MalformedReport(
                f"a Terrascan report is a JSON object with 'results'; the file {found}"
            )
        saw_results = False
        for key in cursor.members():
            if key != "results":
                cursor.skip()
                continue
            found = cursor.peek()
            if found != "{":
                raise MalformedReport(f"'results' is {describe(found)}, not an object")
            saw_results = True
            yield from self._results(cursor, ctx)
        cursor.end()
        if not saw_results:
            raise MalformedReport("not a Terrascan report: the object has no 'results'")

    def _results(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        errors: list[str] = []
        for key in cursor.members():
            if key not in ("violations", "scan_errors"):
                cursor.skip()
                continue
            found = cursor.peek()
            if found == "n":
                cursor.value()
                continue
            if found != "[":
                if key == "violations":
                    raise MalformedReport(f"'violations' is {describe(found)}, not an array")
                cursor.skip()
                continue
            for n, record in enumerate(cursor.values()):
                if key == "scan_errors":
                    errors.append(_scan_error(record))
                    continue
                finding = self._finding(record, n, ctx)
                if finding is not None:
                    yield finding
        if errors:
            ctx.warn(
                f"Terrascan reported {len(errors)} scan error(s) (IaC types or directories it "
                f"could not load); the first: {errors[0]}"
            )

    def _finding(self, record: Any, n: int, ctx: ParseContext) -> RawFinding | None:
        where = f"violation {n}"
        if not isinstance(record, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return None
        rule_id = _text(record.get("rule_id"))
        if not rule_id:
            ctx.skip(f"{where}: no rule_id; skipped")
            return None
        label = record.get("severity")
        severity, known = from_label(label, _SEVERITY, default=_DEFAULT_SEVERITY)
        if not known:
            ctx.warn(f"{where} ({rule_id}): unknown severity {label!r}; taken as medium")
        resource_type = _text(record.get("resource_type")) or None
        resource_name = _text(record.get("resource_name"))
        if resource_type and resource_name:
            resource: str | None = f"{resource_type}.{resource_name}"
        else:
            resource = resource_name or resource_type
        provider = terraform_provider(resource_type)
        if provider is None:
            provider = next((p for rx, p in _RULE_PROVIDERS if rx.match(rule_id)), None)
        description = _text(record.get("description"))
        rule_name = _text(record.get("rule_name"))
        category = _text(record.get("category"))
        details = [f"Policy: {rule_name}." if rule_name else ""]
        if category:
            details.append(f"Category: {category}.")
        module = _text(record.get("module_name"))
        if module and module != "root":
            details.append(f"Module: {module}.")
        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=_first_sentence(description) or rule_name or rule_id,
            severity=severity,
            location=Location(
                path=_text(record.get("file")) or None,
                start_line=_line(record.get("line")),
                resource=resource,
                resource_type=resource_type,
                cloud_provider=provider,
            ),
            category=Category.IAC,
            raw_severity=label if isinstance(label, str) else None,
            description="\n\n".join(
                p for p in (description, " ".join(d for d in details if d)) if p
            ),
        )
