"""What a suppression or ownership rule's pattern says. Pure. The dialect itself (what `*`, `**`,
`?` and `[...]` match) is aspm.common.globs, the same for every rule."""

_WILDCARDS = set("*?/. ")


def is_wildcard_only(pattern: str) -> bool:
    """True for patterns that say nothing specific (`*`, `**/*`, `*.*`, ...)."""
    return not (set(pattern) - _WILDCARDS)
