"""Exposure and data sensitivity per resource, and toxic combinations as paths over the inventory
(DESIGN §6, issue 14 sections 2 and 3). Read-only: a few SELECTs, then a graph in Python.

WHAT IS LOADED
One cheap query first: no active resource at all -> {}. Otherwise the active resources of every
asset that holds a resource linked to a selected finding (all active resources when `selection` is
None), and every finding linked to those resources (with a flag: selected or not). Findings count
as evidence only while active (detector_state) and not triaged false positive; a selected finding
that is neither still gets its resource's exposure and sensitivity (they are facts of the resource).

RELATIONS
A relation `[kind, target]` names its target by IaC address (same asset first), cloud id / ARN, the
last segment of an ARN or id (`sg-0a1`, a role name), or name. A target the inventory does not hold
stays a name (a role known only by its ARN is matched to policy attachments by role name).

EXPOSURE (value "internet" | "internal", or None)
A resource is "internet" when one of these holds, each becoming a source in words:
1. its own facts: an `ingress` fact from 0.0.0.0/0 or ::/0 (a security group, a firewall, an
   inline rule); `publicly_accessible` true; a public IP (`public_ip` or
   `associate_public_ip_address` facts, when a reader records them); for a bucket, a public canned
   ACL (public-read, public-read-write, authenticated-read) on it or on a resource naming it by a
   `bucket` relation (aws_s3_bucket_acl), unless a public access block naming it has
   ignore_public_acls=true. A public access block turned off alone does not make a bucket public:
   it only lets a public ACL or policy take effect (a public policy shows through a finding, 2);
2. an active, not false-positive finding linked to it (or to a bucket's sub-resource) whose control
   matches `public_controls` and none of `not_public_controls` (globs, README "Patterns");
3. a security group attached to it (relation `security_group`) that is internet-open by 1 or 2, a
   rule resource (aws_security_group_rule, aws_vpc_security_group_ingress_rule) counting for the
   group it names;
4. a load balancer in front of it that is internet-open by 1-3: resource -> target group (its own
   `target_group` relation, or an attachment naming both) -> listener (naming the target group and
   the load balancer) or a load balancer naming the target group;
5. a Lambda function URL naming it (relation `function`): a URL is an internet endpoint (its
   authorization type is not a recorded fact).
A resource of a type where exposure means something (`EXPOSABLE`: compute, load balancers,
databases, buckets, endpoints, clusters, security groups) with none of these is "internal" (source:
"no ingress from the internet, public setting or public-exposure finding"). Other types (roles,
policies, keys, queues...) give None: the asset's declared exposure applies.

DATA SENSITIVITY (restricted | confidential | internal | public, or None)
From the resource's tags whose key is one of `sensitivity_tags` (compared case-insensitively,
ignoring "-", "_" and spaces), the value read by aspm.common.classification; a data tag value
(pii, pci, phi) takes the level `data_tags` gives it (the policy's, default pci/phi -> restricted,
pii -> confidential). The highest level wins. A resource without such a tag takes the highest
level of the data stores (`DATA_STORES`) it names directly by a relation (a bucket's policy, ACL or
logging resource, a function naming a bucket) or, for a security group, of the data stores it is
attached to ("guards aws_db_instance.ledger (tag DataClass=pci)"). One hop only, never through a
compute resource. Else None: the asset's applies.

TOXIC COMBINATIONS (`COMBINATIONS`)
Each is a path over the relations; the findings "in" it are the evidence of its steps (active, not
false positive, linked to a resource of the path, matching the step's control-id patterns below):
exposure evidence is the public-control findings and internet-opening drift on the resources that
make it exposed (the resource, its security groups and their rules, the load balancer and its
groups, the function URL, a bucket's sub-resources).
- internet_compute_admin_role: compute (EXPOSABLE kind "compute") that is internet-exposed and
  whose role (relation `role`, or `instance_profile` -> `role`) is admin: an attached AWS managed
  policy in ADMIN_POLICIES (an attachment naming the role and the policy ARN), or an admin/wildcard
  IAM finding (`ADMIN_IAM`) on the role, on an attachment or inline policy naming it, or on a
  policy attached to it. Evidence: exposure + admin findings.
- internet_instance_imdsv1_role: an instance (aws_instance) that is internet-exposed, has a role
  (instance profile), and allows IMDSv1: an `http_tokens`=optional fact or, with no such fact, an
  IMDSv2 finding (`IMDSV1`). Evidence: exposure + IMDS findings.
  (For IMDS, encryption and logging a fact of the resource, when there is one, decides over
  findings: the state is newer than a scan.)
- public_bucket_restricted_data: a bucket, internet-exposed, whose own tags say restricted.
  Evidence: exposure findings.
- public_unencrypted_database: a database, internet-exposed, with an `encrypted`=false fact or an
  encryption-at-rest finding (`UNENCRYPTED`). Evidence: exposure + encryption findings.
- drift_opened_to_internet: a resource that is internet-exposed now and carries a critical drift
  finding of the network-exposure / public-access-block / ACL groups (aspm.ingest.formats._drift
  makes those critical only when the change opened it to the internet). The path goes on to the
  resources the group is attached to. Evidence: the drift finding + exposure findings.
- internet_host_critical_vulnerability: compute, internet-exposed, with a critical finding of
  category sca / container / vulnerability. Evidence: those findings + exposure findings.
- restricted_data_logging_disabled: a resource whose own tags say restricted, with a `logging`=false
  fact or a logging finding (`LOGGING_OFF`). Evidence: the logging findings.
- internet_data_store_restricted: a data store other than a bucket (database, table, cache,
  search domain...) that is internet-exposed and whose own tags say restricted. Evidence: exposure
  findings.
- unmanaged_internet_resource: a resource no IaC manages (driftctl's unmanaged), internet-exposed.
  Evidence: its `drift-unmanaged` finding + exposure findings.
(An "exposed verified cloud credential where the org has an admin IAM finding" is not here: no
relation ties a leaked key to the account or principal it opens, so it would not be a path.)
"""

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Text, Uuid, cast, column, exists, select, table
from sqlalchemy.orm import Session

