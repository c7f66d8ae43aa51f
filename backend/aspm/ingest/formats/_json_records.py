"""Streaming the records of a JSON report: a top-level array, `null`, or an object around an array.

Shared by the JSON-array formats (gitleaks, prowler-ocsf, asff); `json_lines` serves the JSON-lines
ones (trufflehog, trufflehog-v2, prowler-v2). Memory stays bounded by one record:
the top-level array is never loaded whole. ijson errors become MalformedReportError carrying only
the first line of the parser message (the rest quotes the file's bytes, which may hold a secret).
"""

import json
from collections.abc import Iterable, Iterator
from typing import Protocol

import ijson
from ijson.common import ObjectBuilder

from aspm.ingest.contract import MalformedReportError, ParseContext

_WHITESPACE = b" \t\r\n"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Rejoined:
    """A read()-able stream that gives `head` back before the rest of `rest`."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson probes read(0) to learn whether the stream gives bytes or text
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._rest.read(size)


def _first_byte(stream: Readable) -> bytes:
    while True:
        byte = stream.read(1)
        if not byte or byte not in _WHITESPACE:
            return byte


def _describe(first: bytes) -> str:
    if first == b"{":
        return "an object"
    if first == b"":
        return "nothing (the file is empty)"
    if first in b'"':
        return "a string"
    return "a scalar value"


def _parser_error(exc: Exception, records: int) -> MalformedReportError:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return MalformedReportError(f"invalid JSON after record {records}: {first_line}")


def _rest_is_null(stream: Readable) -> bool:
    rest = stream.read(64)
    return (b"n" + rest).strip() == b"null"


def array_items(stream: Readable, *, allow_null: bool = False) -> Iterator[object]:
    """The elements of a top-level JSON array, one at a time (`null` = none when allowed)."""
    first = _first_byte(stream)
    if first == b"n" and allow_null:
        if not _rest_is_null(stream):
            raise MalformedReportError("the top level is neither a JSON array nor null")
        return
    if first != b"[":
        expected = "a JSON array or null" if allow_null else "a JSON array"
        raise MalformedReportError(
            f"expected {expected} at the top level, found {_describe(first)}"
        )
    count = 0
    try:
        for item in ijson.items(_Rejoined(first, stream), "item", use_float=True):
            count += 1
            yield item
    except ijson.JSONError as exc:
        raise _parser_error(exc, count) from exc


def wrapped_items(stream: Readable, keys: tuple[str, ...]) -> Iterator[object]:
    """The elements of a top-level array, or of the array under one of `keys` of a top-level object.

    `{"Findings": [...], "NextToken": ...}` works in any key order; `{"Findings": null}` = none.
    """
    first = _first_byte(stream)
    if first == b"[":
        yield from array_items(_Rejoined(first, stream))
        return
    if first != b"{":
        names = " or ".join(f'"{k}"' for k in keys)
        raise MalformedReportError(
            f"expected a JSON array or an object with {names} at the top level, "
            f"found {_describe(first)}"
        )
    item_prefixes = {f"{key}.item" for key in keys}
    found = False
    count = 0
    events = ijson.parse(_Rejoined(first, stream), use_float=True)
    try:
        for prefix, event, value in events:
            if prefix == "" and event == "map_key" and value in keys:
                found = True
            elif prefix in keys and event not in ("start_array", "end_array", "null"):
                raise MalformedReportError(f'"{prefix}" is not an array')
            elif prefix in item_prefixes:
                if event in ("start_map", "start_array"):
                    yield _build(event, value, events)
                else:
                    yield value
                count += 1
    except ijson.JSONError as exc:
        raise _parser_error(exc, count) from exc
    if not found:
        names = " or ".join(f'"{k}"' for k in keys)
        raise MalformedReportError(f"the top-level object has no {names} array")


def _build(event: str, value: object, events: Iterator[tuple[str, str, object]]) -> object:
    """Assemble one container value from its start event and the events that follow it."""
    builder = ObjectBuilder()
    depth = 1
    builder.event(event, value)
    while depth:
        _, event, value = next(events)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        builder.event(event, value)
    return builder.value


def json_lines(
    lines: Iterable[tuple[int, bytes]], ctx: ParseContext, what: str
) -> Iterator[tuple[int, dict[str, object]]]:
    """(line number, object) for each JSON-object line; blank lines are passed over, others are
    skipped with a warning. A file none of whose lines is JSON is not `what` at all."""
    json_seen = False
    for number, raw_line in lines:
        line = raw_line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            ctx.skip(f"line {number}: not JSON; skipped")
            continue
        json_seen = True
        if not isinstance(obj, dict):
            ctx.skip(f"line {number}: not a JSON object; skipped")
            continue
        yield number, obj
    if not json_seen and ctx.skipped:
        raise MalformedReportError(f"no line of the file is JSON; not {what}")
