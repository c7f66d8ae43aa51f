"""trufflehog3 JSON (the Python tool `trufflehog3 --format json`): a top-level array of issues.

Two layouts, told apart per record:
- current (trufflehog3 3.x): rule{id, message, severity}, path, line (a string), secret, context
  ({"<line>": "<text>"}; some versions wrote a Python repr string instead), id, branch, message
  (the commit message), author, commit, date.
- legacy (trufflehog3 before 3.0, truffleHog 2.x's own fields): reason, path, stringsFound[],
  branch, commit (the message), commitHash, date; handled by `_trufflehog_legacy` (the first of
  stringsFound is the secret, the other matched strings are never output).

- Secret = `secret` (legacy: stringsFound[0]). The snippet is only the context line of the finding
  itself (cut to a window around the secret when long): other context lines may hold other secrets
  that the pipeline would not redact. A context that is not a line map is not shown.
- Identity: no tool fingerprint. trufflehog3's `id` is not used (it is not documented as stable);
  the pipeline keys on path + rule id + keyed hash of the secret. Commit, branch, line and date
  never enter identity.
- Tool family "trufflehog3" (a different tool from TruffleHog, with its own rules).
"""

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.common.severity import Severity, from_label
from aspm.ingest.contract import Category, Location, ParseContext, RawFinding
from aspm.ingest.formats._json_records import array_items
from aspm.ingest.formats._trufflehog_legacy import legacy_finding, text

TOOL = "trufflehog3"

# trufflehog3 rule severities (its rule files use LOW/MEDIUM/HIGH). An unknown or missing label in
# the current layout -> HIGH, like any committed secret, with a warning. The legacy layout has no
# severity at all and is HIGH without a warning (see _trufflehog_legacy).
SEVERITY = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
}
DEFAULT_SEVERITY = Severity.HIGH

_MAX_SNIPPET = 300
_WINDOW = 100
_MAX_MESSAGE = 200

_TOP_ARRAY = re.compile(rb"^\s*\[")
_EMPTY_DOC = re.compile(rb"^\s*\[\s*\]\s*$")
_CURRENT_KEYS = (
    re.compile(rb'"rule"\s*:\s*\{'),
    re.compile(rb'"secret"\s*:'),
    re.compile(rb'"path"\s*:'),
)
_LEGACY_KEYS = (re.compile(rb'"stringsFound"\s*:'), re.compile(rb'"reason"\s*:'))


def _line_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int | float) and value >= 1:
        return int(value)
    return None


def _snippet(context: object, line: int | None, secret: str) -> str | None:
    """The finding's own line from a {"<line>": text} context, cut around the secret if long."""
    if not isinstance(context, dict) or line is None:
        return None
    source = context.get(str(line))
    if not isinstance(source, str) or not source.strip():
        return None
    source = source.replace("\x00", "")  # binary files: NUL cannot be stored as text
    if len(source) <= _MAX_SNIPPET:
        return source
    at = source.find(secret)
    if at < 0:
        return source[:_MAX_SNIPPET] + "..."
    start = max(0, at - _WINDOW)
    end = min(len(source), at + len(secret) + _WINDOW)
    return ("..." if start else "") + source[start:end] + ("..." if end < len(source) else "")


class Trufflehog3Ingestor:
    name: ClassVar[str] = "trufflehog3"
    title: ClassVar[str] = "trufflehog3 JSON"

    def sniff(self, head: bytes, filename: str) -> bool:
        if _EMPTY_DOC.match(head):
            # `[]` carries no keys: only the file name can say it is a trufflehog3 report
            return "trufflehog3" in filename.lower()
        if not _TOP_ARRAY.match(head):
            return False
        return all(p.search(head) for p in _CURRENT_KEYS) or all(
            p.search(head) for p in _LEGACY_KEYS
        )

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = TOOL
        ctx.tools.add(TOOL)
        for number, rec in enumerate(array_items(stream), start=1):
            if not isinstance(rec, dict):
                ctx.skip(f"record {number}: not a JSON object; skipped")
                continue
            rule = rec.get("rule")
            if isinstance(rule, dict):
                finding = self._current(rec, rule, number, ctx)
            elif "stringsFound" in rec or "reason" in rec:
                finding = legacy_finding(rec, f"record {number}", ctx, tool=TOOL)
            else:
                ctx.skip(
                    f"record {number}: neither a rule object nor reason/stringsFound "
                    "(not a trufflehog3 issue); skipped"
                )
                continue
            if finding is not None:
                yield finding

    def _current(
        self, rec: dict[str, object], rule: dict[str, object], number: int, ctx: ParseContext
    ) -> RawFinding | None:
        rule_id = text(rule.get("id"))
        if rule_id is None:
            ctx.skip(f"record {number}: no rule.id; skipped")
            return None
        secret = rec.get("secret")
        if not isinstance(secret, str) or not secret.strip():
            ctx.skip(f"record {number}: no secret value; skipped")
            return None
        label = rule.get("severity")
        severity, known = from_label(label, SEVERITY, default=DEFAULT_SEVERITY)
        if not known:
            ctx.warn(f"record {number}: unknown severity {label!r}; using {DEFAULT_SEVERITY.value}")
        rule_message = text(rule.get("message"))
        line = _line_number(rec.get("line"))

        lines = [f"trufflehog3 rule {rule_id!r} ({rule_message or rule_id}) matched."]
        branch = text(rec.get("branch"))
        if branch:
            lines.append(f"Branch: {branch}")
        commit = text(rec.get("commit"))
        date = text(rec.get("date"))
        if commit:
            lines.append(f"Commit: {commit}" + (f" ({date})" if date else ""))
        message = text(rec.get("message"))
        if message:
            first = message.strip().splitlines()[0]
            if len(first) > _MAX_MESSAGE:
                first = first[:_MAX_MESSAGE] + "..."
            lines.append(f"Commit message: {first}")

        return RawFinding(
            tool=TOOL,
            rule_id=rule_id,
            title=rule_message or rule_id,
            severity=severity,
            location=Location(
                path=text(rec.get("path")),
                start_line=line,
                snippet=_snippet(rec.get("context"), line, secret),
                commit=commit,
            ),
            category=Category.SECRET,
            raw_severity=str(label) if label is not None else None,
            description="\n".join(lines),
            secret=secret,
        )
