"""detect-secrets baseline (`detect-secrets scan > .secrets.baseline`), Yelp's tool and IBM's fork.

A JSON object: version, plugins_used, filters_used (1.x), exclude / exclude_regex / word_list /
custom_plugin_paths (0.x and the IBM fork, whose version reads "0.13.1+ibm.62.dss"), generated_at,
and results {filename: [{type, filename (1.x), hashed_secret, is_verified, line_number,
is_secret (set by `detect-secrets audit`), verified_result (IBM fork)}]}.

- One finding per entry of every results list; the document is walked with JsonCursor, one entry at
  a time, whatever the key order (0.x writes "version" last).
- A baseline never holds the secret, only `hashed_secret`: an unsalted SHA-1 of it, which gives a
  weak secret away to a dictionary. It is the finding's `secret`, so the pipeline stores only its
  keyed HMAC (and a preview of the hash), as for every other secret scanner, and never the hash
  itself. Identity: rule (type) + path + that HMAC, the pipeline's identity of a secret; the line
  number never enters it. (Until migration 2026_12_06_1730 the raw hash was in tool_fingerprint.)
- `is_secret: false` (audited as not a secret) is still a finding, with triage_hint
  "false_positive" so it arrives triaged as a false positive. `is_verified: true` (or the IBM
  fork's `verified_result: true`) -> secret_verified=True.
"""

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from aspm.common.severity import Severity
from aspm.ingest.contract import (
    Category,
    Location,
    MalformedReport,
    ParseContext,
    RawFinding,
)
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe

TOOL = "detect-secrets"

# detect-secrets has no severity. A potential secret committed to a repository is HIGH (the same as
# gitleaks and unverified TruffleHog findings); one the tool verified as live is CRITICAL.
DEFAULT_SEVERITY = Severity.HIGH
VERIFIED_SEVERITY = Severity.CRITICAL
FALSE_POSITIVE = "false_positive"

_TOP_OBJECT = re.compile(rb"^\s*\{")
_PLUGINS = re.compile(rb'"plugins_used"\s*:')
_BASELINE_KEYS = re.compile(rb'"(results|generated_at|hashed_secret)"\s*:')


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _line(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 1 else None


class DetectSecretsIngestor:
    name: ClassVar[str] = "detect-secrets"
    title: ClassVar[str] = "detect-secrets baseline"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        return bool(
            _TOP_OBJECT.match(head) and _PLUGINS.search(head) and _BASELINE_KEYS.search(head)
        )

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = TOOL
        ctx.tools.add(TOOL)
        cursor = JsonCursor(stream)
        try:
            yield from self._baseline(cursor, ctx)
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid detect-secrets baseline JSON: {exc}") from exc

    def _baseline(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        first = cursor.peek()
        if first != "{":
            raise MalformedReport(
                f"a detect-secrets baseline is a JSON object; the file holds {describe(first)}"
            )
        has_results = False
        for key in cursor.members():
            if key == "version":
                version = cursor.value()
                if isinstance(version, str | int | float) and str(version).strip():
                    ctx.tool_version = str(version).strip()
            elif key == "results":
                has_results = True
                yield from self._results(cursor, ctx)
            else:
                cursor.skip()
        cursor.end()
        if not has_results:
            raise MalformedReport('the object has no "results": not a detect-secrets baseline')

    def _results(self, cursor: JsonCursor, ctx: ParseContext) -> Iterator[RawFinding]:
        found = cursor.peek()
        if found == "n":
            cursor.value()  # null: no results
            return
        if found != "{":
            raise cursor.error(f'"results" should be an object of files, found {describe(found)}')
        for filename in cursor.members():
            if cursor.peek() != "[":
                cursor.skip()
                ctx.skip(f"results[{filename!r}]: not a list of secrets; skipped")
                continue
            for index, entry in enumerate(cursor.values()):
                finding = self._entry(filename, index, entry, ctx)
                if finding is not None:
                    yield finding

    def _entry(self, filename: str, index: int, entry: Any, ctx: ParseContext) -> RawFinding | None:
        where = f"results[{filename!r}][{index}]"
        if not isinstance(entry, dict):
            ctx.skip(f"{where}: not a JSON object; skipped")
            return None
        kind = _text(entry.get("type"))
        if kind is None:
            ctx.skip(f"{where}: no type; skipped")
            return None
        hashed = _text(entry.get("hashed_secret"))
        if hashed is None:
            ctx.skip(f"{where}: no hashed_secret; skipped")
            return None
        path = filename if filename.strip() else _text(entry.get("filename"))
        if path is None:
            ctx.skip(f"{where}: no file name; skipped")
            return None

        is_verified = entry.get("is_verified")
        verified: bool | None = is_verified if isinstance(is_verified, bool) else None
        if entry.get("verified_result") is True:
            verified = True
        audited = entry.get("is_secret")
        lines = [
            f"detect-secrets ({kind}) flagged a potential secret; the baseline keeps only its "
            "SHA-1 hash."
        ]
        if audited is False:
            lines.append("Audited in the baseline as not a secret (is_secret: false).")
        elif audited is True:
            lines.append("Audited in the baseline as a real secret (is_secret: true).")
        if verified:
            lines.append("Verified live by detect-secrets.")

        return RawFinding(
            tool=TOOL,
            rule_id=kind,
            title=kind,
            severity=VERIFIED_SEVERITY if verified else DEFAULT_SEVERITY,
            location=Location(path=path, start_line=_line(entry.get("line_number"))),
            category=Category.SECRET,
            description="\n".join(lines),
            secret=hashed,
            secret_is_digest=True,
            secret_verified=verified,
            triage_hint=FALSE_POSITIVE if audited is False else None,
        )
