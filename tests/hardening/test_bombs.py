"""Depth and width bombs, one of each per format: refused (422, nothing stored) in bounded memory.

A 195 KiB Gitleaks report nesting `[` 100,000 deep once took the server to 22 GB (ijson's path
strings grow with the depth). Every format now reads through the shape guard (formats/_bounds.py).
Memory is the parse's peak resident set in a process of its own (the kernel's high-water mark,
reset before each bomb), so it counts everything a parser holds, not only Python objects.
"""

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aspm.errors import MalformedReport
from aspm.findings.models import Finding
from aspm.ingest.contract import ParseContext
from aspm.ingest.formats import _bounds
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError
from aspm.ingest.reading import open_report, parse_all
from aspm.ingest.registry import BY_NAME

DEPTH = 100_000
WIDE = 2 * _bounds.MAX_VALUE_CONTAINERS  # empty objects in one value: 6 MB of text, ~150 MB decoded
# peak resident memory one parse adds, bytes (measured: depth bombs under 1 MB; wide bombs ~21 MB,
# the decode of the first chunk before the value is found to go on; ijson took 130 MB at depth
# 5,000 and would take ~150 MB for the wide bomb)
MEMORY_LIMIT = 16 << 20
WIDE_MEMORY_LIMIT = 48 << 20
ROOT = Path(__file__).resolve().parents[2]

# each format's document with BOMB where one record (or a value inside one) goes
JSON_TEMPLATES: dict[str, str] = {
    "asff": '{"Findings": [BOMB]}',
    "checkov": '{"check_type": "terraform", "results": {"failed_checks": [BOMB]}}',
    "detect-secrets": '{"version": "1.4.0", "results": {"a.py": [BOMB]}}',
    "gitleaks": '[{"RuleID": "aws", "Secret": BOMB}]',
    "kics": '{"kics_version": "1.7.0", "queries": [BOMB]}',
    "prowler-ocsf": "[BOMB]",
    "prowler-v3": '[{"CheckID": "c", "Status": "FAIL", "ResourceDetails": BOMB}]',
    "sarif": (
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, '
        '"results": [{"ruleId": "r", "message": {"text": "m"}, "properties": BOMB}]}]}'
    ),
    "scoutsuite": 'scoutsuite_results =\n{"provider_code": "aws", "services": {"ec2": BOMB}}',
    "terraform-plan": (
        '{"format_version": "1.2", "resource_drift": [{"address": "aws_s3_bucket.a", '
        '"mode": "managed", "type": "aws_s3_bucket", "name": "a", "provider_name": "aws", '
        '"change": {"actions": ["update"], "before": {"acl": "private"}, "after": BOMB}}]}'
    ),
    "terraform-state": (
        '{"version": 4, "terraform_version": "1.5.0", "resources": [{"mode": "managed", '
        '"type": "aws_s3_bucket", "name": "a", "provider": "provider[\\"registry.terraform.io/'
        'hashicorp/aws\\"]", "instances": [{"attributes": {"bucket": "b", "tags": BOMB}}]}]}'
    ),
    "driftctl": '{"summary": {"total_resources": 1}, "unmanaged": [BOMB], "coverage": 0}',
    "terrascan": '{"results": {"violations": [BOMB]}}',
    "tfsec": '{"results": [BOMB]}',
    "trivy": (
        '{"SchemaVersion": 2, "Results": [{"Target": "x", "Class": "os-pkgs", '
        '"Vulnerabilities": [BOMB]}]}'
    ),
    "trufflehog3": '[{"rule": {"id": "r"}, "path": "a", "secret": BOMB}]',
    # JSON lines: the bomb is one line's value
    "prowler-v2": '{"Control": "c", "Status": "FAIL", "Account Number": BOMB}\n',
    "trufflehog": '{"SourceMetadata": {"Data": BOMB}, "DetectorName": "AWS"}\n',
    "trufflehog-v2": '{"reason": "r", "stringsFound": BOMB, "path": "a"}\n',
}
CSV_FORMATS = {"prowler-csv": "AUTH_METHOD;TIMESTAMP;ACCOUNT_UID;CHECK_ID;STATUS\n"}


def depth_bomb() -> str:
    return "[" * DEPTH + "]" * DEPTH


def wide_bomb() -> str:
    return "[" + "{}," * (WIDE - 1) + "{}]"


def _parse(fmt: str, data: bytes) -> Exception | None:
    """Parse `data` as `fmt`: the error it raised, or None."""
    try:
        opened = open_report(io.BytesIO(data), f"bomb.{fmt}", fmt)
        for _ in parse_all(opened, ParseContext(warn=lambda _m: None), f"bomb.{fmt}"):
            pass
    except MalformedReport as exc:
        return exc
    return None


