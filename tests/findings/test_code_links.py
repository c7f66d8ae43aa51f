"""Links from a detection to its lines: each provider's URL shape, commit or branch, line ranges,
odd paths, and no link where none can be right."""

import pytest

from aspm.findings.code_links import (
    code_url,
    is_commit,
    parse_repository,
    pick_ref,
    repository_path,
)

SHA = "4f2c1e9a0b7d3c5e8f1a2b3c4d5e6f708192a3b4"


@pytest.mark.parametrize(
    ("repository", "start", "end", "url"),
    [
        ("https://github.com/acme/pay", 10, 12,
         f"https://github.com/acme/pay/blob/{SHA}/infra/main.tf#L10-L12"),
        ("https://github.com/acme/pay", 10, None,
         f"https://github.com/acme/pay/blob/{SHA}/infra/main.tf#L10"),
        ("https://github.com/acme/pay", 10, 10,
         f"https://github.com/acme/pay/blob/{SHA}/infra/main.tf#L10"),
        ("https://github.com/acme/pay", None, None,
         f"https://github.com/acme/pay/blob/{SHA}/infra/main.tf"),
        ("https://gitlab.com/acme/platform/pay", 10, 12,
         f"https://gitlab.com/acme/platform/pay/-/blob/{SHA}/infra/main.tf#L10-12"),
        ("https://gitlab.com/acme/pay", 7, None,
         f"https://gitlab.com/acme/pay/-/blob/{SHA}/infra/main.tf#L7"),
        ("https://bitbucket.org/acme/pay", 10, 12,
         f"https://bitbucket.org/acme/pay/src/{SHA}/infra/main.tf#lines-10:12"),
        ("https://bitbucket.org/acme/pay", 3, None,
         f"https://bitbucket.org/acme/pay/src/{SHA}/infra/main.tf#lines-3"),
    ],
)  # fmt: skip
def test_each_provider_has_its_url_shape(
    repository: str, start: int | None, end: int | None, url: str
) -> None:
    assert code_url(repository, ref=SHA, path="infra/main.tf", start_line=start, end_line=end) == (
        url
    )


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://github.com/acme/pay", "https://github.com/acme/pay"),
        ("https://github.com/acme/pay.git", "https://github.com/acme/pay"),
        ("https://github.com/acme/pay/", "https://github.com/acme/pay"),
        ("https://github.com/acme/pay/tree/main/infra", "https://github.com/acme/pay"),
        ("git@github.com:acme/pay.git", "https://github.com/acme/pay"),
        ("ssh://git@github.com/acme/pay.git", "https://github.com/acme/pay"),
        ("git://github.com/acme/pay.git", "https://github.com/acme/pay"),
        ("  https://GitHub.com/acme/pay  ", "https://github.com/acme/pay"),
        ("https://github.acme.example/team/pay", "https://github.acme.example/team/pay"),
        ("git@gitlab.com:acme/platform/pay.git", "https://gitlab.com/acme/platform/pay"),
        ("ssh://git@gitlab.acme.example:2222/acme/pay.git", "https://gitlab.acme.example/acme/pay"),
        ("https://gitlab.acme.example:8443/acme/pay", "https://gitlab.acme.example:8443/acme/pay"),
        ("http://gitlab.internal/acme/pay", "http://gitlab.internal/acme/pay"),
        ("https://gitlab.com/acme/pay/-/tree/main", "https://gitlab.com/acme/pay"),
        ("https://ravi@bitbucket.org/acme/pay.git", "https://bitbucket.org/acme/pay"),
        ("git@bitbucket.org:acme/pay.git", "https://bitbucket.org/acme/pay"),
    ],
)
def test_repository_urls_in_their_web_git_and_scp_forms(given: str, base: str) -> None:
    repo = parse_repository(given)
    assert repo is not None
    assert repo.base == base


@pytest.mark.parametrize(
    "given",
    [
        None,
        "",
        "https://example.com/acme/pay",  # unknown host: no guess
        "https://bitbucket.acme.example/projects/P/repos/pay",  # Bitbucket Server: other shape
        "https://dev.azure.com/acme/pay/_git/pay",
        "https://github.com/acme",  # an owner, not a repository
        "https://github.com/",
        "ftp://github.com/acme/pay",
        "javascript:alert(1)//github.com/a/b",
        "aws:123456789012",  # a cloud account's key
        "https://github.com/acme/pay\nx",
    ],
)
def test_no_repository_where_no_link_can_be_right(given: str | None) -> None:
    assert parse_repository(given) is None
    assert code_url(given, ref="main", path="main.tf", start_line=1) is None