from aspm.common import globs
from aspm.common.classification import classification, loose
from aspm.db.base import as_text
from aspm.findings.models import Finding
from aspm.resources.models import Resource, ResourceLink

# ------------------------------------------------------------------ public interface


@dataclass(frozen=True, slots=True)
class ResourceFact:
    # exposure: internet | internal; sensitivity: restricted | confidential | internal | public
    value: str
    source: str  # in words: "sg-0a1 (aws_security_group.alb) allows tcp/443 from 0.0.0.0/0, ..."


@dataclass(frozen=True, slots=True)
class Combination:
    name: str  # stable id: "internet_compute_admin_role"
    title: str  # "Internet-exposed compute with an admin or wildcard IAM role"
    path: tuple[str, ...]  # the steps in words, from the internet (or the data) on
    resource: str = ""  # the resource the combination is about (its label)


@dataclass(frozen=True, slots=True)
class FindingContext:
    exposure: ResourceFact | None  # None: nothing known -> the asset's declared exposure applies
    data_sensitivity: ResourceFact | None  # None: the asset's applies
    combinations: tuple[Combination, ...] = ()


COMBINATIONS: dict[str, str] = {
    "internet_compute_admin_role": "Internet-exposed compute with an admin or wildcard IAM role",
    "internet_instance_imdsv1_role": "Internet-exposed instance with IMDSv1 and an IAM role",
    "public_bucket_restricted_data": "Public bucket holding restricted data",
    "public_unencrypted_database": "Publicly accessible database without encryption at rest",
    "drift_opened_to_internet": "A change outside Terraform opened a resource to the internet",
    "internet_host_critical_vulnerability": "Critical vulnerability on an internet-exposed host",
    "restricted_data_logging_disabled": "Logging disabled on a resource holding restricted data",
    "internet_data_store_restricted": "Internet-reachable data store holding restricted data",
    "unmanaged_internet_resource": "Internet-exposed resource created outside Terraform",
}

DEFAULT_DATA_TAGS: Mapping[str, str] = {
    "pci": "restricted",
    "phi": "restricted",
    "pii": "confidential",
}

# ------------------------------------------------------------------ vocabulary

INTERNET = ("0.0.0.0/0", "::/0")
PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
ADMIN_POLICIES = frozenset({"AdministratorAccess", "IAMFullAccess"})  # AWS managed policy names

