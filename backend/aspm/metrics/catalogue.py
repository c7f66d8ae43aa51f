"""The metrics catalogue: names, the definitions of DESIGN.md section 8 (word for word where it has
one, then how this implementation reads it), and the groupings each metric accepts. Pure data."""

from dataclasses import dataclass
from enum import StrEnum


class MetricName(StrEnum):
    POSTURE = "posture"
    MTTR = "mttr"
    SLA = "sla"
    NET_RESOLVE_RATE = "net_resolve_rate"
    VIOLATIONS_BLOCKED = "violations_blocked"
    DRIFT = "drift"
    COVERAGE = "coverage"
    IAC_COVERAGE = "iac_coverage"
    COMPLIANCE = "compliance"


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


OPEN = (
    "Open means: the detector still reports it, no tool or suppression rule hides it, and its "
    "triage state is new, confirmed or in_progress."
)
RESOLVED = (
    "Resolved means: no tool reports it any more (detector state fixed); false positives are "
    "excluded, and a reopened finding keeps its original first_seen."
)


FLOWS = (
    "daily flows of the findings (created, resolved, drift per day): `aspm metrics snapshot` "
    "rebuilds every day (a reopening or a false positive changes past days), each import "
    "today's; grouping or filtering by asset or category reads the findings themselves"
)


@dataclass(frozen=True, slots=True)
class MetricSpec:
    name: MetricName
    title: str
    definition: str
    unit: str
    group_by: tuple[str, ...]  # accepted values; the first is the default
    series: bool  # accepts an interval (a time series)
    source: str


FLOW_GROUPS = ("none", "severity", "priority", "team", "asset", "environment", "category")

