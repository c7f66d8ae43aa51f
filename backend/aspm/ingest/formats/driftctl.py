"""driftctl scan JSON (`driftctl scan --output json://file.json`), older and newer layouts.

The document: {"summary": {...total_*}, "managed": [...], "unmanaged": [...], "missing": [...],
"differences": [...] (deep mode, older versions), "coverage": n, "alerts": {type: [{message}]},
"provider_name", "provider_version", "scan_duration", "date"}. Any list may be null or absent;
older files (~0.8) lack the provider and date keys. Resources are {"id", "type", "source"?}.
(driftctl's `--output plan://` is plan-shaped and read by terraform_plan.)

- unmanaged: a ResourceRecord(managed=False) (provider from the type, cloud id = driftctl's id)
  AND a drift finding "created outside Terraform" (`_drift.existence_drift`);
- missing: a drift finding "deleted outside Terraform";
- differences (deep mode): one drift finding per (resource, attribute group) from the changelog,
  groups and severity from `_drift.py`'s table; driftctl's paths are `["ingress", "0", ...]`
  (old versions: Go field names, `Versioning.0.Enabled`, turned into snake_case for the table);
  values of credential-named paths are redacted;
- managed: counted in ctx.extra["managed"] (the states that manage them are the inventory);
- alerts -> ctx.warn, one per message; coverage -> ctx.extra["coverage"].

Tool "driftctl"; identity "drift|<type>:<id>|<group>" (no address: driftctl names cloud ids).
ctx.inventory_complete stays False: the records are only the unmanaged resources.
"""

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from aspm.ingest.contract import (
    MalformedReport,
    ParseContext,
    RawFinding,
    ResourceRecord,
)
from aspm.ingest.formats._drift import Subject, attribute_drift, attribute_groups, existence_drift
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe
from aspm.ingest.formats._terraform import REDACTED, SECRET_NAME, arn_parts, provider_from_type

TOOL = "driftctl"
_SNIFF = re.compile(rb'^\s*\{\s*"summary"\s*:\s*\{')
_SNIFF_KEYS = re.compile(rb'"total_(?:resources|unmanaged|missing|managed)"\s*:')
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_HOW = "seen by driftctl scan"


