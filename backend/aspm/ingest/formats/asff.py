"""AWS Security Finding Format (ASFF): Security Hub exports and tools that write ASFF.

Shapes: a bare top-level array of findings, `{"Findings": [...]}` (`aws securityhub get-findings`)
or `{"findings": [...]}`. Streamed with ijson; other top-level keys (NextToken, ...) are ignored.

- Not findings (counted in ctx.passed): Compliance.Status PASSED or NOT_AVAILABLE (the check did
  not fail), RecordState ARCHIVED and Workflow.Status RESOLVED (no longer active).
  Workflow.Status SUPPRESSED is yielded with suppressed=True.
- tool = the producing product's family, lower-case without spaces: ProductFields
  "aws/securityhub/ProductName", else ProductName, else ProductFields "ProductName"/"Product Name",
  else the product part of ProductArn ("guardduty", "inspector", "securityhub", "trivy", ...).
- rule_id: ProductFields ControlId / RuleId, else Compliance.SecurityControlId, else GeneratorId.
  GuardDuty-style GeneratorIds are the detector's ARN (the same for every finding of the detector):
  then the finding type (last segment of the first Types entry) is the rule id. A generic
  GeneratorId such as "AWSInspector" is kept; the CVE ids go to references. Trivy's ASFF template
  writes "Trivy/<vulnerability id>": the prefix is dropped so the rule id matches Trivy's JSON.
- Compliance pairs: Compliance.RelatedRequirements split at the last "/" ("PCI DSS v4.0.1/7.2.1")
  or else the last space ("PCI DSS 8.3.1" -> ("PCI DSS", "8.3.1")); a requirement with neither is
  (requirement, ""). Also (standard, control) from ProductFields StandardsArn/StandardsGuideArn +
  ControlId/RuleId, which name the control within that standard. Compliance.AssociatedStandards is
  not paired with SecurityControlId: that id is Security Hub's own, not the standard's numbering.
- Identity: the finding Id is Security Hub's own stable id -> tool_fingerprint. Trivy's template
  builds the Id from target + vulnerability id only, so for Trivy the vulnerable packages'
  `name@version` (Vulnerabilities[].VulnerablePackages, sorted) are appended: the same CVE in two
  packages is two detections. (Other producers' Ids are per package already; theirs are unchanged.)
- Location: AwsAccountId, Resources[0]{Type, Id, Region} (else the finding's Region); the other
  resources of a multi-resource finding are listed in the description. Without AwsAccountId the
  account is taken from the first resource id that names one (an ARN's account field, or
  AWS::::Account:<id>), else it is unknown (no asset key) with a warning. The account-level
  resource `AWS::::Account:<id>` becomes `arn:<partition>:iam::<id>:root`, the account's ARN as
  Prowler writes it, so that an account-level control both report lands on one finding.
- Context (RawFinding.context): the first resource's Tags; Criticality (0-100, else
  FindingProviderFields.Criticality) as "asff:criticality"; the highest Vulnerabilities[].EpssScore
  as "epss"; Vulnerabilities[].ExploitAvailable YES as "exploit_available". ASFF has no KEV field.
- Numbers: Severity.Normalized and .Product and Criticality (0-100), Cvss[].BaseScore (0-10) and
  EpssScore (0-1) count only when finite and on their scale; otherwise they are ignored with a
  warning (a NaN or 1e999 is neither a severity, a CVSS nor a risk input).
"""

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO, ClassVar

from aspm.common.severity import Severity, from_label, from_score
from aspm.ingest.contract import Category, Location, ParseContext, RawFinding
from aspm.ingest.formats import _context, _numbers
from aspm.ingest.formats._json_records import wrapped_items

# Severity.Label values (ASFF). Without a usable label: Severity.Normalized (0-100) through
# _from_normalized, as the ASFF docs map it; then Severity.Product (native, deprecated: a value
# above 10 read as 0-100, else as a 0-10 score, with a warning). Nothing usable -> MEDIUM + warning.
SEVERITY = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "informational": Severity.INFO,
}
DEFAULT_SEVERITY = Severity.MEDIUM