# resource type -> kind, for the types where exposure means something
EXPOSABLE: dict[str, str] = {
    **dict.fromkeys(
        (
            "aws_instance", "aws_spot_instance_request", "aws_autoscaling_group",
            "aws_ecs_service", "aws_lambda_function", "aws_eks_node_group",
            "aws_lightsail_instance", "google_compute_instance", "azurerm_virtual_machine",
            "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine",
            "azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_function_app",
            "google_cloud_run_service", "google_cloudfunctions_function",
        ),
        "compute",
    ),
    **dict.fromkeys(("aws_lb", "aws_alb", "aws_elb", "azurerm_lb"), "load_balancer"),
    **dict.fromkeys(
        (
            "aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster",
            "aws_redshift_cluster", "aws_elasticache_cluster",
            "aws_elasticache_replication_group", "aws_opensearch_domain",
            "aws_elasticsearch_domain", "aws_dms_replication_instance",
            "google_sql_database_instance", "azurerm_postgresql_server",
            "azurerm_mysql_server", "azurerm_mssql_server", "azurerm_sql_server",
            "azurerm_postgresql_flexible_server", "azurerm_cosmosdb_account",
        ),
        "database",
    ),
    **dict.fromkeys(
        ("aws_s3_bucket", "google_storage_bucket", "azurerm_storage_account",
         "azurerm_storage_container"),
        "bucket",
    ),
    **dict.fromkeys(
        ("aws_lambda_function_url", "aws_api_gateway_rest_api", "aws_apigatewayv2_api",
         "aws_cloudfront_distribution", "aws_eks_cluster", "google_container_cluster",
         "azurerm_kubernetes_cluster"),
        "endpoint",
    ),
    **dict.fromkeys(
        ("aws_security_group", "google_compute_firewall", "azurerm_network_security_group"),
        "network",
    ),
}  # fmt: skip
INSTANCES = frozenset({"aws_instance", "aws_spot_instance_request"})
# where data lives (own tags are what the data is); buckets and databases above, plus these
DATA_STORES = frozenset(
    {t for t, kind in EXPOSABLE.items() if kind in ("bucket", "database")}
    | {"aws_dynamodb_table", "aws_efs_file_system", "aws_ebs_volume", "aws_sqs_queue",
       "aws_kinesis_stream", "aws_glue_catalog_database", "google_bigquery_dataset"}
)  # fmt: skip
_SG_RULES = frozenset(
    {
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "azurerm_network_security_rule",
    }
)
_LISTENERS = frozenset({"aws_lb_listener", "aws_alb_listener"})
_TARGET_GROUPS = frozenset({"aws_lb_target_group", "aws_alb_target_group"})
_ATTACHMENTS = frozenset(
    {
        "aws_lb_target_group_attachment",
        "aws_alb_target_group_attachment",
        "aws_autoscaling_attachment",
    }
)
_PAB = "aws_s3_bucket_public_access_block"

# Evidence: glob patterns (README "Patterns") on findings.control_id (canonical control ids of
# controls.yaml, else "tool:rule" for rules no control maps).
ADMIN_IAM = (
    "aws-iam-no-full-admin-policy",  # CKV_AWS_1/62, Prowler *_no_administrative_privileges, IAM.1
    "aws-iam-no-star-action",  # CKV_AWS_49/63
    "aws-iam-policy-no-wildcards",  # tfsec aws-iam-no-policy-wildcards
    "*:ckv_aws_274",  # AdministratorAccess attached
    "*:ckv_aws_286",  # privilege escalation allowed
    "*:ckv_aws_289",  # permissions management without constraints
    "*:ckv_aws_290",  # write access without constraints
    "*:ckv_aws_355",  # "*" as the resource of restrictable actions
    "*:ckv2_aws_40",  # full IAM privileges
    "*:iam_role_administratoraccess_policy",
    "*:iam_policy_allows_privilege_escalation",
    "*:iam_inline_policy_allows_privilege_escalation",
)
IMDSV1 = (
    "aws-ec2-imdsv2",  # CKV_AWS_79, tfsec enforce-http-token-imds, Prowler, Security Hub EC2.8
    "*:ckv_aws_79",
    "*:ec2_instance_imdsv2_enabled",
    "*enforce-http-token-imds",
)
UNENCRYPTED = (
    "aws-rds-instance-encryption",
    "aws-rds-cluster-encryption",
    "azure-sql-tde",
    "*:ckv_aws_16",
    "*:ckv_aws_96",
    "*:rds_instance_storage_encrypted",
    "*:rds_cluster_storage_encrypted",
    "*:ckv_aws_74",  # DocumentDB encrypted at rest
    "*:ckv_aws_64",  # Redshift encrypted at rest
    "*:drift-encryption",
)
LOGGING_OFF = (
    "aws-s3-access-logging",
    "aws-rds-log-exports",
    "aws-cloudtrail-bucket-access-logging",
    "azure-sql-auditing",
    "azure-keyvault-logging",
    "gcp-storage-access-logging",
    "*:ckv_aws_18",
    "*:ckv_aws_129",
    "*:ckv_aws_91",  # ELB access logging
    "*:ckv_aws_92",
    "*:s3_bucket_server_access_logging_enabled",
    "*:rds_instance_integration_cloudwatch_logs",
    "*:drift-logging",
)
DRIFT_OPENED = ("*:drift-network-exposure", "*:drift-public-access-block", "*:drift-acl")
UNMANAGED = ("*:drift-unmanaged",)
VULN_CATEGORIES = frozenset({"sca", "container", "vulnerability"})


