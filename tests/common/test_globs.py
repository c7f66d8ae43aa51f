"""The one glob dialect (aspm.common.globs): what patterns mean, that the translation agrees with
wcmatch's globmatch, and that SQL (on the test database) and Python agree on every match."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select
from sqlalchemy.orm import Session
from wcmatch import glob as wcglob

from aspm.common import globs

WCMATCH_FLAGS = wcglob.GLOBSTAR | wcglob.DOTGLOB | wcglob.FORCEUNIX | wcglob.IGNORECASE


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("services/*", "services/a.tf", True),
        ("services/*", "services/a/b.tf", False),  # `*` stays within a segment
        ("services/**", "services/a/b.tf", True),
        ("services/**", "services", False),
        ("**/*.tf", "main.tf", True),
        ("**/*.tf", "a/b/main.tf", True),
        ("*.tf", "a/main.tf", False),  # the whole value, never a part of it
        ("src/**/test_*.py", "src/test_a.py", True),
        ("src/**/test_*.py", "src/x/y/test_a.py", True),
        ("a**b", "ax/yb", False),  # `**` inside a segment is `*`
        ("file?.py", "file1.py", True),
        ("a?b", "a/b", False),
        ("v[0-9].txt", "v7.txt", True),
        ("v[!0-9].txt", "v7.txt", False),
        ("pages/[id].tsx", "pages/i.tsx", True),
        ("pages/\\[id\\].tsx", "pages/[id].tsx", True),
        ("pages/\\[id\\].tsx", "pages/i.tsx", False),
        ("SRC/*.TF", "src/main.tf", True),  # case is ignored
        ("arn:aws:s3:::logs/*", "arn:aws:s3:::logs/a/b", False),  # `/` separates in ARNs too
        ("arn:aws:s3:::logs/**", "arn:aws:s3:::logs/a/b", True),
        ("*:ckv_aws_20", "checkov:CKV_AWS_20", True),
        ("*public*", "kics:s3_public_acl", True),
        ("release/*", "release/1.2", True),
        ("release/*", "release/1.2/hotfix", False),
        ("100%_done", "100%_done", True),  # LIKE's wildcards are ordinary characters
        ("100%_done", "100x_done", False),
        ("[z-a]", "[z-a]", True),  # not a class (reversed range): literal
        ("a[/]b", "a[/]b", True),  # a class never holds `/`: literal
    ],
)
def test_what_a_pattern_matches(pattern: str, value: str, expected: bool) -> None:
    assert globs.matches(pattern, value) is expected
    one = globs.compile_any([pattern])
    assert one is not None
    assert (one.match(value) is not None) is expected


def test_sets_compile_to_one_expression_and_groups_say_which_pattern() -> None:
    assert globs.compile_any([]) is None
    assert globs.compile_groups([]) is None
    any_of = globs.compile_any(["a/*", "b/**", "a/*"])
    assert any_of is not None
    assert any_of.groups == 0
    assert [bool(any_of.match(v)) for v in ("a/x", "b/x/y", "a/x/y", "c")] == [1, 1, 0, 0]
    grouped = globs.compile_groups(["**/*.tf", "infra/**", "*.tf"])
    assert grouped is not None
    assert grouped.groups == 3
    hit = grouped.match("infra/main.tf")
    assert hit is not None
    assert hit.lastindex == 1
    hit = grouped.match("infra/x.yaml")
    assert hit is not None
    assert hit.lastindex == 2
    assert globs.matches("x", None) is False


PATTERN_CHARS = st.sampled_from(list("ab/*?[]!-\\.:Z%_"))
NAME_CHARS = st.sampled_from(list("abAB-.:%_[]!\\"))
SEGMENT = st.text(NAME_CHARS, min_size=1, max_size=4).filter(lambda s: s not in (".", ".."))


@settings(max_examples=400)
@given(
    pattern=st.text(PATTERN_CHARS, min_size=1, max_size=9),
    segments=st.lists(SEGMENT, min_size=1, max_size=4),
)
def test_the_translation_agrees_with_wcmatch_on_normalized_paths(
    pattern: str, segments: list[str]
) -> None:
    """wcmatch's globmatch (GLOBSTAR) is the reference for what the dialect means, on the values
    rules see: `/`-joined non-empty segments, no `.` or `..`, no leading or trailing `/`."""
    if pattern.startswith("/") or pattern.endswith(("/", "\\")) or "//" in pattern:
        # wcmatch reads these as anchored or directory patterns (paths never are), and a
        # trailing lone backslash as matching nothing (here it is a backslash)
        return
    value = "/".join(segments)
    expected = wcglob.globmatch(value, pattern, flags=WCMATCH_FLAGS)
    assert globs.matches(pattern, value) is expected, (pattern, value, globs.regex(pattern))


VALUE_CHARS = st.sampled_from(list("abAB/._-%:[]!\\ \n"))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pattern=st.text(PATTERN_CHARS, min_size=1, max_size=8), value=st.text(VALUE_CHARS, max_size=10)
)
def test_sql_and_python_agree_on_what_a_pattern_matches(
    session: Session, pattern: str, value: str
) -> None:
    """The same expression in SQL (PostgreSQL's `~`, SQLite's REGEXP) and in Python."""
    in_sql = session.scalar(select(literal(value).regexp_match(globs.sql_regex(pattern))))
    assert (in_sql in (True, 1)) is globs.matches(pattern, value), (pattern, value)


@pytest.mark.parametrize(
    ("pattern", "value"),
    [("**", "a\nb"), ("services/**", "services/a\nb"), ("a*b", "a\nb"), ("a?b", "a\nb")],
)
def test_sql_matches_a_newline_as_python_does(session: Session, pattern: str, value: str) -> None:
    """`(?is)`: SQLite's REGEXP (Python's `re` without DOTALL under `(?i)` alone) did not match
    `**`'s `.` to a newline, where Python and PostgreSQL do."""
    assert globs.matches(pattern, value)
    in_sql = session.scalar(select(literal(value).regexp_match(globs.sql_regex(pattern))))
    assert in_sql in (True, 1)