def test_a_branch_when_no_commit_and_no_link_without_either() -> None:
    assert pick_ref(commit=None, import_commit=None, default_branch="main") == "main"
    assert pick_ref(commit=None, import_commit=SHA, default_branch="main") == SHA
    assert pick_ref(commit="abc1234", import_commit=SHA, default_branch="main") == "abc1234"
    # not commits: a message, gitleaks --no-git's zeros, a short id
    assert pick_ref(commit="Fix it", import_commit="0" * 40, default_branch=" dev ") == "dev"
    assert pick_ref(commit="abc12", import_commit=None, default_branch=None) is None
    assert code_url("https://github.com/a/b", ref=None, path="x.py", start_line=1) is None
    url = code_url("https://github.com/a/b", ref="release/2.x", path="x.py", start_line=4)
    assert url == "https://github.com/a/b/blob/release/2.x/x.py#L4"
    assert is_commit(SHA)
    assert is_commit("a" * 64)
    assert not is_commit("g" * 40)


def test_bitbucket_cannot_show_a_branch_with_a_slash_but_can_its_commit() -> None:
    repo = "https://bitbucket.org/acme/pay"
    assert code_url(repo, ref="feature/x", path="a.py", start_line=1) is None
    assert code_url(repo, ref="develop", path="a.py", start_line=1) == (
        "https://bitbucket.org/acme/pay/src/develop/a.py#lines-1"
    )


@pytest.mark.parametrize(
    ("path", "repo_path"),
    [
        ("infra/main.tf", "infra/main.tf"),
        ("/infra/main.tf", "infra/main.tf"),
        ("./infra/./main.tf", "infra/main.tf"),
        ("infra\\modules\\vpc.tf", "infra/modules/vpc.tf"),
        ("C:\\work\\pay\\main.tf", "work/pay/main.tf"),  # not a known checkout: kept
        ("file:///infra/main.tf", "infra/main.tf"),
        # CI checkouts, cut only where the repository's own name says so
        ("/github/workspace/infra/main.tf", "infra/main.tf"),
        ("github/workspace/infra/main.tf", "infra/main.tf"),
        ("/home/runner/work/pay/pay/infra/main.tf", "infra/main.tf"),
        ("/Users/runner/work/pay/pay/infra/main.tf", "infra/main.tf"),
        ("D:\\a\\pay\\pay\\infra\\main.tf", "infra/main.tf"),
        ("/opt/actions-runner/_work/pay/pay/infra/main.tf", "infra/main.tf"),
        ("/home/runner/work/other/other/x.tf", "home/runner/work/other/other/x.tf"),
        ("/builds/acme/pay/infra/main.tf", "infra/main.tf"),
        ("/builds/x1y2z3/0/acme/pay/infra/main.tf", "infra/main.tf"),
        ("/builds/acme/other/infra/main.tf", "builds/acme/other/infra/main.tf"),
        ("/opt/atlassian/pipelines/agent/build/infra/main.tf", "infra/main.tf"),
        ("/home/ravi/src/pay/infra/main.tf", "home/ravi/src/pay/infra/main.tf"),
    ],
)  # fmt: skip
def test_paths_lose_scanner_and_ci_checkout_prefixes_only_where_safe(
    path: str, repo_path: str
) -> None:
    repo = parse_repository("https://github.com/acme/pay")
    assert repo is not None
    assert repository_path(path, repo) == repo_path


def test_odd_paths_are_escaped_or_give_no_link() -> None:
    repo = "https://github.com/acme/pay"
    assert code_url(repo, ref="main", path="docs/a b#1?.md", start_line=2) == (
        "https://github.com/acme/pay/blob/main/docs/a%20b%231%3F.md#L2"
    )
    assert code_url(repo, ref="main", path="../etc/passwd", start_line=1) is None
    assert code_url(repo, ref="main", path="", start_line=1) is None
    assert code_url(repo, ref="main", path=None, start_line=1) is None
    assert code_url(repo, ref="main", path="/github/workspace", start_line=1) == (
        "https://github.com/acme/pay/blob/main/github/workspace#L1"
    )
    # a GitLab group path must follow builds/ entirely
    gitlab = parse_repository("https://gitlab.com/acme/platform/pay")
    assert gitlab is not None
    assert repository_path("/builds/acme/platform/pay/main.tf", gitlab) == "main.tf"
    assert repository_path("/builds/acme/pay/main.tf", gitlab) == "builds/acme/pay/main.tf"