def _matcher(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for the patterns, in the one glob dialect (README "Patterns"), case ignored:
    the policy's public_controls rule, as aspm.risk.repository applies it."""
    return globs.compile_any(patterns)


_ADMIN_RE = _matcher(ADMIN_IAM)
_IMDS_RE = _matcher(IMDSV1)
_UNENC_RE = _matcher(UNENCRYPTED)
_LOG_RE = _matcher(LOGGING_OFF)
_DRIFT_RE = _matcher(DRIFT_OPENED)
_UNMANAGED_RE = _matcher(UNMANAGED)

# evidence kinds (bit flags, one int per finding)
PUBLIC, ADMIN, IMDS, UNENC, LOG, OPENED, UNMGD, VULN = (1 << i for i in range(8))


# ------------------------------------------------------------------ the graph


@dataclass(slots=True)
class _Node:
    id: uuid.UUID
    asset_id: uuid.UUID
    type: str
    address: str | None
    cloud_id: str | None
    name: str | None
    tags: dict[str, str]
    facts: list[tuple[str, str]]
    relations: list[tuple[str, str]]
    managed: bool
    out: list[tuple[str, "_Node"]] = field(default_factory=list)
    into: list[tuple[str, "_Node"]] = field(default_factory=list)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[tuple[uuid.UUID, int, str]] = field(
        default_factory=list
    )  # (finding, kinds, control)
    flags: int = 0  # union of the evidence kinds
    ident: str = ""  # the last segment of the cloud id (sg-0a1, a role name)
    label: str = ""  # how the resource is named in words
    context: tuple[ResourceFact | None, ResourceFact | None] | None = None  # computed once

    def __post_init__(self) -> None:
        self.ident = _tail(self.cloud_id) if self.cloud_id else ""
        if self.address:
            sg = self.type == "aws_security_group" and self.ident and self.ident != self.address
            self.label = f"{self.ident} ({self.address})" if sg else self.address
        else:
            self.label = f"{self.type} {self.ident or self.name or self.id}"

    def fact(self, key: str) -> list[str]:
        return [v for k, v in self.facts if k == key]


def _tail(ref: str) -> str:
    """`arn:aws:iam::1:role/path/x` -> x, `arn:aws:ec2:..:security-group/sg-1` -> sg-1."""
    return ref.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] if ref else ref


@dataclass(slots=True)
class _Exposure:
    steps: list[tuple[str, ...]]  # each source: the path steps from the internet to the resource
    via: set[uuid.UUID]  # the resources that make it exposed (their findings are evidence)


