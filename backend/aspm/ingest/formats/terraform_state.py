"""Terraform state: the raw `.tfstate` (state format version 4) and `terraform show -json` of a
state (values.root_module with child_modules, recursive).

Version 3 (Terraform 0.11 and older, `"modules": [...]`) and anything else not 4 is refused with
a MalformedReport that says how to get a readable file: `terraform show -json` with
Terraform 0.12 or later (which reads and upgrades the old state).

Inventory only, no findings, and no tool family in ctx.tools (an import of a state never resolves
the drift findings a plan of the same asset reported); `ctx.inventory_complete` = True (a state is a
full snapshot of what it manages: a re-import retires the resources it no longer holds). One
ResourceRecord per resource INSTANCE: `module.vm["backend"].aws_instance.this[0]` and
`module.vm["frontend"]...` are two. Identity: `arn`, else `id`; account and region from the ARN,
else the provider's own attributes (`region`, `location`, an Azure subscription in the id, a GCP
`project`); tags from `tags_all`/`tags`/`labels`; facts and relations as
`_terraform.resource_record` says (only the allow-listed attributes). Data sources are skipped and
counted in ctx.extra["data_sources"].

Secrets: states hold passwords, private keys and tokens in plain text. Only allow-listed
attributes are read, each after stripping what `sensitive_attributes` (raw) or
`sensitive_values` (show -json) marks; credential-named attributes are never read at all;
outputs (sensitive ones included), `private` blobs and check results are skipped unread.

Streaming: JsonCursor; each resource of show -json, and each instance of a raw state, is decoded
on its own.
"""

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from aspm.ingest.contract import MalformedReport, ParseContext, RawFinding, ResourceRecord
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe
from aspm.ingest.formats._terraform import (
    instance_suffix,
    mask_from_paths,
    plain_id,
    provider_short,
    resolve_relations,
    resource_record,
)
from aspm.ingest.formats.terraform_plan import module_resources, plan_sniff, record_of

