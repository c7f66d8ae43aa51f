"""Secret-scanner reports: Gitleaks v8 JSON and TruffleHog v3 JSON lines, as the tools print them.

Every secret in them is fake: AWS's documented example key pair, or seeded noise that matches no
real provider's token format.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aspm.demo.values import hex_id, repo_url


@dataclass(frozen=True, slots=True)
class Commit:
    label: str  # names the seeded commit id
    author: str
    email: str
    message: str
    when: datetime

    @property
    def sha(self) -> str:
        return hex_id(f"commit:{self.label}")


@dataclass(frozen=True, slots=True)
class Leak:
    """One Gitleaks v8 finding."""

    rule: str
    description: str
    path: str
    line: int
    text: str  # the source line, with {secret} where the secret sits
    match: str  # what the rule's regex matched, with {secret}
    secret: str
    commit: Commit
    entropy: float
    rounds: tuple[int, ...]


def _gitleaks_record(leak: Leak, repo: str) -> dict[str, Any]:
    line_text = leak.text.format(secret=leak.secret)
    match = leak.match.format(secret=leak.secret)
    match_lines = match.split("\n")
    column = line_text.index(match_lines[0]) + 1
    end_line = leak.line + len(match_lines) - 1
    end_column = len(match_lines[-1]) if len(match_lines) > 1 else column + len(match) - 1
    sha = leak.commit.sha
    return {
        "RuleID": leak.rule,
        "Description": leak.description,
        "StartLine": leak.line,
        "EndLine": end_line,
        "StartColumn": column,
        "EndColumn": end_column,
        "Match": match,
        "Secret": leak.secret,
        "File": leak.path,
        "SymlinkFile": "",
        "Commit": sha,
        "Link": f"{repo_url(repo)}/blob/{sha}/{leak.path}#L{leak.line}",
        "Entropy": leak.entropy,
        "Author": leak.commit.author,
        "Email": leak.commit.email,
        "Date": leak.commit.when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Message": leak.commit.message,
        "Tags": [],
        "Fingerprint": f"{sha}:{leak.path}:{leak.rule}:{leak.line}",
    }


def gitleaks_json(leaks: Sequence[Leak], round_no: int, *, repo: str) -> bytes:
    """`gitleaks git --report-format json`: an array of leaks, indented by one space."""
    records = [_gitleaks_record(leak, repo) for leak in leaks if round_no in leak.rounds]
    return (json.dumps(records, indent=1) + "\n").encode()


@dataclass(frozen=True, slots=True)
class Hit:
    """One TruffleHog v3 finding from a git source."""

    detector: str
    detector_type: int
    detector_description: str
    path: str
    line: int
    raw: str
    raw_v2: str
    redacted: str
    verified: bool
    extra: dict[str, str] | None
    commit: Commit
    rounds: tuple[int, ...]


def _go_json(value: Any) -> str:
    """Compact JSON with Go's HTML escaping of <, > and &, as TruffleHog's encoder writes it."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def trufflehog_jsonl(hits: Sequence[Hit], round_no: int, *, repo: str) -> bytes:
    """`trufflehog git <url> --json`: one JSON object per line, stdout only."""
    lines: list[str] = []
    for hit in hits:
        if round_no not in hit.rounds:
            continue
        git = {
            "commit": hit.commit.sha,
            "file": hit.path,
            "email": f"{hit.commit.author} <{hit.commit.email}>",
            "repository": f"{repo_url(repo)}.git",
            "timestamp": hit.commit.when.strftime("%Y-%m-%d %H:%M:%S +0000"),
            "line": hit.line,
        }
        record = {
            "SourceMetadata": {"Data": {"Git": git}},
            "SourceID": 1,
            "SourceType": 16,
            "SourceName": "trufflehog - git",
            "DetectorType": hit.detector_type,
            "DetectorName": hit.detector,
            "DetectorDescription": hit.detector_description,
            "DecoderName": "PLAIN",
            "Verified": hit.verified,
            "VerificationFromCache": False,
            "Raw": hit.raw,
            "RawV2": hit.raw_v2,
            "Redacted": hit.redacted,
            "ExtraData": hit.extra,
            "StructuredData": None,
        }
        lines.append(_go_json(record))
    return "".join(f"{line}\n" for line in lines).encode()
