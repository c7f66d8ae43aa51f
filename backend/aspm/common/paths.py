"""Path normalization: repo-relative, forward slashes, no drive letters or leading './' or '/'."""

import re

_DRIVE = re.compile(r"^[A-Za-z]:/")
_URI_SCHEME = re.compile(r"^file://(localhost)?", re.IGNORECASE)


def _already_normal(path: str) -> bool:
    """Relative, forward slashes, no empty or "." segments, no drive or scheme: nothing to do."""
    return (
        path[0] not in "./ \t\n\r\x0b\x0c"
        and path[-1] not in "/ \t\n\r\x0b\x0c"
        and "\\" not in path
        and "//" not in path
        and "/./" not in path
        and not path.endswith("/.")
        and ":" not in path
    )


def normalize_path(path: str | None) -> str:
    """Turn a path as a scanner printed it into the form identities use.

    `C:\\work\\repo\\main.tf`, `/main.tf`, `./main.tf` and `file:///main.tf` all lose their
    platform-specific prefix; separators become `/`; `.` segments and duplicate slashes vanish.
    Absolute paths stay as their trailing part: the pipeline cannot know the scan root, so
    cross-tool matching compares path suffixes (see findings.fingerprint).
    """
    if not path:
        return ""
    if _already_normal(path):
        return path
    p = _URI_SCHEME.sub("", path.strip()).replace("\\", "/")
    if p.startswith("/") and _DRIVE.match(p[1:]):
        p = p[1:]
    p = _DRIVE.sub("", p)
    parts = [seg for seg in p.split("/") if seg not in ("", ".")]
    return "/".join(parts)