class _Graph:
    def __init__(self, nodes: list[_Node]) -> None:
        self.nodes = {n.id: n for n in nodes}
        by_addr: dict[tuple[uuid.UUID, str], _Node] = {}
        by_key: dict[str, list[_Node]] = defaultdict(list)
        for n in nodes:
            if n.address:
                by_addr[(n.asset_id, n.address)] = n
                by_key[n.address].append(n)
            for key in {n.cloud_id, n.ident, n.name} - {None, ""}:
                by_key[str(key)].append(n)
        for n in nodes:
            for kind, target in n.relations:
                other = by_addr.get((n.asset_id, target))
                if other is None:
                    found = by_key.get(target) or by_key.get(_tail(target)) or []
                    other = next((o for o in found if o.asset_id == n.asset_id), None) or (
                        found[0] if len(found) == 1 else None
                    )
                if other is None or other is n:
                    n.unresolved.append((kind, target))
                else:
                    n.out.append((kind, other))
                    other.into.append((kind, n))
        self._exposure: dict[uuid.UUID, _Exposure | None] = {}
        self._roles: dict[str, list[_Node]] | None = None

    # ---- exposure

    def _own(self, n: _Node) -> list[str]:
        """Facts of the resource itself that open it to the internet, in words."""
        words = [
            f"allows {v.rsplit(' ', 1)[0]} from {v.rsplit(' ', 1)[1]}"
            for v in n.fact("ingress")
            if v.endswith(INTERNET) and " " in v
        ]
        if "true" in n.fact("publicly_accessible"):
            words.append("is publicly accessible")
        for key in ("public_ip", "associate_public_ip_address"):
            for v in n.fact(key):
                if v not in ("false", ""):
                    words.append("has a public IP" + ("" if v == "true" else f" {v}"))
        if EXPOSABLE.get(n.type) == "bucket" or n.type.startswith("aws_s3_bucket"):
            acls = [v for v in n.fact("acl") if v in PUBLIC_ACLS]
            if acls and not self._acls_ignored(n):
                words.append(f"has the public ACL {acls[0]}")
        if n.type == "aws_lambda_function_url":
            words.append("is a function URL, an endpoint on the internet")
        return words

    def _acls_ignored(self, n: _Node) -> bool:
        bucket = self._bucket_of(n)
        blocks = [bucket, *(s for k, s in bucket.into if k == "bucket" and s.type == _PAB)]
        return any("true" in b.fact("ignore_public_acls") for b in blocks)

    @staticmethod
    def _bucket_of(n: _Node) -> _Node:
        if n.type == "aws_s3_bucket":
            return n
        return next((o for k, o in n.out if k == "bucket"), n)

    def _direct(self, n: _Node) -> _Exposure | None:
        """Exposure by the resource's own facts and findings, and those of the rules and
        sub-resources that act on it (security group rules, a bucket's ACL resources)."""
        steps: list[tuple[str, ...]] = [(f"{n.label} {w}",) for w in self._own(n)]
        via = {n.id}
        parts = [
            s
            for k, s in n.into
            if (k == "security_group" and s.type in _SG_RULES)
            or (k == "bucket" and s.type != "aws_s3_bucket")
        ]
        for part in parts:
            for w in self._own(part):
                steps.append((f"{n.label}: {part.label} {w}",))
                via.add(part.id)
        shown_by_facts = bool(steps)
        for m in (n, *parts):
            if m.flags & PUBLIC:
                via.add(m.id)  # its findings are evidence; words only when no fact says it
                if shown_by_facts:
                    continue
                shown = m.label if m is n else f"{m.label} of {n.label}"
                steps.append((f"{shown} is public by a finding ({_controls(m, PUBLIC)})",))
        return _Exposure(steps, via) if steps else None

    def exposure(self, n: _Node) -> _Exposure | None:
        if n.id in self._exposure:
            return self._exposure[n.id]
        self._exposure[n.id] = None  # guards against cycles
        found = self._direct(n)
        steps = list(found.steps) if found else []
        via = set(found.via) if found else set()
        for kind, sg in n.out:
            if kind == "security_group" and sg.type not in _SG_RULES:
                got = self._direct(sg)
                if got:
                    steps += [(*s[:-1], f"{s[-1]}, attached to {n.label}") for s in got.steps]
                    via |= got.via
        for lb in self._balancers(n):
            got = self.exposure(lb)
            if got:
                steps += [(*s[:-1], f"{s[-1]}, in front of {n.label}") for s in got.steps]
                via |= got.via
        for kind, url in n.into:
            if kind == "function" and url.type == "aws_lambda_function_url":
                steps.append((f"{url.label} is a function URL of {n.label}",))
                via.add(url.id)
        result = _Exposure(steps, via) if steps else None
        self._exposure[n.id] = result
        return result

    def _balancers(self, n: _Node) -> list[_Node]:
        if EXPOSABLE.get(n.type) in ("load_balancer", "network", None):
            return []
        groups = [o for k, o in n.out if k == "target_group"]
        for _, att in n.into:
            if att.type in _ATTACHMENTS:
                groups += [o for k, o in att.out if k == "target_group"]
        out: dict[uuid.UUID, _Node] = {}
        for tg in groups:
            for kind, other in (*tg.out, *tg.into):
                if EXPOSABLE.get(other.type) == "load_balancer":
                    out[other.id] = other
                if kind == "target_group" and other.type in _LISTENERS:
                    for k, lb in other.out:
                        if k == "load_balancer":
                            out[lb.id] = lb
        return sorted(out.values(), key=lambda x: x.label)

    # ---- sensitivity

    def own_sensitivity(self, n: _Node) -> ResourceFact | None:
        return self.tagged.get(n.id)

    tagged: dict[uuid.UUID, ResourceFact]

    def sensitivity(self, n: _Node) -> ResourceFact | None:
        own = self.tagged.get(n.id)
        if own is not None:
            return own
        near = [(o, "names") for k, o in n.out if o.type in DATA_STORES]
        if EXPOSABLE.get(n.type) == "network":
            near += [
                (o, "guards") for k, o in n.into if k == "security_group" and o.type in DATA_STORES
            ]
        best: ResourceFact | None = None
        for store, how in sorted(near, key=lambda x: x[0].label):
            fact = self.tagged.get(store.id)
            if fact and (best is None or _LEVELS.index(fact.value) > _LEVELS.index(best.value)):
                best = ResourceFact(fact.value, f"{n.label} {how} {store.label} ({fact.source})")
        return best

    # ---- roles

    def roles(self, n: _Node) -> list[tuple[str, _Node | None, str]]:
        """(role name, role resource or None, how it is reached) of a compute resource."""
        out: list[tuple[str, _Node | None, str]] = []
        for k, o in n.out:
            if k == "role":
                out.append((_role_name(o), o, f"role {_role_name(o)}"))
            elif k == "instance_profile":
                inner: list[tuple[str, _Node | None]]
                inner = [(_role_name(r), r) for kk, r in o.out if kk == "role"]
                inner += [(_tail(t), None) for kk, t in o.unresolved if kk == "role"]
                out += [
                    (name, r, f"instance profile {o.label} -> role {name}") for name, r in inner
                ]
        for k, t in n.unresolved:
            if k == "role":
                out.append((_tail(t), None, f"role {_tail(t)}"))
            elif k == "instance_profile":
                out.append(("", None, f"instance profile {_tail(t)}"))
        return out

    def attachments(self) -> dict[str, list[_Node]]:
        """Role name -> the resources that name the role (policy attachments, inline policies)."""
        if self._roles is None:
            self._roles = defaultdict(list)
            for n in self.nodes.values():
                if n.type.startswith("aws_iam_role") and n.type != "aws_iam_role":
                    names = [_role_name(o) for k, o in n.out if k == "role"]
                    names += [_tail(t) for k, t in n.unresolved if k == "role"]
                    for name in names:
                        self._roles[name].append(n)
        return self._roles

    def admin(self, name: str, role: _Node | None) -> tuple[list[str], set[uuid.UUID]]:
        """Why a role is admin (words) and the resources whose findings show it."""
        words: list[str] = []
        via: set[uuid.UUID] = set()
        holders = ([role] if role else []) + self.attachments().get(name, [])
        for h in holders:
            if h.flags & ADMIN:
                words.append(f"{h.label}: {_controls(h, ADMIN)}")
                via.add(h.id)
            policies: list[tuple[str, _Node | None]]
            policies = [(_tail(t), None) for k, t in h.unresolved if k == "policy"]
            policies += [(_tail(p.cloud_id or p.label), p) for k, p in h.out if k == "policy"]
            for pname, policy in policies:
                if pname in ADMIN_POLICIES:
                    words.append(f"{pname} attached ({h.label})")
                    via.add(h.id)
                elif policy is not None and policy.flags & ADMIN:
                    words.append(f"{policy.label} attached: {_controls(policy, ADMIN)}")
                    via |= {h.id, policy.id}
        return list(dict.fromkeys(words)), via


