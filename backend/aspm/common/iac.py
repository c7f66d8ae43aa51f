"""Infrastructure-as-code addresses, shared by ingestors and the pipeline."""

import re

_MODULE_PATH = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)+")
_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")


def block_address(resource: str | None) -> str:
    """`module.a["x"].aws_s3_bucket.b[0]` -> `aws_s3_bucket.b`: the code block that declares it.

    Other resource names (a Kubernetes `Deployment.default.web`, a Dockerfile instruction) come
    back unchanged.
    """
    if not resource:
        return ""
    return _INSTANCE_KEY.sub("", _MODULE_PATH.sub("", resource))


def common_suffix_segments(a: str, b: str) -> int:
    """How many trailing path segments `a` and `b` share, when one is a suffix of the other at a
    segment boundary (`terraform/main.tf` vs `home/ci/repo/terraform/main.tf` -> 2); else 0.

    This is how two tools that scanned from different roots (or printed absolute paths) are
    recognised as naming the same file.
    """
    sa, sb = a.split("/"), b.split("/")
    shorter, longer = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if not shorter or longer[len(longer) - len(shorter) :] != shorter:
        return 0
    return len(shorter)