def _text(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return value.strip() if isinstance(value, str) and value.strip() else None


def _snake(step: str) -> str:
    return _CAMEL.sub("_", step).lower()


def _subject(res: object) -> Subject | None:
    if not isinstance(res, dict):
        return None
    ident, rtype = _text(res.get("id")), _text(res.get("type"))
    if ident is None or rtype is None:
        return None
    return Subject(
        key=f"{rtype}:{ident}", rtype=rtype, provider=provider_from_type(rtype), cloud_id=ident
    )


class DriftctlIngestor:
    name: ClassVar[str] = "driftctl"
    title: ClassVar[str] = "driftctl scan JSON"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        return bool(_SNIFF.match(head)) and bool(_SNIFF_KEYS.search(head))

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = ctx.tool_name or "driftctl"
        ctx.tools.add(TOOL)
        ctx.inventory_complete = False
        cursor = JsonCursor(stream)
        try:
            if cursor.peek() != "{":
                raise MalformedReport(
                    f"a driftctl scan is a JSON object; the file holds {describe(cursor.peek())}"
                )
            yield from self._document(cursor, ctx)
            cursor.end()
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid driftctl JSON: {exc}") from exc

    def _document(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        recognised = False
        for key in cursor.members():
            if key in ("managed", "unmanaged", "missing", "differences", "alerts"):
                recognised = True
                if cursor.peek() == "n":
                    cursor.value()
                    continue
            if key == "summary":
                recognised = True
                cursor.skip()
            elif key == "managed":
                count = sum(1 for _ in self._list(cursor, ctx, key))
                ctx.extra["managed"] = str(count)
            elif key == "unmanaged":
                for n, res in self._list(cursor, ctx, key):
                    subject = _subject(res)
                    if subject is None:
                        ctx.skip(f"unmanaged {n}: no id or type; skipped")
                        continue
                    ctx.resources.append(_unmanaged_record(subject))
                    yield existence_drift(TOOL, subject, deleted=False, how=_HOW)
            elif key == "missing":
                for n, res in self._list(cursor, ctx, key):
                    subject = _subject(res)
                    if subject is None:
                        ctx.skip(f"missing {n}: no id or type; skipped")
                        continue
                    yield existence_drift(TOOL, subject, deleted=True, how=_HOW)
            elif key == "differences":
                for n, diff in self._list(cursor, ctx, key):
                    yield from self._difference(diff, ctx, f"differences {n}")
            elif key == "alerts":
                self._alerts(cursor.value(), ctx)
            elif key == "coverage":
                value = _text(cursor.value())
                if value is not None:
                    ctx.extra["coverage"] = value
            elif key == "provider_version":
                value = _text(cursor.value())
                if value:
                    ctx.extra["provider_version"] = value
            elif key == "provider_name":
                value = _text(cursor.value())
                if value:
                    ctx.extra["provider_name"] = value
            else:
                cursor.skip()
        if not recognised:
            raise MalformedReport("not a driftctl scan: no summary or resource lists")

    @staticmethod
    def _list(cursor: JsonCursor, ctx: ParseContext, key: str) -> Iterator[tuple[int, Any]]:
        if cursor.peek() != "[":
            ctx.warn(f"'{key}' is {describe(cursor.peek())}, not a list; ignored")
            cursor.skip()
            return
        yield from enumerate(cursor.values())

    def _difference(self, diff: object, ctx: ParseContext, where: str) -> Iterator[RawFinding]:
        subject = _subject(diff.get("res")) if isinstance(diff, dict) else None
        changelog = diff.get("changelog") if isinstance(diff, dict) else None
        if subject is None or not isinstance(changelog, list):
            ctx.skip(f"{where}: no res id/type or changelog; skipped")
            return
        before: dict[str, dict[str, Any]] = {}
        after: dict[str, dict[str, Any]] = {}
        attrs: list[str] = []
        for change in changelog:
            path = change.get("path") if isinstance(change, dict) else None
            if not isinstance(path, list) or not path:
                continue
            steps = [_snake(str(path[0])), *(str(step) for step in path[1:])]
            attr, shown = steps[0], ".".join(steps)
            secret = any(SECRET_NAME.search(_snake(step)) for step in steps)
            old, new = change.get("from"), change.get("to")
            if secret:
                old = REDACTED if old is not None else None
                new = REDACTED if new is not None else None
            attrs.append(attr)
            before.setdefault(attr, {})[shown] = old
            after.setdefault(attr, {})[shown] = new
        for group_key, (group, members) in attribute_groups(subject.rtype, attrs).items():
            b: dict[str, Any] = {}
            a: dict[str, Any] = {}
            for attr in dict.fromkeys(members):
                b.update(before.get(attr, {}))
                a.update(after.get(attr, {}))
            yield attribute_drift(TOOL, subject, group_key, group, b, a, how=_HOW)

    @staticmethod
    def _alerts(alerts: object, ctx: ParseContext) -> None:
        groups = alerts.items() if isinstance(alerts, dict) else [("", alerts)]
        for rtype, items in groups:
            for item in items if isinstance(items, list) else []:
                message = _text(item.get("message")) if isinstance(item, dict) else _text(item)
                if message:
                    prefix = f"{rtype}: " if rtype else ""
                    ctx.warn(f"driftctl alert: {prefix}{message[:500]}")


def _unmanaged_record(subject: Subject) -> ResourceRecord:
    account = region = None
    if subject.cloud_id and subject.cloud_id.startswith("arn:"):
        account, region = arn_parts(subject.cloud_id)
    return ResourceRecord(
        provider=subject.provider,
        type=subject.rtype,
        cloud_id=subject.cloud_id,
        account_id=account,
        region=region,
        managed=False,
    )
