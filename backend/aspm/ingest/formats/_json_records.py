"""Streaming the records of a JSON report: a top-level array, `null`, or an object around an array.

Shared by the JSON-array formats (gitleaks, prowler-ocsf, prowler-v3, trufflehog3, asff);
`json_lines` serves the JSON-lines ones (trufflehog, trufflehog-v2, prowler-v2). Memory stays
bounded by one record: the top-level array is walked with JsonCursor and never loaded whole, and a
record too large to decode whole is refused (_bounds.py). Errors become MalformedReport saying
after which record the document broke; JsonCursor's messages never quote the file.

Why not ijson (used here before): its events carry the path as a string that grows with the
depth, so a deeply nested record cost memory in the square of its depth, and JsonCursor is the
faster of the two on whole records (its module docstring has the figures).
"""

import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from aspm.ingest.contract import MalformedReport, ParseContext
from aspm.ingest.formats._bounds import line_too_large
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe


def _kind(char: str) -> str:
    return "nothing (the file is empty)" if char == "" else describe(char)


def _only_null(cursor: JsonCursor) -> None:
    try:
        value = cursor.value()
        cursor.end()
    except JsonStreamError:
        value = False
    if value is not None:
        raise MalformedReport("the top level is neither a JSON array nor null")


def array_items(stream: BinaryIO, *, allow_null: bool = False) -> Iterator[object]:
    """The elements of a top-level JSON array, one at a time (`null` = none when allowed)."""
    cursor = JsonCursor(stream)
    count = 0
    try:
        first = cursor.peek()
        if first == "n" and allow_null:
            _only_null(cursor)
            return
        if first == "[":
            for item in cursor.values():
                count += 1
                yield item
        else:
            expected = "a JSON array or null" if allow_null else "a JSON array"
            raise MalformedReport(f"expected {expected} at the top level, found {_kind(first)}")
        cursor.end()
    except JsonStreamError as exc:
        raise MalformedReport(f"invalid JSON after record {count}: {exc}") from exc


def wrapped_items(stream: BinaryIO, keys: tuple[str, ...]) -> Iterator[object]:
    """The elements of a top-level array, or of the array under one of `keys` of a top-level object.

    `{"Findings": [...], "NextToken": ...}` works in any key order; `{"Findings": null}` = none.
    """
    cursor = JsonCursor(stream)
    names = " or ".join(f'"{k}"' for k in keys)
    count = 0
    try:
        first = cursor.peek()
        if first == "[":
            for item in cursor.values():
                count += 1
                yield item
            cursor.end()
            return
        if first != "{":
            raise MalformedReport(
                f"expected a JSON array or an object with {names} at the top level, "
                f"found {_kind(first)}"
            )
        found = False
        for key in cursor.members():
            if key not in keys:
                cursor.skip()
                continue
            found = True
            inner = cursor.peek()
            if inner == "[":
                for item in cursor.values():
                    count += 1
                    yield item
            elif inner == "n" and cursor.value() is None:
                pass
            else:
                raise MalformedReport(f'"{key}" is not an array')
        cursor.end()
    except JsonStreamError as exc:
        raise MalformedReport(f"invalid JSON after record {count}: {exc}") from exc
    if not found:
        raise MalformedReport(f"the top-level object has no {names} array")


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
        too_large = line_too_large(line)
        if too_large:
            raise MalformedReport(f"line {number}: {too_large}")
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
        raise MalformedReport(f"no line of the file is JSON; not {what}")
