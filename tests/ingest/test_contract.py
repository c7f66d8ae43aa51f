"""Every sample under samples/<format>/ parses to exactly its golden file."""

import json
from pathlib import Path

import pytest

from aspm.errors import IngestError
from aspm.ingest.registry import FORMATS
from tests.ingest.harness import (
    SAMPLES,
    dump_golden,
    golden_path,
    parse_file,
    sample_files,
    snapshot,
)


@pytest.mark.parametrize("sample", list(sample_files()), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_matches_golden(sample: Path, request: pytest.FixtureRequest) -> None:
    data = snapshot(parse_file(sample, format_name=sample.parent.name))
    golden = golden_path(sample)
    if request.config.getoption("--update-golden"):
        dump_golden(golden, data)
    assert golden.exists(), f"{golden} missing: run pytest --update-golden and review it"
    assert data == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("sample", list(sample_files()), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_is_detected_from_content(sample: Path) -> None:
    if sample.name.startswith("undetectable"):  # exists to show that --format is needed
        with pytest.raises(IngestError, match="--format"):
            parse_file(sample)
        return
    assert parse_file(sample).format == sample.parent.name


@pytest.mark.parametrize("name", [f.name for f in FORMATS])
def test_every_ingestor_has_empty_and_one_samples(name: str) -> None:
    # a tool that writes an empty file when it finds nothing has an "undetectable-empty" sample
    stems = {p.name.split(".")[0].removeprefix("undetectable-") for p in (SAMPLES / name).glob("*")}
    assert {"empty", "one"} <= stems
