"""Drift findings: what drifted, how bad it is, and a finding per (resource, attribute group).

Shared by terraform_plan (`resource_drift`) and driftctl (`differences`, `unmanaged`, `missing`).

THE SEVERITY TABLE (reviewed like the control map; change it here and nowhere else)
An attribute that drifted falls in the first group whose names hold it (the top-level attribute
of the resource: `ingress` for `ingress.0.cidr_blocks`). One finding per group per resource.

| group                | attributes (top level)                                   | severity |
|----------------------|----------------------------------------------------------|----------|
| network-exposure     | ingress/egress rules, cidr blocks, ports, firewall        | high     |
|                      | ranges, security group lists, public IP settings          |          |
| public-access-block  | block_public_acls, block_public_policy, ignore_public_acls, | high   |
|                      | restrict_public_buckets                                   |          |
| acl                  | acl, grant(s), access_control_policy                      | high     |
| resource-policy      | policy (of anything but IAM), bucket/queue/topic policies | high     |
| encryption           | encryption settings, KMS keys, TLS-only flags             | high     |
| logging              | logging, access logs, trails, flow logs, log exports      | high     |
| iam                  | policies/roles/users/groups of IAM resources, assume role | high     |
| deletion-protection  | deletion_protection, disable_api_termination, versioning, | high     |
|                      | mfa_delete, skip_final_snapshot, force_destroy            |          |
| tags                 | tags, tags_all, labels                                    | low      |
| description          | description                                               | low      |
| (the attribute name) | anything else                                             | medium   |

CRITICAL instead of the above when the drift opens the resource to the internet: 0.0.0.0/0 or
::/0 present after and not before (network-exposure), a public access block setting turned from
true to false, `publicly_accessible` turned true, or an ACL turned public-read(-write) /
authenticated-read.

Existence drift (a resource deleted outside Terraform, or created outside it, i.e. unmanaged):
group `deleted` / `unmanaged`; high for IAM and network-exposure resource types
(`_EXISTENCE_HIGH`), medium otherwise.

Identity: tool_fingerprint = "drift|<address or type:id>|<group>": never a value, never a line, so
the same drift seen again is the same detection, and a later scan that no longer shows it
resolves it. rule_id = "drift-<group>" for the table's groups and "drift-other" for the rest (a
bounded rule catalog; the group still separates findings through the fingerprint).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aspm.common.severity import Severity
from aspm.ingest.contract import Category, Location, RawFinding
from aspm.ingest.formats._terraform import REDACTED, arn_parts, provider_from_type, show

_INTERNET = ("0.0.0.0/0", "::/0")
_PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    severity: Severity
    what: str  # for titles: "<what> changed outside Terraform"


NETWORK = Group("network-exposure", Severity.HIGH, "network exposure")
PUBLIC_ACCESS_BLOCK = Group("public-access-block", Severity.HIGH, "public access block")
ACL = Group("acl", Severity.HIGH, "access control list")
RESOURCE_POLICY = Group("resource-policy", Severity.HIGH, "resource policy")
ENCRYPTION = Group("encryption", Severity.HIGH, "encryption")
LOGGING = Group("logging", Severity.HIGH, "logging")
IAM = Group("iam", Severity.HIGH, "IAM permissions")
DELETION_PROTECTION = Group("deletion-protection", Severity.HIGH, "deletion protection")
TAGS = Group("tags", Severity.LOW, "tags")
DESCRIPTION = Group("description", Severity.LOW, "description")
OTHER_SEVERITY = Severity.MEDIUM

_TABLE: tuple[tuple[Group, frozenset[str]], ...] = (
    (
        NETWORK,
        frozenset(
            {
                "ingress",
                "egress",
                "cidr_blocks",
                "ipv6_cidr_blocks",
                "cidr_ipv4",
                "cidr_ipv6",
                "cidr_block",
                "prefix_list_ids",
                "from_port",
                "to_port",
                "protocol",
                "ip_protocol",
                "security_groups",
                "vpc_security_group_ids",
                "security_group_ids",
                "source_security_group_id",
                "referenced_security_group_id",
                "source_ranges",
                "destination_ranges",
                "allow",
                "deny",
                "security_rule",
                "source_address_prefix",
                "source_address_prefixes",
                "destination_address_prefix",
                "network_rules",
                "ip_rules",
                "map_public_ip_on_launch",
                "associate_public_ip_address",
                "publicly_accessible",
                "public_network_access_enabled",
                "public_network_access",
                "authorized_networks",
                "ip_configuration",
                "master_authorized_networks_config",
                "endpoint_public_access",
                "public_access_cidrs",
                "rule_action",
                "rule_number",
                "egress_only",
            }
        ),
    ),
    (
        PUBLIC_ACCESS_BLOCK,
        frozenset(
            {
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            }
        ),
    ),
    (ACL, frozenset({"acl", "grant", "grants", "access_control_policy"})),
    (
        ENCRYPTION,
        frozenset(
            {
                "encrypted",
                "storage_encrypted",
                "kms_key_id",
                "kms_key_arn",
                "kms_master_key_id",
                "server_side_encryption_configuration",
                "server_side_encryption",
                "sse_specification",
                "encryption_configuration",
                "encryption",
                "encryption_at_rest",
                "encrypt_at_rest",
                "at_rest_encryption_enabled",
                "transit_encryption_enabled",
                "enable_key_rotation",
                "sse_algorithm",
                "ssl_enforcement_enabled",
                "min_tls_version",
                "minimum_tls_version",
                "https_only",
                "enable_https_traffic_only",
                "customer_managed_key",
            }
        ),
    ),
    (
        LOGGING,
        frozenset(
            {
                "logging",
                "logging_config",
                "logging_configuration",
                "access_logs",
                "access_log",
                "enable_logging",
                "enabled_cloudwatch_logs_exports",
                "log_config",
                "log_destination",
                "is_multi_region_trail",
                "include_global_service_events",
                "enable_log_file_validation",
                "cloud_watch_logs_group_arn",
                "log_publishing_options",
            }
        ),
    ),
    (
        IAM,
        frozenset(
            {
                "assume_role_policy",
                "managed_policy_arns",
                "inline_policy",
                "policy_arn",
                "permissions_boundary",
                "iam_instance_profile",
                "role",
                "roles",
                "users",
                "groups",
                "user",
                "group",
                "members",
                "member",
                "principal",
                "principals",
            }
        ),
    ),
    (
        DELETION_PROTECTION,
        frozenset(
            {
                "deletion_protection",
                "deletion_protection_enabled",
                "disable_api_termination",
                "disable_api_stop",
                "versioning",
                "mfa_delete",
                "skip_final_snapshot",
                "force_destroy",
                "prevent_destroy",
                "object_lock_configuration",
                "backup_retention_period",
            }
        ),
    ),
    (TAGS, frozenset({"tags", "tags_all", "labels"})),
    (DESCRIPTION, frozenset({"description"})),
)
_BY_ATTR: dict[str, Group] = {attr: group for group, attrs in _TABLE for attr in attrs}

# resource types whose existence drift (created or deleted outside Terraform) is high
_EXISTENCE_HIGH_PREFIXES = (
    "aws_iam_",
    "google_project_iam",
    "google_service_account",
    "azurerm_role_",
    "aws_security_group",
    "aws_network_acl",
    "aws_vpc_security_group",
    "google_compute_firewall",
    "azurerm_network_security",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_public_access_block",
    "aws_s3_account_public_access_block",
    "aws_lambda_permission",
    "aws_kms_",
)


def group_for(rtype: str, attr: str) -> Group | None:
    """The table group of a top-level attribute; None = not in the table (its own group, medium).

    `policy` is IAM on IAM resources and a resource policy elsewhere (bucket, queue, key...)."""
    found = _BY_ATTR.get(attr)
    if found is None and (attr == "policy" or attr.endswith("_policy")):
        return IAM if rtype.startswith(("aws_iam_", "google_project_iam")) else RESOURCE_POLICY
    return found


def _text_of(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value


def _has_internet(value: Any) -> bool:
    text = _text_of(value)
    return any(cidr in text for cidr in _INTERNET)


def opens_to_internet(group: Group, before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether the change of one group's attributes (already redacted) opens it to the internet."""
    if group is NETWORK:
        public = (
            after.get("publicly_accessible") is True
            and before.get("publicly_accessible") is not True
        )
        for key in (
            "map_public_ip_on_launch",
            "associate_public_ip_address",
            "public_network_access_enabled",
        ):
            public = public or (after.get(key) is True and before.get(key) is False)
        opened = _has_internet(after) and not _has_internet(before)
        return public or opened
    if group is PUBLIC_ACCESS_BLOCK:
        return any(before.get(k) is True and after.get(k) is False for k in after)
    if group is ACL:
        acl_after = after.get("acl")
        return acl_after in _PUBLIC_ACLS and before.get("acl") not in _PUBLIC_ACLS
    return False


