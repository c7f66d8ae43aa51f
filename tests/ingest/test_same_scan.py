"""One scan written in two formats lands on the same detections (DESIGN §4).

Checkov JSON vs Checkov SARIF, and tfsec JSON vs tfsec SARIF (driver "defsec"), on corpus pairs
that the MANIFEST says come from the same scan. Reads ../shared/corpus in place; skips only when
the corpus is absent and CI is not set.
"""

import os
from collections import Counter
from pathlib import Path

import pytest

from aspm.common.paths import normalize_path
from aspm.findings.fingerprint import detection_fingerprint
from aspm.ingest.contract import RawFinding
from tests.ingest.harness import CORPUS, SAMPLES, parse_file

if not CORPUS.is_dir() and os.environ.get("CI"):
    raise RuntimeError(f"corpus not found at {CORPUS}; CI must run the corpus tests")
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")

CHECKOV_PAIR = (
    "checkov/ecognity-checkov-3.2.495-terraform-with-url.json",
    "checkov-sarif/ecognity-checkov-3.2.495.sarif",
)
TFSEC_PAIR = ("tfsec/aurelien-tfsec-1.x-aws.json", "tfsec-sarif/aurelien-tfsec-aws.sarif")


def identity(f: RawFinding) -> tuple[str, str, str, str, str]:
    """The identity inputs: (tool, rule_id, normalized path, resource, tool_fingerprint)."""
    return (
        f.tool,
        f.rule_id,
        normalize_path(f.location.path),
        f.location.resource or "",
        f.tool_fingerprint or "",
    )


def detections(findings: list[RawFinding]) -> Counter[str]:
    """The pipeline's detection fingerprints, for one asset."""
    return Counter(
        detection_fingerprint(
            f, asset_key="repo:example", path=normalize_path(f.location.path), secret_hash=None
        )
        for f in findings
    )


def _pair(json_report: Path, sarif_report: Path) -> tuple[list[RawFinding], list[RawFinding]]:
    from_json = parse_file(json_report)
    from_sarif = parse_file(sarif_report)
    assert (from_json.format, from_sarif.format) == (json_report.parent.name, "sarif")
    assert from_json.findings
    assert len(from_json.findings) == len(from_sarif.findings)
    return from_json.findings, from_sarif.findings


@needs_corpus
def test_checkov_json_and_sarif_of_one_scan_give_identical_identities() -> None:
    from_json, from_sarif = _pair(CORPUS / CHECKOV_PAIR[0], CORPUS / CHECKOV_PAIR[1])
    assert Counter(map(identity, from_json)) == Counter(map(identity, from_sarif))
    assert all(f.location.resource for f in from_json + from_sarif)
    assert detections(from_json) == detections(from_sarif)


@needs_corpus
def test_tfsec_json_and_sarif_of_one_scan_give_identical_detections() -> None:
    from_json, from_sarif = _pair(CORPUS / TFSEC_PAIR[0], CORPUS / TFSEC_PAIR[1])
    # JSON paths are absolute and SARIF's scan-relative, and SARIF has no resource: the shared
    # tool_fingerprint (rule | scan-relative path | ordinal) is what both identities rest on
    key = ("tool", "rule_id", "tool_fingerprint")
    assert Counter(tuple(getattr(f, k) for k in key) for f in from_json) == Counter(
        tuple(getattr(f, k) for k in key) for f in from_sarif
    )
    assert len({f.tool_fingerprint for f in from_json}) == len(from_json)
    assert detections(from_json) == detections(from_sarif)


def test_tfsec_samples_of_one_scan_give_identical_detections() -> None:
    """The same check on the samples (many.json and tfsec.sarif share their first three results)."""
    from_json = parse_file(SAMPLES / "tfsec" / "many.json").findings
    from_sarif = parse_file(SAMPLES / "sarif" / "tfsec.sarif").findings
    shared = {f.tool_fingerprint for f in from_sarif}
    assert detections([f for f in from_json if f.tool_fingerprint in shared]) == detections(
        from_sarif
    )


@needs_corpus
def test_checkov_sarif_names_the_block_of_every_result_even_after_the_first_of_a_check() -> None:
    findings = parse_file(CORPUS / "checkov-sarif/aurelien-checkov-3.2.510.sarif").findings
    assert all(f.location.resource for f in findings)
    # two instances of one module are one code block, hence one detection; nothing else merges
    code_locations = {(f.rule_id, f.location.path, f.location.start_line) for f in findings}
    assert len({f.tool_fingerprint for f in findings}) == len(code_locations) == 21
