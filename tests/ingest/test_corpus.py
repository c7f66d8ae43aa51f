"""Every corpus report of a supported format ingests with the MANIFEST's record count.

Reads ../shared/corpus in place. Skips only when the corpus is absent and CI is not set.
"""

import os
from pathlib import Path

import pytest

from aspm.errors import IngestError, MalformedReport
from tests.ingest.harness import CORPUS, manifest_counts, parse_file

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
}

# files in those folders that are another format's business (rejected with a clear message today)
REJECTED: dict[str, str] = {
    # SARIF 1.0.0 (runs[].tool.name, no driver); a later issue parses SARIF 1.0 and 2.0 pre-releases
    "sarif/pylint-sarif-v1.0.0-sarif-sdk.sarif": r"SARIF version 1\.0\.0 is not supported",
}

# single files whose format differs from their folder's (consulted before CORPUS_FORMATS)
FILE_FORMATS: dict[str, str] = {
    "trufflehog/defectdojo-trufflehog-v2-legacy.jsonl": "trufflehog-v2",
}

# folders whose MANIFEST count is not records (findings + passed + skipped) but a count the
# ingestor exposes in ctx.extra: ScoutSuite's MANIFEST counts flagged rules, while the ingestor
# yields one finding per flagged item (issue 3)
COUNT_KEYS: dict[str, str] = {
    "scoutsuite": "flagged_rules",
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
        assert int(parsed.ctx.extra[COUNT_KEYS[folder]]) == count, parsed.warnings
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