@dataclass(slots=True)
class Subject:
    """The resource a drift is about."""

    key: str  # identity: IaC address (after any `moved`), else "<type>:<cloud id>"
    rtype: str
    provider: str
    address: str | None = None
    cloud_id: str | None = None
    previous_address: str | None = None

    def location(self) -> Location:
        account = region = None
        if self.cloud_id and self.cloud_id.startswith("arn:"):
            account, region = arn_parts(self.cloud_id)
        return Location(
            resource=self.address or self.cloud_id,
            resource_type=self.rtype or None,
            cloud_provider=_cloud(self.provider or provider_from_type(self.rtype)),
            account_id=account,
            region=region,
        )

    def label(self) -> str:
        if self.address and self.cloud_id:
            return f"{self.address} ({self.cloud_id})"
        return self.address or f"{self.rtype} {self.cloud_id}"


_CLOUDS = {
    "aws": "aws",
    "azurerm": "azure",
    "azuread": "azure",
    "google": "gcp",
    "google-beta": "gcp",
    "kubernetes": "kubernetes",
}


def _cloud(provider: str) -> str | None:
    return _CLOUDS.get(provider.lower()) if provider else None


def attribute_groups(rtype: str, attrs: Iterable[str]) -> dict[str, tuple[Group | None, list[str]]]:
    """Drifted top-level attributes by group key (the group's name, or the attribute itself)."""
    out: dict[str, tuple[Group | None, list[str]]] = {}
    for attr in attrs:
        group = group_for(rtype, attr)
        key = group.name if group else attr
        out.setdefault(key, (group, []))[1].append(attr)
    return out


