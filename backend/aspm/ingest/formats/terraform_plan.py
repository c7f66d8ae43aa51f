"""Terraform plan JSON (`terraform show -json <planfile>`), format_version 0.1 to 1.x.

Also driftctl's `--output plan://` files, which are plan-shaped (format_version 0.1, planned_values
and resource_changes only). Refresh-only plans (`terraform plan -refresh-only -out p`) are how
Terraform reports drift today; a normal plan carries the drift it saw in `resource_drift` too.

Inventory (ctx.resources): one ResourceRecord per managed resource instance the plan shows in
`planned_values` and `prior_state` (modules nested to any depth through `child_modules`;
count/for_each keys are in each address). When both show a resource, prior_state wins: it is what
exists now, with real ids and ARNs, where planned_values of a resource yet to be created has none.
Data sources are skipped. Identity, tags and facts come from the allow-listed attributes only
(`_terraform.resource_record`), with everything `sensitive_values` marks stripped first.
Relations: from the attribute values (ids of security groups, subnets, roles...) and from the
`configuration` references of the attributes in `_terraform.RELATION_ATTRS`
(`vpc_security_group_ids = [aws_security_group.web.id]` -> ("security_group",
"aws_security_group.web")), resolved inside the module instance of the resource.
`ctx.inventory_complete` stays False: a plan is a view of what Terraform will change, filtered
by -target and the like, not a snapshot that may retire the resources it does not mention.

Findings: drift only, from `resource_drift` (category drift, tool "terraform"): one finding per
(resource, drifted attribute group), groups and severities from the table in `_drift.py`, the
before and after values in the description with every part that `before_sensitive` /
`after_sensitive` marks (and any credential-named attribute) redacted. A resource deleted outside
Terraform (drift action delete) is one "deleted" finding. Identity: the address the drift is
reported at (after a `moved` block: the new address; the old one is only mentioned) and the group.
resource_changes (what the plan would apply) are not findings; their number goes to
ctx.extra["resource_changes"] (the corpus MANIFEST counts plans by it).

Never read: variables (a sensitive variable's value is in plain text there), outputs and
output_changes (sensitive outputs), constant values of the configuration.

Streaming: the document is walked with JsonCursor; each resource, drift entry and configuration
resource is decoded on its own, resource_changes are skipped element by element.
"""

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from aspm.ingest.contract import MalformedReport, ParseContext, RawFinding, ResourceRecord
from aspm.ingest.formats._drift import Subject, attribute_drift, attribute_groups, existence_drift
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe
from aspm.ingest.formats._terraform import (
    config_key,
    expression_relations,
    instance_suffix,
    merge_relations,
    module_prefix,
    plain_id,
    provider_short,
    redact,
    resolve_relations,
    resource_record,
    sub_mask,
)

TOOL = "terraform"

_SNIFF_START = re.compile(rb'^\s*\{\s*"format_version"\s*:\s*"')
_SNIFF_PLAN = re.compile(
    rb'"(?:planned_values|resource_changes|resource_drift|prior_state|output_changes)"\s*:'
)


def plan_sniff(head: bytes) -> bool:
    """Whether `head` is the start of plan JSON (shared with terraform_state, which must not)."""
    return bool(_SNIFF_START.match(head)) and bool(_SNIFF_PLAN.search(head))


class _Walk:
    """What the walk of one plan has gathered."""

    def __init__(self) -> None:
        self.records: dict[str, ResourceRecord] = {}
        self.from_prior: set[str] = set()
        self.config: dict[str, list[tuple[str, str]]] = {}  # config key -> (kind, relative addr)
        self.ids: dict[str, str] = {}  # provider id / ARN -> address
        self.resource_changes = 0
        self.drift_entries = 0


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def full_address(resource: dict[str, Any], module: str | None) -> str | None:
    """A resource's address, with its module path and instance key even where old Terraform
    versions (0.12.0) left them out of `address`."""
    address = _text(resource.get("address"))
    rtype, name = _text(resource.get("type")), _text(resource.get("name"))
    if address is None:
        if rtype is None or name is None:
            return None
        address = f"{rtype}.{name}"
    if module and not address.startswith(module + "."):
        address = f"{module}.{address}"
    index = resource.get("index")
    if index is not None and not address.endswith("]"):
        address += instance_suffix(index)
    return address


