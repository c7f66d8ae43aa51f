"""Step through a large JSON document, decoding the values you want with the stdlib's C scanner.

Shared by the sarif, checkov and tfsec formats. `JsonCursor` reads UTF-8 bytes a chunk at a time
and walks the structure that matters (the members of an object, the elements of an array) in
Python, while each value it is asked for (one SARIF result, one Checkov check) is decoded whole by
`json`'s C scanner. Only the current chunk and the value being decoded are held, so memory does not
grow with the report, and the walk knows exactly where it is (which SARIF run a result belongs to,
which Checkov report a check is in).

Why not ijson here: `ijson.items` builds values in C as fast, but yields them without their path,
so results of different SARIF runs cannot be told apart; its per-event API keeps the path but
costs a Python step per token (measured on a 100k-result SARIF: ijson.items 148k results/s,
ijson.parse events alone 72k results/s, this cursor 180k results/s).

Errors: a `JsonStreamError` (a ValueError) with the character offset where the document stopped
making sense. Its message never quotes the document, which may hold a secret.
"""

import codecs
import json
import re
from collections.abc import Callable, Iterator
from json.scanner import make_scanner
from typing import Any, BinaryIO

from aspm.ingest.formats._bounds import MAX_VALUE_CHARS, value_extent

_WS = re.compile(r"[ \t\n\r]*")
CHUNK_SIZE = 1 << 20
_TAIL = 64  # a decode error this close to the end of the buffer may just be a value cut in two
# `values` tops the buffer up when less than this is left, so an element is seldom cut by the end
# of a chunk: a cut one costs a failed decode, and json's error counts the lines of the whole buffer
_REFILL_BELOW = 64 << 10


