"""The one glob dialect of suppression and ownership rules, in Python and as SQL LIKE. Pure.

`*` matches any run of characters (slashes included, so `src/*` covers the whole tree, as `src/**`
would), `?` one character; every other character stands for itself (brackets too: paths such as
`pages/[id].tsx` are common). Matching ignores case on every database.
"""

import re

_WILDCARDS = set("*?/. ")


def is_wildcard_only(pattern: str) -> bool:
    """True for patterns that say nothing specific (`*`, `**/*`, `*.*`, ...)."""
    return not (set(pattern) - _WILDCARDS)


def to_like(pattern: str) -> str:
    """The LIKE pattern (escape character backslash) for a lower-cased column."""
    out = []
    for ch in pattern.lower():
        if ch in "\\%_":
            out.append("\\" + ch)
        elif ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


def to_regex(pattern: str) -> re.Pattern[str]:
    parts = [".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def matches(pattern: str, value: str | None) -> bool:
    return to_regex(pattern).fullmatch(value or "") is not None