def _role_name(n: _Node) -> str:
    return n.name or (_tail(n.cloud_id) if n.cloud_id else "") or n.address or str(n.id)


_LEVELS = ("public", "internal", "confidential", "restricted")


# ------------------------------------------------------------------ loading


def finding_contexts(
    session: Session,
    *,
    selection: str | None,
    sensitivity_tags: Sequence[str],
    public_controls: Sequence[str],
    not_public_controls: Sequence[str] = (),
    data_tags: Mapping[str, str] = DEFAULT_DATA_TAGS,
) -> dict[uuid.UUID, FindingContext]:
    """Exposure, data sensitivity and toxic combinations of the findings in `selection` (a temp
    table with a `finding_id` column; None = every finding), keyed by finding id. Only findings
    with something known (exposure, sensitivity or a combination) are returned. See the module
    docstring for every rule."""
    r = Resource.__table__
    if session.execute(select(r.c.id).where(r.c.active.is_(True)).limit(1)).first() is None:
        return {}
    link = ResourceLink.__table__
    f = Finding.__table__
    scope = select(r.c.asset_id).where(r.c.active.is_(True))
    sel = table(selection, column("finding_id", Uuid)) if selection else None
    if sel is not None:
        scope = (
            select(r.c.asset_id)
            .join(link, link.c.resource_id == r.c.id)
            .join(sel, sel.c.finding_id == link.c.finding_id)
            .where(r.c.active.is_(True))
            .distinct()
        )
    # the JSON columns as text, decoded here: psycopg's json loader took 1.2 s of 30k values
    # (bytes, an encoding sniff each) against 0.1 s for json.loads of text
    resources = select(
        r.c.id, r.c.asset_id, r.c.type, r.c.address, r.c.cloud_id, r.c.name,
        cast(r.c.tags, Text), cast(r.c.facts, Text), cast(r.c.relations, Text), r.c.managed,
    ).where(r.c.active.is_(True))  # fmt: skip
    if sel is not None:
        resources = resources.where(r.c.asset_id.in_(scope.scalar_subquery()))
    loads = json.loads
    nodes = [
        _Node(
            rid,
            asset,
            rtype,
            address,
            cloud_id,
            name,
            loads(tags) if tags else {},
            [(str(k), str(v)) for k, v in loads(facts or "[]")],
            [(str(k), str(v)) for k, v in loads(relations or "[]")],
            bool(managed),
        )
        for rid, asset, rtype, address, cloud_id, name, tags, facts, relations, managed in (
            session.execute(resources).all()
        )
    ]
    if not nodes:
        return {}
    selected = exists().where(sel.c.finding_id == link.c.finding_id) if sel is not None else None
    linked_q = (
        select(
            link.c.finding_id,
            link.c.resource_id,
            f.c.control_id,
            # as text: four enum lookups a row were 0.2 s of 2.3 s for 100k findings
            as_text(f.c.category),
            as_text(f.c.severity),
            as_text(f.c.detector_state),
            as_text(f.c.triage_state),
            (selected if selected is not None else f.c.id.is_not(None)).label("selected"),
        )
        .join(f, f.c.id == link.c.finding_id)
        .join(r, r.c.id == link.c.resource_id)
        .where(r.c.active.is_(True))
    )
    if sel is not None:
        linked_q = linked_q.where(r.c.asset_id.in_(scope.scalar_subquery()))
    public_re = _matcher(public_controls)
    not_public_re = _matcher(not_public_controls)
    graph = _Graph(nodes)
    kinds_of: dict[tuple[str, str, str], int] = {}
    linked: list[tuple[uuid.UUID, _Node]] = []
    nodes_by_id = graph.nodes
    # .all(): fetchall, not a fetchone per row (1.5 s of 100k rows in a profile)
    for fid, rid, control, category, severity, state, triage, chosen in session.execute(
        linked_q
    ).all():
        node = nodes_by_id.get(rid)
        if node is None:
            continue
        if chosen:
            linked.append((fid, node))
        if state != "active" or triage == "false_positive":
            continue
        key = (control, category, severity)
        kinds = kinds_of.get(key)
        if kinds is None:
            kinds = kinds_of[key] = _kinds(*key, public_re, not_public_re)
        if kinds:
            node.evidence.append((fid, kinds, control))
            node.flags |= kinds
    if not linked:
        return {}
    graph.tagged = _tagged(nodes, sensitivity_tags, data_tags)
    members = _combinations(graph)
    out: dict[uuid.UUID, FindingContext] = {}
    plain: dict[uuid.UUID, FindingContext | None] = {}  # per resource, for findings in no combo
    for fid, node in linked:
        combos = members.get(fid)
        if combos:
            exposure, sensitivity = _resource_context(graph, node)
            out[fid] = FindingContext(exposure, sensitivity, tuple(combos))
            continue
        if node.id not in plain:
            exposure, sensitivity = _resource_context(graph, node)
            known = exposure is not None or sensitivity is not None
            plain[node.id] = FindingContext(exposure, sensitivity) if known else None
        shared = plain[node.id]
        if shared is not None:
            out[fid] = shared
    return out


