"""Terraform resources as inventory records, shared by terraform_state, terraform_plan and driftctl.

A Terraform state holds database passwords, private keys and tokens in plain text, so nothing here
copies attributes wholesale: `resource_record` reads an allow-list of attributes (identity, tags,
public-exposure / encryption / logging facts, ids of related resources) and nothing else, and each
of those is first passed through `strip_sensitive`, which drops every part that Terraform marks
sensitive (`sensitive_values` of `terraform show -json`, `sensitive_attributes` of a raw state,
`before_sensitive` / `after_sensitive` of a plan change).

Sensitivity marks come in two shapes, both turned into one "mask" here:
- show -json: a mirror of the value with `true` where it is sensitive
  (`{"password": true, "ingress": [{"cidr_blocks": [true]}]}`), or `true` for the whole value;
- raw state: a list of paths, each a list of steps `{"type": "get_attr", "value": "password"}` /
  `{"type": "index", "value": {"value": 0, "type": "number"}}` (`mask_from_paths`).
"""

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from aspm.ingest.contract import ResourceRecord
from aspm.ingest.formats._context import tags as tag_pairs

MAX_TEXT = 200  # one fact or relation value, as _context does for tags
MAX_FACTS = 50
MAX_RELATIONS = 50

# a mask: True (all sensitive), a dict of str/int keys to masks, a list of masks, or None (nothing)
Mask = Any

_SENSITIVE = object()  # what strip_sensitive leaves where a value was sensitive (then dropped)

# Attribute names that hold credentials whatever the marks say: never shown, even in a drift
# description (providers forget to mark some; a `password` in a hand-written module never is).
SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?$|password|secret|private_key|token|credential|api_?key|"
    r"access_key|key_material|connection_string|certificate_body|sas_url|auth_string|"
    r"master_user_password|private_pem|_pem$|^pem$|^content$|^sensitive_",
    re.IGNORECASE,
)
REDACTED = "(sensitive value redacted)"

_INTERNET = ("0.0.0.0/0", "::/0")
_PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})


# ------------------------------------------------------------------ masks and redaction


def mask_from_paths(paths: object) -> Mask:
    """A raw state's `sensitive_attributes` (a list of step lists) as a mask."""
    if not isinstance(paths, list) or not paths:
        return None
    root: dict[object, Any] = {}
    for path in paths:
        if not isinstance(path, list) or not path:
            continue
        node: dict[object, Any] = root
        keys = [_step_key(step) for step in path]
        if any(k is None for k in keys):
            keys = keys[: keys.index(None)]  # an unreadable step: mark all below what we know
            if not keys:
                return True
        for key in keys[:-1]:
            nxt = node.get(key)
            if nxt is True:
                break
            if not isinstance(nxt, dict):
                nxt = node[key] = {}
            node = nxt
        else:
            node[keys[-1]] = True
    return root or None


def _step_key(step: object) -> object:
    if not isinstance(step, dict):
        return None
    value = step.get("value")
    if step.get("type") == "get_attr" and isinstance(value, str):
        return value
    if step.get("type") == "index":
        inner = value.get("value") if isinstance(value, dict) else value
        if isinstance(inner, bool):
            return None
        if isinstance(inner, int | float):
            return int(inner)
        if isinstance(inner, str):
            return inner
    return None


def sub_mask(mask: Mask, key: object) -> Mask:
    """The part of `mask` under one key or index."""
    if mask is True:
        return True
    if isinstance(mask, dict):
        return mask.get(key)
    if isinstance(mask, list) and isinstance(key, int) and 0 <= key < len(mask):
        return mask[key]
    return None


def strip_sensitive(value: Any, mask: Mask) -> Any:
    """`value` with every part `mask` marks sensitive replaced by a marker (see `is_hidden`)."""
    if mask is True:
        return _SENSITIVE
    if not mask or (mask is False):
        return value
    if isinstance(value, dict):
        return {k: strip_sensitive(v, sub_mask(mask, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_sensitive(v, sub_mask(mask, i)) for i, v in enumerate(value)]
    return value


def is_hidden(value: Any) -> bool:
    return value is _SENSITIVE


def redact(value: Any, mask: Mask, name: str = "") -> Any:
    """`value` for display: parts marked sensitive, and attributes whose name says they hold a
    credential, become REDACTED. Everything else as it is."""
    if mask is True or (name and SECRET_NAME.search(name) and value not in (None, "", [], {})):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, sub_mask(mask, k), str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, sub_mask(mask, i), name) for i, v in enumerate(value)]
    return value