_RAW = re.compile(rb'^\s*\{\s*"version"\s*:\s*\d+\s*,')
_RAW_KEYS = re.compile(rb'"(?:terraform_version|lineage|serial)"\s*:')
_SHOW = re.compile(rb'^\s*\{\s*"format_version"\s*:\s*"[^"]*"\s*(?:,|\})')
_SHOW_KEYS = re.compile(rb'"(?:values|root_module)"\s*:')
_ONLY_VERSIONS = re.compile(
    rb'^\s*\{\s*"format_version"\s*:\s*"[^"]*"\s*(?:,\s*"terraform_version"\s*:\s*"[^"]*"\s*)?\}\s*$'
)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class TerraformStateIngestor:
    name: ClassVar[str] = "terraform-state"
    title: ClassVar[str] = "Terraform state (.tfstate or terraform show -json)"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        if _RAW.match(head):
            return bool(_RAW_KEYS.search(head))
        if not _SHOW.match(head) or plan_sniff(head):
            return False
        # an empty state's show -json is only {"format_version": "1.0"}
        return bool(_SHOW_KEYS.search(head)) or bool(_ONLY_VERSIONS.match(head))

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "Terraform"
        # no tool family: a state reports no findings, so it must not speak for the "terraform"
        # findings of its asset (a plan's drift) and resolve them as a full import of that scope
        # would; its resources get a scope of their own ("terraform-state")
        ctx.inventory_complete = True
        ctx.extra.setdefault("data_sources", "0")
        cursor = JsonCursor(stream)
        ids: dict[str, str] = {}  # provider id / ARN -> address, to name relations by address
        try:
            if cursor.peek() != "{":
                raise MalformedReport(
                    f"a Terraform state is a JSON object; the file holds {describe(cursor.peek())}"
                )
            self._document(cursor, ctx, ids)
            cursor.end()
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid Terraform state JSON: {exc}") from exc
        resolve_relations(ctx.resources, ids)
        yield from ()  # a state has no findings

    def _document(self, cursor: JsonCursor, ctx: ParseContext, ids: dict[str, str]) -> None:
        kind: str | None = None
        for key in cursor.members():
            if key == "version":
                version = cursor.value()
                if version != 4:
                    raise MalformedReport(_unsupported(version))
                kind = "raw"
            elif key == "format_version":
                version = cursor.value()
                if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
                    raise MalformedReport("format_version is not a version string")
                if int(version.split(".")[0]) > 1:
                    ctx.warn(f"state format_version {version} is newer than 1.x; read as 1.x")
                kind = "show"
            elif key == "terraform_version":
                version = cursor.value()
                if isinstance(version, str) and version:
                    ctx.tool_version = version
            elif key == "modules" and kind == "raw":
                raise MalformedReport(_unsupported(3))
            elif key == "resources" and kind == "raw" and cursor.peek() == "[":
                for n in cursor.elements():
                    self._raw_resource(cursor, ctx, ids, f"resource {n}")
            elif key == "values" and kind == "show" and cursor.peek() == "{":
                for inner in cursor.members():
                    if inner != "root_module":
                        cursor.skip()  # outputs, sensitive ones included: never read
                        continue
                    for address, resource in module_resources(cursor, ctx, "values.root_module"):
                        record = record_of(address, resource)
                        ctx.resources.append(record)
                        _remember(
                            ids,
                            record,
                            plain_id(resource.get("values"), resource.get("sensitive_values")),
                        )
            else:
                cursor.skip()  # outputs, checks, lineage, serial...
        if kind is None:
            raise MalformedReport(
                "not a Terraform state: the object has neither version (raw .tfstate) nor "
                "format_version (terraform show -json)"
            )

    def _raw_resource(
        self, cursor: JsonCursor, ctx: ParseContext, ids: dict[str, str], where: str
    ) -> None:
        if cursor.peek() != "{":
            ctx.skip(f"{where}: {describe(cursor.peek())}, not a resource; skipped")
            cursor.skip()
            return
        meta: dict[str, Any] = {}
        pending: list[Any] = []  # instances seen before the resource's type (unusual order)
        for key in cursor.members():
            if key in ("mode", "type", "name", "module", "provider"):
                meta[key] = cursor.value()
            elif key == "instances" and cursor.peek() == "[":
                for instance in cursor.values():
                    if "type" in meta and "name" in meta:
                        self._instance(meta, instance, ctx, ids, where)
                    else:
                        pending.append(instance)
            else:
                cursor.skip()
        for instance in pending:
            self._instance(meta, instance, ctx, ids, where)

    def _instance(
        self,
        meta: dict[str, Any],
        instance: Any,
        ctx: ParseContext,
        ids: dict[str, str],
        where: str,
    ) -> None:
        if meta.get("mode") == "data":
            ctx.extra["data_sources"] = str(int(ctx.extra.get("data_sources", "0")) + 1)
            return
        rtype, name = _text(meta.get("type")), _text(meta.get("name"))
        if rtype is None or name is None or not isinstance(instance, dict):
            ctx.skip(f"{where}: no type, name or instance object; skipped")
            return
        module = _text(meta.get("module"))
        address = f"{module + '.' if module else ''}{rtype}.{name}"
        address += instance_suffix(instance.get("index_key"))
        mask = mask_from_paths(instance.get("sensitive_attributes"))
        values = instance.get("attributes")
        record = resource_record(
            address=address,
            rtype=rtype,
            provider=provider_short(meta.get("provider")),
            values=values,
            mask=mask,
        )
        ctx.resources.append(record)
        _remember(ids, record, plain_id(values, mask))


def _remember(ids: dict[str, str], record: ResourceRecord, ident: str | None) -> None:
    if record.address is None:
        return
    for key in (ident, record.cloud_id):
        if key:
            ids.setdefault(key, record.address)


def _unsupported(version: object) -> str:
    if version in (1, 2, 3):
        return (
            f"Terraform state version {version} (Terraform 0.11 or older) is not read: run "
            "`terraform show -json` with Terraform 0.12 or later on it and upload that output"
        )
    return (
        f"Terraform state version {version if isinstance(version, int) else '(not a number)'} "
        "is not supported: only the raw "
        "state version 4 and `terraform show -json` output are read"
    )
