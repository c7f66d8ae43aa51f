"""ScoutSuite results (`scoutsuite-report/scoutsuite-results/scoutsuite_results_<account>.js`).

The file is JavaScript: a first line `scoutsuite_results =` and then one JSON object with
account_id, provider_code (aws, azure, gcp, ...), last_run{version, summary, ...}, services{<svc>:
{findings{<rule>: {description, level (danger/warning), flagged_items, checked_items, items[],
path, display_path, id_suffix, service, rationale, remediation, compliance[{name, reference,
version}], references[]}}, <the service's resources: regions, buckets, users, ...>}}, and more
(metadata, service_list, sg_map, ...), which is skipped.

- One finding per flagged item (issue 3: "one detection per flagged item"). An item is a dotted
  path to what failed, e.g. "ec2.regions.us-east-1.vpcs.vpc-1.security_groups.sg-1.rules.ingress".
  The rule's display_path (else path), e.g. "ec2.regions.id.vpcs.id.security_groups.id", says how
  much of the item names the resource; that object is looked up in the service's own data for its
  ARN (Location.resource; else the resource's ScoutSuite path), name and id. The region is the
  path segment after "regions".
- Counting: a rule with no flagged item counts once in ctx.passed. ScoutSuite's own unit of a
  "finding" is the rule, so ctx.extra["flagged_rules"] holds the number of rules with flagged
  items and ctx.extra["flagged_items"] the sum of their flagged_items counters (what the corpus test
  compares against the MANIFEST, which counts flagged rules).
- Identity: tool_fingerprint = "<rule>|<item path>". Item paths are made of the provider's ids
  (sg-..., vpc-..., AIDA...) or ScoutSuite's stable hashes of names, so they are stable across
  scans and tell apart two items of one rule on the same resource (ingress and egress rules).
- Memory: the document is walked with JsonCursor; each service object is decoded whole (its
  findings need its resources to name them), so memory is bounded by the largest service of the
  account, not by the whole file. ScoutSuite output is bounded by the account's size anyway.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO, ClassVar

from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import (
    Category,
    Location,
    MalformedReport,
    ParseContext,
    RawFinding,
)
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe

TOOL = "scoutsuite"

# ScoutSuite rules have two levels. Unknown/missing -> MEDIUM (like "warning"), with a warning.
SEVERITY = {"danger": Severity.HIGH, "warning": Severity.MEDIUM}
DEFAULT_SEVERITY = Severity.MEDIUM

_PREFIX = re.compile(rb"^\s*(?:var\s+)?scoutsuite_results\s*=")
_MAX_PREFIX = 256
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?(?:b|i|u|em|strong|code|samp|kbd|pre|p|ul|ol|li|span|a)(?:\s[^<>]*)?>", re.I)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _plain(value: object) -> str | None:
    """ScoutSuite's rationale/remediation carry a little HTML: line breaks and inline tags."""
    text = _text(value)
    if text is None:
        return None
    text = _TAG.sub("", _BREAK.sub("\n", text))
    return html.unescape(text).strip() or None


def _walk(data: object, segments: list[str]) -> object:
    for seg in segments:
        if isinstance(data, dict) and seg in data:
            data = data[seg]
        elif isinstance(data, list) and seg.isdigit() and int(seg) < len(data):
            data = data[int(seg)]
        else:
            return None
    return data


def _compliance(raw: object) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        name = _text(entry.get("name"))
        reference = entry.get("reference")
        if not name or not isinstance(reference, str | int | float) or not str(reference).strip():
            continue
        version = _text(entry.get("version"))
        pair = (f"{name} {version}" if version else name, str(reference).strip())
        if pair not in pairs:
            pairs.append(pair)
    return tuple(pairs)


class _Rule:
    """What every finding of one ScoutSuite rule shares."""

    def __init__(self, service: str, key: str, rule: dict[str, Any], ctx: ParseContext) -> None:
        self.service = service
        self.key = key
        self.title = _text(rule.get("description")) or key
        level = rule.get("level")
        self.severity, known = from_label(level, SEVERITY, default=DEFAULT_SEVERITY)
        if not known:
            ctx.warn(
                f"rule {service}.{key}: unknown level {level!r}; using {DEFAULT_SEVERITY.value}"
            )
        self.raw_severity = str(level) if level is not None else None
        self.rationale = _plain(rule.get("rationale"))
        self.remediation = _plain(rule.get("remediation")) or ""
        refs = rule.get("references")
        self.references = tuple(
            r for r in (refs if isinstance(refs, list) else []) if isinstance(r, str) and r.strip()
        )
        self.compliance = _compliance(rule.get("compliance"))
        pattern = _text(rule.get("display_path")) or _text(rule.get("path")) or ""
        self.pattern = pattern.split(".") if pattern else []
        ids = [i for i, seg in enumerate(self.pattern) if seg == "id"]
        self.resource_depth = ids[-1] + 1 if ids else 2
        self.collection = self.pattern[ids[-1] - 1] if ids and ids[-1] > 0 else None


