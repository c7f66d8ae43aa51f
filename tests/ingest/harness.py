"""Report detection and parsing only (no database), for the golden and corpus tests."""

import dataclasses
import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aspm.ingest.contract import ParseContext, RawFinding
from aspm.ingest.reading import open_report, parse_all

SAMPLES = Path(__file__).parent / "samples"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


@dataclass
class Parsed:
    format: str
    findings: list[RawFinding]
    ctx: ParseContext
    warnings: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.findings) + self.ctx.passed + self.ctx.skipped + self.ctx.manual


def parse_file(path: Path, format_name: str | None = None) -> Parsed:
    warnings: list[str] = []
    ctx = ParseContext(warn=warnings.append)
    with path.open("rb") as raw:
        opened = open_report(raw, path.name, format_name)
        findings = list(parse_all(opened, ctx, path.name))
    return Parsed(opened.ingestor.name, findings, ctx, warnings)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(parsed: Parsed) -> dict[str, Any]:
    return {
        "format": parsed.format,
        "tool_name": parsed.ctx.tool_name,
        "tool_version": parsed.ctx.tool_version,
        "passed": parsed.ctx.passed,
        "skipped": parsed.ctx.skipped,
        # neither passed nor failed (Prowler MANUAL; added later: other goldens stay valid)
        **({"manual": parsed.ctx.manual} if parsed.ctx.manual else {}),
        "warnings": parsed.warnings,
        "findings": [_finding(f) for f in parsed.findings],
        # inventory readers only (added later: goldens of finding-only formats stay valid)
        **(
            {
                "resources": [_plain(dataclasses.asdict(r)) for r in parsed.ctx.resources],
                "inventory_complete": parsed.ctx.inventory_complete,
            }
            if parsed.ctx.resources
            else {}
        ),
    }


def _finding(finding: RawFinding) -> dict[str, Any]:
    data: dict[str, Any] = _plain(dataclasses.asdict(finding))
    if data.get("triage_hint") is None:  # added later: goldens written before it stay valid
        data.pop("triage_hint", None)
    if not data.get("context"):  # added later: older goldens stay valid
        data.pop("context", None)
    if not data.get("secret_is_digest"):  # added later: older goldens stay valid
        data.pop("secret_is_digest", None)
    if data["location"].get("commit") is None:  # added later: older goldens stay valid
        data["location"].pop("commit", None)
    return data


def sample_files() -> Iterator[Path]:
    for path in sorted(SAMPLES.glob("*/*")):
        if path.is_file() and not path.name.endswith(".expected.json"):
            yield path


def golden_path(sample: Path) -> Path:
    return sample.with_name(sample.name.split(".")[0] + ".expected.json")


def dump_golden(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


_ROW = re.compile(r"^\| (?P<path>[^|]+?) \|(?P<cells>.*)\|\s*$")


def manifest_counts() -> dict[str, int | None]:
    """path -> findings count from the corpus MANIFEST (None for files marked malformed)."""
    counts: dict[str, int | None] = {}
    for line in (CORPUS / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if not m or "/" not in m["path"] or m["path"] == "path":
            continue
        cells = [c.strip() for c in m["cells"].split("|")]
        # columns after path: tool, source repo, source path, commit, license, bytes, findings
        raw = cells[6]
        counts[m["path"].strip()] = int(raw) if raw.isdigit() else None
    return counts
