"""truffleHog 2.x (the Python tool, `trufflehog --json <repo>`): one JSON object per line.

Each line: branch, commit (the commit message), commitHash, date, diff, path, printDiff, reason,
stringsFound[]. See `_trufflehog_legacy` for what becomes the finding: the first of stringsFound is
the secret; the other matched strings, diff and printDiff are never output.

Tool family "trufflehog", the same as TruffleHog v3, so both versions of the tool share scopes.
An empty file (truffleHog found nothing) cannot be detected from its content: pass --format.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.ingest.contract import ParseContext, RawFinding
from aspm.ingest.formats._bounds import bounded_lines
from aspm.ingest.formats._json_records import json_lines
from aspm.ingest.formats._trufflehog_legacy import legacy_finding

TOOL = "trufflehog"

_STRINGS_FOUND = re.compile(rb'"stringsFound"\s*:')
_V2_KEYS = re.compile(rb'"(printDiff|commitHash)"\s*:')
_REASON = re.compile(rb'"reason"\s*:')


class TrufflehogV2Ingestor:
    name: ClassVar[str] = "trufflehog-v2"
    title: ClassVar[str] = "truffleHog 2.x JSON lines"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        if head.lstrip()[:1] != b"{":
            return False  # JSON lines; trufflehog3's legacy layout is one array
        return bool(_STRINGS_FOUND.search(head) and _V2_KEYS.search(head) and _REASON.search(head))

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "truffleHog"
        ctx.tools.add(TOOL)
        lines = bounded_lines(stream)
        for number, obj in json_lines(lines, ctx, "truffleHog JSON lines"):
            finding = legacy_finding(obj, f"line {number}", ctx, tool=TOOL)
            if finding is not None:
                yield finding
