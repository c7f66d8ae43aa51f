"""Prowler v4+ OCSF JSON (`prowler <provider> -M json-ocsf`): an array of OCSF Detection Findings.

Fields used: status_code (PASS/FAIL/MANUAL), status ("Suppressed" when muted), severity /
severity_id, finding_info{uid,title,desc}, metadata{event_code (check id), product{version}},
cloud{provider, account{uid}, region} (absent for Kubernetes), resources[0]{uid,name,type,region},
remediation{desc,references}, unmapped{compliance{FRAMEWORK: [controls]}, related_url,
additional_urls}, risk_details, status_detail.

- Context (RawFinding.context): resources[0].labels ("key=value" / "key:value") and
  resources[0].data.metadata.tags as resource tags; OCSF data classification
  (resources[0].data_classification, or the first of data_classifications) as
  "ocsf:confidentiality" and "ocsf:data_category" (captions, else the ids' OCSF captions).
- Only FAIL is a finding; PASS records count as ctx.passed, MANUAL ones (a check Prowler cannot
  evaluate, left to a person) as ctx.manual: neither passed nor failed.
- Identity: finding_info.uid ("prowler-<provider>-<check>-<account>-<region>-<resource>") is
  Prowler's own stable id and becomes tool_fingerprint.
- Prowler's published examples replace real values by placeholders ("<finding_uid>",
  "<account_uid>", "<region>", "<prowler_version>"). A whole value of that shape is treated as
  absent: as a tool_fingerprint it would merge every finding of the file into one detection.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import Category, Location, ParseContext, RawFinding
from aspm.ingest.formats import _context
from aspm.ingest.formats._json_records import array_items

# OCSF severity captions as Prowler writes them. "Fatal" (OCSF 6) does not occur in Prowler but is
# the top of the OCSF scale. Unknown/missing label and id -> MEDIUM (Prowler's most common check
# severity, neither hiding nor inflating the finding), with a warning.
SEVERITY = {
    "fatal": Severity.CRITICAL,
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "informational": Severity.INFO,
    "info": Severity.INFO,
}
SEVERITY_BY_ID = {
    6: Severity.CRITICAL,
    5: Severity.CRITICAL,
    4: Severity.HIGH,
    3: Severity.MEDIUM,
    2: Severity.LOW,
    1: Severity.INFO,
}
DEFAULT_SEVERITY = Severity.MEDIUM

_NOT_FINDINGS = frozenset({"PASS", "MANUAL"})
_PLACEHOLDER = re.compile(r"^<[A-Za-z0-9_ .-]+>$")
_UID_CHECK = re.compile(r"^prowler-[A-Za-z0-9]+-(?P<check>[A-Za-z0-9_]+)-")
_NO_COMMAND = "No command available."

_TOP_ARRAY = re.compile(rb"^\s*\[")
_EMPTY_DOC = re.compile(rb"^\s*\[\s*\]\s*$")
_OCSF_KEYS = (re.compile(rb'"finding_info"\s*:'), re.compile(rb'"status_code"\s*:'))
_PROWLER = re.compile(rb'"(vendor_name|name)"\s*:\s*"Prowler"|"product_uid"\s*:\s*"prowler"')


def _value(value: object) -> str | None:
    """A non-empty string that is not a sanitising placeholder such as "<account_uid>"."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or _PLACEHOLDER.match(value):
        return None
    return value