def attribute_drift(
    tool: str,
    subject: Subject,
    group_key: str,
    group: Group | None,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    how: str,
) -> RawFinding:
    """One drift finding for one attribute group. `before`/`after`: the group's attributes,
    ALREADY redacted by the caller. `how`: a sentence saying where the drift was seen."""
    severity = group.severity if group else OTHER_SEVERITY
    critical = group is not None and opens_to_internet(group, before, after)
    if critical:
        severity = Severity.CRITICAL
    what = group.what if group else group_key
    lines = [f"{subject.label()}: {what} changed outside Terraform ({how})."]
    if subject.previous_address:
        lines.append(f"Renamed by a `moved` block from {subject.previous_address}.")
    if critical:
        lines.append("The change opens the resource to the internet.")
    for attr in sorted(set(before) | set(after)):
        lines.append(f"{attr}: {show(before.get(attr))} -> {show(after.get(attr))}")
    return RawFinding(
        tool=tool,
        rule_id=f"drift-{group.name}" if group else "drift-other",
        title=f"Drift: {what} of {subject.rtype} changed outside Terraform",
        severity=severity,
        location=subject.location(),
        category=Category.DRIFT,
        raw_severity=None,
        description="\n".join(lines),
        tool_fingerprint=f"drift|{subject.key}|{group_key}",
    )


def existence_drift(tool: str, subject: Subject, *, deleted: bool, how: str) -> RawFinding:
    """A resource deleted outside Terraform (`deleted`) or created outside it (unmanaged)."""
    high = subject.rtype.startswith(_EXISTENCE_HIGH_PREFIXES)
    group = "deleted" if deleted else "unmanaged"
    verb = "deleted outside Terraform" if deleted else "created outside Terraform"
    state = (
        "The state still manages it; the next apply would create it again."
        if deleted
        else "No Terraform state manages it (created by hand or by another tool)."
    )
    return RawFinding(
        tool=tool,
        rule_id=f"drift-{group}",
        title=f"Drift: {subject.rtype} {verb}",
        severity=Severity.HIGH if high else Severity.MEDIUM,
        location=subject.location(),
        category=Category.DRIFT,
        description=f"{subject.label()}: {verb} ({how}). {state}",
        tool_fingerprint=f"drift|{subject.key}|{group}",
    )


__all__ = [
    "REDACTED",
    "Group",
    "Subject",
    "attribute_drift",
    "attribute_groups",
    "existence_drift",
    "group_for",
]
