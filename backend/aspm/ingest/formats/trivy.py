"""Trivy JSON (`trivy image|fs|repo|config|k8s --format json`): every layout Trivy has written.

Layouts, told apart by the top-level shape:
- schema 2 (Trivy >= 0.20): {"SchemaVersion": 2, "Trivy": {"Version"}, "ArtifactName",
  "ArtifactType", "Metadata": {..., "RepoURL"}, "Results": [result, ...]}. No "Results" key, or
  `[]`, is a scan that found nothing.
- legacy (before 0.20): a top-level array of results; `[]`, or the JSON literal `null` that those
  versions printed when nothing was found, is a scan that found nothing (0 records). With no keys
  to go by, `[]` and `null` are detected only when the file name says Trivy (or --format trivy);
  an anonymous `null` stays a clear refusal.
- Kubernetes (`trivy k8s`): {"ClusterName", "Resources": [resource, ...]}, and the older
  {"ClusterName", "Vulnerabilities": [resource, ...], "Misconfigurations": [resource, ...]}; a
  resource is {"Namespace", "Kind", "Name", "Results": [result, ...]} in both.
A result is {"Target", "Class", "Type", "Packages", "Vulnerabilities", "MisconfSummary",
"Misconfigurations", "Secrets", "Licenses"}. Packages and MisconfSummary are not records.

Records (the corpus MANIFEST's rule): every element of Vulnerabilities, Misconfigurations, Secrets
and Licenses. Not findings (ctx.passed): misconfigurations with Status PASS (written with
--include-non-failures) and vulnerabilities with Status not_affected (VEX). Misconfigurations with
Status EXCEPTION (excepted by a policy exception) are findings with suppressed=True. An element that
is not an object, or has no id (VulnerabilityID, ID/AVDID, RuleID, license Name), is skipped.

Categories: vulnerabilities are `container` when the artifact is a container image, the result's
Class is os-pkgs, the legacy result's Type is an OS family, or the report is a Kubernetes scan
(whose vulnerabilities are those of the workloads' images); `sca` otherwise. Misconfigurations are
`iac`, except in Kubernetes cluster reports where they describe live resources: `cspm`. Secrets
`secret`, licenses `license`.

asset_key: "kubernetes:<ClusterName>" for Kubernetes reports; else Metadata.RepoURL; else the
ArtifactName of a `repository` scan when it is a URL; else "image:<ArtifactName>" for container
images; else none (a filesystem path says nothing about which asset it is).

Identity (tool_fingerprint; no line number, message or secret ever enters it):
- vulnerability: "<VulnerabilityID>|<PkgID, else PkgName@InstalledVersion>|<target>", plus
  "|<PkgPath>" when Trivy gives one other than the target (two copies of a library in different
  places are two things to fix) and "|<namespace/Kind/name>" in Kubernetes reports (one image in
  two workloads). For OS package results the target loses its " (<os> <version>)" suffix: a
  patched base image keeps the identities of what it did not fix.
- misconfiguration: "<rule id>|<path>|<resource>|<k>", where path is the result's Target
  (normalized; none in Kubernetes cluster reports), resource is CauseMetadata.Resource (the IaC
  address, e.g. `aws_s3_bucket.logs`, `module.bucket`) or, in Kubernetes cluster reports,
  "<namespace>/<Kind>/<name>", and k is the 0-based ordinal among the result's findings with the
  same rule and resource ordered by start line: Kubernetes manifests, Helm charts and Dockerfiles
  carry no resource address, so two findings of one rule in one manifest (KSV-0118 on a deployment
  and on its container) are told apart by k, which survives lines moving (it changes only when a
  new finding of the same rule appears above in the same file).
  rule id: the AVD id. Trivy wrote it as AVDID ("AVD-KSV-0001", with ID "KSV001"), then as ID
  ("AVD-AWS-0089"), and since 0.6x as ID without the prefix ("AWS-0089", "KSV-0001", "DS-0002"):
  all become "AVD-..." so identities survive Trivy upgrades and match Trivy's SARIF rule ids. A
  legacy short id of the Kubernetes/Dockerfile families (KSV001, KCV0001, DS002) is mapped to its
  AVD form only without an AVDID; any other id (custom checks) is kept as written, and a replaced
  id is quoted in the description.
- secret: "<RuleID>|<path>|<k>", k the ordinal among the result's secrets of the same rule ordered
  by start line. Trivy masks the matched secret with asterisks in Match and Code.Lines and never
  writes the raw value, so `secret` stays None (the pipeline has nothing to hash) and the identity
  cannot use the value; the masked Match is not used either: it is the surrounding line text
  (it changes when the line is edited, or Trivy's rendering of it changes), and if masking ever
  failed it would put a secret into an identity. The masked Match is kept as the snippet only when
  it visibly is masked (a run of asterisks); otherwise it is dropped with a warning.
- license: "<license Name>|<PkgName, else FilePath>|<target>".

Severity: CRITICAL/HIGH/MEDIUM/LOW. UNKNOWN (no vendor or NVD rating yet) takes the CVSS score when
the record has one, else LOW (as Trivy's SARIF output does with "note"), without a warning. A
missing or other label is MEDIUM with a warning. cvss: the highest CVSS v3 score of any source,
else the highest v4.0 score, else the highest v2 score; a score that is not a finite number from 0
to 10 (NaN, 1e999, 11) is ignored with a warning.

Streaming: the document is walked with JsonCursor; each record is decoded on its own, Packages
and Metadata.ImageConfig are skipped value by value. Buffered: the misconfigurations and secrets
of one result (for the ordinals), records that come before their result's Target, and, when
"Results" comes before any header key (never in Trivy's own output), the findings of the report
until its header is known.
"""

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