def show(value: Any, limit: int = 1000) -> str:
    """A value as compact JSON for a description, cut at `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------ names and addresses

_PROVIDER_SOURCE = re.compile(r'provider\["([^"]+)"\]')


def provider_short(provider: object) -> str:
    """The short provider name: `registry.terraform.io/hashicorp/aws`, `provider.aws.east`,
    `provider["registry.terraform.io/hashicorp/aws"].east`, `aws` -> `aws`; "" when unknown."""
    if not isinstance(provider, str) or not provider:
        return ""
    found = _PROVIDER_SOURCE.search(provider)
    if found:
        provider = found.group(1)
    elif provider.startswith("provider."):
        provider = provider.removeprefix("provider.").split(".")[0]
    return provider.rstrip("/").split("/")[-1].split(".")[0]


def provider_from_type(rtype: str) -> str:
    """A resource type's provider by Terraform's naming rule (`aws_s3_bucket` -> aws)."""
    return rtype.split("_", 1)[0] if "_" in rtype else ""


def instance_suffix(key: object) -> str:
    """`[0]` / `["backend"]` for a count / for_each key; "" for none."""
    if isinstance(key, bool) or key is None:
        return ""
    if isinstance(key, int | float):
        return f"[{int(key)}]"
    if isinstance(key, str):
        return f"[{json.dumps(key)}]"
    return ""


_MODULE_PREFIX = re.compile(r"^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)")
_MODULE_KEY = re.compile(r"\[[^\]]*\]")


def module_prefix(address: str) -> str:
    """`module.vm["a"].module.db.aws_db_instance.x[0]` -> `module.vm["a"].module.db.`"""
    match = _MODULE_PREFIX.match(address)
    return match.group(1) if match else ""


def config_key(address: str) -> str:
    """The configuration block of a resource instance: module path without instance keys + block:
    `module.vm["a"].aws_instance.x[0]` -> `module.vm.aws_instance.x`."""
    prefix = module_prefix(address)
    block = address[len(prefix) :]
    block = _MODULE_KEY.sub("", block)
    return _MODULE_KEY.sub("", prefix) + block


# ------------------------------------------------------------------ cloud identity

_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>\d*):"
)
_AZURE_SUB = re.compile(r"^/subscriptions/([0-9a-fA-F-]{36})/", re.IGNORECASE)


def arn_parts(arn: str) -> tuple[str | None, str | None]:
    """(account, region) of an ARN, None where it leaves them empty (S3, IAM)."""
    match = _ARN.match(arn)
    if not match:
        return None, None
    return match["account"] or None, match["region"] or None


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str) and value.strip():
        return value.strip()[:MAX_TEXT]
    return None


def _flag(value: object) -> str | None:
    return ("true" if value else "false") if isinstance(value, bool) else None


# ------------------------------------------------------------------ facts

_PUBLIC_ACCESS_BLOCK = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
# relation kind by attribute name: the attribute holds the id, ARN or name of the other resource
RELATION_ATTRS: dict[str, str] = {
    "vpc_security_group_ids": "security_group",
    "security_groups": "security_group",
    "security_group_ids": "security_group",
    "security_group_id": "security_group",
    "source_security_group_id": "security_group",
    "subnet_id": "subnet",
    "subnet_ids": "subnet",
    "subnets": "subnet",
    "vpc_id": "vpc",
    "role": "role",
    "role_arn": "role",
    "iam_role": "role",
    "iam_role_arn": "role",
    "execution_role_arn": "role",
    "task_role_arn": "role",
    "service_role": "role",
    "iam_instance_profile": "instance_profile",
    "policy_arn": "policy",
    "bucket": "bucket",
    "kms_key_id": "kms_key",
    "kms_key_arn": "kms_key",
    "kms_master_key_id": "kms_key",
    "user": "user",
    "group": "group",
    "load_balancer_arn": "load_balancer",
    "target_group_arn": "target_group",
    "network_interface_id": "network_interface",
    "instance_id": "instance",
    "function_name": "function",
    "target_id": "target",  # a target group attachment's instance (or IP, or function)
}
# types whose `bucket` attribute is their own name, not a reference to another bucket
_OWN_BUCKET = frozenset({"aws_s3_bucket"})
_FACT_ATTRS = frozenset(
    {
        "ingress",
        "egress",
        "type",
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "cidr_ipv4",
        "cidr_ipv6",
        "from_port",
        "to_port",
        "protocol",
        "ip_protocol",
        "source_ranges",
        "allow",
        "direction",
        "acl",
        "publicly_accessible",
        "encrypted",
        "storage_encrypted",
        "server_side_encryption_configuration",
        "server_side_encryption",
        "encryption_configuration",
        "kms_key_id",
        "logging",
        "access_logs",
        "enable_logging",
        "enabled_cloudwatch_logs_exports",
        "rule",
        "associate_public_ip_address",
        "public_ip",
        "metadata_options",
        *_PUBLIC_ACCESS_BLOCK,
    }
)
_IDENTITY_ATTRS = frozenset(
    {
        "arn",
        "id",
        "self_link",
        "name",
        "bucket",
        "tags",
        "tags_all",
        "labels",
        "region",
        "location",
        "project",
        "zone",
        "account_id",
        "owner_id",
    }
)
ALLOWED_ATTRS = _FACT_ATTRS | _IDENTITY_ATTRS | frozenset(RELATION_ATTRS)


def _ports(rule: dict[str, Any], proto_key: str = "protocol") -> str:
    proto = _text(rule.get(proto_key)) or "all"
    if proto in ("-1", "all"):
        return "all"
    low, high = _text(rule.get("from_port")), _text(rule.get("to_port"))
    if low is None and high is None:
        return proto
    return f"{proto}/{low}" if low == high or high is None else f"{proto}/{low}-{high}"


def _cidrs(rule: dict[str, Any], *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = rule.get(key)
        for cidr in value if isinstance(value, list) else [value]:
            text = _text(cidr) if not is_hidden(cidr) else None
            if text:
                out.append(text)
    return out


def _rule_facts(rule: dict[str, Any], proto_key: str = "protocol") -> list[str]:
    ports = _ports(rule, proto_key)
    cidrs = _cidrs(rule, "cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6")
    return [f"{ports} {cidr}" for cidr in cidrs] or (
        [f"{ports} (security group)"] if rule.get("security_groups") else []
    )


def facts(rtype: str, v: dict[str, Any]) -> list[tuple[str, str]]:
    """Exposure, encryption and logging facts of one resource from its (stripped) values."""
    out: list[tuple[str, str]] = []
    # network exposure
    for kind in ("ingress", "egress"):
        rules = v.get(kind)
        if isinstance(rules, list):
            for rule in rules:
                if isinstance(rule, dict):
                    out.extend((kind, text) for text in _rule_facts(rule))
    if rtype == "aws_security_group_rule" and v.get("type") in ("ingress", "egress"):
        out.extend((str(v["type"]), text) for text in _rule_facts(v))
    if rtype in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        kind = "ingress" if "ingress" in rtype else "egress"
        out.extend((kind, text) for text in _rule_facts(v, "ip_protocol"))
    if rtype == "google_compute_firewall":
        kind = "egress" if v.get("direction") == "EGRESS" else "ingress"
        ranges = _cidrs(v, "source_ranges")
        for allow in v.get("allow") or []:
            if isinstance(allow, dict):
                proto = _text(allow.get("protocol")) or "all"
                ports = allow.get("ports") or [None]
                for port in ports if isinstance(ports, list) else [ports]:
                    label = f"{proto}/{port}" if _text(port) else proto
                    out.extend((kind, f"{label} {cidr}") for cidr in ranges)
    for key in _PUBLIC_ACCESS_BLOCK:
        flag = _flag(v.get(key))
        if flag is not None:
            out.append((key, flag))
    acl = v.get("acl")
    if isinstance(acl, str) and acl:
        out.append(("acl", acl[:MAX_TEXT]))
    public = _flag(v.get("publicly_accessible"))
    if public is not None:
        out.append(("publicly_accessible", public))
    flag = _flag(v.get("associate_public_ip_address"))
    if flag is not None:
        out.append(("associate_public_ip_address", flag))
    ip = v.get("public_ip")
    if isinstance(ip, str) and ip and not is_hidden(ip):
        out.append(("public_ip", ip[:MAX_TEXT]))
    # instance metadata: IMDSv1 is allowed unless tokens are required
    for opts in v.get("metadata_options") or []:
        if isinstance(opts, dict) and isinstance(opts.get("http_tokens"), str):
            out.append(("http_tokens", opts["http_tokens"][:MAX_TEXT]))
    # encryption
    for key in ("encrypted", "storage_encrypted"):
        flag = _flag(v.get(key))
        if flag is not None:
            out.append(("encrypted", flag))
    if rtype == "aws_s3_bucket" and "server_side_encryption_configuration" in v:
        sse = v.get("server_side_encryption_configuration")
        if isinstance(sse, list):
            out.append(("encrypted", "true" if sse else "false"))
    if rtype == "aws_s3_bucket_server_side_encryption_configuration":
        out.append(("encrypted", "true"))
    if rtype == "aws_dynamodb_table" and isinstance(v.get("server_side_encryption"), list):
        enabled = any(
            isinstance(x, dict) and x.get("enabled") is True for x in v["server_side_encryption"]
        )
        out.append(("encrypted", "true" if enabled else "false"))
    # logging
    if rtype == "aws_s3_bucket" and isinstance(v.get("logging"), list):
        out.append(("logging", "true" if v["logging"] else "false"))
    if rtype == "aws_s3_bucket_logging":
        out.append(("logging", "true"))
    if rtype == "aws_cloudtrail":
        flag = _flag(v.get("enable_logging"))
        if flag is not None:
            out.append(("logging", flag))
    if isinstance(v.get("access_logs"), list):
        enabled = any(isinstance(x, dict) and x.get("enabled") is True for x in v["access_logs"])
        out.append(("logging", "true" if enabled else "false"))
    if isinstance(v.get("enabled_cloudwatch_logs_exports"), list):
        out.append(("logging", "true" if v["enabled_cloudwatch_logs_exports"] else "false"))
    if _is_public(out):
        out.append(("public", "true"))
    return list(dict.fromkeys(out))[:MAX_FACTS]


def _is_public(found: list[tuple[str, str]]) -> bool:
    for key, value in found:
        if key == "ingress" and value.endswith(_INTERNET):
            return True
        if key == "publicly_accessible" and value == "true":
            return True
        if key == "acl" and value in _PUBLIC_ACLS:
            return True
    return False


def relations(rtype: str, v: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, id/ARN/name) of the resources this one's attributes name."""
    out: list[tuple[str, str]] = []
    for attr, kind in RELATION_ATTRS.items():
        if attr == "bucket" and rtype in _OWN_BUCKET:
            continue
        if attr == "kms_key_id" and rtype.startswith("aws_kms_"):
            continue
        value = v.get(attr)
        for item in value if isinstance(value, list) else [value]:
            text = _text(item) if isinstance(item, str) else None
            if text:
                out.append((kind, text))
    return list(dict.fromkeys(out))[:MAX_RELATIONS]


