"""Every corpus report of a supported format ingests with the MANIFEST's record count.

Reads ../shared/corpus in place. Skips only when the corpus is absent and CI is not set.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from aspm.errors import IngestError, MalformedReport
from tests.ingest.harness import CORPUS, Parsed, manifest_counts, parse_file

# corpus folder -> the format name that must detect it
CORPUS_FORMATS: dict[str, str] = {
    "sarif": "sarif",
    "checkov-sarif": "sarif",
    "tfsec-sarif": "sarif",
    "checkov": "checkov",
    "tfsec": "tfsec",
    "gitleaks": "gitleaks",
    "trufflehog": "trufflehog",
    "prowler-ocsf": "prowler-ocsf",
    "asff": "asff",
    "trufflehog3": "trufflehog3",
    "detect-secrets": "detect-secrets",
    "prowler-v2": "prowler-v2",
    "prowler-v3": "prowler-v3",
    "prowler-csv": "prowler-csv",
    "scoutsuite": "scoutsuite",
    "trivy": "trivy",
    "kics": "kics",
    "terrascan": "terrascan",
    "terraform-plan": "terraform-plan",
    "terraform-state": "terraform-state",
    "driftctl": "driftctl",
}

# files in those folders that are another format's business (rejected with a clear message today)
REJECTED: dict[str, str] = {
    # SARIF 1.0.0 (runs[].tool.name, no driver); a later issue parses SARIF 1.0 and 2.0 pre-releases
    "sarif/pylint-sarif-v1.0.0-sarif-sdk.sarif": r"SARIF version 1\.0\.0 is not supported",
}

# single files whose format differs from their folder's (consulted before CORPUS_FORMATS)
FILE_FORMATS: dict[str, str] = {
    "trufflehog/defectdojo-trufflehog-v2-legacy.jsonl": "trufflehog-v2",
    # driftctl's `--output plan://` is plan-shaped (MANIFEST: counted by resource_changes)
    "driftctl/driftctl-output-plan.json": "terraform-plan",
    "driftctl/driftctl-output-plan-empty.json": "terraform-plan",
}


def _extra(key: str) -> Callable[[Parsed], int]:
    return lambda parsed: int(parsed.ctx.extra[key])


def _state_resources(parsed: Parsed) -> int:
    # the MANIFEST counts every resource of the state, data sources included; the inventory
    # holds the managed ones and the reader counts the data sources it passed over
    return len(parsed.ctx.resources) + int(parsed.ctx.extra.get("data_sources", "0"))


def _drift_existence(parsed: Parsed) -> int:
    # MANIFEST: drift findings = unmanaged + missing (deep-mode differences come on top)
    return sum(f.rule_id in ("drift-unmanaged", "drift-deleted") for f in parsed.findings)


# folders whose MANIFEST count is not records (findings + passed + skipped) but something the
# parse shows, counted per detected format: ScoutSuite's MANIFEST counts flagged rules, while the
# ingestor yields one finding per flagged item (issue 3); plans count resource_changes, states
# resources, driftctl scans unmanaged + missing (issue 13)
COUNT_KEYS: dict[str, Callable[[Parsed], int]] = {
    "scoutsuite": _extra("flagged_rules"),
    "terraform-plan": _extra("resource_changes"),
    "terraform-state": _state_resources,
    "driftctl": _drift_existence,
}

if not CORPUS.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"corpus not found at {CORPUS}; CI must run the corpus tests")
    pytestmark = pytest.mark.skip(reason="../shared/corpus is absent")
    CASES: list[tuple[str, int | None]] = []
else:
    _counts = manifest_counts()
    CASES = sorted(
        (path, count) for path, count in _counts.items() if path.split("/")[0] in CORPUS_FORMATS
    )


@pytest.mark.corpus
@pytest.mark.parametrize(("rel", "count"), CASES, ids=[c[0] for c in CASES])
def test_corpus_report_parses_with_manifest_count(rel: str, count: int | None) -> None:
    path = CORPUS / rel
    if count is None:
        with pytest.raises(MalformedReport, match=path.name):
            parse_file(path)
        return
    if rel in REJECTED:
        with pytest.raises(IngestError, match=REJECTED[rel]):
            parse_file(path)
        return
    parsed = parse_file(path)
    folder = rel.split("/")[0]
    assert parsed.format == FILE_FORMATS.get(rel, CORPUS_FORMATS[folder])
    if folder in COUNT_KEYS:
        assert COUNT_KEYS[parsed.format](parsed) == count, parsed.warnings
        return
    assert parsed.records == count, parsed.warnings


def test_corpus_manifest_lists_every_file_of_supported_formats() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    listed = {rel for rel, _ in CASES}
    on_disk = {
        str(p.relative_to(CORPUS))
        for folder in CORPUS_FORMATS
        for p in Path(CORPUS / folder).glob("*")
        if p.is_file()
    }
    assert on_disk <= listed