def _obj(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


def _severity(
    rec: dict[str, object], number: int, ctx: ParseContext
) -> tuple[Severity, str | None]:
    label = rec.get("severity")
    severity, known = from_label(label, SEVERITY, default=DEFAULT_SEVERITY)
    if known:
        return severity, str(label)
    severity_id = rec.get("severity_id")
    if isinstance(severity_id, int) and severity_id in SEVERITY_BY_ID:
        return SEVERITY_BY_ID[severity_id], str(label) if isinstance(label, str) else str(
            severity_id
        )
    ctx.warn(f"record {number}: unknown severity {label!r}; using {DEFAULT_SEVERITY.value}")
    return DEFAULT_SEVERITY, str(label) if label is not None else None


def _compliance(unmapped: dict[str, object]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for framework, controls in _obj(unmapped.get("compliance")).items():
        items = controls if isinstance(controls, list) else [controls]
        for control in items:
            if isinstance(control, str | int | float) and str(control).strip():
                pair = (str(framework), str(control).strip())
                if pair not in pairs:
                    pairs.append(pair)
    return tuple(pairs)


# OCSF data_classification ids -> captions (OCSF 1.3+ data_classification object)
_CONFIDENTIALITY = {1: "Not Confidential", 2: "Confidential", 3: "Secret", 4: "Top Secret"}
_DATA_CATEGORY = {1: "Personal", 2: "Governmental", 3: "Financial", 4: "Business"}


def _context_pairs(resource: dict[str, object]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    if "labels" in resource:
        pairs.extend(t for t in _context.tags(resource["labels"]) if not _PLACEHOLDER.match(t[1]))
    metadata = _obj(_obj(resource.get("data")).get("metadata"))
    if "tags" in metadata:
        pairs.extend(_context.tags(metadata["tags"]))
    classification = resource.get("data_classification")
    listed = resource.get("data_classifications")
    if not isinstance(classification, dict) and isinstance(listed, list) and listed:
        classification = listed[0]
    if isinstance(classification, dict):
        conf = _value(classification.get("confidentiality"))
        conf_id = classification.get("confidentiality_id")
        if conf is None and isinstance(conf_id, int):
            conf = _CONFIDENTIALITY.get(conf_id)
        pairs.extend(_context.fact("ocsf:confidentiality", conf))
        category = _value(classification.get("category"))
        category_id = classification.get("category_id")
        if category is None and isinstance(category_id, int):
            category = _DATA_CATEGORY.get(category_id)
        pairs.extend(_context.fact("ocsf:data_category", category))
    return tuple(pairs)


def _kubernetes_cluster(uid: str | None, check: str) -> str | None:
    """The cluster from "prowler-kubernetes-<check>-<cluster>-namespace: <ns>-<resource>"."""
    prefix = f"prowler-kubernetes-{check}-"
    if not uid or not uid.startswith(prefix):
        return None
    cluster, sep, _ = uid[len(prefix) :].partition("-namespace: ")
    return _value(cluster) if sep else None


class ProwlerOcsfIngestor:
    name: ClassVar[str] = "prowler-ocsf"
    title: ClassVar[str] = "Prowler OCSF JSON"

    def sniff(self, head: bytes, filename: str) -> bool:
        if _EMPTY_DOC.match(head):
            # `[]` carries no keys: only the file name can say it is OCSF (Prowler writes
            # "*.ocsf.json"); "prowler" alone could be Prowler v3's own JSON format
            return "ocsf" in filename.lower()
        return (
            bool(_TOP_ARRAY.match(head))
            and all(p.search(head) for p in _OCSF_KEYS)
            and bool(_PROWLER.search(head))
        )

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "prowler"
        ctx.tools.add("prowler")
        for number, rec in enumerate(array_items(stream), start=1):
            if not isinstance(rec, dict):
                ctx.skip(f"record {number}: not a JSON object; skipped")
                continue
            if ctx.tool_version is None:
                product = _obj(_obj(rec.get("metadata")).get("product"))
                ctx.tool_version = _value(product.get("version"))
            status = rec.get("status_code")
            if status == "MANUAL":  # neither passed nor failed: left to a person
                ctx.manual += 1
                continue
            if status in _NOT_FINDINGS:
                ctx.passed += 1
                continue
            if status != "FAIL":
                ctx.skip(
                    f"record {number}: status_code {status!r} is not PASS/FAIL/MANUAL; skipped"
                )
                continue
            finding = self._finding(rec, number, ctx)
            if finding is not None:
                yield finding

    def _finding(self, rec: dict[str, object], number: int, ctx: ParseContext) -> RawFinding | None:
        info = _obj(rec.get("finding_info"))
        metadata = _obj(rec.get("metadata"))
        uid = _value(info.get("uid"))
        check = _value(metadata.get("event_code"))
        if check is None and uid is not None and (m := _UID_CHECK.match(uid)):
            check = m["check"]
        if check is None:
            ctx.skip(f"record {number}: no metadata.event_code (check id); skipped")
            return None
        severity, raw_severity = _severity(rec, number, ctx)

        cloud = _obj(rec.get("cloud"))
        account = _obj(cloud.get("account"))
        resources = rec.get("resources")
        resource = _obj(resources[0]) if isinstance(resources, list) and resources else {}
        provider = _value(cloud.get("provider"))
        profiles = metadata.get("profiles")
        if provider is None and (
            "namespace" in resource
            or (isinstance(profiles, list) and "container" in profiles)
            or (uid or "").startswith("prowler-kubernetes-")
        ):
            provider = "kubernetes"
        account_id = _value(account.get("uid"))
        if provider == "kubernetes" and account_id is None:
            account_id = _kubernetes_cluster(uid, check)
        region = _value(resource.get("region")) or _value(cloud.get("region"))

        unmapped = _obj(rec.get("unmapped"))
        remediation = _obj(rec.get("remediation"))
        references: list[str] = []
        remediation_lines = [text] if (text := _value(remediation.get("desc"))) else []
        ref_values = remediation.get("references")
        for ref in ref_values if isinstance(ref_values, list) else []:
            if not (ref := _value(ref)):
                continue
            if _is_url(ref):
                references.append(ref)
            elif ref != _NO_COMMAND:
                remediation_lines.append(ref)  # a CLI command or console steps
        related_url = _value(unmapped.get("related_url"))
        extra_urls = unmapped.get("additional_urls")
        for url in [related_url, *(extra_urls if isinstance(extra_urls, list) else [])]:
            if (url := _value(url)) and _is_url(url) and url not in references:
                references.append(url)

        description: list[str] = []
        for part in (rec.get("status_detail"), info.get("desc"), rec.get("risk_details")):
            if (text := _value(part)) and text not in description:
                description.append(text)

        return RawFinding(
            tool="prowler",
            rule_id=check,
            title=_value(info.get("title")) or check,
            severity=severity,
            location=Location(
                resource=_value(resource.get("uid")) or _value(resource.get("name")),
                resource_type=_value(resource.get("type")),
                cloud_provider=provider,
                account_id=account_id,
                region=region,
            ),
            category=Category.CSPM,
            raw_severity=raw_severity,
            asset_key=f"{provider}:{account_id}" if provider and account_id else None,
            description="\n\n".join(description),
            remediation="\n".join(remediation_lines),
            help_uri=related_url if related_url and _is_url(related_url) else None,
            references=tuple(references),
            compliance=_compliance(unmapped),
            tool_fingerprint=uid,
            suppressed=rec.get("status") == "Suppressed",
            context=_context_pairs(resource) if resource else (),
        )
