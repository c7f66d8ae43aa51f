"""Opening a report: encoding, format detection, parsing. No database here.

`open_report` turns any supported encoding (UTF-8 with or without BOM, UTF-16/32 with BOM) into a
UTF-8 byte stream and finds the format from the content (the file name only breaks ties).
"""

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from aspm.errors import MalformedReport, UnsupportedFormat
from aspm.ingest.contract import Ingestor, ParseContext, RawFinding
from aspm.ingest.formats._bounds import ShapeGuard, guard
from aspm.ingest.registry import BY_NAME, FORMATS

HEAD_SIZE = 64 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class _PrefixedReader(io.RawIOBase):
    """A stream that yields `prefix` and then the rest of `rest`."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(b).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(view))
        if not data:
            return 0
        view[: len(data)] = data
        return len(data)


class _Utf8Transcoder(io.RawIOBase):
    """Re-encode a non-UTF-8 stream (UTF-16/32, BOM already removed) as UTF-8, incrementally."""

    def __init__(self, raw: BinaryIO | io.RawIOBase, encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._pending = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(b).cast("B")
        while not self._pending and not self._eof:
            chunk = self._raw.read(256 * 1024)
            try:
                text = self._decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise MalformedReport(f"not valid {self._decoder}: {exc}") from exc
            self._eof = not chunk
            self._pending = text.encode("utf-8", "surrogatepass")
        n = min(len(view), len(self._pending))
        view[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def to_utf8(raw: BinaryIO) -> BinaryIO:
    """Strip a BOM and transcode UTF-16/32 so every format module reads UTF-8 bytes."""
    start = raw.read(4)
    for bom, encoding in _BOMS:
        if start.startswith(bom):
            rest = _PrefixedReader(start[len(bom) :], raw)
            if encoding == "utf-8":
                return io.BufferedReader(rest, buffer_size=HEAD_SIZE)
            return io.BufferedReader(_Utf8Transcoder(rest, encoding), buffer_size=HEAD_SIZE)
    return io.BufferedReader(_PrefixedReader(start, raw), buffer_size=HEAD_SIZE)


@dataclass(slots=True)
class OpenedReport:
    ingestor: Ingestor
    stream: BinaryIO
    shape: ShapeGuard  # what the stream has shown so far (ShapeGuard.nul_seen)


def _read_head(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    head = b""
    while len(head) < HEAD_SIZE:
        chunk = stream.read(HEAD_SIZE - len(head))
        if not chunk:
            break
        head += chunk
    return head, io.BufferedReader(_PrefixedReader(head, stream), buffer_size=HEAD_SIZE)


def detect(head: bytes, filename: str) -> Ingestor | None:
    for fmt in FORMATS:
        if fmt.sniff(head, filename):
            return fmt
    return None


def open_report(raw: BinaryIO, filename: str, format_name: str | None = None) -> OpenedReport:
    """Decode and identify a report; UnsupportedFormat / MalformedReport name the file.

    The stream a format reads is behind the shape guard (formats/_bounds.py): nesting depth and
    line length are bounded before any parser sees the bytes."""
    utf8 = to_utf8(raw)
    try:
        head, stream = _read_head(utf8)
    except MalformedReport as exc:
        raise MalformedReport(f"{filename}: cannot decode the file: {exc}") from exc
    shape = guard(stream, head)
    stream = io.BufferedReader(shape, buffer_size=HEAD_SIZE)
    if format_name:
        ingestor = BY_NAME.get(format_name)
        if ingestor is None:
            known = ", ".join(sorted(BY_NAME))
            raise UnsupportedFormat(f"{filename}: unknown format {format_name!r}; known: {known}")
        return OpenedReport(ingestor, stream, shape)
    if not head.strip():
        raise MalformedReport(
            f"{filename}: the file is empty, so its format cannot be detected; pass --format "
            "for tools that write nothing when they find nothing (e.g. TruffleHog)"
        )
    ingestor = detect(head, filename)
    if ingestor is None:
        known = ", ".join(sorted(BY_NAME))
        raise UnsupportedFormat(
            f"{filename}: no known scanner format recognised in the content "
            f"(tried {known}); pass --format to choose one"
        )
    return OpenedReport(ingestor, stream, shape)


def parse_all(opened: OpenedReport, ctx: ParseContext, filename: str) -> Iterator[RawFinding]:
    """The ingestor's records, with a failure mid-file turned into MalformedReport naming it all."""
    try:
        yield from opened.ingestor.parse(opened.stream, ctx)
    except (MalformedReport, ValueError, UnicodeDecodeError) as exc:
        raise MalformedReport(
            f"{filename}: not a readable {opened.ingestor.title} report: {exc}"
        ) from exc
