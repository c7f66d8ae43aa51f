"""Bounds on a report's shape, checked on its bytes before any parser builds anything from them.

A report is untrusted input posted by any holder of an ingest token, so every dimension that costs
the server memory is bounded here, in one place, whatever the format:
- nesting depth of a JSON document (or JSON-lines file): `ShapeGuard` counts brackets outside
  strings as the bytes stream past, so a `[[[[...` bomb is refused after MAX_DEPTH levels, before a
  parser recurses into it (a 195 KiB Gitleaks report nesting 100,000 deep once took the server to
  22 GB through ijson, whose per-event prefix strings grow with the depth);
- length of one line of a text (CSV) report, which csv and TextIOWrapper hold whole: MAX_LINE_BYTES;
- size of one JSON value decoded whole (a record, a SARIF `tool`, a ScoutSuite service): at most
  MAX_VALUE_CHARS characters and MAX_VALUE_CONTAINERS objects/arrays (`value_extent`). Decoded
  JSON costs up to ~30 times its text (an empty object is 3 characters and a 64-byte dict), so the
  container count, not the length, is what keeps a `[{},{},...]` record small;
- one JSON line: `bounded_lines` reads at most MAX_LINE_BYTES of it, and `line_too_large` applies.
The largest real values seen (the corpus: a ScoutSuite service of 1.3 MB, depth 16) are far inside.

Errors are MalformedReport with a byte offset or line number, never the content.
"""

import io
import re
from collections.abc import Iterator
from itertools import accumulate, compress, count
from operator import not_, sub
from typing import BinaryIO

from aspm.ingest.contract import MalformedReport

MAX_DEPTH = 128  # real reports nest 16 deep at most (corpus); Terraform plans a few dozen
MAX_LINE_BYTES = 32 << 20  # a CSV line (Prowler's largest cells are capped at 16 MiB) or JSON line
MAX_VALUE_CHARS = 32 << 20  # one JSON value decoded whole
MAX_VALUE_CONTAINERS = 1 << 20  # objects + arrays in one value decoded whole (~70 MB as Python)

_TEXT_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_QUOTES_OR_BRACKETS = bytes(b for b in range(256) if b not in b'"[]{}')
# '[' and '{' become 2, ']' and '}' 0: a running sum minus the count of brackets is the depth
_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_JS_ASSIGNMENT = re.compile(rb"\s*[A-Za-z_$][\w$.]*\s*=\s*[{\[]")
_TOO_MANY = f"a single JSON value holds more than {MAX_VALUE_CONTAINERS:,} objects and arrays"
_SLICE = 1 << 20  # characters of a large value examined at a time
_NUL_ESCAPE = b"\\u0000"


class _Brackets:
    """The brackets of a JSON text outside its strings, fed a chunk at a time.

    Escapes are blanked first (`\\\\` and `\\"` become two underscores: same length, in C), so every
    quote left opens or closes a string; splitting on quotes then leaves the text outside strings
    at the even places. Twice as fast as a regex over the strings (0.2 s for a 42 MB SARIF log).
    State between chunks: inside a string or not, and a lone backslash cut from what it escapes.
    """

    def __init__(self) -> None:
        self._in_string = False
        self._carry = b""  # a backslash that escapes the first byte of the next chunk

    def feed(self, data: bytes) -> bytes:
        if self._carry:
            data, self._carry = self._carry + data, b""
        if data.endswith(b"\\"):  # an odd run of backslashes at the end escapes what follows
            run = len(data) - len(data.rstrip(b"\\"))
            if run % 2:
                data, self._carry = data[:-1], b"\\"
        if b"\\\\" in data:
            data = data.replace(b"\\\\", b"__")
        if b'\\"' in data:
            data = data.replace(b'\\"', b"__")
        # only quotes and brackets matter: the parts between quotes are then mostly empty or one
        # byte long, objects CPython shares, so the split allocates next to nothing
        parts = data.translate(None, _NOT_QUOTES_OR_BRACKETS).split(b'"')
        outside = parts[1::2] if self._in_string else parts[::2]
        if len(parts) % 2 == 0:  # an odd number of quotes
            self._in_string = not self._in_string
        return b"".join(outside)


def _depths(brackets: bytes, depth: int) -> Iterator[int]:
    """The depth after each bracket, from `depth` before the first (computed in C)."""
    return map(sub, accumulate(brackets.translate(_STEP)), count(1 - depth))


def _openers(brackets: bytes) -> int:
    return brackets.count(b"[") + brackets.count(b"{")