def _status(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", text).group(1)) << 10  # type: ignore[union-attr]


def _probe(fmt: str) -> dict[str, dict[str, object]]:
    """In this process: each bomb of `fmt`, with its error and the resident memory it added."""
    out: dict[str, dict[str, object]] = {}
    bombs = {"depth": depth_bomb, "wide": wide_bomb}
    for kind, bomb in bombs.items():
        data = JSON_TEMPLATES[fmt].replace("BOMB", bomb()).encode()
        Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
        before = _status("VmRSS")
        error = _parse(fmt, data)
        out[kind] = {"error": str(error) if error else None, "peak": _status("VmHWM") - before}
    return out


@pytest.fixture(scope="module")
def probes() -> dict[str, dict[str, dict[str, object]]]:
    """Every JSON format's bombs, each format in a fresh interpreter."""
    results = {}
    for fmt in sorted(JSON_TEMPLATES):
        done = subprocess.run(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "tests.hardening.test_bombs", fmt],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        results[fmt] = json.loads(done.stdout)
    return results


def test_every_format_is_covered() -> None:
    assert set(JSON_TEMPLATES) | set(CSV_FORMATS) == set(BY_NAME)


@pytest.mark.parametrize("fmt", sorted(JSON_TEMPLATES))
def test_depth_bomb_is_refused_in_bounded_memory(
    probes: dict[str, dict[str, dict[str, object]]], fmt: str
) -> None:
    depth = probes[fmt]["depth"]
    assert "nested deeper than 128 levels" in str(depth["error"])
    assert int(str(depth["peak"])) < MEMORY_LIMIT, f"{fmt}: {int(str(depth['peak'])) >> 20} MiB"


@pytest.mark.parametrize("fmt", sorted(JSON_TEMPLATES))
def test_wide_bomb_costs_bounded_memory(
    probes: dict[str, dict[str, dict[str, object]]], fmt: str
) -> None:
    """A record with two million empty objects: refused where it would be decoded whole; where
    the reader walks past it a piece at a time (a key it does not read), memory stays flat all the
    same."""
    wide = probes[fmt]["wide"]
    if wide["error"] is not None:
        assert "objects and arrays" in str(wide["error"]), wide["error"]
    peak = int(str(wide["peak"]))
    assert peak < WIDE_MEMORY_LIMIT, f"{fmt}: {peak >> 20} MiB"


@pytest.mark.parametrize("fmt", sorted(CSV_FORMATS))
def test_csv_line_longer_than_the_bound_is_refused(fmt: str) -> None:
    row = "password;2024-01-01;123456789012;c;" + ";" * (_bounds.MAX_LINE_BYTES + 1) + "\n"
    data = (CSV_FORMATS[fmt] + row).encode()
    error = _parse(fmt, data)
    assert error is not None
    assert "line longer than" in str(error)


def test_prowler_v2_csv_line_is_bounded_too() -> None:
    header = "PROFILE,ACCOUNT_NUM,REGION,TITLE_ID,CHECK_RESULT,ITEM_SCORED\n"
    data = (header + "," * (_bounds.MAX_LINE_BYTES + 1) + "\n").encode()
    error = _parse("prowler-v2", data)
    assert error is not None
    assert "line longer than" in str(error)


def test_a_json_line_longer_than_the_bound_is_refused() -> None:
    line = '{"reason": "' + "a" * (_bounds.MAX_LINE_BYTES + 1) + '"}\n'
    error = _parse("trufflehog-v2", line.encode())
    assert error is not None
    assert "longer than" in str(error)


def test_a_value_longer_than_the_bound_is_refused_by_the_cursor() -> None:
    text = '[1, "' + "a" * (_bounds.MAX_VALUE_CHARS + 1) + '"]'
    cursor = JsonCursor(io.BytesIO(text.encode()), chunk_size=1 << 20)
    with pytest.raises(JsonStreamError, match="larger than"):
        cursor.value()


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[" * 128 + "]" * 128, False),
        ("[" * 129 + "]" * 129, True),
        ('["' + "[" * 500 + '"]', False),  # brackets inside a string do not nest
        ('["\\"' + "[" * 500 + '"]', False),  # nor after an escaped quote
        ('["\\\\"' + ", [" * 200 + "]" * 200 + "]", True),  # an escaped backslash ends it
        ('{"a": "x"}\n' * 1000, False),  # JSON lines: depth returns to zero
    ],
)
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 16])
def test_guard_counts_depth_outside_strings_across_chunks(
    text: str, deep: bool, chunk: int
) -> None:
    guard = _bounds.ShapeGuard(io.BytesIO(text.encode()), json=True)
    buffer = bytearray(chunk)

    def read_all() -> None:
        while guard.readinto(buffer):
            pass

    if deep:
        with pytest.raises(MalformedReport, match="nested deeper than 128"):
            read_all()
    else:
        read_all()


def test_guard_passes_bytes_through_unchanged(samples_bytes: Callable[[], list[bytes]]) -> None:
    for data in samples_bytes():
        out = _bounds.guard(io.BytesIO(data), data[:65536]).read()
        assert out == data


@pytest.fixture
def samples_bytes(samples: object) -> Callable[[], list[bytes]]:
    from pathlib import Path

    root = Path(str(samples))
    return lambda: [p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()]


@pytest.mark.parametrize("fmt", ["gitleaks", "sarif", "asff", "trufflehog"])
def test_bomb_over_the_api_is_422_and_stores_nothing(
    client: TestClient, session: Session, fmt: str
) -> None:
    report = JSON_TEMPLATES[fmt].replace("BOMB", depth_bomb()).encode()
    resp = client.post(
        "/api/v1/imports",
        params={"asset": "acme/bombed", "filename": "bomb.json", "format": fmt},
        content=report,
        headers={"content-type": "application/octet-stream"},
    )
    assert resp.status_code == 422, resp.text
    assert "nested deeper than" in resp.json()["detail"]
    assert session.scalar(select(func.count()).select_from(Finding)) == 0


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1])))  # noqa: T201 - read by the probes fixture


@pytest.mark.parametrize("chunk", [1, 3, 6, 1 << 16])
@pytest.mark.parametrize(
    ("text", "nul"),
    [('["a\\u0000b"]', True), ('["a\x00"]', True), ('["a\\u0001", "u0000"]', False)],
)
def test_guard_tells_whether_a_nul_can_be_in_the_strings(text: str, nul: bool, chunk: int) -> None:
    """The pipeline looks for NULs in records only once the bytes could hold one (also when the
    \\u0000 escape is cut by a chunk boundary)."""
    guard = _bounds.ShapeGuard(io.BytesIO(text.encode()), json=True)
    buffer = bytearray(chunk)
    while guard.readinto(buffer):
        pass
    assert guard.nul_seen is nul