_WRAPPER_KEYS = ("Findings", "findings")
# producers whose finding Id names the vulnerability and its target but not the package: Trivy's
# ASFF template builds it from target + CVE, so the same CVE in libcrypto and libssl shares it
_ID_PER_VULNERABILITY = frozenset({"trivy"})
_NOT_FAILED = frozenset({"PASSED", "NOT_AVAILABLE"})
_FILLER_TEXT = frozenset({"None Provided", "None provided", ""})

_ASFF_KEYS = (re.compile(rb'"ProductArn"\s*:'), re.compile(rb'"(?:AwsAccountId|Resources)"\s*:'))
# an account-level resource as Security Hub names it; Prowler names the same account
# arn:<partition>:iam::<account>:root, and that form is kept (see _account_resource)
_ACCOUNT_RESOURCE = re.compile(r"^AWS::::Account:(?P<account>\d{12})$")
_PARTITION = re.compile(r"^arn:([\w-]+):")
_ARN_ACCOUNT = re.compile(r"^arn:(?P<partition>[\w-]+):[^:]*:[^:]*:(?P<account>\d{12}):")
_ASFF_EXTRA = re.compile(rb'"(GeneratorId|SchemaVersion)"\s*:')
_EMPTY_ARRAY = re.compile(rb"^\s*\[\s*\]\s*$")
_EMPTY_UPPER_WRAPPER = re.compile(rb'^\s*\{\s*"Findings"\s*:\s*\[\s*\]')
_EMPTY_LOWER_WRAPPER = re.compile(rb'^\s*\{\s*"findings"\s*:\s*\[\s*\]')
_PRODUCT_IN_ARN = re.compile(r":product/[^/]+/(?P<product>[^/]+)")
_STANDARD_IN_ARN = re.compile(r":(?:standards|ruleset)/(?P<standard>.+)$")


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _obj(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _scored(value: object, high: float, what: str, warn: Callable[[str], None]) -> float | None:
    """`value` as a number from 0 to `high`; a number that is not (NaN, 1e999, off the scale)
    is ignored with a warning, anything else silently."""
    score = _numbers.number(value)
    if score is None or _numbers.on_scale(score, high):
        return score
    warn(_numbers.off_scale(what, value, high))
    return None


def _record_warn(ctx: ParseContext, number: int) -> Callable[[str], None]:
    return lambda message: ctx.warn(f"record {number}: {message}")


def _from_normalized(score: float) -> Severity:
    """ASFF Severity.Normalized (0-100): 90+ critical, 70+ high, 40+ medium, 1+ low, 0 info."""
    if score >= 90:
        return Severity.CRITICAL
    if score >= 70:
        return Severity.HIGH
    if score >= 40:
        return Severity.MEDIUM
    if score >= 1:
        return Severity.LOW
    return Severity.INFO


def _severity(
    rec: dict[str, object], number: int, ctx: ParseContext
) -> tuple[Severity, str | None]:
    sev = _obj(rec.get("Severity"))
    provider_sev = _obj(_obj(rec.get("FindingProviderFields")).get("Severity"))
    for label in (sev.get("Label"), provider_sev.get("Label")):
        severity, known = from_label(label, SEVERITY, default=DEFAULT_SEVERITY)
        if known:
            return severity, str(label)
    warn = _record_warn(ctx, number)
    normalized = _scored(sev.get("Normalized"), 100, "Severity.Normalized", warn)
    if normalized is not None:
        return _from_normalized(normalized), f"Normalized {normalized:g}"
    product = _scored(sev.get("Product"), 100, "Severity.Product", warn)
    if product is not None:
        ctx.warn(f"record {number}: only Severity.Product ({product:g}) given; severity estimated")
        severity = _from_normalized(product) if product > 10 else from_score(product)
        return severity, f"Product {product:g}"
    ctx.warn(f"record {number}: no usable Severity; using {DEFAULT_SEVERITY.value}")
    label = sev.get("Label")
    return DEFAULT_SEVERITY, str(label) if label is not None else None


def _tool(rec: dict[str, object]) -> str:
    fields = _obj(rec.get("ProductFields"))
    name = (
        _text(fields.get("aws/securityhub/ProductName"))
        or _text(rec.get("ProductName"))
        or _text(fields.get("ProductName"))
        or _text(fields.get("Product Name"))
    )
    if name is None:
        arn = _text(rec.get("ProductArn")) or ""
        m = _PRODUCT_IN_ARN.search(arn)
        name = m["product"] if m else "securityhub"
    return re.sub(r"\s+", "", name).lower()


def _rule_id(rec: dict[str, object], compliance: dict[str, object], tool: str) -> str | None:
    fields = _obj(rec.get("ProductFields"))
    rule = (
        _text(fields.get("ControlId"))
        or _text(fields.get("RuleId"))
        or _text(compliance.get("SecurityControlId"))
    )
    if rule:
        return rule
    generator = _text(rec.get("GeneratorId"))
    if generator and generator.startswith("arn:"):
        for finding_type in _list(rec.get("Types")):
            if text := _text(finding_type):
                return text.rsplit("/", 1)[-1]
    if generator and tool == "trivy" and generator.startswith("Trivy/"):
        return generator.removeprefix("Trivy/")  # the same rule id as Trivy's own JSON report
    return generator


def _account_from(resources: list[dict[str, object]]) -> str | None:
    """The account a finding without AwsAccountId is about: the first resource id (an ARN or
    Security Hub's AWS::::Account:<id>) that names one."""
    for resource in resources:
        rid = _text(resource.get("Id"))
        if rid is None:
            continue
        m = _ARN_ACCOUNT.match(rid) or _ACCOUNT_RESOURCE.match(rid)
        if m:
            return m["account"]
    return None


def _account_resource(
    rid: str | None, resource: dict[str, object], rec: dict[str, object]
) -> str | None:
    """Security Hub's `AWS::::Account:<id>` as `arn:<partition>:iam::<id>:root`, the account's own
    ARN and Prowler's name for it, so an account-level control (root MFA) that both report is one
    finding. The partition: the resource's Partition, else the ProductArn's, else aws."""
    m = _ACCOUNT_RESOURCE.match(rid) if rid is not None and rid.startswith("AWS::") else None
    if m is None:
        return rid
    partition = _text(resource.get("Partition"))
    if partition is None:
        found = _PARTITION.match(_text(rec.get("ProductArn")) or "")
        partition = found[1] if found else "aws"
    return f"arn:{partition}:iam::{m['account']}:root"


def _package_key(vulns: list[object]) -> str:
    """`name@version` of every vulnerable package, sorted: part of a vulnerability's identity."""
    keys = {
        f"{name}@{_text(package.get('Version')) or ''}"
        for vuln in map(_obj, vulns)
        for package in map(_obj, _list(vuln.get("VulnerablePackages")))
        if (name := _text(package.get("Name")))
    }
    return ",".join(sorted(keys))


def _category(types: list[object]) -> Category:
    texts = [t for t in types if isinstance(t, str)]
    if any("Vulnerabilities" in t for t in texts):
        return Category.SCA
    if any(t.startswith("Software and Configuration Checks") for t in texts):
        return Category.CSPM
    return Category.OTHER


def _split_requirement(requirement: str) -> tuple[str, str]:
    for sep in ("/", " "):
        framework, found, control = requirement.rpartition(sep)
        if found and framework.strip() and control.strip():
            return framework.strip(), control.strip()
    return requirement, ""


def _compliance_pairs(
    rec: dict[str, object], compliance: dict[str, object]
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []

    def add(pair: tuple[str, str]) -> None:
        if pair[0] and pair not in pairs:
            pairs.append(pair)

    for requirement in _list(compliance.get("RelatedRequirements")):
        if text := _text(requirement):
            add(_split_requirement(text))
    fields = _obj(rec.get("ProductFields"))
    arn = _text(fields.get("StandardsArn")) or _text(fields.get("StandardsGuideArn"))
    field_control = _text(fields.get("ControlId")) or _text(fields.get("RuleId"))
    if arn and field_control and (m := _STANDARD_IN_ARN.search(arn)):
        add((m["standard"], field_control))
    return tuple(pairs)


def _vulnerability_details(
    vulns: list[object], warn: Callable[[str], None]
) -> tuple[list[str], list[str], float | None]:
    """(description lines, references, max CVSS base score) from Vulnerabilities[]."""
    lines: list[str] = []
    refs: list[str] = []
    cvss: float | None = None
    for vuln in map(_obj, vulns):
        vuln_id = _text(vuln.get("Id"))
        if vuln_id and vuln_id not in refs:
            refs.append(vuln_id)
        vendor_url = _text(_obj(vuln.get("Vendor")).get("Url"))
        for url in [vendor_url, *_list(vuln.get("ReferenceUrls"))]:
            if (text := _text(url)) and text not in refs:
                refs.append(text)
        for c in _list(vuln.get("Cvss")):
            score = _scored(_obj(c).get("BaseScore"), 10, "Cvss.BaseScore", warn)
            if score is not None and (cvss is None or score > cvss):
                cvss = score
        for package in map(_obj, _list(vuln.get("VulnerablePackages"))):
            name = _text(package.get("Name"))
            if not name:
                continue
            version = _text(package.get("Version")) or "?"
            fixed = _text(package.get("FixedInVersion"))
            fix = f", fixed in {fixed}" if fixed else ""
            lines.append(f"{vuln_id or 'Vulnerable'} package: {name} {version}{fix}")
    return lines, refs, cvss


def _context_pairs(
    rec: dict[str, object],
    first: dict[str, object],
    vulns: list[object],
    warn: Callable[[str], None],
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    if "Tags" in first:
        pairs.extend(_context.tags(first["Tags"]))
    criticality = _scored(rec.get("Criticality"), 100, "Criticality", warn)
    if criticality is None and "FindingProviderFields" in rec:
        provider = _obj(rec.get("FindingProviderFields"))
        criticality = _scored(provider.get("Criticality"), 100, "Criticality", warn)
    if criticality is not None:
        pairs.extend(_context.fact("asff:criticality", criticality))
    epss: float | None = None
    exploit = False
    for vuln in map(_obj, vulns):
        score = _scored(vuln.get("EpssScore"), 1, "EpssScore", warn)
        if score is not None and (epss is None or score > epss):
            epss = score
        exploit = exploit or _text(vuln.get("ExploitAvailable")) == "YES"
    if epss is not None:
        pairs.extend(_context.fact("epss", epss))
    if exploit:
        pairs.append(("exploit_available", "true"))
    return tuple(pairs)


def _status(rec: dict[str, object]) -> tuple[bool, bool]:
    """(active failure?, suppressed?) from Compliance, RecordState and Workflow."""
    if _text(_obj(rec.get("Compliance")).get("Status")) in _NOT_FAILED:
        return False, False
    if _text(rec.get("RecordState")) == "ARCHIVED":
        return False, False
    workflow = _text(_obj(rec.get("Workflow")).get("Status")) or _text(rec.get("WorkflowState"))
    if workflow == "RESOLVED":
        return False, False
    return True, workflow in ("SUPPRESSED", "DEFERRED")


class AsffIngestor:
    name: ClassVar[str] = "asff"
    title: ClassVar[str] = "AWS Security Finding Format (Security Hub)"

    def sniff(self, head: bytes, filename: str) -> bool:
        if all(p.search(head) for p in _ASFF_KEYS) and _ASFF_EXTRA.search(head):
            return head.lstrip()[:1] in (b"[", b"{")
        if _EMPTY_UPPER_WRAPPER.match(head):
            return True  # what `aws securityhub get-findings` prints when nothing matched
        if _EMPTY_ARRAY.match(head) or _EMPTY_LOWER_WRAPPER.match(head):
            lowered = filename.lower()
            return "asff" in lowered or "securityhub" in lowered or "security-hub" in lowered
        return False

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        tools: set[str] = set()
        for number, rec in enumerate(wrapped_items(stream, _WRAPPER_KEYS), start=1):
            if not isinstance(rec, dict):
                ctx.skip(f"record {number}: not a JSON object; skipped")
                continue
            tool = _tool(rec)
            tools.add(tool)
            ctx.tools.add(tool)
            ctx.tool_name = tool if len(tools) == 1 else "securityhub"
            active, suppressed = _status(rec)
            if not active:
                ctx.passed += 1
                continue
            finding = self._finding(rec, tool, suppressed, number, ctx)
            if finding is not None:
                yield finding

    def _finding(
        self,
        rec: dict[str, object],
        tool: str,
        suppressed: bool,
        number: int,
        ctx: ParseContext,
    ) -> RawFinding | None:
        compliance = _obj(rec.get("Compliance"))
        rule_id = _rule_id(rec, compliance, tool)
        if rule_id is None:
            ctx.skip(f"record {number}: no GeneratorId or control id; skipped")
            return None
        severity, raw_severity = _severity(rec, number, ctx)
        account = _text(rec.get("AwsAccountId"))
        resources = [r for r in map(_obj, _list(rec.get("Resources"))) if r]
        first = resources[0] if resources else {}
        if account is None:
            account = _account_from(resources)
            if account is None:
                ctx.warn(
                    f"record {number}: no AwsAccountId and no account in its resource ids; "
                    "the account is unknown"
                )

        description = [text] if (text := _text(rec.get("Description"))) else []
        others = [rid for r in resources[1:] if (rid := _text(r.get("Id")))]
        if others:
            description.append("Other resources: " + ", ".join(others))
        vulns = _list(rec.get("Vulnerabilities"))
        warn = _record_warn(ctx, number)
        vuln_lines, references, cvss = _vulnerability_details(vulns, warn)
        description.extend(vuln_lines)
        source_url = _text(rec.get("SourceUrl"))
        if source_url and source_url not in references:
            references.append(source_url)

        recommendation = _obj(_obj(rec.get("Remediation")).get("Recommendation"))
        remediation = _text(recommendation.get("Text")) or ""
        fingerprint = _text(rec.get("Id"))
        if fingerprint is not None and tool in _ID_PER_VULNERABILITY and vulns:
            packages = _package_key(vulns)
            if packages:
                fingerprint = f"{fingerprint}|{packages}"
        return RawFinding(
            tool=tool,
            rule_id=rule_id,
            title=_text(rec.get("Title")) or rule_id,
            severity=severity,
            location=Location(
                resource=_account_resource(_text(first.get("Id")), first, rec),
                resource_type=_text(first.get("Type")),
                cloud_provider="aws",
                account_id=account,
                region=_text(first.get("Region")) or _text(rec.get("Region")),
            ),
            category=_category(_list(rec.get("Types"))),
            raw_severity=raw_severity,
            asset_key=f"aws:{account}" if account else None,
            description="\n".join(description),
            remediation="" if remediation in _FILLER_TEXT else remediation,
            help_uri=_text(recommendation.get("Url")),
            references=tuple(references),
            compliance=_compliance_pairs(rec, compliance),
            tool_fingerprint=fingerprint,
            suppressed=suppressed,
            cvss=cvss,
            context=_context_pairs(rec, first, vulns, warn),
        )
