"""Secret-scanner corpus reports: every finding carries its secret, and only where it may be.

For every gitleaks, TruffleHog (v2 and v3) and trufflehog3 report of the corpus, each RawFinding
must have a non-empty `secret`, and the secret value may appear only in `secret` and the fields the
pipeline redacts (`title`, `description`, `location.snippet`). Any other field (rule id, path,
resource, asset key, references, tool fingerprint, remediation, ...) would carry the secret past the
redaction. detect-secrets baselines hold only an unsalted SHA-1 of each secret: that hash is their
`secret` (so the pipeline stores only its keyed HMAC), under the same rule.
"""

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from aspm.ingest.contract import RawFinding
from tests.ingest.harness import CORPUS, parse_file
from tests.ingest.test_corpus import REJECTED

SECRET_FOLDERS = ("gitleaks", "trufflehog", "trufflehog3", "detect-secrets")
HASH_ONLY_FOLDERS = frozenset({"detect-secrets"})
REDACTED_FIELDS = frozenset({"secret", "title", "description", "location.snippet"})


def _reports() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        path
        for folder in SECRET_FOLDERS
        for path in (CORPUS / folder).glob("*")
        if path.is_file() and str(path.relative_to(CORPUS)) not in REJECTED
    )


def _fields(value: object, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted field name, text) for every string inside a dataclass, tuples included."""
    if isinstance(value, str):
        yield prefix, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            name = f"{prefix}.{field.name}" if prefix else field.name
            yield from _fields(getattr(value, field.name), name)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _fields(item, prefix)


REPORTS = _reports()


@pytest.mark.corpus
@pytest.mark.skipif(not REPORTS, reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", REPORTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_secret_is_set_and_only_in_redacted_fields(path: Path) -> None:
    findings: list[RawFinding] = parse_file(path).findings
    for number, finding in enumerate(findings, start=1):
        assert finding.secret, f"finding {number} has no secret"
        if path.parent.name in HASH_ONLY_FOLDERS:
            assert finding.tool_fingerprint is None, f"finding {number}: the hash is its identity"
        leaks = [
            name
            for name, text in _fields(finding)
            if name not in REDACTED_FIELDS and finding.secret in text
        ]
        assert not leaks, f"finding {number}: the secret appears in {leaks}"


def test_field_walk_sees_nested_location_fields() -> None:
    from aspm.common.severity import Severity
    from aspm.ingest.contract import Location

    finding = RawFinding(
        tool="t",
        rule_id="r",
        title="x",
        severity=Severity.HIGH,
        location=Location(path="p", snippet="s"),
        references=("u1", "u2"),
    )
    names = {name for name, _ in _fields(finding)}
    assert {"location.path", "location.snippet", "references", "rule_id"} <= names