def resource_record(
    *,
    address: str | None,
    rtype: str,
    provider: str,
    values: object,
    mask: Mask,
    managed: bool = True,
) -> ResourceRecord:
    """The inventory record of one resource instance from its attribute values.

    Only ALLOWED_ATTRS are read, each after its sensitive parts are stripped; a value that is
    entirely sensitive is treated as absent.
    """
    v: dict[str, Any] = {}
    if mask is not True and isinstance(values, dict):
        for key in ALLOWED_ATTRS:
            if key in values and not SECRET_NAME.search(key):
                value = strip_sensitive(values[key], sub_mask(mask, key))
                if not is_hidden(value):
                    v[key] = value
    arn = v.get("arn") if isinstance(v.get("arn"), str) and v["arn"].startswith("arn:") else None
    ident = _text(v.get("id")) if isinstance(v.get("id"), str | int) else None
    cloud_id = (
        arn or ident or (_text(v.get("self_link")) if isinstance(v.get("self_link"), str) else None)
    )
    account = region = None
    if arn:
        account, region = arn_parts(arn)
    if account is None:
        if ident and (sub := _AZURE_SUB.match(ident)):
            account = sub.group(1)
        else:
            account = next(
                (
                    _text(v[k])
                    for k in ("account_id", "owner_id", "project")
                    if isinstance(v.get(k), str)
                ),
                None,
            )
    if region is None:
        region = next(
            (_text(v[k]) for k in ("region", "location", "zone") if isinstance(v.get(k), str)),
            None,
        )
    tags: list[tuple[str, str]] = []
    for key in ("tags_all", "tags", "labels"):
        value = v.get(key)
        if isinstance(value, dict):
            tags.extend(tag_pairs({k: x for k, x in value.items() if not is_hidden(x)}))
    tag_map = dict(tags)
    name = None
    for key in ("bucket", "name") if rtype == "aws_s3_bucket" else ("name", "identifier"):
        if isinstance(v.get(key), str):
            name = _text(v[key])
            break
    name = name or tag_map.get("Name")
    return ResourceRecord(
        provider=provider or provider_from_type(rtype),
        type=rtype,
        address=address,
        cloud_id=cloud_id,
        account_id=account,
        region=region,
        name=name,
        tags=tuple(tag_map.items()),
        facts=tuple(facts(rtype, v)),
        relations=tuple(relations(rtype, v)),
        managed=managed,
    )


