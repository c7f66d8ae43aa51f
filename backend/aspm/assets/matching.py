"""Match rules: which asset an incoming detection belongs to. Pure: compiled once per import,
then memoized per distinct input, so a 100k-record report costs a dictionary lookup per record.
"""

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aspm.common.paths import normalize_path

FIELDS = ("key", "path", "resource", "account", "region", "tags")


@lru_cache(maxsize=1024)
def _glob(pattern: str, *, paths: bool) -> re.Pattern[str]:
    """Shell-style pattern as a regex; for paths `*` stays within a segment and `**` spans."""
    if not paths:
        return re.compile(fnmatch.translate(pattern), re.IGNORECASE)
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def repo_name(key: str) -> str:
    """`github.com/acme/api`, `https://github.com/acme/api.git`, `acme/api` -> `acme/api`."""
    trimmed = re.sub(r"^(https?://|ssh://|git@)", "", key.strip()).removesuffix(".git")
    parts = [p for p in trimmed.replace(":", "/").split("/") if p]
    return "/".join(parts[-2:]).lower() if len(parts) >= 2 else trimmed.lower()


@dataclass(frozen=True, slots=True)
class Record:
    """What rules look at in one detection."""

    key: str | None = None  # the report's asset key (repo URL, aws:<account>, ...)
    path: str | None = None
    resource: str | None = None
    account: str | None = None
    region: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


class _Rule:
    def __init__(self, rule: Mapping[str, Any]) -> None:
        self.repos = [_glob(repo_name(p), paths=False) for p in rule.get("repositories", [])]
        self.paths = [_glob(normalize_path(p) or p, paths=True) for p in rule.get("paths", [])]
        self.accounts = {str(a).strip() for a in rule.get("accounts", [])}
        self.regions = [_glob(p, paths=False) for p in rule.get("regions", [])]
        self.tags = [(k.lower(), _glob(v, paths=False)) for k, v in rule.get("tags", {}).items()]
        self.arns = [re.compile(fnmatch.translate(p)) for p in rule.get("arns", [])]
        self.specificity = sum(
            bool(x) for x in (self.repos, self.paths, self.accounts, self.regions, self.tags,
                              self.arns)
        )  # fmt: skip

    def fields(self) -> set[str]:
        used = set()
        if self.repos:
            used.add("key")
        if self.paths:
            used.add("path")
        if self.accounts:
            used |= {"account", "key"}
        if self.regions:
            used.add("region")
        if self.tags:
            used.add("tags")
        if self.arns:
            used.add("resource")
        return used

    def matches(self, rec: Record) -> bool:
        if self.repos and not (rec.key and any(r.match(repo_name(rec.key)) for r in self.repos)):
            return False
        if self.paths:
            path = normalize_path(rec.path) if rec.path else ""
            if not path or not any(p.match(path) for p in self.paths):
                return False
        if self.accounts:
            account = rec.account or (rec.key.split(":", 1)[1] if rec.key and ":" in rec.key
                                      and not rec.key.startswith(("http", "git@", "ssh"))
                                      else None)  # fmt: skip
            if account not in self.accounts:
                return False
        if self.regions and not (rec.region and any(r.match(rec.region) for r in self.regions)):
            return False
        if self.tags:
            have = {k.lower(): v for k, v in rec.tags}
            if not all(k in have and v.match(have[k]) for k, v in self.tags):
                return False
        return not self.arns or bool(rec.resource and any(a.match(rec.resource) for a in self.arns))


class Matcher:
    """Every declared asset's rules; `best()` gives the most specific match (ties: name order).
    `fields` says what a record's memo key must contain: only what some rule looks at."""

    def __init__(self, assets: Sequence[tuple[Any, str, Sequence[Mapping[str, Any]]]]) -> None:
        self._rules: list[tuple[int, str, Any, _Rule]] = []
        for ident, name, rules in assets:
            for rule in rules:
                compiled = _Rule(rule)
                self._rules.append((-compiled.specificity, name, ident, compiled))
        self._rules.sort(key=lambda r: (r[0], r[1]))
        self.fields: frozenset[str] = frozenset(
            f for *_, rule in self._rules for f in rule.fields()
        )

    def __bool__(self) -> bool:
        return bool(self._rules)

    def best(self, rec: Record) -> Any | None:
        for _, _, ident, rule in self._rules:
            if rule.matches(rec):
                return ident
        return None
