"""truffleHog 2.x (the Python tool, `trufflehog --json <repo>`): one JSON object per line.

Each line: branch, commit (the commit message), commitHash, date, diff, path, printDiff, reason,
stringsFound[]. See `_trufflehog_legacy` for what becomes the finding: the first of stringsFound is
the secret; the other matched strings, diff and printDiff are never output.

Tool family "trufflehog", the same as TruffleHog v3, so both versions of the tool share scopes.
An empty file (truffleHog found nothing) cannot be detected from its content: pass --format.
"""

import json
import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.ingest.contract import MalformedReportError, ParseContext, RawFinding
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
        json_lines = 0
        for number, raw_line in enumerate(stream, start=1):
            line = raw_line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                ctx.skip(f"line {number}: not JSON; skipped")
                continue
            json_lines += 1
            if not isinstance(obj, dict):
                ctx.skip(f"line {number}: not a JSON object; skipped")
                continue
            finding = legacy_finding(obj, f"line {number}", ctx, tool=TOOL)
            if finding is not None:
                yield finding
        if not json_lines and ctx.skipped:
            raise MalformedReportError("no line of the file is JSON; not truffleHog JSON lines")