class ScoutSuiteIngestor:
    name: ClassVar[str] = "scoutsuite"
    title: ClassVar[str] = "ScoutSuite results (.js)"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        return bool(_PREFIX.match(head))

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "ScoutSuite"
        ctx.tools.add(TOOL)
        self._skip_prefix(stream)
        cursor = JsonCursor(stream)
        try:
            yield from self._document(cursor, ctx)
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid ScoutSuite results JSON: {exc}") from exc

    def _skip_prefix(self, stream: BinaryIO) -> None:
        """Consume `scoutsuite_results =` so the stream starts at the JSON object."""
        prefix = b""
        while len(prefix) < _MAX_PREFIX:
            byte = stream.read(1)
            if not byte:
                break
            prefix += byte
            if byte == b"=":
                if _PREFIX.match(prefix):
                    return
                break
        raise MalformedReport(
            'the file does not start with "scoutsuite_results =": not a ScoutSuite results file'
        )

    def _document(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        first = cursor.peek()
        if first != "{":
            raise MalformedReport(
                f"ScoutSuite results are a JSON object after the prefix; found {describe(first)}"
            )
        meta: dict[str, str] = {}
        pending: list[RawFinding] = []  # findings seen before the account and provider
        counts = {"flagged_rules": 0, "flagged_items": 0}
        has_services = False
        for key in cursor.members():
            if key in ("account_id", "provider_code", "project_id", "subscription_id"):
                value = cursor.value()
                if isinstance(value, str | int) and str(value).strip():
                    meta[key] = str(value).strip()
            elif key == "last_run":
                last_run = cursor.value()
                version = last_run.get("version") if isinstance(last_run, dict) else None
                if isinstance(version, str) and version.strip():
                    ctx.tool_version = version.strip()
            elif key == "services":
                has_services = True
                if cursor.peek() != "{":
                    raise cursor.error(
                        f'"services" should be an object, found {describe(cursor.peek())}'
                    )
                for service in cursor.members():
                    data = cursor.value()
                    for finding in self._service(service, data, ctx, counts):
                        if "provider_code" in meta and "account_id" in meta:
                            yield self._with_account(finding, meta)
                        else:
                            pending.append(finding)
            else:
                cursor.skip()
        if cursor.peek() == ";":
            cursor.expect(";")
        cursor.end()
        if not has_services:
            raise MalformedReport('the results object has no "services"')
        for finding in pending:
            yield self._with_account(finding, meta)
        ctx.extra["flagged_rules"] = str(counts["flagged_rules"])
        ctx.extra["flagged_items"] = str(counts["flagged_items"])

    def _with_account(self, finding: RawFinding, meta: dict[str, str]) -> RawFinding:
        provider = meta.get("provider_code", "").lower() or None
        account = meta.get("account_id")
        if provider == "gcp":
            account = meta.get("project_id") or account
        elif provider == "azure":
            account = meta.get("subscription_id") or account
        return replace(
            finding,
            asset_key=f"{provider}:{account}" if provider and account else None,
            location=replace(finding.location, cloud_provider=provider, account_id=account),
        )

    def _service(
        self, service: str, data: object, ctx: ParseContext, counts: dict[str, int]
    ) -> Iterator[RawFinding]:
        if not isinstance(data, dict):
            ctx.warn(f"service {service!r}: not an object; ignored")
            return
        findings = data.get("findings")
        if findings is None:
            return
        if not isinstance(findings, dict):
            ctx.warn(f"service {service!r}: findings is not an object; ignored")
            return
        for key, rule in findings.items():
            if not isinstance(rule, dict):
                ctx.skip(f"rule {service}.{key}: not a JSON object; skipped")
                continue
            flagged = rule.get("flagged_items")
            declared = flagged if isinstance(flagged, int) and not isinstance(flagged, bool) else 0
            items = rule.get("items")
            items = items if isinstance(items, list) else []
            if declared <= 0 and not items:
                ctx.passed += 1
                continue
            counts["flagged_rules"] += 1
            counts["flagged_items"] += max(declared, 0)
            if declared != len(items):
                ctx.warn(
                    f"rule {service}.{key}: flagged_items says {flagged!r} but {len(items)} "
                    "items are listed; one finding per listed item"
                )
            meta = _Rule(service, key, rule, ctx)
            for index, item in enumerate(items):
                if not isinstance(item, str) or not item.strip():
                    ctx.skip(f"rule {service}.{key}: item {index} is not a path; skipped")
                    continue
                yield self._finding(meta, item.strip(), data)

    def _finding(self, rule: _Rule, item: str, service_data: dict[str, Any]) -> RawFinding:
        segments = item.split(".")
        depth = min(rule.resource_depth, len(segments))
        resource_path = ".".join(segments[:depth])
        found = _walk(service_data, segments[1:depth]) if segments[0] == rule.service else None
        obj = found if isinstance(found, dict) else {}
        arn = _text(obj.get("arn"))
        name = _text(obj.get("name"))
        ident = obj.get("id")
        ident = str(ident) if isinstance(ident, str | int) and str(ident).strip() else None
        region = None
        if "regions" in segments[:-1]:
            region = segments[segments.index("regions") + 1]
        resource_type = f"{rule.service}.{rule.collection}" if rule.collection else resource_path

        lines = [rule.rationale] if rule.rationale else []
        shown = name if name and name != ident else None
        label = " ".join(p for p in (shown, f"({ident})" if ident and shown else ident) if p)
        if label:
            lines.append(f"Resource: {label}")
        lines.append(f"Flagged item: {item}")
        return RawFinding(
            tool=TOOL,
            rule_id=rule.key,
            title=rule.title,
            severity=rule.severity,
            location=Location(
                resource=arn or resource_path,
                resource_type=resource_type,
                region=region,
            ),
            category=Category.CSPM,
            raw_severity=rule.raw_severity,
            description="\n\n".join(lines),
            remediation=rule.remediation,
            references=rule.references,
            compliance=rule.compliance,
            tool_fingerprint=f"{rule.key}|{item}",
        )
