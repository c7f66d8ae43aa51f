"""Where each tool documents its rules: a rule id -> its documentation page, by URL shape.

Pure string work (no network, no data file), so the control map's load time is unchanged: links
are built when a control is read. The shapes were checked against each tool's published pages:
- Trivy (and tfsec 1.x, which shares its catalogue): https://avd.aquasec.com/misconfig/avd-aws-0089
  (the AVD id, lower case); a tfsec long id links to the AVD page of the control's Trivy rule.
- KICS: https://docs.kics.io/latest/queries/terraform-queries/<provider>/<query id>/
- Prowler (v3+ check ids): https://hub.prowler.com/check/<check id>
- Security Hub: https://docs.aws.amazon.com/securityhub/latest/userguide/<svc>-controls.html#<svc>-<n>
Checkov (pages named after the policy, not its id), Terrascan, ScoutSuite and Prowler v2 ids
(checkNN, extraNNN) have no page per rule id: they get no link rather than a guessed one.
"""

import re
from collections.abc import Mapping, Sequence

_AVD = re.compile(r"^AVD-[A-Z0-9]+-\d{4}$")
_PROWLER_V2 = re.compile(r"^(?:check|extra)\d+$")
_SECURITYHUB = re.compile(r"^([A-Za-z0-9]+)\.(\d+)$")
_KICS_PROVIDERS = frozenset({"aws", "azure", "gcp"})


def rule_doc_url(
    tool: str, rule_id: str, *, provider: str, rules: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    """The page documenting `rule_id` of `tool`, or None where the tool has none per rule.
    `rules` (the control's rules by tool) lets a tfsec long id borrow its Trivy twin's page."""
    if tool in ("trivy", "tfsec") and _AVD.match(rule_id):
        return f"https://avd.aquasec.com/misconfig/{rule_id.lower()}"
    if tool == "tfsec":
        twins = [r for r in (rules or {}).get("trivy", ()) if _AVD.match(r)]
        return f"https://avd.aquasec.com/misconfig/{twins[0].lower()}" if len(twins) == 1 else None
    if tool == "kics" and provider in _KICS_PROVIDERS:
        return f"https://docs.kics.io/latest/queries/terraform-queries/{provider}/{rule_id}/"
    if tool == "prowler" and not _PROWLER_V2.match(rule_id):
        return f"https://hub.prowler.com/check/{rule_id}"
    if tool == "securityhub" and provider == "aws":
        found = _SECURITYHUB.match(rule_id)
        if found:
            service = found[1].lower()
            return (
                "https://docs.aws.amazon.com/securityhub/latest/userguide/"
                f"{service}-controls.html#{service}-{found[2]}"
            )
    return None