from aspm.common.paths import normalize_path
from aspm.common.severity import Severity, from_label, from_score
from aspm.ingest.contract import Category, Location, MalformedReport, ParseContext, RawFinding
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe
from aspm.ingest.formats._numbers import CVSS_MAX, number, off_scale, on_scale
from aspm.ingest.formats.tfsec import terraform_resource_type

TOOL = "trivy"

# Trivy's labels. UNKNOWN is handled apart (see the module docstring); anything else, or no label,
# is taken as MEDIUM with a warning.
_SEVERITY: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}
_DEFAULT_SEVERITY = Severity.MEDIUM
_UNKNOWN_SEVERITY = Severity.LOW

# legacy results have no Class: their Type names the OS family for OS packages
_OS_FAMILIES = frozenset(
    {
        "alma", "alpine", "amazon", "azurelinux", "bottlerocket", "cbl-mariner", "centos",
        "chainguard", "debian", "echo", "fedora", "minimos", "opensuse", "opensuse.leap",
        "opensuse.tumbleweed", "oracle", "photon", "redhat", "rocky", "sles", "suse",
        "suse linux enterprise server", "ubuntu", "wolfi",
    }
)  # fmt: skip
# result Targets that name a group, not a file: the packages of one language found anywhere in an
# image (each package's own file is its PkgPath), and the groups of license results
_AGGREGATED_TARGETS = frozenset(
    {"Node.js", "Python", "Java", "Ruby", "PHP", ".NET", "Conda", "Julia", "OS Packages",
     "Loose File License(s)"}
)  # fmt: skip
_PROVIDERS = {
    "aws": "aws",
    "azure": "azure",
    "google": "gcp",
    "gcp": "gcp",
    "kubernetes": "kubernetes",
}
_RECORD_KEYS = frozenset({"Vulnerabilities", "Misconfigurations", "Secrets", "Licenses"})
_HEADER_KEYS = frozenset(
    {"SchemaVersion", "Trivy", "ReportID", "CreatedAt", "ArtifactID", "ArtifactName",
     "ArtifactType", "Metadata", "ClusterName"}
)  # fmt: skip
_K8S_RESOURCE_LISTS = frozenset({"Resources", "Vulnerabilities", "Misconfigurations"})

