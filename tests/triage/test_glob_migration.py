"""The data migration to the one glob dialect keeps what stored suppression and ownership patterns
meant, wherever the new dialect can say it (alembic/versions/..._one_glob_dialect.py)."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from aspm.common import globs
from tests import alembic_versions

rewrite = alembic_versions.load("one_glob_dialect").rewrite


def _old_matches(pattern: str, value: str) -> bool:
    """The old suppression dialect: `*` any run (slashes too), `?` any character, case ignored."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.fullmatch("".join(parts), value, re.IGNORECASE | re.DOTALL) is not None


def test_examples() -> None:
    assert rewrite("services/*", literal_brackets=True) == "services/**"
    assert rewrite("*/test/*", literal_brackets=True) == "*/**/test/**"
    assert rewrite("a/*/b", literal_brackets=True) == "a/*/**/b"  # not a/b: `*` was 1+ chars
    assert rewrite("*.tf", literal_brackets=True) == "**/*.tf"
    assert rewrite("pages/[id].tsx", literal_brackets=True) == "pages/\\[id\\].tsx"
    assert rewrite("generic-api-*", literal_brackets=True) == "generic-api-*"
    assert rewrite("arn:aws:s3:::logs/*", literal_brackets=False) == "arn:aws:s3:::logs/**"
    assert rewrite("arn:aws:iam::1:role/[ab]*", literal_brackets=False) == (
        "arn:aws:iam::1:role/[ab]*"
    )


LITERAL = st.text(st.sampled_from(list("ab.-[]_%")), min_size=1, max_size=3)
SEGMENT = st.one_of(LITERAL, st.just("*"), st.just("**"))
FIRST = st.one_of(SEGMENT, LITERAL.map(lambda s: "*" + s))
NAME = st.text(st.sampled_from(list("abAB.-[]_%")), min_size=1, max_size=4).filter(
    lambda s: s not in (".", "..")
)


@settings(max_examples=400)
@given(
    first=FIRST,
    rest=st.lists(SEGMENT, max_size=3),
    value=st.lists(NAME, min_size=1, max_size=5).map("/".join),
)
def test_rewritten_patterns_match_what_they_matched(
    first: str, rest: list[str], value: str
) -> None:
    """Patterns whose `*`s are whole segments, or lead the pattern: the meaning is kept exactly
    on normalized paths (non-empty segments)."""
    old = "/".join([first, *rest])
    new = rewrite(old, literal_brackets=True)
    assert globs.matches(new, value) is _old_matches(old, value), (old, new, value)
