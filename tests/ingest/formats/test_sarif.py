"""SARIF: unreadable files, versions, run boundaries, identity inputs (beyond the goldens)."""

import io
import json
from pathlib import Path
from typing import Any

import pytest

from aspm.common.severity import Severity
from aspm.errors import MalformedReport
from aspm.ingest.contract import ParseContext, RawFinding
from aspm.ingest.formats import _json_cursor
from aspm.ingest.formats.sarif import SarifIngestor
from tests.ingest.harness import CORPUS, SAMPLES, parse_file

SECRET = "AKIAIOSFODNN7EXAMPLE"


def _write(tmp_path: Path, doc: Any, name: str = "report.sarif") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _run(name: str, rules: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"tool": {"driver": {"name": name, "rules": rules}}, "results": results}


def _result(rule_index: int, uri: str, **extra: Any) -> dict[str, Any]:
    return {
        "ruleIndex": rule_index,
        "message": {"text": f"problem in {uri}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
        **extra,
    }


def _parse(doc: Any, tmp_path: Path) -> list[RawFinding]:
    return parse_file(_write(tmp_path, doc), format_name="sarif").findings


# --- unreadable files and versions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"runs": []}]', "a SARIF log is a JSON object; the file holds an array"),
        ('{"version": "2.1.0", "runs": {"a": 1}}', "'runs' is an object, not an array"),
        ('{"version": "2.1.0"}', "no 'runs'"),
        ('{"version": "2.1.0", "runs": [{"results": [{"ruleId": "X"', "invalid SARIF JSON"),
        ('{"version": "2.1.0", "runs": []} {}', "after the end of the JSON document"),
        ('{"version": "2.1.0", "runs": [{"results": {"x": 1}}]}', "expected '\\['"),
    ],
)
def test_unreadable_sarif_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, text), format_name="sarif")


def test_truncated_sarif_is_malformed_without_echoing_content(tmp_path: Path) -> None:
    results = [_result(0, "a.env"), _result(0, "a.env"), {**_result(0, "b.env"), "x": SECRET}]
    text = json.dumps({"version": "2.1.0", "runs": [_run("gitleaks", [], results)]})
    with pytest.raises(MalformedReport, match="invalid SARIF JSON") as exc:
        parse_file(_write(tmp_path, text[: text.index(SECRET) + 6]), format_name="sarif")
    assert SECRET[:6] not in str(exc.value)


@pytest.mark.parametrize(
    ("doc", "version"),
    [
        ({"version": "1.0.0", "runs": [{"tool": {"name": "Pylint"}, "results": []}]}, "1.0.0"),
        ({"version": "2.0.0-csd.2.beta.2019-01-24", "runs": []}, "2.0.0-csd.2.beta.2019-01-24"),
        (
            {"$schema": "http://json.schemastore.org/sarif-1.0.0", "runs": [{"results": []}]},
            "1.0.0",
        ),
        ({"runs": [], "version": "2.0.0"}, "2.0.0"),  # version after the runs
    ],
)
def test_sarif_1_and_2_0_prereleases_are_rejected_naming_the_version(
    tmp_path: Path, doc: dict[str, Any], version: str
) -> None:
    with pytest.raises(MalformedReport, match=f"SARIF version {version} is not supported"):
        parse_file(_write(tmp_path, doc), format_name="sarif")


def test_sarif_1_layout_without_a_version_is_rejected(tmp_path: Path) -> None:
    doc = {"runs": [{"tool": {"name": "Pylint", "version": "1.0"}, "results": []}]}
    with pytest.raises(MalformedReport, match=r"SARIF version 1\.0 layout .* not supported"):
        parse_file(_write(tmp_path, doc), format_name="sarif")


def test_sarif_2_1_schema_variants_are_accepted(tmp_path: Path) -> None:
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0-rtm.5.json",
        "runs": [_run("X", [{"id": "R"}], [_result(0, "a.c")])],
    }
    assert [f.rule_id for f in _parse(doc, tmp_path)] == ["R"]


# --- runs ------------------------------------------------------------------------------------


def test_each_result_gets_its_own_runs_tool_and_rules(tmp_path: Path) -> None:
    doc = {
        "version": "2.1.0",
        "runs": [
            _run(
                "Bandit",
                [{"id": "B602", "shortDescription": {"text": "shell=True"}}],
                [
                    _result(0, "a.py"),
                    _result(0, "b.py"),
                ],
            ),
            _run(
                "Trivy",
                [{"id": "CVE-2024-0001", "shortDescription": {"text": "libfoo"}}],
                [_result(0, "go.sum")],
            ),
        ],
    }
    findings = _parse(doc, tmp_path)
    assert [(f.tool, f.rule_id, f.title, f.location.path) for f in findings] == [
        ("bandit", "B602", "shell=True", "a.py"),
        ("bandit", "B602", "shell=True", "b.py"),
        ("trivy", "CVE-2024-0001", "libfoo", "go.sum"),
    ]


