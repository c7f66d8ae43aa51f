"""KICS JSON (`kics scan --report-formats json`): the current layout and the 2021 one.

A report is {"kics_version", "files_scanned", "files_parsed", "queries_total", ...,
"severity_counters", "total_counter", "start", "end", "paths", "queries": [query, ...]}. A query is
{"query_name", "query_id", "query_url", "severity", "platform", "cwe", "cloud_provider",
"category", "experimental", "description", "description_id", "files": [file, ...]}, and a file
(one result) is {"file_name", "similarity_id", "old_similarity_id", "line", "issue_type",
"search_key", "search_line", "search_value", "expected_value", "actual_value", "resource_type",
"resource_name", "remediation", "remediation_type"}. The 2021 layout (KICS 1.x) has no
kics_version/start/end/paths, writes "files" before "category"/"description", has a per-file
"value" and no resource_type/resource_name. KICS versions that fetched CIS descriptions add
"cis_description_id", "cis_description_title" and "cis_description_text" to a query.

Records (the corpus MANIFEST's rule): every element of queries[].files; all are failures. A
file entry that is not an object, or whose query has no query_id, is skipped.

Fields: query_id -> rule_id (KICS's stable query UUID; the name changes between versions),
query_name -> title, severity (CRITICAL/HIGH/MEDIUM/LOW, INFO and TRACE -> info), cwe -> cwe_ids,
query_url -> help_uri, cis_description_id -> compliance ("CIS", id), description (or the CIS text)
plus the expected and actual values -> description, the file's remediation -> remediation,
cloud_provider (else a Kubernetes platform, else a Terraform resource type's provider prefix) ->
cloud_provider. Category: the "Passwords And Secrets"
queries (platform Common, category Secret Management) are `secret`; they give no secret value, and
their expected/actual values are left out of the description. Everything else is `iac`.

Resource: for Terraform, the address in search_key (`aws_s3_bucket[logs].acl` ->
`aws_s3_bucket.logs`, `data.x[y]` -> `data.x.y`, `module[m]` -> `module.m`), the form the other IaC
tools use; else "<resource_type>.<resource_name>" when both are real ("n/a" is not); else the
search_key itself (a path into the document, e.g. `metadata.name={{web}}.spec.containers`).

Identity: tool_fingerprint = similarity_id, which KICS computes from the query, the file, the
search key and value, and documents as stable when lines move. When the result names a resource
(resource_name) that its search key does not, "|<resource_name>" is appended: two Compose services
flagged at a key outside their own block share a similarity_id and stay two detections (results
whose search key names the resource, and Terraform ones, whose search key holds the address,
keep their identity as it was). Without it (KICS failed to compute
one: queries_failed_to_compute_similarity_id), the pipeline's rule + path + resource applies.

Paths are kept as written (absolute, or with Windows backslashes); the pipeline normalizes them.
Streaming: queries are walked with JsonCursor and their files decoded one at a time; a query's
files are held only when they come before its category/description (the 2021 layout).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar

from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import Category, Location, MalformedReport, ParseContext, RawFinding
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe
from aspm.ingest.formats.terrascan import terraform_provider

TOOL = "kics"

# KICS's levels. An unknown or missing label is taken as MEDIUM, with a warning.
_SEVERITY: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
    "trace": Severity.INFO,
}
_DEFAULT_SEVERITY = Severity.MEDIUM

_PROVIDERS = {"aws": "aws", "azure": "azure", "gcp": "gcp", "google": "gcp"}
_KUBERNETES_PLATFORMS = frozenset({"kubernetes", "helm", "knative", "crossplane"})
_REPORT_KEYS = frozenset(
    {"kics_version", "files_scanned", "files_parsed", "queries_total", "total_counter", "queries"}
)
# the query keys a file entry needs; the 2021 layout writes some of them after "files"
_LATE_QUERY_KEYS = frozenset({"category", "description", "cis_description_text"})
_NOT_A_NAME = frozenset({"", "n/a"})

_TF_ADDRESS = re.compile(
    r"^(?:resource\.)?(?P<data>data\.)?(?P<type>[a-z][a-z0-9_]*)\[(?:\{\{)?(?P<name>[^\]{}]+)(?:\}\})?\]"
)
_CWE = re.compile(r"^(?:CWE-)?(\d+)$", re.IGNORECASE)

_SNIFF_VERSION = re.compile(rb'"kics_version"\s*:')
_SNIFF_COUNTS = (re.compile(rb'"files_scanned"\s*:'), re.compile(rb'"queries_total"\s*:'))


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _line(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


def _name(value: Any) -> str:
    text = _text(value)
    return "" if text.lower() in _NOT_A_NAME else text


def resource_of(
    platform: str, resource_type: str, resource_name: str, search_key: str
) -> tuple[str | None, str | None]:
    """(resource, resource_type) of one KICS result (see the module docstring)."""
    if platform.lower() == "terraform":
        match = _TF_ADDRESS.match(search_key)
        if match:
            rtype, name = match["type"], match["name"].strip()
            if rtype == "module":
                return f"module.{name}", None
            prefix = "data." if match["data"] else ""
            return f"{prefix}{rtype}.{name}", rtype
    if resource_type and resource_name:
        return f"{resource_type}.{resource_name}", resource_type
    return (search_key or None), (resource_type or None)


@dataclass(slots=True)
class _Query:
    where: str
    meta: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return _text(self.meta.get(key))


class KicsIngestor:
    name: ClassVar[str] = "kics"
    title: ClassVar[str] = "KICS JSON"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        if head.lstrip()[:1] != b"{":
            return False
        return bool(_SNIFF_VERSION.search(head)) or all(p.search(head) for p in _SNIFF_COUNTS)

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "KICS"
        ctx.tools.add(TOOL)
        cursor = JsonCursor(stream)
        try:
            yield from self._document(cursor, ctx)
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid KICS JSON: {exc}") from exc

    def _document(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        first = cursor.peek()
        if first != "{":
            found = "is empty" if first == "" else f"holds {describe(first)}"
            raise MalformedReport(
                f"a KICS report is a JSON object with 'queries'; the file {found}"
            )
        recognised = False
        for key in cursor.members():
            if key in _REPORT_KEYS:
                recognised = True
            if key == "kics_version":
                version = _text(cursor.value())
                if version and ctx.tool_version is None:
                    ctx.tool_version = version
            elif key == "queries":
                found = cursor.peek()
                if found == "n":
                    cursor.value()
                    continue
                if found != "[":
                    raise MalformedReport(f"'queries' is {describe(found)}, not an array")
                for index in cursor.elements():
                    yield from self._query(cursor, ctx, index)
            else:
                cursor.skip()
        cursor.end()
        if not recognised:
            raise MalformedReport(
                "not a KICS report: the object has none of kics_version, files_scanned, "
                "queries_total or queries"
            )

    def _query(self, cursor: JsonCursor, ctx: ParseContext, index: int) -> Iterator[RawFinding]:
        query = _Query(where=f"query {index}")
        if cursor.peek() != "{":
            ctx.warn(f"{query.where} is {describe(cursor.peek())}, not a KICS query; ignored")
            cursor.skip()
            return
        held: list[tuple[int, Any]] = []
        for key in cursor.members():
            if key != "files":
                query.meta[key] = cursor.value()
                continue
            found = cursor.peek()
            if found == "n":
                cursor.value()
                continue
            if found != "[":
                ctx.warn(f"{query.where}: 'files' is {describe(found)}, not an array; ignored")
                cursor.skip()
                continue
            early = not _LATE_QUERY_KEYS & query.meta.keys()
            for n, entry in enumerate(cursor.values()):
                if early:
                    held.append((n, entry))
                    continue
                finding = self._finding(query, n, entry, ctx)
                if finding is not None:
                    yield finding
        for n, entry in held:
            finding = self._finding(query, n, entry, ctx)
            if finding is not None:
                yield finding

    def _finding(self, query: _Query, n: int, entry: Any, ctx: ParseContext) -> RawFinding | None:
        where = f"{query.where}, file {n}"
        if not isinstance(entry, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return None
        rule_id = query.get("query_id")
        if not rule_id:
            ctx.skip(f"{where}: the query has no query_id; skipped")
            return None
        label = query.meta.get("severity")
        severity, known = from_label(label, _SEVERITY, default=_DEFAULT_SEVERITY)
        if not known:
            ctx.warn(f"{where} ({rule_id}): unknown severity {label!r}; taken as medium")
        platform = query.get("platform")
        secret = (
            platform.lower() == "common" and query.get("category").lower() == "secret management"
        )
        resource_name, search_key = (
            _name(entry.get("resource_name")),
            _text(entry.get("search_key")),
        )
        resource, resource_type = resource_of(
            platform, _name(entry.get("resource_type")), resource_name, search_key
        )
        provider = _PROVIDERS.get(query.get("cloud_provider").lower())
        if provider is None and platform.lower() in _KUBERNETES_PLATFORMS:
            provider = "kubernetes"
        if provider is None and platform.lower() == "terraform":
            provider = terraform_provider(resource_type)
        description = query.get("cis_description_text") or query.get("description")
        parts = [description]
        if not secret:
            expected, actual = _text(entry.get("expected_value")), _text(entry.get("actual_value"))
            parts.append("\n".join(p for p in (expected and f"Expected: {expected}",
                                               actual and f"Actual: {actual}") if p))  # fmt: skip
        url = query.get("query_url")
        cwe = _CWE.match(query.get("cwe"))
        cis_id = query.get("cis_description_id")
        similarity_id = _text(entry.get("similarity_id"))
        if (
            similarity_id
            and resource_name
            and platform.lower() != "terraform"  # its search key holds the address already
            and resource_name not in search_key
        ):
            # the search key, from which KICS computes similarity_id, does not name the resource:
            # two Compose services can share one similarity_id, so the name joins it
            similarity_id = f"{similarity_id}|{resource_name}"
        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=query.get("query_name") or query.get("cis_description_title") or rule_id,
            severity=severity,
            location=Location(
                path=_text(entry.get("file_name")) or None,
                start_line=_line(entry.get("line")),
                resource=resource,
                resource_type=resource_type,
                cloud_provider=provider,
            ),
            category=Category.SECRET if secret else Category.IAC,
            raw_severity=label if isinstance(label, str) else None,
            description="\n\n".join(p for p in parts if p),
            remediation=_text(entry.get("remediation")),
            help_uri=url or None,
            references=(url,) if url else (),
            cwe_ids=(int(cwe.group(1)),) if cwe else (),
            compliance=(("CIS", cis_id),) if cis_id else (),
            tool_fingerprint=similarity_id or None,
        )