def _resource_context(
    graph: "_Graph", node: _Node
) -> tuple[ResourceFact | None, ResourceFact | None]:
    if node.context is None:
        node.context = (_exposure_fact(graph, node), graph.sensitivity(node))
    return node.context


def _kinds(
    control: str,
    category: str,
    severity: str,
    public_re: re.Pattern[str] | None,
    not_public_re: re.Pattern[str] | None,
) -> int:
    c = control.lower()
    kinds = 0
    if public_re and public_re.match(c) and not (not_public_re and not_public_re.match(c)):
        kinds |= PUBLIC
    for pattern, kind in (
        (_ADMIN_RE, ADMIN), (_IMDS_RE, IMDS), (_UNENC_RE, UNENC), (_LOG_RE, LOG),
        (_UNMANAGED_RE, UNMGD),
    ):  # fmt: skip
        if pattern and pattern.match(c):
            kinds |= kind
    if category == "drift" and severity == "critical" and _DRIFT_RE and _DRIFT_RE.match(c):
        kinds |= OPENED
    if category in VULN_CATEGORIES and severity == "critical":
        kinds |= VULN
    return kinds


def _tagged(
    nodes: list[_Node], sensitivity_tags: Sequence[str], data_tags: Mapping[str, str]
) -> dict[uuid.UUID, ResourceFact]:
    keys = {loose(k) for k in sensitivity_tags}
    out: dict[uuid.UUID, ResourceFact] = {}
    if not keys:
        return out
    for n in nodes:
        best: ResourceFact | None = None
        for key, value in n.tags.items():
            if loose(key) not in keys or not isinstance(value, str):
                continue
            found = classification(value)
            level = data_tags.get(found, found) if found else None
            if level not in _LEVELS:
                continue
            if best is None or _LEVELS.index(level) > _LEVELS.index(best.value):
                shown = f"tag {key}={value} on {n.label}"
                if level != loose(value):
                    shown += f": {level}"
                best = ResourceFact(level, shown)
        if best is not None:
            out[n.id] = best
    return out


def _exposure_fact(graph: _Graph, n: _Node) -> ResourceFact | None:
    got = graph.exposure(n)
    if got:
        return ResourceFact("internet", "; ".join(" -> ".join(s) for s in got.steps))
    if n.type in EXPOSABLE:
        return ResourceFact(
            "internal",
            f"{n.label}: no ingress from the internet, public setting or public-exposure "
            "finding in the inventory",
        )
    return None


