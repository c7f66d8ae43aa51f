"""Match rules: which asset an incoming detection belongs to. Pure: compiled once per import,
then memoized per distinct input, so a 100k-record report costs a dictionary lookup per record.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aspm.common import globs
from aspm.common.paths import normalize_path

FIELDS = ("key", "path", "resource", "account", "region", "tags")


def repo_name(key: str) -> str:
    """`github.com/acme/api`, `https://github.com/acme/api.git`, `acme/api` -> `acme/api`."""
    trimmed = re.sub(r"^(https?://|ssh://|git@)", "", key.strip()).removesuffix(".git")
    parts = [p for p in trimmed.replace(":", "/").split("/") if p]
    return "/".join(parts[-2:]).lower() if len(parts) >= 2 else trimmed.lower()


@dataclass(slots=True)  # not frozen: frozen construction costs three times as much
class Record:
    """What rules look at in one detection."""

    key: str | None = None  # the report's asset key (repo URL, aws:<account>, ...)
    path: str | None = None
    resource: str | None = None
    account: str | None = None
    region: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class _Prepared:
    """A record with what rules compare already derived (once per record, not per rule)."""

    repo: str | None
    path: str
    account: str | None
    region: str | None
    tags: dict[str, str]
    resource: str | None


@lru_cache(maxsize=4096)
def _repo_of(key: str | None) -> str | None:
    return repo_name(key) if key else None


@lru_cache(maxsize=4096)
def _account_of(key: str | None) -> str | None:
    if key and ":" in key and not key.startswith(("http", "git@", "ssh")):
        return key.split(":", 1)[1]
    return None


def _prepare(rec: Record) -> _Prepared:
    return _Prepared(
        repo=_repo_of(rec.key),
        path=normalize_path(rec.path) if rec.path else "",
        account=rec.account or _account_of(rec.key),
        region=rec.region,
        tags={k.lower(): v for k, v in rec.tags},
        resource=rec.resource,
    )


class _Rule:
    def __init__(self, rule: Mapping[str, Any]) -> None:
        # every field in the one glob dialect (aspm.common.globs: README "Patterns")
        self.repos = [globs.compile_one(repo_name(p)) for p in rule.get("repositories", [])]
        self.path_globs = [normalize_path(p) or p for p in rule.get("paths", [])]
        self.paths = [globs.compile_one(p) for p in self.path_globs]
        self.accounts = {str(a).strip() for a in rule.get("accounts", [])}
        self.regions = [globs.compile_one(p) for p in rule.get("regions", [])]
        self.tags = [(k.lower(), globs.compile_one(v)) for k, v in rule.get("tags", {}).items()]
        self.arns = [globs.compile_one(p) for p in rule.get("arns", [])]
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

    def matches_except_path(self, rec: _Prepared) -> bool:
        if self.repos and not (rec.repo and any(r.match(rec.repo) for r in self.repos)):
            return False
        if self.accounts and rec.account not in self.accounts:
            return False
        if self.regions and not (rec.region and any(r.match(rec.region) for r in self.regions)):
            return False
        if self.tags and not all(k in rec.tags and v.match(rec.tags[k]) for k, v in self.tags):
            return False
        return not self.arns or bool(rec.resource and any(a.match(rec.resource) for a in self.arns))

    def matches(self, rec: _Prepared) -> bool:
        if self.paths and not (rec.path and any(p.match(rec.path) for p in self.paths)):
            return False
        return self.matches_except_path(rec)


class Matcher:
    """Every declared asset's rules; `best()` gives the most specific match (ties: name order).
    `fields` says what a record's memo key must contain: only what some rule looks at.

    Records of one report mostly differ only in their path: the rules whose other criteria
    match are found once per (repository, account, region, tags, resource) and their path
    globs joined into one regular expression, so a new path costs one match call."""

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
        self._plans: dict[tuple[Any, ...], tuple[re.Pattern[str] | None, list[int], int]] = {}

    def __bool__(self) -> bool:
        return bool(self._rules)

    def _plan(self, rec: _Prepared) -> tuple[re.Pattern[str] | None, list[int], int]:
        """(joined path regex, rule index of each of its groups, first path-free rule index)."""
        key = (rec.repo, rec.account, rec.region, tuple(sorted(rec.tags.items())), rec.resource)
        plan = self._plans.get(key)
        if plan is None:
            parts: list[str] = []
            owners: list[int] = []
            first_plain = len(self._rules)
            for index, (_, _, _, rule) in enumerate(self._rules):
                if not rule.matches_except_path(rec):
                    continue
                if not rule.paths:
                    first_plain = min(first_plain, index)
                    continue
                for pattern in rule.path_globs:
                    parts.append(pattern)
                    owners.append(index)
            joined = globs.compile_groups(parts)
            plan = self._plans[key] = (joined, owners, first_plain)
        return plan

    def best(self, rec: Record) -> Any | None:
        prepared = _prepare(rec)
        joined, owners, first_plain = self._plan(prepared)
        best = first_plain
        if joined is not None and prepared.path:
            hit = joined.match(prepared.path)
            if hit is not None and hit.lastindex is not None:
                # the first alternative that matches is the first in rule order; its group is
                # the only one that took part in the match (globs' expressions capture nothing)
                best = min(best, owners[hit.lastindex - 1])
        return self._rules[best][2] if best < len(self._rules) else None