def test_run_boundaries_hold_at_every_chunk_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = SAMPLES / "sarif" / "two-runs.sarif"
    whole = parse_file(path).findings
    for chunk in (1, 2, 5, 17, 64):
        monkeypatch.setattr(_json_cursor, "CHUNK_SIZE", chunk)
        assert parse_file(path).findings == whole


def test_results_written_before_the_tool_are_read_with_that_tool(tmp_path: Path) -> None:
    run = {
        "results": [_result(0, "x.py")],
        "tool": {"driver": {"name": "Semgrep OSS", "rules": [{"id": "rule.one"}]}},
    }
    (finding,) = _parse({"runs": [run], "version": "2.1.0"}, tmp_path)
    assert (finding.tool, finding.rule_id) == ("semgrep", "rule.one")


def test_empty_runs_report_the_tool_families_they_speak_for(tmp_path: Path) -> None:
    doc = {"version": "2.1.0", "runs": [_run("defsec", [], []), _run("Checkov", [], [])]}
    parsed = parse_file(_write(tmp_path, doc), format_name="sarif")
    assert parsed.findings == []
    assert parsed.ctx.tools == {"tfsec", "checkov"}


# --- identity inputs -------------------------------------------------------------------------


def test_fingerprint_is_deterministic_and_names_rule_and_path(tmp_path: Path) -> None:
    prints = {"zeta": "3", "primaryLocationLineHash": "abc:1", "alpha": "1"}
    doc = {
        "version": "2.1.0",
        "runs": [
            _run(
                "CodeQL",
                [{"id": "js/xss"}],
                [
                    _result(0, "./src/a.js", partialFingerprints=prints),
                    _result(0, "src/a.js", partialFingerprints=dict(reversed(prints.items()))),
                ],
            )
        ],
    }
    first, second = _parse(doc, tmp_path)
    assert (
        first.tool_fingerprint
        == second.tool_fingerprint
        == ("js/xss|src/a.js|primaryLocationLineHash=abc:1")
    )


def test_same_line_hash_in_two_rules_or_files_does_not_collide(tmp_path: Path) -> None:
    same = {"primaryLocationLineHash": "abc:1"}
    doc = {
        "version": "2.1.0",
        "runs": [
            _run(
                "CodeQL",
                [{"id": "r1"}, {"id": "r2"}],
                [
                    _result(0, "a.py", partialFingerprints=same),
                    _result(1, "a.py", partialFingerprints=same),
                    _result(0, "b.py", partialFingerprints=same),
                ],
            )
        ],
    }
    assert len({f.tool_fingerprint for f in _parse(doc, tmp_path)}) == 3


def test_line_numbers_never_reach_the_fingerprint(tmp_path: Path) -> None:
    def report(line: int) -> dict[str, Any]:
        result = _result(0, "a.py", fingerprints={"matchBasedId/v1": "m1"})
        result["locations"][0]["physicalLocation"]["region"] = {"startLine": line}
        return {"version": "2.1.0", "runs": [_run("semgrep", [{"id": "r"}], [result])]}

    (before,) = _parse(report(10), tmp_path)
    (after,) = _parse(report(250), tmp_path)
    assert before.tool_fingerprint == after.tool_fingerprint
    assert before.location.start_line != after.location.start_line


def test_gitleaks_commit_fingerprints_are_ignored_and_the_secret_kept(tmp_path: Path) -> None:
    def report(commit: str, line: int) -> dict[str, Any]:
        result = {
            "ruleId": "aws-access-token",
            "message": {"text": f"aws-access-token has detected secret at commit {commit}."},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "deploy.sh"},
                        "region": {"startLine": line, "snippet": {"text": SECRET}},
                    }
                }
            ],
            "partialFingerprints": {"commitSha": commit, "author": "Dev"},
        }
        return {"version": "2.1.0", "runs": [_run("gitleaks", [], [result])]}

    (first,) = _parse(report("a" * 40, 3), tmp_path)
    (second,) = _parse(report("b" * 40, 9), tmp_path)
    for finding in (first, second):
        assert finding.tool_fingerprint is None
        assert finding.secret == SECRET
        assert SECRET not in finding.rule_id + (finding.location.resource or "")
    keys = ("tool", "rule_id", "secret", "title")
    assert [getattr(first, k) for k in keys] == [getattr(second, k) for k in keys]


def test_checkov_resource_comes_only_with_the_first_result_of_a_rule(tmp_path: Path) -> None:
    rule = {"id": "CKV_AWS_18", "help": {"text": "Logging\nResource: aws_s3_bucket.a"}}
    doc = {
        "version": "2.1.0",
        "runs": [
            _run(
                "Checkov",
                [rule],
                [
                    _result(0, "s3.tf"),
                    _result(0, "s3.tf"),
                ],
            )
        ],
    }
    first, second = _parse(doc, tmp_path)
    assert (first.location.resource, second.location.resource) == ("aws_s3_bucket.a", None)
    assert first.severity == "medium"  # no security-severity: "error" only means "failed"
    assert first.raw_severity is None


