"""truffleHog 2.x JSON lines: extra matched strings and diffs never leave the ingestor."""

import dataclasses
import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import CORPUS, SAMPLES, parse_file

V2_CORPUS = CORPUS / "trufflehog" / "defectdojo-trufflehog-v2-legacy.jsonl"
DIFF_MARKER = "only-in-the-diff-0000000000000000"


def _fields(value: object, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(prefix, value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = []
        for field in dataclasses.fields(value):
            name = f"{prefix}.{field.name}" if prefix else field.name
            out.extend(_fields(getattr(value, field.name), name))
        return out
    if isinstance(value, tuple | list):
        return [pair for item in value for pair in _fields(item, prefix)]
    return []


def _strings_found(path: Path) -> set[str]:
    found: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            found.update(s for s in json.loads(line).get("stringsFound", []) if s.strip())
    return found


def _assert_only_own_secret_is_emitted(path: Path) -> None:
    every_string = _strings_found(path)
    for number, finding in enumerate(parse_file(path).findings, start=1):
        others = every_string - {finding.secret}
        for name, text in _fields(finding):
            if name == "secret":
                continue
            leaked = [s[:6] for s in others if s in text]
            assert not leaked, f"finding {number}: other matched strings in {name}: {leaked}"


def test_sample_emits_only_the_first_string_found() -> None:
    _assert_only_own_secret_is_emitted(SAMPLES / "trufflehog-v2" / "many.jsonl")


@pytest.mark.corpus
@pytest.mark.skipif(not V2_CORPUS.is_file(), reason="../shared/corpus is absent")
def test_corpus_file_emits_only_the_first_string_found() -> None:
    _assert_only_own_secret_is_emitted(V2_CORPUS)


def test_diff_and_print_diff_are_never_output(tmp_path: Path) -> None:
    record = {
        "branch": "origin/main",
        "commit": "Add key\n",
        "commitHash": "d" * 40,
        "date": "2020-01-01 00:00:00",
        "diff": f"@@ -0,0 +1 @@\n+key = AKIAIOSFODNN7EXAMPLE # {DIFF_MARKER}\n",
        "path": "settings.py",
        "printDiff": f"\x1b[93mAKIAIOSFODNN7EXAMPLE\x1b[0m {DIFF_MARKER}",
        "reason": "AWS API Key",
        "stringsFound": ["AKIAIOSFODNN7EXAMPLE"],
    }
    path = tmp_path / "v2.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    parsed = parse_file(path)
    assert parsed.format == "trufflehog-v2"
    (finding,) = parsed.findings
    assert finding.tool == "trufflehog"  # one family with TruffleHog v3
    assert finding.tool_fingerprint is None
    assert not any(DIFF_MARKER in text for _, text in _fields(finding))


def test_no_json_line_at_all_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "v2.jsonl"
    path.write_text("not json\nstill not json\n", encoding="utf-8")
    with pytest.raises(MalformedReport, match="no line of the file is JSON"):
        parse_file(path, format_name="trufflehog-v2")


def test_empty_file_with_format_retires_the_trufflehog_scope() -> None:
    parsed = parse_file(SAMPLES / "trufflehog-v2" / "undetectable-empty.jsonl", "trufflehog-v2")
    assert parsed.findings == []
    assert parsed.ctx.tools == {"trufflehog"}