# ------------------------------------------------------------------ configuration references

_NOT_RESOURCES = frozenset(
    {"var", "local", "module", "data", "path", "count", "each", "self", "terraform"}
)
# relation kind by the attribute whose expression references another resource
CONFIG_RELATIONS = RELATION_ATTRS


def referenced_resource(reference: str) -> str | None:
    """`aws_security_group.web.id` / `aws_security_group.web[0]` -> the resource address it names
    (`aws_security_group.web`, `aws_security_group.web[0]`); None for var/local/module/data."""
    head, _, rest = reference.partition(".")
    if not rest or head in _NOT_RESOURCES or not re.fullmatch(r"[a-z0-9]+_[A-Za-z0-9_-]+", head):
        return None
    match = re.match(r"([A-Za-z0-9_-]+)(\[[^\]]*\])?", rest)
    if not match:
        return None
    return f"{head}.{match.group(1)}{match.group(2) or ''}"


def expression_relations(expressions: object) -> Iterator[tuple[str, str]]:
    """(kind, relative address) from a configuration resource's `expressions`, nested blocks
    included (an expression there is a list of dicts of expressions)."""
    if not isinstance(expressions, dict):
        return
    for attr, expr in expressions.items():
        if isinstance(expr, list):
            for block in expr:
                yield from expression_relations(block)
            continue
        if not isinstance(expr, dict):
            continue
        kind = CONFIG_RELATIONS.get(attr)
        refs = expr.get("references")
        if kind is None or not isinstance(refs, list):
            if "references" not in expr and "constant_value" not in expr:
                yield from expression_relations(expr)  # a nested block written as one object
            continue
        for ref in refs:
            target = referenced_resource(ref) if isinstance(ref, str) else None
            if target:
                yield kind, target


def merge_relations(record: ResourceRecord, extra: Iterable[tuple[str, str]]) -> None:
    record.relations = tuple(dict.fromkeys([*record.relations, *extra]))[:MAX_RELATIONS]


def plain_id(values: object, mask: Mask) -> str | None:
    """The provider's `id` of a resource (not its ARN), unless marked sensitive."""
    if not isinstance(values, dict) or mask is True or sub_mask(mask, "id") is True:
        return None
    value = values.get("id")
    return value if isinstance(value, str) and value and not SECRET_NAME.search("id") else None


def resolve_relations(records: Iterable[ResourceRecord], ids: dict[str, str]) -> None:
    """Relations naming a resource of the same state or plan by its id or ARN name it by its
    address instead, as configuration references do (`sg-0abc` -> `aws_security_group.web`)."""
    if not ids:
        return
    for record in records:
        if record.relations:
            record.relations = tuple(
                dict.fromkeys((kind, ids.get(target, target)) for kind, target in record.relations)
            )
