"""ScoutSuite results: one finding per flagged item, counts, and files that cannot be read."""

from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import CORPUS, SAMPLES, parse_file

LARGE = CORPUS / "scoutsuite" / "defectdojo-scoutsuite-aws-large.js"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scoutsuite_results_aws-123.js"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_finding_per_flagged_item_and_rule_counts() -> None:
    parsed = parse_file(SAMPLES / "scoutsuite" / "many.js")
    assert len(parsed.findings) == 6
    assert parsed.ctx.extra == {"flagged_rules": "5", "flagged_items": "6"}
    assert parsed.ctx.passed == 1  # the rule without flagged items
    assert len({f.tool_fingerprint for f in parsed.findings}) == 6
    assert parsed.ctx.tools == {"scoutsuite"}


def test_findings_before_the_account_get_it_at_the_end() -> None:
    (finding,) = parse_file(SAMPLES / "scoutsuite" / "services-first.js").findings
    assert finding.asset_key == "aws:123456789012"
    assert finding.location.account_id == "123456789012"


@pytest.mark.corpus
@pytest.mark.skipif(not LARGE.is_file(), reason="../shared/corpus is absent")
def test_large_report_yields_every_flagged_item_once() -> None:
    parsed = parse_file(LARGE)
    assert len(parsed.findings) + parsed.ctx.skipped == int(parsed.ctx.extra["flagged_items"])
    assert len({f.tool_fingerprint for f in parsed.findings}) == len(parsed.findings)
    assert all(f.asset_key == "aws:430150006394" for f in parsed.findings)
    assert sum(1 for f in parsed.findings if (f.location.resource or "").startswith("arn:")) > 100


def test_missing_prefix_is_malformed(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"services": {}}')
    with pytest.raises(MalformedReport, match="does not start with"):
        parse_file(path, format_name="scoutsuite")


def test_truncated_results_are_malformed(tmp_path: Path) -> None:
    text = (SAMPLES / "scoutsuite" / "many.js").read_text(encoding="utf-8")
    with pytest.raises(MalformedReport, match="invalid ScoutSuite results JSON"):
        parse_file(_write(tmp_path, text[: len(text) // 2]))


def test_array_after_the_prefix_is_malformed(tmp_path: Path) -> None:
    with pytest.raises(MalformedReport, match="found an array"):
        parse_file(_write(tmp_path, "scoutsuite_results =\n[]\n"))


def test_results_without_services_are_malformed(tmp_path: Path) -> None:
    with pytest.raises(MalformedReport, match='no "services"'):
        parse_file(_write(tmp_path, 'scoutsuite_results =\n{"account_id": "1"}\n'))