def module_resources(
    cursor: JsonCursor, ctx: ParseContext, where: str, module: str | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(address, resource) of every managed resource of a `root_module` object and its
    `child_modules`, recursively; data sources are counted in ctx.extra["data_sources"]."""
    if cursor.peek() != "{":
        ctx.warn(f"{where} is {describe(cursor.peek())}, not a module; ignored")
        cursor.skip()
        return
    for key in cursor.members():
        if key == "address":
            value = cursor.value()
            module = _text(value) or module
        elif key == "resources" and cursor.peek() == "[":
            for n, resource in enumerate(cursor.values()):
                if not isinstance(resource, dict):
                    ctx.skip(f"{where}, resource {n}: not an object; skipped")
                    continue
                if resource.get("mode") == "data":
                    ctx.extra["data_sources"] = str(int(ctx.extra.get("data_sources", "0")) + 1)
                    continue
                address = full_address(resource, module)
                if address is None or _text(resource.get("type")) is None:
                    ctx.skip(f"{where}, resource {n}: no address or type; skipped")
                    continue
                yield address, resource
        elif key == "child_modules" and cursor.peek() == "[":
            for n in cursor.elements():
                yield from module_resources(cursor, ctx, f"{where}, child module {n}")
        else:
            cursor.skip()


def record_of(address: str, resource: dict[str, Any]) -> ResourceRecord:
    rtype = str(resource.get("type"))
    return resource_record(
        address=address,
        rtype=rtype,
        provider=provider_short(resource.get("provider_name")),
        values=resource.get("values"),
        mask=resource.get("sensitive_values"),
    )


class TerraformPlanIngestor:
    name: ClassVar[str] = "terraform-plan"
    title: ClassVar[str] = "Terraform plan JSON (terraform show -json)"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        return plan_sniff(head)

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "Terraform"
        ctx.tools.add(TOOL)
        ctx.inventory_complete = False
        cursor = JsonCursor(stream)
        walk = _Walk()
        try:
            if cursor.peek() != "{":
                raise MalformedReport(
                    f"a Terraform plan is a JSON object; the file holds {describe(cursor.peek())}"
                )
            yield from self._document(cursor, ctx, walk)
            cursor.end()
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid Terraform plan JSON: {exc}") from exc
        for record in walk.records.values():
            if record.address is None:
                continue
            prefix = module_prefix(record.address)
            refs = walk.config.get(config_key(record.address), ())
            merge_relations(record, ((kind, prefix + target) for kind, target in refs))
        resolve_relations(walk.records.values(), walk.ids)
        ctx.resources.extend(walk.records.values())
        ctx.extra["resource_changes"] = str(walk.resource_changes)
        ctx.extra["resource_drift"] = str(walk.drift_entries)

    def _document(self, cursor: JsonCursor, ctx: ParseContext, walk: _Walk) -> Iterator[RawFinding]:
        seen_format = False
        for key in cursor.members():
            if key == "format_version":
                seen_format = True
                self._format(cursor.value(), ctx)
            elif key == "terraform_version":
                version = cursor.value()
                if isinstance(version, str) and version:
                    ctx.tool_version = version
            elif key == "planned_values":
                self._values(cursor, ctx, walk, "planned_values", prior=False)
            elif key == "prior_state":
                if cursor.peek() != "{":
                    cursor.skip()
                    continue
                for inner in cursor.members():
                    if inner == "values":
                        self._values(cursor, ctx, walk, "prior_state.values", prior=True)
                    else:
                        cursor.skip()
            elif key == "resource_drift" and cursor.peek() == "[":
                for n, entry in enumerate(cursor.values()):
                    walk.drift_entries += 1
                    yield from self._drift(entry, ctx, f"resource_drift {n}")
            elif key == "resource_changes" and cursor.peek() == "[":
                for _ in cursor.elements():
                    walk.resource_changes += 1
                    cursor.skip()
            elif key == "configuration" and cursor.peek() == "{":
                for inner in cursor.members():
                    if inner == "root_module":
                        self._config_module(cursor, ctx, walk, "")
                    else:
                        cursor.skip()
            else:
                cursor.skip()
        if not seen_format:
            raise MalformedReport("not a Terraform plan: the object has no format_version")

    @staticmethod
    def _format(version: object, ctx: ParseContext) -> None:
        if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
            raise MalformedReport(f"format_version is not a version: {describe(str(version)[:1])}")
        if int(version.split(".")[0]) > 1:
            ctx.warn(f"plan format_version {version} is newer than 1.x; read as 1.x")
        ctx.extra["format_version"] = version

    def _values(
        self, cursor: JsonCursor, ctx: ParseContext, walk: _Walk, where: str, *, prior: bool
    ) -> None:
        if cursor.peek() != "{":
            cursor.skip()
            return
        for key in cursor.members():
            if key != "root_module":
                cursor.skip()  # outputs: sensitive outputs live there; never read
                continue
            for address, resource in module_resources(cursor, ctx, f"{where}.root_module"):
                if not prior and address in walk.from_prior:
                    continue
                record = walk.records[address] = record_of(address, resource)
                for ident in (
                    plain_id(resource.get("values"), resource.get("sensitive_values")),
                    record.cloud_id,
                ):
                    if ident:
                        walk.ids.setdefault(ident, address)
                if prior:
                    walk.from_prior.add(address)

    def _config_module(self, cursor: JsonCursor, ctx: ParseContext, walk: _Walk, path: str) -> None:
        if cursor.peek() != "{":
            cursor.skip()
            return
        for key in cursor.members():
            if key == "resources" and cursor.peek() == "[":
                for resource in cursor.values():
                    if not isinstance(resource, dict) or resource.get("mode") == "data":
                        continue
                    address = _text(resource.get("address"))
                    if address is None:
                        continue
                    refs = list(dict.fromkeys(expression_relations(resource.get("expressions"))))
                    if refs:
                        walk.config[path + address] = refs
            elif key == "module_calls" and cursor.peek() == "{":
                for name in cursor.members():
                    if cursor.peek() != "{":
                        cursor.skip()
                        continue
                    for inner in cursor.members():
                        if inner == "module":
                            self._config_module(cursor, ctx, walk, f"{path}module.{name}.")
                        else:
                            cursor.skip()
            else:
                cursor.skip()

    def _drift(self, entry: object, ctx: ParseContext, where: str) -> Iterator[RawFinding]:
        if not isinstance(entry, dict):
            ctx.skip(f"{where}: not an object; skipped")
            return
        if entry.get("mode") == "data":
            return
        address, rtype = _text(entry.get("address")), _text(entry.get("type"))
        change = entry.get("change")
        if address is None or rtype is None or not isinstance(change, dict):
            ctx.skip(f"{where}: no address, type or change; skipped")
            return
        before, after = change.get("before"), change.get("after")
        b_mask, a_mask = change.get("before_sensitive"), change.get("after_sensitive")
        actions = change.get("actions")
        ident = before if isinstance(before, dict) else after if isinstance(after, dict) else {}
        subject = Subject(
            key=address,
            rtype=rtype,
            provider=provider_short(entry.get("provider_name")),
            address=address,
            cloud_id=_identity(ident, b_mask if ident is before else a_mask),
            previous_address=_text(entry.get("previous_address")),
        )
        how = "seen by terraform plan"
        if after is None or actions == ["delete"]:
            yield existence_drift(TOOL, subject, deleted=True, how=how)
            return
        if not isinstance(after, dict):
            ctx.skip(f"{where} ({address}): change.after is not an object; skipped")
            return
        before_map = before if isinstance(before, dict) else {}
        changed = [
            k for k in dict.fromkeys([*before_map, *after]) if before_map.get(k) != after.get(k)
        ]
        for group_key, (group, attrs) in attribute_groups(rtype, changed).items():
            shown_before = {a: redact(before_map.get(a), sub_mask(b_mask, a), a) for a in attrs}
            shown_after = {a: redact(after.get(a), sub_mask(a_mask, a), a) for a in attrs}
            yield attribute_drift(
                TOOL, subject, group_key, group, shown_before, shown_after, how=how
            )


def _identity(values: dict[str, Any], mask: object) -> str | None:
    """ARN, else id, of the drifted resource (never a sensitive one)."""
    for key in ("arn", "id"):
        value = values.get(key)
        if isinstance(value, str) and value and sub_mask(mask, key) is not True:
            if key == "arn" and not value.startswith("arn:"):
                continue
            return value
    return None