_AVD = re.compile(r"^AVD-[A-Z0-9]+-\d+$")
_AVD_WITHOUT_PREFIX = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
_LEGACY_SHORT_ID = re.compile(r"^(KSV|KCV|DS)(\d+)$")
_OS_SUFFIX = re.compile(r"\s+\([^()]*\)$")
_CWE = re.compile(r"^CWE-(\d+)$", re.IGNORECASE)
_MASKED = re.compile(r"\*{3,}")
_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)

_SNIFF_SCHEMA2 = re.compile(rb'"SchemaVersion"\s*:\s*2\s*[,}]')  # ASFF's is a string
_SNIFF_SCHEMA2_KEYS = re.compile(rb'"(?:ArtifactName|ArtifactType|Results)"\s*:')
_SNIFF_K8S = re.compile(rb'"ClusterName"\s*:\s*"')
_SNIFF_K8S_LISTS = re.compile(rb'"(?:Resources|Vulnerabilities|Misconfigurations)"\s*:\s*[\[n]')
_SNIFF_LEGACY = re.compile(rb'^\s*\[\s*\{\s*"Target"\s*:\s*"')
_SNIFF_EMPTY = re.compile(rb"^\s*\[\s*\]\s*$")
_SNIFF_SARIF = re.compile(rb'"runs"\s*:\s*\[')


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _line(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def avd_id(record_id: str, avdid: str) -> str:
    """The AVD form of a misconfiguration's id, whichever Trivy version wrote it."""
    if _AVD.match(avdid):
        return avdid
    if _AVD.match(record_id):
        return record_id
    if _AVD_WITHOUT_PREFIX.match(record_id):
        return f"AVD-{record_id}"
    legacy = _LEGACY_SHORT_ID.match(record_id)
    if legacy:
        return f"AVD-{legacy.group(1)}-{int(legacy.group(2)):04d}"
    return record_id or avdid


def ordinals(items: list[tuple[str, int | None, int | None]]) -> list[int]:
    """For each (group, start line, end line): its 0-based rank within its group, by position."""

    def order(i: int) -> tuple[str, int, int, int]:
        group, start, end = items[i]
        return (group, start or 0, end or 0, i)

    ranks = [0] * len(items)
    seen: dict[str, int] = {}
    for i in sorted(range(len(items)), key=order):
        group = items[i][0]
        ranks[i] = seen.get(group, 0)
        seen[group] = ranks[i] + 1
    return ranks


def _cvss(record: dict[str, Any], where: str, ctx: ParseContext) -> float | None:
    """The highest v3 score of any source, else v4.0, else v2; a score that is not a finite
    number from 0 to 10 is ignored with a warning."""
    sources = record.get("CVSS")
    if not isinstance(sources, dict):
        return None
    for key in ("V3Score", "V40Score", "V2Score"):
        scores: list[float] = []
        for source, vector in sources.items():
            value = vector.get(key) if isinstance(vector, dict) else None
            score = number(value) if isinstance(value, int | float) else None
            if score is None:
                continue
            if on_scale(score, CVSS_MAX):
                scores.append(score)
            else:
                ctx.warn(f"{where}: " + off_scale(f"CVSS {source}.{key}", value, CVSS_MAX))
        if scores:
            return max(scores)
    return None


def _references(primary: str, more: Any) -> tuple[str, ...]:
    refs = ([primary] if primary else []) + _strings(more)
    return tuple(dict.fromkeys(refs))


@dataclass(slots=True)
class _Report:
    """What the walk knows about the report it is in."""

    artifact_name: str | None = None
    artifact_type: str | None = None
    repo_url: str | None = None
    cluster: str | None = None
    kubernetes: bool = False
    recognised: bool = False

    @property
    def image(self) -> bool:
        return self.artifact_type == "container_image"

    def asset_key(self) -> str | None:
        if self.kubernetes:
            return f"kubernetes:{self.cluster}" if self.cluster else None
        if self.repo_url:
            return self.repo_url
        name = self.artifact_name
        if name and self.artifact_type == "repository" and _URLISH.match(name):
            return name
        if name and self.image:
            return f"image:{name}"
        return None


@dataclass(slots=True)
class _Result:
    """One result: a target (lockfile, image OS, manifest, ...) and the workload it belongs to."""

    where: str
    target: str | None = None
    cls: str | None = None
    type: str | None = None
    namespace: str | None = None  # Kubernetes reports: the resource the result is about
    kind: str | None = None
    name: str | None = None

    @property
    def settled(self) -> bool:
        return self.target is not None and (self.cls is not None or self.type is not None)

    @property
    def workload(self) -> str | None:
        if not self.kind and not self.name:
            return None
        parts = [p for p in (self.namespace, self.kind, self.name) if p]
        return "/".join(parts)

    @property
    def os_packages(self) -> bool:
        if self.cls is not None:
            return self.cls == "os-pkgs"
        return (self.type or "").lower() in _OS_FAMILIES

    @property
    def file(self) -> str | None:
        """The Target when it is a file (a lockfile, a manifest), not an image or a language."""
        if self.os_packages or self.target in _AGGREGATED_TARGETS:
            return None
        return self.target

    def target_key(self) -> str:
        target = self.target or ""
        return _OS_SUFFIX.sub("", target) if self.os_packages else target


class TrivyIngestor:
    name: ClassVar[str] = "trivy"
    title: ClassVar[str] = "Trivy JSON"

    def sniff(self, head: bytes, filename: str) -> bool:
        start = head.lstrip()[:1]
        if start == b"{":
            if _SNIFF_SARIF.search(head):
                return False
            if _SNIFF_SCHEMA2.search(head) and _SNIFF_SCHEMA2_KEYS.search(head):
                return True
            return bool(_SNIFF_K8S.search(head) and _SNIFF_K8S_LISTS.search(head))
        if start == b"[":
            if _SNIFF_EMPTY.match(head):
                # `[]` carries no keys: only the file name can say it is a Trivy report
                return "trivy" in filename.lower()
            return bool(_SNIFF_LEGACY.match(head))
        if start == b"n" and head.strip() == b"null":
            # legacy Trivy (before 0.20) printed `null` when it found nothing: likewise
            return "trivy" in filename.lower()
        return False

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "Trivy"
        ctx.tools.add(TOOL)
        cursor = JsonCursor(stream)
        try:
            yield from self._document(cursor, ctx)
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid Trivy JSON: {exc}") from exc

    # --- the walk ---------------------------------------------------------------------------

    def _document(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        first = cursor.peek()
        report = _Report()
        if first == "[":  # legacy: a bare array of results
            yield from self._results(cursor, report, ctx, _Result(where=""))
        elif first == "n":  # legacy: `null` when nothing was found (0 records)
            cursor.value()
        elif first == "{":
            yield from self._object(cursor, report, ctx)
            if not report.recognised:
                raise MalformedReport(
                    "not a Trivy report: the object has none of SchemaVersion, ArtifactName, "
                    "Results, ClusterName or Resources"
                )
        else:
            found = "is empty" if first == "" else f"holds {describe(first)}"
            raise MalformedReport(
                "a Trivy report is a JSON object (or, before Trivy 0.20, an array of results); "
                f"the file {found}"
            )
        cursor.end()

    def _object(
        self, cursor: JsonCursor, report: _Report, ctx: ParseContext
    ) -> Iterator[RawFinding]:
        header_seen = False
        held: list[RawFinding] | None = None  # findings met before any header key
        for key in cursor.members():
            if key in _HEADER_KEYS:
                header_seen = True
                report.recognised = True
                self._header(key, cursor, report, ctx)
                continue
            if key == "Results":
                report.recognised = True
                findings = self._results(cursor, report, ctx, _Result(where=""))
            elif key in _K8S_RESOURCE_LISTS:  # top-level lists of resources: `trivy k8s` only
                report.recognised = report.kubernetes = True
                findings = self._resources(cursor, report, ctx, key)
            else:
                cursor.skip()
                continue
            if header_seen:
                yield from findings
            else:
                held = held if held is not None else []
                held.extend(findings)
        if held:
            # the header came after the results: fill in what it decides
            asset_key = report.asset_key()
            for finding in held:
                category = finding.category
                if category is Category.SCA and (report.image or report.kubernetes):
                    category = Category.CONTAINER
                elif category is Category.IAC and report.kubernetes:
                    category = Category.CSPM
                yield dataclasses.replace(finding, asset_key=asset_key, category=category)

    def _header(self, key: str, cursor: JsonCursor, report: _Report, ctx: ParseContext) -> None:
        if key == "Metadata":
            if cursor.peek() != "{":
                cursor.skip()
                return
            for member in cursor.members():
                if member == "RepoURL":
                    report.repo_url = _text(cursor.value()) or None
                else:
                    cursor.skip()
            return
        if key == "Trivy":
            value = cursor.value()
            version = _text(value.get("Version")) if isinstance(value, dict) else ""
            if version and ctx.tool_version is None:
                ctx.tool_version = version
            return
        value = cursor.value()
        if key == "ArtifactName":
            report.artifact_name = _text(value) or None
        elif key == "ArtifactType":
            report.artifact_type = _text(value) or None
        elif key == "ClusterName":
            report.kubernetes = True
            report.cluster = _text(value) or None
        elif key == "SchemaVersion" and value != 2:
            ctx.warn(f"SchemaVersion {value!r}: read as schema 2")

    def _resources(
        self, cursor: JsonCursor, report: _Report, ctx: ParseContext, key: str
    ) -> Iterator[RawFinding]:
        found = cursor.peek()
        if found == "n":
            cursor.value()
            return
        if found != "[":
            raise MalformedReport(f"'{key}' is {describe(found)}, not an array")
        for index in cursor.elements():
            where = f"{key}[{index}]"
            if cursor.peek() != "{":
                ctx.warn(
                    f"{where} is {describe(cursor.peek())}, not a Kubernetes resource; ignored"
                )
                cursor.skip()
                continue
            resource = _Result(where=where)
            for member in cursor.members():
                if member in ("Namespace", "Kind", "Name"):
                    value = _text(cursor.value()) or None
                    if member == "Namespace":
                        resource.namespace = value
                    elif member == "Kind":
                        resource.kind = value
                    else:
                        resource.name = value
                elif member == "Results":
                    yield from self._results(cursor, report, ctx, resource)
                else:
                    cursor.skip()

    def _results(
        self, cursor: JsonCursor, report: _Report, ctx: ParseContext, parent: _Result
    ) -> Iterator[RawFinding]:
        found = cursor.peek()
        if found == "n":
            cursor.value()
            return
        if found != "[":
            if not parent.where:  # the report's own Results: the report cannot be read
                raise MalformedReport(f"'Results' is {describe(found)}, not an array")
            ctx.warn(f"{parent.where}: 'Results' is {describe(found)}, not an array; ignored")
            cursor.skip()
            return
        for index in cursor.elements():
            where = f"{parent.where}, result {index}" if parent.where else f"result {index}"
            if cursor.peek() != "{":
                ctx.warn(f"{where} is {describe(cursor.peek())}, not a Trivy result; ignored")
                cursor.skip()
                continue
            result = dataclasses.replace(parent, where=where)
            yield from self._result(cursor, report, ctx, result)

    def _result(
        self, cursor: JsonCursor, report: _Report, ctx: ParseContext, result: _Result
    ) -> Iterator[RawFinding]:
        early: list[tuple[str, int, Any]] = []  # records met before the result's Target
        misconfigurations: list[tuple[int, Any]] = []
        secrets: list[tuple[int, Any]] = []
        recognised = False
        for key in cursor.members():
            if key in ("Target", "Class", "Type"):
                recognised = True
                value = _text(cursor.value()) or None
                if key == "Target":
                    result.target = value
                elif key == "Class":
                    result.cls = value
                else:
                    result.type = value
                continue
            if key not in _RECORD_KEYS:
                cursor.skip()
                continue
            recognised = True
            found = cursor.peek()
            if found == "n":
                cursor.value()
                continue
            if found != "[":
                ctx.warn(f"{result.where}: '{key}' is {describe(found)}, not an array; ignored")
                cursor.skip()
                continue
            for n, record in enumerate(cursor.values()):
                if key == "Misconfigurations":
                    misconfigurations.append((n, record))
                elif key == "Secrets":
                    secrets.append((n, record))
                elif not result.settled:
                    early.append((key, n, record))
                else:
                    finding = self._record(key, n, record, report, result, ctx)
                    if finding is not None:
                        yield finding
        if not recognised:
            ctx.warn(f"{result.where} has no Target or findings: not a Trivy result; ignored")
        for key, n, record in early:
            finding = self._record(key, n, record, report, result, ctx)
            if finding is not None:
                yield finding
        yield from self._misconfigurations(misconfigurations, report, result, ctx)
        yield from self._secrets(secrets, report, result, ctx)

    def _record(
        self,
        key: str,
        n: int,
        record: Any,
        report: _Report,
        result: _Result,
        ctx: ParseContext,
    ) -> RawFinding | None:
        if key == "Vulnerabilities":
            return self._vulnerability(n, record, report, result, ctx)
        return self._license(n, record, report, result, ctx)

    # --- one record of each kind ---------------------------------------------------------------

    @staticmethod
    def _severity(
        record: dict[str, Any], cvss: float | None, where: str, ctx: ParseContext
    ) -> tuple[Severity, str | None]:
        label = record.get("Severity")
        if isinstance(label, str) and label.strip().lower() == "unknown":
            return (from_score(cvss) if cvss else _UNKNOWN_SEVERITY), label
        severity, known = from_label(label, _SEVERITY, default=_DEFAULT_SEVERITY)
        if not known:
            ctx.warn(f"{where}: unknown severity {label!r}; taken as medium")
        return severity, label if isinstance(label, str) else None

    def _vulnerability(
        self, n: int, record: Any, report: _Report, result: _Result, ctx: ParseContext
    ) -> RawFinding | None:
        where = f"{result.where}, vulnerability {n}"
        if not isinstance(record, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return None
        rule_id = _text(record.get("VulnerabilityID"))
        if not rule_id:
            ctx.skip(f"{where}: no VulnerabilityID; skipped")
            return None
        status = _text(record.get("Status")).lower()
        if status == "not_affected":
            ctx.passed += 1
            return None
        name = _text(record.get("PkgName"))
        version = _text(record.get("InstalledVersion"))
        identifier = record.get("PkgIdentifier")
        purl = _text(identifier.get("PURL")) if isinstance(identifier, dict) else ""
        pkg_id = _text(record.get("PkgID"))
        package = f"{name}@{version}" if name and version else name or pkg_id or purl
        pkg_path = _text(record.get("PkgPath"))
        cvss = _cvss(record, f"{where} ({rule_id})", ctx)
        severity, raw_severity = self._severity(record, cvss, f"{where} ({rule_id})", ctx)
        fixed = _text(record.get("FixedVersion"))
        if fixed:
            remediation = f"Upgrade {name or package} to {fixed}."
        elif status:
            remediation = f"No fixed version is available (status: {status})."
        else:
            remediation = "No fixed version is available."
        primary = _text(record.get("PrimaryURL"))
        references = _references(primary, record.get("References"))
        image = report.image or report.kubernetes or result.os_packages
        workload = result.workload
        context = f"Package {name or package} {version}".rstrip()
        if result.target:
            context += f" in {result.target}"
        if workload:
            context += f" (workload {workload})"
        fingerprint = f"{rule_id}|{pkg_id or package}|{result.target_key()}"
        if pkg_path and pkg_path != result.target:
            fingerprint += f"|{pkg_path}"
        if workload:
            fingerprint += f"|{workload}"
        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=_text(record.get("Title")) or f"{rule_id} in {name or package}",
            severity=severity,
            location=Location(
                path=pkg_path or result.file,
                resource=package or None,
                resource_type=result.type,
            ),
            category=Category.CONTAINER if image else Category.SCA,
            raw_severity=raw_severity,
            asset_key=report.asset_key(),
            description="\n\n".join(p for p in (_text(record.get("Description")), context) if p),
            remediation=remediation,
            help_uri=references[0] if references else None,
            references=references,
            cwe_ids=tuple(
                dict.fromkeys(
                    int(m.group(1))
                    for m in (_CWE.match(c) for c in _strings(record.get("CweIDs")))
                    if m
                )
            ),
            tool_fingerprint=fingerprint,
            cvss=cvss,
        )

    def _license(
        self, n: int, record: Any, report: _Report, result: _Result, ctx: ParseContext
    ) -> RawFinding | None:
        where = f"{result.where}, license {n}"
        if not isinstance(record, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return None
        rule_id = _text(record.get("Name"))
        if not rule_id:
            ctx.skip(f"{where}: no license Name; skipped")
            return None
        severity, raw_severity = self._severity(record, None, f"{where} ({rule_id})", ctx)
        package = _text(record.get("PkgName"))
        file_path = _text(record.get("FilePath"))
        category = _text(record.get("Category"))
        link = _text(record.get("Link"))
        subject = package or file_path or result.target or ""
        title = f"{rule_id} license" + (f" ({category})" if category else "")
        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=f"{title} in {subject}" if subject else title,
            severity=severity,
            location=Location(path=file_path or result.file, resource=package or None),
            category=Category.LICENSE,
            raw_severity=raw_severity,
            asset_key=report.asset_key(),
            description=f"License category: {category}." if category else "",
            help_uri=link or None,
            references=(link,) if link else (),
            tool_fingerprint=f"{rule_id}|{package or file_path}|{result.target or ''}",
        )

    def _misconfigurations(
        self,
        records: list[tuple[int, Any]],
        report: _Report,
        result: _Result,
        ctx: ParseContext,
    ) -> Iterator[RawFinding]:
        findings: list[RawFinding] = []
        for n, record in records:
            finding = self._misconfiguration(n, record, report, result, ctx)
            if finding is not None:
                findings.append(finding)
        yield from _numbered(findings, by_resource=True)

    def _misconfiguration(
        self, n: int, record: Any, report: _Report, result: _Result, ctx: ParseContext
    ) -> RawFinding | None:
        where = f"{result.where}, misconfiguration {n}"
        if not isinstance(record, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return None
        written_id = _text(record.get("ID"))
        rule_id = avd_id(written_id, _text(record.get("AVDID")))
        if not rule_id:
            ctx.skip(f"{where}: no ID or AVDID; skipped")
            return None
        status = _text(record.get("Status")).upper()
        if status == "PASS":
            ctx.passed += 1
            return None
        if status not in ("", "FAIL", "EXCEPTION"):
            ctx.warn(f"{where} ({rule_id}): unknown Status {status!r}; taken as FAIL")
        severity, raw_severity = self._severity(record, None, f"{where} ({rule_id})", ctx)
        cause = record.get("CauseMetadata")
        cause = cause if isinstance(cause, dict) else {}
        snippet = _code(cause.get("Code"))
        provider = _text(cause.get("Provider")).lower()
        primary = _text(record.get("PrimaryURL"))
        references = _references(primary, record.get("References"))
        message = _text(record.get("Message"))
        description = _text(record.get("Description"))
        parts = [message, description if description != message else ""]
        if written_id and written_id != rule_id:
            parts.append(f"Trivy check ID: {written_id}.")
        if report.kubernetes:
            resource = result.workload
            resource_type = result.kind
            path = None
            cloud_provider: str | None = "kubernetes"
            category = Category.CSPM
        else:
            resource = _text(cause.get("Resource")) or None
            resource_type = (
                terraform_resource_type(resource) if (result.type or "").startswith("terraform")
                else None
            )  # fmt: skip
            path = result.target
            cloud_provider = _PROVIDERS.get(provider)
            category = Category.IAC
        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=_text(record.get("Title")) or rule_id,
            severity=severity,
            location=Location(
                path=path,
                start_line=_line(cause.get("StartLine")),
                end_line=_line(cause.get("EndLine")),
                resource=resource,
                resource_type=resource_type,
                cloud_provider=cloud_provider,
                snippet=snippet,
            ),
            category=category,
            raw_severity=raw_severity,
            asset_key=report.asset_key(),
            description="\n\n".join(p for p in parts if p),
            remediation=_text(record.get("Resolution")),
            help_uri=references[0] if references else None,
            references=references,
            suppressed=status == "EXCEPTION",
        )

    def _secrets(
        self,
        records: list[tuple[int, Any]],
        report: _Report,
        result: _Result,
        ctx: ParseContext,
    ) -> Iterator[RawFinding]:
        findings: list[RawFinding] = []
        for n, record in records:
            finding = self._secret(n, record, report, result, ctx)
            if finding is not None:
                findings.append(finding)
        yield from _numbered(findings, by_resource=False)

    def _secret(
        self, n: int, record: Any, report: _Report, result: _Result, ctx: ParseContext
    ) -> RawFinding | None:
        where = f"{result.where}, secret {n}"
        if not isinstance(record, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return None
        rule_id = _text(record.get("RuleID"))
        if not rule_id:
            ctx.skip(f"{where}: no RuleID; skipped")
            return None
        severity, raw_severity = self._severity(record, None, f"{where} ({rule_id})", ctx)
        match = record.get("Match")
        snippet = match.strip() if isinstance(match, str) and _MASKED.search(match) else None
        if snippet is None and isinstance(match, str) and match.strip():
            ctx.warn(f"{where} ({rule_id}): the Match text is not masked; it is left out")
        category = _text(record.get("Category"))
        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=_text(record.get("Title")) or rule_id,
            severity=severity,
            location=Location(
                path=result.target,
                start_line=_line(record.get("StartLine")),
                end_line=_line(record.get("EndLine")),
                snippet=snippet,
            ),
            category=Category.SECRET,
            raw_severity=raw_severity,
            asset_key=report.asset_key(),
            description=f"Secret category: {category}." if category else "",
        )


def _code(code: Any) -> str | None:
    """The quoted lines of a misconfiguration (CauseMetadata.Code.Lines[].Content)."""
    lines = code.get("Lines") if isinstance(code, dict) else None
    if not isinstance(lines, list):
        return None
    text = "\n".join(
        line["Content"]
        for line in lines
        if isinstance(line, dict) and isinstance(line.get("Content"), str)
    )
    return text if text.strip() else None


def _numbered(findings: list[RawFinding], *, by_resource: bool) -> Iterable[RawFinding]:
    """The findings of one result with their tool fingerprints.

    "<rule>|<path>|<resource>|<k>" (by_resource) or "<rule>|<path>|<k>": k ranks the findings of
    one rule (and resource) by start line.
    """
    keys = [
        [f.rule_id, normalize_path(f.location.path)]
        + ([f.location.resource or ""] if by_resource else [])
        for f in findings
    ]
    ranks = ordinals(
        [
            ("\x1f".join(key), f.location.start_line, f.location.end_line)
            for key, f in zip(keys, findings, strict=True)
        ]
    )
    for finding, key, rank in zip(findings, keys, ranks, strict=True):
        yield dataclasses.replace(finding, tool_fingerprint="|".join([*key, str(rank)]))
