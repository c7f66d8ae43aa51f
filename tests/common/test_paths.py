"""Path normalization: what identities and displays use."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aspm.common import paths
from aspm.common.paths import normalize_path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("main.tf", "main.tf"),
        ("/main.tf", "main.tf"),
        ("./modules/s3/main.tf", "modules/s3/main.tf"),
        ("C:\\work\\repo\\main.tf", "work/repo/main.tf"),
        ("file:///home/ci/repo/app.py", "home/ci/repo/app.py"),
        ("file:///C:/repo/app.py", "repo/app.py"),
        ("a//b/./c/", "a/b/c"),
        (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_path(raw: str | None, expected: str) -> None:
    assert normalize_path(raw) == expected


@given(st.text(alphabet="ab./\\: C", max_size=12))
def test_fast_path_agrees_with_the_full_normalization(raw: str) -> None:
    if raw and paths._already_normal(raw):
        slow = "/".join(s for s in raw.replace("\\", "/").split("/") if s not in ("", "."))
        assert normalize_path(raw) == slow == raw