CATALOGUE: tuple[MetricSpec, ...] = (
    MetricSpec(
        MetricName.POSTURE,
        "Open risk and open findings",
        "Posture: open risk (sum of risk scores of open findings) and counts by priority per "
        "team/asset/env, as a daily time series. " + OPEN + " Each row is one snapshot day (with "
        "an interval of week or month, the last snapshot day in it: open risk is a level, not a "
        "flow); overdue_count counts open findings past their SLA due date, accepted_count "
        "active findings triaged accepted_risk.",
        "risk points / findings",
        ("priority", "severity", "team", "asset", "environment", "none"),
        True,
        "daily snapshots: `aspm metrics snapshot` (run it daily) recomputes every asset; each "
        "import recomputes its assets and carries the others' latest rows forward",
    ),
    MetricSpec(
        MetricName.MTTR,
        "Mean time to remediate",
        "MTTR: mean time from first_seen to resolved, over findings resolved in the period, false "
        "positives excluded, reopened findings keep their original first_seen; by severity, team, "
        "asset. " + RESOLVED + " mttr_days is that mean in days; resolved is how many it "
        "averages.",
        "days",
        ("severity", "priority", "team", "asset", "environment", "category", "none"),
        True,
        FLOWS,
    ),
    MetricSpec(
        MetricName.SLA,
        "SLA compliance and overdue findings",
        "SLA compliance: share of findings resolved within their SLA in the period; open overdue "
        "count. " + RESOLVED + " Only findings with an SLA due date (a priority) count; "
        "within SLA means resolved_at <= sla_due_at. open_overdue is the number of open findings "
        "past their due date in the latest snapshot of the period (per bucket with an interval).",
        "share (0-1) / findings",
        ("priority", "severity", "team", "asset", "environment", "none"),
        True,
        FLOWS + "; open_overdue: daily snapshots",
    ),
    MetricSpec(
        MetricName.NET_RESOLVE_RATE,
        "Net resolve rate",
        "Net resolve rate: resolved in the period / created in the period. " + RESOLVED + " "
        "Created means first seen in the period (false positives excluded). Above 1 the "
        "backlog shrinks; empty when nothing was created.",
        "ratio",
        FLOW_GROUPS,
        True,
        FLOWS,
    ),
    MetricSpec(
        MetricName.VIOLATIONS_BLOCKED,
        "Violations blocked before deploy",
        "Violations blocked before deploy: gate evaluations that failed, and the findings that "
        "caused them. evaluations counts every `aspm gate` run recorded in the period (dry runs "
        "too), failed those whose policy failed, failing_findings the findings that failed a rule "
        "in them. group_by=finding lists the findings that failed gates most often in the "
        "period (blocked: in how many failed evaluations; new findings of dry runs are not "
        "stored, so they are counted but cannot be listed).",
        "evaluations / findings",
        ("none", "asset", "branch", "finding"),
        True,
        "gate evaluations (aspm gate)",
    ),
    MetricSpec(
        MetricName.DRIFT,
        "Drift alerts",
        "Drift alerts: findings of category drift opened per period. drift_findings counts "
        "findings of category drift first seen in the period (reported by tools that detect "
        "drift between declared and deployed configuration); cloud_regressions counts cloud "
        "(category cspm) findings the detector reopened in the period: a deployed resource whose "
        "fixed misconfiguration came back. drift_alerts is their sum.",
        "findings",
        FLOW_GROUPS,
        True,
        FLOWS + "; cloud_regressions: audit events (reopened cspm findings)",
    ),
    MetricSpec(
        MetricName.COVERAGE,
        "Scan coverage per tool family",
        "Scan coverage: share of assets with an import from each required tool family in the last "
        "N days (N = the period). Required families default by asset kind (repository: sast, "
        "secrets, iac, sca; cloud_account: cspm; image: container; service: sast, sca) or are "
        "given with families=...; a tool belongs to the family of its kind of scanner "
        "(checkov -> iac, prowler -> cspm, ...).",
        "share (0-1)",
        ("family", "team", "environment", "kind", "asset"),
        False,
        "import scopes (the last import of each asset and tool)",
    ),
    MetricSpec(
        MetricName.IAC_COVERAGE,
        "IaC coverage of cloud resources",
        "IaC coverage: share of live resources that a state manages. A live (cloud) resource is "
        "an active inventory resource with a cloud id (ARN or provider id), counted once per "
        "cloud id; it is managed when a Terraform state or plan holds it (any inventory row "
        "with that cloud id says managed), unmanaged when only a driftctl scan showed it "
        "(created by hand). Planned resources without a cloud id and resources a later "
        "snapshot retired are not counted. iac_coverage = managed / cloud_resources, empty "
        "when there is no cloud resource; per asset, the cloud resources each asset's "
        "inventory shows (one resource can count in two assets, once overall).",
        "share (0-1) / resources",
        ("none", "asset"),
        False,
        "the resource inventory (Terraform states and plans, driftctl scans) as it stands now",
    ),
    MetricSpec(
        MetricName.COMPLIANCE,
        "Compliance by framework",
        "Compliance: pass/fail per framework control where tools report it. A control (a "
        "framework reference on findings: from Prowler, Security Hub, Checkov, KICS and the "
        "control map) fails while any finding referencing it is still reported (accepted risks "
        "included: they are exceptions, not passes; false positives excluded), and passes when "
        "every finding referencing it is fixed. Frameworks group into CIS, PCI DSS, SOC 2, HIPAA, "
        "ISO 27001, NIS2 (others: Other). Controls no tool ever reported failing are not listed: "
        "passed checks are not stored per control.",
        "controls",
        ("framework", "control"),
        False,
        "compliance status, refreshed with each snapshot",
    ),
)

BY_NAME: dict[MetricName, MetricSpec] = {m.name: m for m in CATALOGUE}

FRAMEWORK_FAMILIES = ("CIS", "PCI DSS", "SOC 2", "HIPAA", "ISO 27001", "NIS2", "Other")

# tool (as ingestors write RawFinding.tool / the import scope) -> tool family
TOOL_FAMILIES: dict[str, str] = {
    **dict.fromkeys(("checkov", "tfsec", "kics", "terrascan", "trivy-config"), "iac"),
    **dict.fromkeys(("gitleaks", "trufflehog", "detect-secrets", "detect_secrets"), "secrets"),
    **dict.fromkeys(
        ("prowler", "securityhub", "scoutsuite", "guardduty", "config", "macie"), "cspm"
    ),
    **dict.fromkeys(
        ("semgrep", "codeql", "bandit", "gosec", "sonarqube", "brakeman", "eslint", "spotbugs"),
        "sast",
    ),
    **dict.fromkeys(
        ("dependency-check", "npm-audit", "pip-audit", "osv-scanner", "snyk", "dependabot"),
        "sca",
    ),
    **dict.fromkeys(("trivy", "grype", "inspector", "clair", "anchore"), "container"),
}

FAMILIES = ("sast", "sca", "secrets", "iac", "cspm", "container")

REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "repository": ("sast", "secrets", "iac", "sca"),
    "cloud_account": ("cspm",),
    "image": ("container",),
    "service": ("sast", "sca"),
}
