"""Links from a detection to its lines in the repository's web view. Pure string work: no
database, no network.

Repository URLs, as an asset's `repository_url` (or its key, when that is a repository URL) gives
them: `https://host/owner/repo`, with or without `.git`, a trailing `/` or a user
(`https://user@bitbucket.org/w/r.git`), `ssh://git@host[:port]/owner/repo.git` and the scp form
`git@host:owner/repo.git`. A web page below the repository (`.../tree/main`, GitLab's `/-/...`) is
cut back to the repository.

Providers, by host:
- GitHub: github.com, and a host holding "github" (GitHub Enterprise Server has the same shapes):
  `https://github.com/o/r/blob/<ref>/<path>#L10-L12`
- GitLab: gitlab.com, and a host holding "gitlab" (self-managed), any group depth:
  `https://gitlab.com/g/sub/p/-/blob/<ref>/<path>#L10-12`
- Bitbucket Cloud: bitbucket.org only: `https://bitbucket.org/w/r/src/<ref>/<path>#lines-10:12`.
  Bitbucket does not support a branch name with `/` in this URL, so such a branch gives no link
  (a commit still does).
Any other host (Bitbucket Server/Data Center, Azure DevOps, Gitea, ...) gives no link rather than
a guessed one. A link is always https, except a repository given as plain http stays http.

The ref (`pick_ref`): the detection's own commit (a secret scanner names the commit it found the
secret in), else the commit of the import that last wrote the detection (its lines are the lines
of that commit: SARIF versionControlProvenance revisionId), else the asset's default branch. No
ref: no link (nothing guesses `main`). A commit is 7-64 hex digits, not all zeros (gitleaks
--no-git writes zeros).

Paths (`repository_path`): detections store paths as scanners print them, normalized (aspm.common.
paths: no leading `/` or `./`, forward slashes). For a link, only prefixes that are certainly the
CI checkout directory, never part of the repository, are cut:
- `github/workspace/` (GitHub Actions' container actions),
- `home/runner/work/<repo>/<repo>/`, `Users/runner/work/<repo>/<repo>/`, `a/<repo>/<repo>/`
  (GitHub-hosted Linux, macOS and Windows `D:\\a\\` runners) and `<dir>/_work/<repo>/<repo>/`
  (self-hosted runners): only when <repo>, twice, is the repository's own name,
- `builds/[<runner dirs>/]<group>/<project>/` (GitLab CI): only when what follows `builds/`
  ends in the repository's own path,
- `opt/atlassian/pipelines/agent/build/` (Bitbucket Pipelines' clone directory).
Any other absolute path is linked as it is (its start cannot be told from a repository folder).
A path with a `..` segment gives no link.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

GITHUB = "github"
GITLAB = "gitlab"
BITBUCKET = "bitbucket"

_COMMIT = re.compile(r"^[0-9a-fA-F]{7,64}$")
_SCP = re.compile(r"^(?:[\w.+-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>[^\s]+)$")
_DRIVE = re.compile(r"^[A-Za-z]:/")
_URL_SAFE_PATH = "/-._~!$&'()*+,;=:@"


@dataclass(frozen=True, slots=True)
class Repository:
    provider: str  # GITHUB | GITLAB | BITBUCKET
    base: str  # https://github.com/o/r: the repository's web page
    segments: tuple[str, ...]  # ("o", "r"), ("g", "sub", "p")

    @property
    def name(self) -> str:
        return self.segments[-1]


def is_commit(value: str | None) -> bool:
    """Whether `value` names a commit: 7-64 hex digits, not all zeros."""
    return bool(value and _COMMIT.match(value) and value.strip("0"))


def _provider(host: str) -> str | None:
    host = host.lower()
    if host == "bitbucket.org" or host == "www.bitbucket.org":
        return BITBUCKET
    if "gitlab" in host:
        return GITLAB
    if "github" in host:
        return GITHUB
    return None


def parse_repository(url: str | None) -> Repository | None:
    """The repository a URL names, on a provider links can be built for; None otherwise."""
    if not url:
        return None
    url = url.strip()
    if not url or any(c.isspace() or not c.isprintable() for c in url):
        return None
    scheme = "https"
    scp = None if "://" in url else _SCP.match(url)
    if scp is not None:
        host, path = scp["host"], scp["path"]
    else:
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            return None
        if parts.scheme not in ("http", "https", "ssh", "git"):
            return None
        if parts.scheme == "http":
            scheme = "http"
        path = parts.path
        # a port only stays for a web URL (an ssh port is not the web server's)
        if parts.scheme in ("http", "https") and parts.port:
            host = f"{host}:{parts.port}"
    provider = _provider(host.split(":")[0]) if host else None
    if provider is None:
        return None
    segments = [s for s in path.split("/") if s]
    if provider == GITLAB and "-" in segments:
        segments = segments[: segments.index("-")]
    elif provider in (GITHUB, BITBUCKET):
        segments = segments[:2]
    if segments:
        segments[-1] = segments[-1].removesuffix(".git")
    if len(segments) < 2 or any(s in (".", "..") or not s for s in segments):
        return None
    base = f"{scheme}://{host.lower()}/" + "/".join(quote(s, safe="") for s in segments)
    return Repository(provider, base, tuple(segments))


def repository_path(path: str | None, repo: Repository) -> str | None:
    """`path` relative to the repository root (the rule in the module docstring); None when it
    cannot be one."""
    if not path:
        return None
    p = path.strip().replace("\\", "/")
    if p.startswith("file://"):
        p = p[len("file://") :]
    p = _DRIVE.sub("", p)
    parts = [s for s in p.split("/") if s not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(_strip_checkout(parts, repo)) or None


def _strip_checkout(parts: list[str], repo: Repository) -> list[str]:
    name = repo.name.lower()
    lower = [s.lower() for s in parts]

    def twice_at(i: int) -> bool:  # <repo>/<repo>/ at parts[i:], and something after it
        return len(parts) > i + 2 and lower[i] == name and lower[i + 1] == name

    if lower[:2] == ["github", "workspace"] and len(parts) > 2:
        return parts[2:]
    for runner in (["home", "runner", "work"], ["users", "runner", "work"], ["a"]):
        if lower[: len(runner)] == runner and twice_at(len(runner)):
            return parts[len(runner) + 2 :]
    if "_work" in lower:
        i = lower.index("_work") + 1
        if twice_at(i):
            return parts[i + 2 :]
    if lower[0] == "builds":
        want = [s.lower() for s in repo.segments]
        for i in range(1, len(parts) - len(want)):
            if lower[i : i + len(want)] == want:
                return parts[i + len(want) :]
    bitbucket = ["opt", "atlassian", "pipelines", "agent", "build"]
    if lower[: len(bitbucket)] == bitbucket and len(parts) > len(bitbucket):
        return parts[len(bitbucket) :]
    return parts


def pick_ref(
    *, commit: str | None, import_commit: str | None, default_branch: str | None
) -> str | None:
    """The detection's own commit, else its import's commit, else the default branch."""
    for candidate in (commit, import_commit):
        if is_commit(candidate):
            return candidate
    branch = (default_branch or "").strip()
    return branch or None


def _anchor(provider: str, start: int | None, end: int | None) -> str:
    if start is None or start < 1:
        return ""
    if end is None or end <= start:
        return f"#lines-{start}" if provider == BITBUCKET else f"#L{start}"
    if provider == GITHUB:
        return f"#L{start}-L{end}"
    if provider == GITLAB:
        return f"#L{start}-{end}"
    return f"#lines-{start}:{end}"


def code_url(
    repository_url: str | None,
    *,
    ref: str | None,
    path: str | None,
    start_line: int | None = None,
    end_line: int | None = None,
) -> str | None:
    """The web page of `path` at `ref` in the repository, at the detection's lines; None when
    the repository is not on a known provider, or there is no ref or usable path."""
    repo = parse_repository(repository_url)
    if repo is None or not ref:
        return None
    rel = repository_path(path, repo)
    if rel is None:
        return None
    if repo.provider == BITBUCKET and "/" in ref and not is_commit(ref):
        return None
    where = f"{quote(ref, safe='/')}/{quote(rel, safe=_URL_SAFE_PATH)}"
    view = {GITHUB: "blob", GITLAB: "-/blob", BITBUCKET: "src"}[repo.provider]
    return f"{repo.base}/{view}/{where}{_anchor(repo.provider, start_line, end_line)}"
