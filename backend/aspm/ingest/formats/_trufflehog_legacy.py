"""truffleHog 2.x records: the Python tool's `--json` lines, and trufflehog3's legacy array layout.

Shared by trufflehog_v2 (JSON lines, tool family "trufflehog") and trufflehog3 (its 2.x-era layout,
tool family "trufflehog3"). A record has reason (the rule that matched), path, stringsFound (the
matched strings: one or more per record), branch, commit (the commit MESSAGE), commitHash, date, and
in truffleHog 2 also diff and printDiff (the whole diff of the commit, secrets included).

- Secret = the first of stringsFound. The others are secrets too, but a finding carries one secret
  (the pipeline redacts that one only), so they never leave the ingestor: any description line that
  holds one of them is dropped, and diff/printDiff are never read.
- Identity: no tool fingerprint; the pipeline keys on path + reason + keyed hash of the secret.
  Commit, branch and date never enter identity.
"""

from aspm.common.severity import Severity
from aspm.ingest.contract import Category, Location, ParseContext, RawFinding

# truffleHog 2 reports no severity. Like an unverified TruffleHog v3 secret, a committed credential
# is HIGH: it is exploitable as soon as the repository history is readable.
DEFAULT_SEVERITY = Severity.HIGH

_MAX_MESSAGE = 200


def text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def legacy_finding(
    rec: dict[str, object], where: str, ctx: ParseContext, *, tool: str
) -> RawFinding | None:
    """One finding from a truffleHog 2.x record; None (skipped and warned) when it has no secret.

    `where` names the record in warnings ("line 4", "record 4").
    """
    reason = text(rec.get("reason"))
    if reason is None:
        ctx.skip(f"{where}: no reason (the rule that matched); skipped")
        return None
    found = rec.get("stringsFound")
    strings = (
        [s for s in found if isinstance(s, str) and s.strip()] if isinstance(found, list) else []
    )
    if not strings:
        ctx.skip(f"{where}: no stringsFound value; skipped")
        return None
    secret = strings[0]
    hidden = [s for s in dict.fromkeys(strings[1:]) if s != secret]

    lines = [f"truffleHog rule {reason!r} matched in the repository history."]
    if hidden:
        lines.append(
            f"{len(hidden)} more matching string(s) in the same commit diff are not shown."
        )
    branch = text(rec.get("branch"))
    if branch:
        lines.append(f"Branch: {branch}")
    commit_hash = text(rec.get("commitHash"))
    date = text(rec.get("date"))
    if commit_hash:
        lines.append(f"Commit: {commit_hash}" + (f" ({date})" if date else ""))
    message = text(rec.get("commit"))
    if message:
        first = message.strip().splitlines()[0]
        if len(first) > _MAX_MESSAGE:
            first = first[:_MAX_MESSAGE] + "..."
        lines.append(f"Commit message: {first}")
    lines = [line for line in lines if not any(h in line for h in hidden)]

    return RawFinding(
        tool=tool,
        rule_id=reason,
        title=reason,
        severity=DEFAULT_SEVERITY,
        location=Location(path=text(rec.get("path")), commit=commit_hash),
        category=Category.SECRET,
        description="\n".join(lines),
        secret=secret,
    )