def test_absent_and_passing_results_are_counted_not_yielded(tmp_path: Path) -> None:
    doc = {
        "version": "2.1.0",
        "runs": [
            _run(
                "X",
                [{"id": "R"}],
                [
                    _result(0, "a.c", kind="pass"),
                    _result(0, "a.c", kind="notApplicable"),
                    _result(0, "a.c", baselineState="absent"),
                    _result(0, "a.c", baselineState="unchanged"),
                ],
            )
        ],
    }
    parsed = parse_file(_write(tmp_path, doc), format_name="sarif")
    assert (len(parsed.findings), parsed.ctx.passed) == (1, 3)


def test_unknown_level_warns_once_per_report(tmp_path: Path) -> None:
    doc = {
        "version": "2.1.0",
        "runs": [
            _run(
                "X", [{"id": "R"}], [_result(0, f"f{i}.c", level="catastrophic") for i in range(50)]
            )
        ],
    }
    parsed = parse_file(_write(tmp_path, doc), format_name="sarif")
    assert len(parsed.findings) == 50
    assert len(parsed.warnings) == 1


# --- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b'{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [',
        b'{"runs": [{"tool": {"driver": {"name": "x"}}, "results": []}], "version": "2.1.0"}',
        b'{\n  "version": "2.1.0",\n  "runs": [\n',
    ],
)
def test_sarif_is_recognised_from_its_head(head: bytes) -> None:
    assert SarifIngestor().sniff(head, "report.json")


@pytest.mark.parametrize(
    "head",
    [
        b'{"results": [{"rule_id": "AVD-AWS-0001"}]}',
        b'{"check_type": "terraform", "results": {"failed_checks": []}}',
        b'[{"RuleID": "aws-access-token"}]',
    ],
)
def test_other_json_is_not_taken_for_sarif(head: bytes) -> None:
    assert not SarifIngestor().sniff(head, "report.sarif")


# --- volume and chunking ---------------------------------------------------------------------


def test_a_large_single_run_streams_every_result() -> None:
    """10k generated results (the benchmark runs 100k and 1M; see the sarif module's notes)."""
    rules = [{"id": f"R{i}", "properties": {"security-severity": "5.0"}} for i in range(5)]
    results = ",".join(
        json.dumps(_result(i % 5, f"src/f{i % 50}.py", fingerprints={"k": f"v{i}"}))
        for i in range(10_000)
    )
    tool = json.dumps({"driver": {"name": "Bench", "rules": rules}})
    text = f'{{"version":"2.1.0","runs":[{{"tool":{tool},"results":[{results}]}}]}}'
    ctx = ParseContext(warn=lambda _: None)
    findings = SarifIngestor().parse(io.BytesIO(text.encode()), ctx)
    assert sum(1 for _ in findings) == 10_000


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("chunk", [3, 1000])
def test_corpus_sarif_reads_the_same_at_any_chunk_size(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted(CORPUS.glob("*sarif/*.sarif"))
    paths = [p for p in paths if "v1.0.0" not in p.name and p.stat().st_size < 100_000]
    whole = {p: parse_file(p, format_name="sarif").findings for p in paths}
    monkeypatch.setattr(_json_cursor, "CHUNK_SIZE", chunk)
    for path in paths:
        assert parse_file(path, format_name="sarif").findings == whole[path], path.name


# --- scores that are not scores -----------------------------------------------------------------

OFF_SCALE = (
    "1e999",
    "-1e999",
    '"1e999"',
    '"NaN"',
    '"Infinity"',
    '"-inf"',
    "11",
    "-1",
    "1" + "0" * 400,
)


def _scored(score: str, where: str) -> str:
    """A SARIF log whose one result has `security-severity` `score` (JSON text) on the result
    or on its rule, and level "note"."""
    props = {"properties": {"security-severity": "SCORE"}}
    rule = {"id": "R1", **(props if where == "rule" else {})}
    result = {**_result(0, "a.py"), "ruleId": "R1", "level": "note"}
    result.update(props if where == "result" else {})
    doc = {"version": "2.1.0", "runs": [_run("semgrep", [rule], [result])]}
    return json.dumps(doc).replace('"SCORE"', score)


@pytest.mark.parametrize("where", ["result", "rule"])
@pytest.mark.parametrize("score", OFF_SCALE)
def test_a_non_finite_or_off_scale_security_severity_is_ignored_with_a_warning(
    tmp_path: Path, score: str, where: str
) -> None:
    parsed = parse_file(_write(tmp_path, _scored(score, where)), format_name="sarif")
    (finding,) = parsed.findings
    assert finding.cvss is None
    assert finding.severity is Severity.LOW  # from level "note", as with no score at all
    assert finding.raw_severity == "note"
    assert any("security-severity" in w and "ignored" in w for w in parsed.warnings), (
        parsed.warnings
    )


@pytest.mark.parametrize("where", ["result", "rule"])
def test_a_score_on_the_scale_still_counts(tmp_path: Path, where: str) -> None:
    parsed = parse_file(_write(tmp_path, _scored('"9.8"', where)), format_name="sarif")
    (finding,) = parsed.findings
    assert (finding.cvss, finding.severity, parsed.warnings) == (9.8, Severity.CRITICAL, [])