# ------------------------------------------------------------------ combinations


def _evidence(graph: _Graph, ids: Iterable[uuid.UUID], kinds: int) -> set[uuid.UUID]:
    out: set[uuid.UUID] = set()
    for rid in ids:
        out.update(fid for fid, k, _ in graph.nodes[rid].evidence if k & kinds)
    return out


def _combinations(graph: _Graph) -> dict[uuid.UUID, list[Combination]]:
    members: dict[uuid.UUID, list[Combination]] = defaultdict(list)

    def add(name: str, n: _Node, path: Sequence[str], evidence: set[uuid.UUID]) -> None:
        combo = Combination(name, COMBINATIONS[name], tuple(path), n.label)
        for fid in sorted(evidence):
            if combo not in members[fid]:
                members[fid].append(combo)

    for n in sorted(graph.nodes.values(), key=lambda x: x.label):
        kind = EXPOSABLE.get(n.type)
        exp = graph.exposure(n)
        own = graph.own_sensitivity(n)
        restricted = own is not None and own.value == "restricted"
        if restricted and own is not None:
            logging_off = "false" in n.fact("logging")
            if _says(n, "logging", "false", LOG):
                why = f"{n.label}: logging disabled" + (
                    "" if logging_off else f" ({_controls(n, LOG)})"
                )
                add("restricted_data_logging_disabled", n, (own.source, why),
                    _evidence(graph, [n.id], LOG))  # fmt: skip
        if exp is None:
            continue
        first = ("internet", *exp.steps[0])
        public = _evidence(graph, exp.via, PUBLIC | OPENED)
        if kind == "compute":
            for name, role, how in graph.roles(n):
                words, via = graph.admin(name, role)
                if words:
                    add("internet_compute_admin_role", n, (*first, n.label, f"{how}: {words[0]}"),
                        public | _evidence(graph, via, ADMIN))  # fmt: skip
            if n.flags & VULN:
                add("internet_host_critical_vulnerability", n,
                    (*first, n.label, f"critical vulnerability ({_controls(n, VULN)})"),
                    public | _evidence(graph, [n.id], VULN))  # fmt: skip
        if n.type in INSTANCES and _says(n, "http_tokens", "optional", IMDS):
            roles = graph.roles(n)
            if roles:
                imds = _controls(n, IMDS) if n.flags & IMDS else "http_tokens optional"
                add("internet_instance_imdsv1_role", n,
                    (*first, f"{n.label}: IMDSv1 allowed ({imds})", roles[0][2]),
                    public | _evidence(graph, [n.id], IMDS))  # fmt: skip
        if kind == "bucket" and restricted and own is not None:
            add("public_bucket_restricted_data", n, (*first, own.source), public)
        if kind == "database":
            unencrypted = "false" in n.fact("encrypted")
            if _says(n, "encrypted", "false", UNENC):
                why = "not encrypted at rest" + ("" if unencrypted else f" ({_controls(n, UNENC)})")
                add("public_unencrypted_database", n, (*first, f"{n.label}: {why}"),
                    public | _evidence(graph, [n.id], UNENC))  # fmt: skip
            if restricted and own is not None:
                add("internet_data_store_restricted", n, (*first, own.source), public)
        elif n.type in DATA_STORES and kind != "bucket" and restricted and own is not None:
            add("internet_data_store_restricted", n, (*first, own.source), public)
        if n.flags & OPENED:
            behind = [
                o.label for k, o in n.into if k == "security_group" and o.type not in _SG_RULES
            ]
            path = [f"a change outside Terraform ({_controls(n, OPENED)})", *exp.steps[0]]
            if behind:
                path.append("attached to " + ", ".join(sorted(behind)))
            add("drift_opened_to_internet", n, ("internet", *path),
                public | _evidence(graph, [n.id], OPENED))  # fmt: skip
        if not n.managed:
            add("unmanaged_internet_resource", n,
                (*first, f"{n.label} is managed by no IaC ({_controls(n, UNMGD) or 'driftctl'})"),
                public | _evidence(graph, [n.id], UNMGD))  # fmt: skip
    return members


def _says(n: _Node, key: str, value: str, kind: int) -> bool:
    """The resource's fact decides when it has one (the state is newer than a scan); else an
    evidence finding of that kind does."""
    facts = n.fact(key)
    return value in facts if facts else bool(n.flags & kind)


def _controls(n: _Node, kind: int) -> str:
    """The control ids of a resource's evidence of one kind, in words ("" for none)."""
    return ", ".join(sorted({c for _, k, c in n.evidence if k & kind}))