def value_extent(text: str, start: int) -> tuple[bool, str | None]:
    """For the JSON value starting at `text[start]` and going on to the end of `text` or beyond:
    whether it ends within `text`, and why it is too large to decode whole (None when it is not).

    Finds the end without decoding anything, a slice at a time, so an oversized value is refused
    before anything is built from it and the check itself holds no more than a slice."""
    first = text[start : start + 1]
    if first == '"':
        ended = _TEXT_STRING.match(text, start)
        return ended is not None, _too_long((ended.end() if ended else len(text)) - start)
    if first not in ("{", "["):
        return True, None  # a number or literal: short, decoded as it is
    brackets = _Brackets()
    depth = containers = 0
    for at in range(start, len(text), _SLICE):
        found = brackets.feed(text[at : at + _SLICE].encode("utf-8", "surrogatepass"))
        closed_at = next(compress(count(1), map(not_, _depths(found, depth))), None)
        if closed_at is not None:  # the value ends in this slice
            containers += _openers(found[:closed_at])
            return True, _TOO_MANY if containers > MAX_VALUE_CONTAINERS else None
        containers += _openers(found)
        depth += 2 * _openers(found) - len(found)
        if containers > MAX_VALUE_CONTAINERS:
            return False, _TOO_MANY
    return False, _too_long(len(text) - start)


def line_too_large(line: bytes) -> str | None:
    """Why one JSON line is too large to decode whole (brackets in strings count too)."""
    if _openers(line) > MAX_VALUE_CONTAINERS:
        return _TOO_MANY
    return _too_long(len(line))


def _too_long(size: int) -> str | None:
    if size > MAX_VALUE_CHARS:
        return f"a single JSON value is larger than {MAX_VALUE_CHARS >> 20} MiB"
    return None


def bounded_lines(stream: BinaryIO, start: int = 1) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for each line of `stream`, refusing a line over MAX_LINE_BYTES."""
    for number in count(start):
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            raise MalformedReport(f"line {number} is longer than {MAX_LINE_BYTES >> 20} MiB")
        yield number, line


class ShapeGuard(io.RawIOBase):
    """Pass `raw` through unchanged, refusing it once it breaks the bounds of its kind.

    `json=True`: nesting depth at most MAX_DEPTH, counted outside strings. Otherwise (CSV and other
    text): every line at most MAX_LINE_BYTES. Costs a regex substitution and a translate per chunk.
    """

    def __init__(self, raw: BinaryIO, *, json: bool) -> None:
        self._raw = raw
        self._brackets = _Brackets() if json else None
        self._offset = 0  # bytes passed so far
        self._depth = 0
        self._line = 0  # bytes of the current line so far (text mode)
        # whether the bytes so far could give a string a NUL (a NUL byte, or JSON's \u0000): until
        # they do, the pipeline need not look for one in every record (0.1 s per 100k records)
        self.nul_seen = False
        self._tail = b""  # the last 5 bytes read so far, for an escape cut by chunk ends

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(b).cast("B")
        data = self._raw.read(min(len(view), _SLICE))  # the scan's temporaries stay small
        if not data:
            return 0
        n = len(data)
        view[:n] = data
        if not self.nul_seen:
            self.nul_seen = (
                b"\x00" in data or _NUL_ESCAPE in data or _NUL_ESCAPE in self._tail + data[:5]
            )
            self._tail = (self._tail + data[-5:])[-5:]
        if self._brackets is None:
            self._scan_lines(data)
        else:
            self._scan_depth(self._brackets.feed(data), n)
        self._offset += n
        return n

    def _scan_lines(self, data: bytes) -> None:
        first = data.find(b"\n")
        if first < 0:
            self._line += len(data)
        else:
            self._line += first
            if self._line <= MAX_LINE_BYTES:
                self._line = len(data) - data.rfind(b"\n") - 1
        if self._line > MAX_LINE_BYTES:
            raise MalformedReport(
                f"a line longer than {MAX_LINE_BYTES >> 20} MiB (at byte {self._offset})"
            )

    def _scan_depth(self, brackets: bytes, size: int) -> None:
        if not brackets:
            return
        if (
            self._depth + len(brackets) > MAX_DEPTH
            and max(_depths(brackets, self._depth)) > MAX_DEPTH
        ):
            raise MalformedReport(
                f"JSON nested deeper than {MAX_DEPTH} levels (in the bytes from "
                f"{self._offset} to {self._offset + size})"
            )
        self._depth = max(0, self._depth + 2 * _openers(brackets) - len(brackets))


def guard(stream: BinaryIO, head: bytes) -> ShapeGuard:
    """`stream` (which starts with `head`) behind a ShapeGuard of the kind its start says: JSON
    (or JSON lines) from '{' or '[', or JSON assigned in JavaScript (ScoutSuite's results file)."""
    is_json = head.lstrip()[:1] in (b"{", b"[") or _JS_ASSIGNMENT.match(head) is not None
    return ShapeGuard(stream, json=is_json)
