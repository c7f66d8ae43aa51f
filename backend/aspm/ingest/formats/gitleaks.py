"""Gitleaks JSON report (`gitleaks detect --report-format json`), v7 and v8 field names.

The report is a top-level array of leaks (`[]` or, from older versions, `null` when there are none).
- v8 records: RuleID, Description, StartLine, EndLine, Match (8.0.0: Context), Secret, File,
  SymlinkFile, Commit, Link, Entropy, Author, Email, Date, Message, Tags, Fingerprint.
- v7 records: rule, line, lineNumber (7.5+), offender, commit, repo, repoURL, leakURL, file,
  commitMessage, author, email, date, tags ("key, AWS").

Identity: gitleaks gives no stable id of its own. Its `Fingerprint` is commit:file:rule:line, which
changes with every commit and edit, so it is NOT used; `tool_fingerprint` stays None and the
pipeline keys the detection on path + rule + keyed hash of the secret. Commit, line and author never
enter identity, so the same leak seen again at another line or in a later commit is the same
detection. The matched line only goes to Location.snippet (the pipeline redacts the secret in it);
Commit (v7: commit) to Location.commit, the ref of the link to the code.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.common.severity import Severity
from aspm.ingest.contract import Category, Location, ParseContext, RawFinding
from aspm.ingest.formats._json_records import array_items

# Gitleaks reports no severity. Every leaked secret is treated as HIGH (a committed credential is
# exploitable as soon as the repository is readable); verified-live secrets are a TruffleHog notion.
DEFAULT_SEVERITY = Severity.HIGH

_REDACTED = "REDACTED"  # what `gitleaks --redact` writes instead of the secret
_TOP_ARRAY = re.compile(rb"^\s*\[")
_EMPTY_DOC = re.compile(rb"^\s*(\[\s*\]|null)\s*$")
_V8_KEYS = (
    re.compile(rb'"RuleID"\s*:'),
    re.compile(rb'"StartLine"\s*:'),
    re.compile(rb'"File"\s*:'),
)
_V8_SECRET = re.compile(rb'"(Secret|Match|Context)"\s*:')
_V7_KEYS = (re.compile(rb'"offender"\s*:'), re.compile(rb'"rule"\s*:'))
# https://github.com/<org>/<repo>/blob/<commit>/<path>#L42 (GitLab: /-/blob/) -> the repository URL
_LINK_REPO = re.compile(r"^(?P<repo>https?://[^?#]+?)/(?:-/)?blob/[0-9A-Fa-f]{7,64}/")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _line(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 1 else None


def _repo_url(url: str | None) -> str | None:
    """A repository URL without the trailing `.git` or `/`, so git and web URLs agree."""
    if not url:
        return None
    url = url.strip().rstrip("/")
    return url.removesuffix(".git") or None


def _context_lines(
    commit: str | None, date: str | None, link: str | None, tags: str | None
) -> list[str]:
    lines = []
    if commit:
        lines.append(f"Commit: {commit}" + (f" ({date})" if date else ""))
    if link:
        lines.append(f"Link: {link}")
    if tags:
        lines.append(f"Tags: {tags}")
    return lines


def _parse_v8(rec: dict[str, object], number: int, ctx: ParseContext) -> RawFinding | None:
    rule_id = _text(rec.get("RuleID"))
    if rule_id is None:
        ctx.skip(f"record {number}: no RuleID; skipped")
        return None
    snippet = _text(rec.get("Match")) or _text(rec.get("Context"))
    secret = _text(rec.get("Secret")) or snippet
    if secret is None:
        ctx.skip(f"record {number}: no Secret or Match value; skipped")
        return None
    summary = _text(rec.get("Description"))
    link = _text(rec.get("Link"))
    link_repo = _LINK_REPO.match(link) if link else None
    tags = rec.get("Tags")
    tag_text = ", ".join(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else None
    commit = _text(rec.get("Commit"))
    details = _context_lines(commit, _text(rec.get("Date")), link, tag_text)
    path = _text(rec.get("File")) or _text(rec.get("SymlinkFile"))
    return RawFinding(
        tool="gitleaks",
        rule_id=rule_id,
        title=summary or f"Secret matched by gitleaks rule {rule_id}",
        severity=DEFAULT_SEVERITY,
        location=Location(
            path=path,
            start_line=_line(rec.get("StartLine")),
            end_line=_line(rec.get("EndLine")),
            snippet=snippet,
            commit=commit,
        ),
        category=Category.SECRET,
        asset_key=_repo_url(link_repo["repo"]) if link_repo else None,
        description="\n".join([summary or f"Gitleaks rule {rule_id} matched.", *details]),
        secret=secret,
    )


def _parse_v7(rec: dict[str, object], number: int, ctx: ParseContext) -> RawFinding | None:
    rule = _text(rec.get("rule"))
    if rule is None:
        ctx.skip(f"record {number}: no rule; skipped")
        return None
    secret = _text(rec.get("offender"))
    if secret is None:
        ctx.skip(f"record {number}: no offender value; skipped")
        return None
    repo = _text(rec.get("repoURL")) or _text(rec.get("repo"))
    commit = _text(rec.get("commit"))
    details = _context_lines(
        commit,
        _text(rec.get("date")),
        _text(rec.get("leakURL")),
        _text(rec.get("tags")),
    )
    return RawFinding(
        tool="gitleaks",
        rule_id=rule,
        title=rule,
        severity=DEFAULT_SEVERITY,
        location=Location(
            path=_text(rec.get("file")),
            start_line=_line(rec.get("lineNumber")),
            snippet=_text(rec.get("line")),
            commit=commit,
        ),
        category=Category.SECRET,
        # `repo` is "." when gitleaks scanned the working directory: that names nothing
        asset_key=_repo_url(repo) if repo and repo.strip() != "." else None,
        description="\n".join([f"Gitleaks rule {rule!r} matched.", *details]),
        secret=secret,
    )


class GitleaksIngestor:
    name: ClassVar[str] = "gitleaks"
    title: ClassVar[str] = "Gitleaks JSON"

    def sniff(self, head: bytes, filename: str) -> bool:
        if _EMPTY_DOC.match(head):
            # `[]` / `null` carry no keys: only the file name can say it is a gitleaks report
            return "gitleaks" in filename.lower()
        if not _TOP_ARRAY.match(head):
            return False
        if all(p.search(head) for p in _V8_KEYS) and _V8_SECRET.search(head):
            return True
        return all(p.search(head) for p in _V7_KEYS)

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "gitleaks"
        ctx.tools.add("gitleaks")
        warned_redacted = False
        for number, rec in enumerate(array_items(stream, allow_null=True), start=1):
            if not isinstance(rec, dict):
                ctx.skip(f"record {number}: not a JSON object; skipped")
                continue
            if "RuleID" in rec or "Secret" in rec or "StartLine" in rec:
                finding = _parse_v8(rec, number, ctx)
            elif "rule" in rec or "offender" in rec:
                finding = _parse_v7(rec, number, ctx)
            else:
                ctx.skip(
                    f"record {number}: neither gitleaks v8 (RuleID) nor v7 (rule) keys; skipped"
                )
                continue
            if finding is None:
                continue
            if finding.secret == _REDACTED and not warned_redacted:
                warned_redacted = True
                ctx.warn(
                    "the report was written with --redact: leaks of one rule in one file cannot "
                    "be told apart and share one identity"
                )
            yield finding
