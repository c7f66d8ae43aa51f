"""Identity of detections (one tool, across rescans) and findings (across tools). DESIGN §4.

Pure functions. Line numbers and free-text messages never enter an identity: they churn on
trivial edits. Changing a recipe means bumping its version and migrating the stored values.

Occurrences: when a report gives nothing but the line to tell two results of one rule in one file
apart (no tool fingerprint, no resource, the same snippet or none), the pipeline keeps them apart
the way GitHub code scanning does, by their order of occurrence: the first keeps the plain stable
location, the n-th one after it at another line gets `occurrence(where, n)`. The order survives
lines moving; a new result of the same rule above the others in the same file renumbers the ones
below it (GitHub's limit too). Results at the same line with the same identity stay one detection
(a report that lists one problem twice), and so do the occurrences of one secret in one file. This
extends the version 1 recipes without changing any identity they gave: the first occurrence is
what version 1 computed, and the later ones were dropped as duplicates before. Likewise the
readers' identity refinements of issue 15 (instance keys, package, service name, method) change
only the identities of records that used to fold into another record's identity.
"""

import hashlib
import re

from aspm.ingest.contract import RawFinding

FINGERPRINT_VERSION = 1
FINDING_KEY_VERSION = 1

_SEP = "\x1f"
_WS = re.compile(r"\s+")


def _raw_digest(parts: list[str]) -> bytes:
    return hashlib.sha256(_SEP.join(parts).encode("utf-8", "surrogatepass")).digest()


def _digest(parts: list[str]) -> str:
    return _raw_digest(parts).hex()


def snippet_key(snippet: str | None) -> str:
    """Whitespace-insensitive hash of a code snippet: the last-resort stable location."""
    if not snippet:
        return ""
    return hashlib.blake2b(_WS.sub(" ", snippet).strip().encode(), digest_size=12).hexdigest()


def stable_location(raw: RawFinding, *, path: str, secret_hash: str | None) -> list[str]:
    """The tool-independent part of a detection's identity, most stable evidence first."""
    loc = raw.location
    if raw.tool_fingerprint:
        return ["tfp", raw.tool_fingerprint]
    if secret_hash:
        return ["secret", path, secret_hash]
    if loc.resource:
        cloud = [loc.account_id or "", loc.region or ""] if loc.cloud_provider else []
        return ["res", path, loc.resource, *cloud]
    return ["loc", path, snippet_key(loc.snippet)]


def occurrence(where: list[str], n: int) -> list[str]:
    """The stable location of the n-th further occurrence (n >= 1) of `where` in one report."""
    return [*where, f"#{n}"]


def detection_digest(
    raw: RawFinding,
    *,
    asset_key: str,
    path: str,
    secret_hash: str | None,
    where: list[str] | None = None,
) -> bytes:
    """One tool's identity for a detection across scans, as 32 bytes (the stored fingerprint is
    their hex form). `where`: stable_location(), if known."""
    if where is None:
        where = stable_location(raw, path=path, secret_hash=secret_hash)
    if where[0] == "tfp":
        return _raw_digest([raw.tool, asset_key, *where])
    return _raw_digest([raw.tool, asset_key, raw.rule_id, *where])


def detection_fingerprint(
    raw: RawFinding,
    *,
    asset_key: str,
    path: str,
    secret_hash: str | None,
    where: list[str] | None = None,
) -> str:
    """One tool's identity for a detection across scans. `where`: stable_location(), if known."""
    digest = detection_digest(
        raw, asset_key=asset_key, path=path, secret_hash=secret_hash, where=where
    )
    return digest.hex()


def control_for(raw: RawFinding) -> str:
    """The canonical control a rule maps to; unmapped rules stand alone as `tool:rule_id`."""
    return f"{raw.tool}:{raw.rule_id}"


def correlated_key(control_id: str, *parts: str) -> str:
    """Finding key of a mapped control on a resource: the same whichever tool reports it."""
    return _digest([control_id, *parts])


def finding_key(
    raw: RawFinding,
    *,
    control_id: str,
    path: str,
    secret_hash: str | None,
    where: list[str] | None = None,
) -> str:
    """Cross-tool identity within an asset: canonical control + resource identity."""
    if where is None:
        where = stable_location(raw, path=path, secret_hash=secret_hash)
    if where[0] == "tfp":
        where = ["tfp", raw.tool, *where[1:]]
    return _digest([control_id, *where])
