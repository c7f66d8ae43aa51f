"""The one glob dialect of every rule: suppression and ownership rules, asset match rules, the
risk policy's public controls, gate policy overrides and the exposure graph's control lists. Pure.

The README's "Patterns" section is the user's view. In short (CODEOWNERS, and bash with globstar):

- `*` matches any run of characters within one `/`-separated segment; `?` one character other
  than `/`; `[abc]`, `[a-z]`, `[!abc]` one character of (or not of) a class; `\\` escapes the
  next character (`\\[id\\].tsx`).
- `**` as a whole segment matches zero or more segments: `services/**` is everything under
  `services/`, `**/*.tf` every `.tf` file at any depth. Elsewhere (`a**b`) it is `*`.
- A pattern matches the whole value, never a part of it: `*.tf` is a top-level file only.
- Letters match regardless of case, in every field.
- `/` separates segments in every field, paths or not: `arn:aws:s3:::logs/*` is the bucket's
  top-level keys and `arn:aws:s3:::logs/**` all of them; `codeql:js/*` CodeQL's JavaScript rules.

A pattern is translated here, once, into a regular expression of a small subset (literals escaped,
`[^/]`, `.`, `(?:...)`, `*`, `?`, bracket classes, `\\A`, `\\Z`, a leading `(?is)`) that Python's
`re` and PostgreSQL's regular expressions read alike. Python matches with it; SQL matches with the
very same string (`~` on PostgreSQL, REGEXP, i.e. Python's `re`, on SQLite). Tests compare the
SQL and Python matchers on random patterns and values on both databases, and this translation with
wcmatch's `globmatch` (GLOBSTAR) on normalized paths.

Why not wcmatch's or pathspec's own regular expressions: wcmatch's (guards against `.`/`..` in
every segment) match 4.5 times slower (5.9 against 1.3 microseconds for `src/**/*.py`, and asset
matching runs per new path during ingest), and they use atomic groups, which PostgreSQL lacks;
pathspec implements gitignore, where `services/*` also matches everything below `services/a/`
and a pattern without a slash matches at any depth.
"""

import re
from collections.abc import Iterable
from functools import lru_cache

_FLAGS = re.IGNORECASE | re.DOTALL


def _literal(ch: str) -> str:
    # backslash before ASCII punctuation only: both engines read it as the character itself,
    # while a backslash before a letter or digit is a class escape (\d, \w, PostgreSQL's \m)
    return "\\" + ch if ch.isascii() and not ch.isalnum() else ch


def _class(pattern: str, start: int) -> tuple[str, int] | None:
    """The bracket class opening at `start` as (regex, index after it); None when `[` is not a
    class there (no closing bracket, a `/` inside, or a reversed range)."""
    i = start + 1
    negate = i < len(pattern) and pattern[i] in "!^"
    i += negate
    items: list[str] = []
    first = True
    while i < len(pattern):
        ch = pattern[i]
        if ch == "]" and not first:
            break
        if ch == "\\" and i + 1 < len(pattern):
            i += 1
            ch = pattern[i]
        if ch == "/":
            return None
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            hi = pattern[i + 2]
            if hi == "/" or hi < ch:
                return None
            items.append(f"{_literal(ch)}-{_literal(hi)}")
            i += 3
        else:
            items.append(_literal(ch))
            i += 1
        first = False
    else:
        return None
    return ("[^/" if negate else "[") + "".join(items) + "]", i + 1


@lru_cache(maxsize=4096)
def regex(pattern: str) -> str:
    """The pattern as a regular expression over the whole value, without flags (case is ignored
    by the caller). It has no capturing group."""
    out: list[str] = []
    segments = pattern.split("/")
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment == "**":
            # zero or more whole segments; the separator after it is part of it
            out.append(".*" if last else "(?:.*/)?")
            continue
        i = 0
        while i < len(segment):
            ch = segment[i]
            if ch == "*":
                while i < len(segment) and segment[i] == "*":
                    i += 1
                out.append("[^/]*")
                continue
            if ch == "?":
                out.append("[^/]")
            elif ch == "[" and (cls := _class(segment, i)) is not None:
                out.append(cls[0])
                i = cls[1]
                continue
            elif ch == "\\" and i + 1 < len(segment):
                i += 1
                out.append(_literal(segment[i]))
            else:
                out.append(_literal(ch))
            i += 1
        if not last:
            out.append("/")
    return "\\A(?:" + "".join(out) + ")\\Z"


def sql_regex(pattern: str) -> str:
    """The expression for SQL: PostgreSQL's `~` and SQLite's REGEXP, ignoring case, `.` matching a
    newline too (as `_FLAGS` in Python): `(?is)` says both in each engine (`s`, PostgreSQL's
    default, is "not newline-sensitive" there). With `(?i)` alone SQLite's REGEXP, Python's `re`
    without DOTALL, did not match a value with a newline to `**`."""
    return sql_regex_any([pattern])


def sql_regex_any(patterns: Iterable[str]) -> str:
    """One expression for SQL (as `sql_regex`) that matches what any of `patterns` matches: an
    alternation, as `compile_any`, so SQLite calls its Python REGEXP once a value."""
    return "(?is)" + "|".join(regex(p) for p in dict.fromkeys(patterns))


@lru_cache(maxsize=4096)
def compile_one(pattern: str) -> re.Pattern[str]:
    return re.compile(regex(pattern), _FLAGS)


def compile_any(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One expression for a set of patterns (any of them matches); None for no pattern."""
    parts = [regex(p) for p in dict.fromkeys(patterns) if p]
    return re.compile("|".join(parts), _FLAGS) if parts else None


def compile_groups(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One expression whose n-th capturing group is the n-th pattern (`match.lastindex - 1` says
    which matched first); None for no pattern."""
    parts = [f"({regex(p)})" for p in patterns]
    return re.compile("|".join(parts), _FLAGS) if parts else None


def matches(pattern: str, value: str | None) -> bool:
    return value is not None and compile_one(pattern).match(value) is not None