class JsonStreamError(ValueError):
    """The document is not the JSON it should be, at `offset` characters from the start."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at character {offset})")
        self.offset = offset


class JsonCursor:
    """A read position in a JSON document, moved by `members`, `elements`, `value` and `skip`."""

    def __init__(self, stream: BinaryIO, chunk_size: int | None = None) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._chunk = chunk_size or CHUNK_SIZE
        self._buf = ""
        self._pos = 0
        self._base = 0  # characters dropped from the front of _buf so far
        self._eof = False
        # strict=False: control characters inside strings are accepted, as most tools' readers do
        factory: Any = make_scanner  # typeshed types it as a class of itself
        scan: Callable[[str, int], tuple[Any, int]] = factory(json.JSONDecoder(strict=False))
        self._scan = scan

    @property
    def offset(self) -> int:
        """Characters consumed so far."""
        return self._base + self._pos

    def error(self, message: str) -> JsonStreamError:
        return JsonStreamError(message, self.offset)

    def _more(self, at_least: int = 0) -> bool:
        """Append the next chunk (at least `at_least` bytes) to the buffer; False at the end."""
        if self._eof:
            return False
        if self._pos:
            self._base += self._pos
            self._buf = self._buf[self._pos :]
            self._pos = 0
        data = self._stream.read(max(self._chunk, at_least))
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise JsonStreamError(
                f"the file is not valid UTF-8 ({exc.reason})", self._base + len(self._buf)
            ) from None
        if not data:
            self._eof = True
        self._buf += text
        return True

    def peek(self) -> str:
        """The next non-whitespace character without consuming it; '' at the end of input."""
        while True:
            pos = _WS.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            self._pos = pos
            if pos < len(self._buf):
                return self._buf[pos]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise self.error(f"expected '{char}', found {describe(found)}")
        self._pos += 1

    def value(self) -> Any:
        """Decode the next value whole (object, array, string, number, true/false/null)."""
        if not self.peek():
            raise self.error("the document ends where a value was expected")
        while True:
            buf, pos = self._buf, self._pos
            try:
                obj, end = self._scan(buf, pos)
            except StopIteration as stop:
                # no JSON value starts at stop.value (here or nested deeper), or a literal or number
                # was cut by the end of the chunk
                where = stop.value if isinstance(stop.value, int) else pos
                if self._eof or where < len(buf) - _TAIL:
                    found = describe(buf[where] if where < len(buf) else "")
                    raise JsonStreamError(
                        f"expected a JSON value, found {found}", self._base + where
                    ) from None
            except json.JSONDecodeError as exc:
                truncated = exc.pos >= len(buf) - _TAIL or exc.msg.startswith("Unterminated")
                if self._eof or not truncated:
                    raise JsonStreamError(exc.msg, self._base + exc.pos) from None
            except RecursionError:
                raise self.error("JSON nested too deeply") from None
            else:
                if self._eof or _complete(buf, end):
                    if end - pos > MAX_VALUE_CHARS:
                        raise self.error(
                            f"a single JSON value is larger than {MAX_VALUE_CHARS >> 20} MiB"
                        )
                    self._pos = end
                    return obj
            self._read_to_end_of_value()

    def _read_to_end_of_value(self) -> None:
        """The value at the cursor goes on past the buffer: read on until it ends or the file does,
        at least as much again each time (linear overall), refusing it as soon as it is too large
        to decode whole (_bounds.py). Nothing is decoded meanwhile."""
        while self._more(at_least=len(self._buf) - self._pos):
            ended, too_large = value_extent(self._buf, self._pos)
            if too_large:
                raise self.error(too_large)
            if ended:
                return

    def members(self) -> Iterator[str]:
        """Walk an object: yields each key; consume its value (value/skip/...) before the next."""
        self.expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self.error(f"expected an object key, found {describe(self.peek())}")
            key = self.value()
            self.expect(":")
            yield key
            found = self.peek()
            self._pos += 1
            if found == ",":
                continue
            if found == "}":
                return
            self._pos -= 1
            raise self.error(f"expected ',' or '}}' in an object, found {describe(found)}")

    def elements(self) -> Iterator[int]:
        """Walk an array: yields each index; consume the element before the next step."""
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            found = self.peek()
            self._pos += 1
            if found == ",":
                continue
            if found == "]":
                return
            self._pos -= 1
            raise self.error(f"expected ',' or ']' in an array, found {describe(found)}")

    def values(self) -> Iterator[Any]:
        """The elements of an array, each decoded whole (the hot loop of a report).

        Fast path: an element that starts at the cursor and ends inside the buffer is decoded with
        one scanner call; anything else (a chunk boundary, an error) goes through `value`. The
        buffer is topped up before it runs low, so only elements larger than _REFILL_BELOW meet
        a chunk boundary.
        """
        self.expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        scan = self._scan
        while True:
            buf = self._buf
            if len(buf) - self._pos < _REFILL_BELOW and not self._eof:
                self._more()
                buf = self._buf
            try:
                obj, end = scan(buf, self._pos)
            except (StopIteration, json.JSONDecodeError, RecursionError):
                obj = self.value()
            else:
                if _complete(buf, end):
                    self._pos = end
                else:
                    obj = self.value()
            yield obj
            buf, pos = self._buf, self._pos
            found = buf[pos] if pos < len(buf) else ""
            if found == ",":
                self._pos = pos + 1
                if pos + 1 >= len(buf) or buf[pos + 1] in " \t\r\n":
                    self.peek()
                continue
            if found == "]":
                self._pos = pos + 1
                return
            found = self.peek()
            self._pos += 1
            if found == ",":
                self.peek()
                continue
            if found == "]":
                return
            self._pos -= 1
            raise self.error(f"expected ',' or ']' in an array, found {describe(found)}")

    def skip(self) -> None:
        """Consume the next value, holding at most one member or element of it at a time."""
        found = self.peek()
        if found == "{":
            for _ in self.members():
                self.value()
        elif found == "[":
            for _ in self.elements():
                self.value()
        else:
            self.value()

    def end(self) -> None:
        """Check that nothing but whitespace follows the document."""
        found = self.peek()
        if found:
            raise self.error(f"unexpected {describe(found)} after the end of the JSON document")


def _complete(buf: str, end: int) -> bool:
    """Whether a value decoded up to `end` cannot go on in the next chunk.

    Objects, arrays and strings end with their closing character. A number or literal right at the
    end of the buffer may be a prefix ("0." of "0.5", "1e" of "1e+9"): those are trusted only with
    more than two characters after them, else the chunk is extended and the value decoded again.
    """
    return buf[end - 1] in '"]}' or end < len(buf) - 2


def describe(char: str) -> str:
    """A JSON value's kind from its first character, for error messages (never the content)."""
    if char == "":
        return "the end of the file"
    if char == "{":
        return "an object"
    if char == "[":
        return "an array"
    if char == '"':
        return "a string"
    if char in "-0123456789":
        return "a number"
    if char in "tf":
        return "a boolean"
    if char == "n":
        return "null"
    if char in "}],:":
        return f"'{char}'"
    return "a character that cannot start JSON"
