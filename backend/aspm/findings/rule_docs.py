"""Where each tool documents its rules: a rule id -> its documentation page, by URL shape.

Pure string work (no network, no data file), so the control map's load time is unchanged: links
are built when a control is read. Only pages a tool publishes are linked; where a tool has none
for a rule, there is no link rather than a guessed one. The shapes, checked against each tool's
published pages:
- Trivy (and tfsec 1.x, which shares its catalogue): https://avd.aquasec.com/misconfig/avd-aws-0089
  (the AVD id, lower case); a tfsec long id links to the AVD page of the control's Trivy rule.
- KICS: https://docs.kics.io/latest/queries/terraform-queries/<provider>/<query id>/
- Prowler (v3+ check ids): https://hub.prowler.com/check/<check id>. Prowler 2 ids (checkNN,
  extraNNN) have no page of their own; Prowler's "Check Mapping Prowler v4/v3 to v2" names the
  v3 check of each, and a v2 id links to the hub page of the control's one v3 check (the control
  map's v2/v3 pairs agree with that mapping: tests/findings/test_rule_docs.py).
- Security Hub: https://docs.aws.amazon.com/securityhub/latest/userguide/<svc>-controls.html#<svc>-<n>
- Checkov: its per-rule pages (Prisma Cloud's policy reference) are named after the policy, not
  the id, so no id gives one; each report names it instead (`guideline`, kept as the rule's help
  URL and shown with the detection). By id, Checkov documents every check in its policy index, a
  page per framework: https://www.checkov.io/5.Policy%20Index/<framework>.html. CKV_K8S_ ids are
  in the kubernetes index; the control map's AWS, Azure and GCP ids (CKV_ and CKV2_) are all
  Terraform checks (checked against checkov 3.3.30's registry), listed in the terraform index.
- Terrascan: a policy page per provider, https://runterrascan.io/docs/policies/<aws|azure|gcp|k8s|
  docker>/, listing each policy's ID (AC_AWS_0001, AC_AZURE_..., AC_GCP_..., AC_K8S_...,
  AC_DOCKER_...) and reference ID (accurics.azure.NS.2, accurics.gcp.IAM.106); the provider is
  the id's own.
- ScoutSuite documents no rule on a page of its own (rules are JSON files in its source); its
  reports carry each finding's references, which the finding shows. No link by id.
"""

import re
from collections.abc import Mapping, Sequence

_AVD = re.compile(r"^AVD-[A-Z0-9]+-\d{4}$")
_PROWLER_V2 = re.compile(r"^(?:check|extra)\d+$")
_SECURITYHUB = re.compile(r"^([A-Za-z0-9]+)\.(\d+)$")
_KICS_PROVIDERS = frozenset({"aws", "azure", "gcp"})
_CHECKOV_INDEX = "https://www.checkov.io/5.Policy%20Index/{}.html"
_CHECKOV_K8S = re.compile(r"^CKV2?_K8S_\d+$")
_CHECKOV_CLOUD = re.compile(r"^CKV2?_(AWS|AZURE|GCP)_\d+$")
_TERRASCAN = "https://runterrascan.io/docs/policies/{}/"
_TERRASCAN_ID = re.compile(r"^AC_(AWS|AZURE|GCP|K8S|DOCKER)_\d{4}$")
_TERRASCAN_REFERENCE = re.compile(r"^accurics\.(azure|gcp)\.[A-Z]+\.\d+$")


def _prowler(rule_id: str, rules: Mapping[str, Sequence[str]] | None) -> str | None:
    if not _PROWLER_V2.match(rule_id):
        return f"https://hub.prowler.com/check/{rule_id}"
    twins = [r for r in (rules or {}).get("prowler", ()) if not _PROWLER_V2.match(r)]
    return f"https://hub.prowler.com/check/{twins[0]}" if len(twins) == 1 else None


def _checkov(rule_id: str, provider: str) -> str | None:
    if _CHECKOV_K8S.match(rule_id):
        return _CHECKOV_INDEX.format("kubernetes")
    found = _CHECKOV_CLOUD.match(rule_id)
    if found and found[1].lower() == provider:
        return _CHECKOV_INDEX.format("terraform")
    return None


def _terrascan(rule_id: str) -> str | None:
    found = _TERRASCAN_ID.match(rule_id) or _TERRASCAN_REFERENCE.match(rule_id)
    return _TERRASCAN.format(found[1].lower()) if found else None


def rule_doc_url(
    tool: str, rule_id: str, *, provider: str, rules: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    """The page documenting `rule_id` of `tool`, or None where the tool has none per rule.
    `rules` (the control's rules by tool) lets a tfsec long id borrow its Trivy twin's page and a
    Prowler 2 id its Prowler 3 twin's."""
    if tool in ("trivy", "tfsec") and _AVD.match(rule_id):
        return f"https://avd.aquasec.com/misconfig/{rule_id.lower()}"
    if tool == "tfsec":
        twins = [r for r in (rules or {}).get("trivy", ()) if _AVD.match(r)]
        return f"https://avd.aquasec.com/misconfig/{twins[0].lower()}" if len(twins) == 1 else None
    if tool == "kics" and provider in _KICS_PROVIDERS:
        return f"https://docs.kics.io/latest/queries/terraform-queries/{provider}/{rule_id}/"
    if tool == "prowler":
        return _prowler(rule_id, rules)
    if tool == "checkov":
        return _checkov(rule_id, provider)
    if tool == "terrascan":
        return _terrascan(rule_id)
    if tool == "securityhub" and provider == "aws":
        found = _SECURITYHUB.match(rule_id)
        if found:
            service = found[1].lower()
            return (
                "https://docs.aws.amazon.com/securityhub/latest/userguide/"
                f"{service}-controls.html#{service}-{found[2]}"
            )
    return None
