"""SARIF shapes of issue 15: a producer's own version string, a producer's own severity, and
results that only a package, a method or a line tells apart (small fixtures of our own)."""

import json
from pathlib import Path
from typing import Any

import pytest

from aspm.common.severity import Severity
from aspm.errors import MalformedReport
from tests.ingest.harness import Parsed, parse_file


def _parse(tmp_path: Path, doc: Any, name: str = "report.sarif") -> Parsed:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return parse_file(path, format_name="sarif")


def _log(
    name: str, rules: list[dict[str, Any]], results: list[dict[str, Any]], version: Any = "2.1.0"
) -> dict[str, Any]:
    return {
        "version": version,
        "runs": [{"tool": {"driver": {"name": name, "rules": rules}}, "results": results}],
    }


def _at(uri: str, line: int, **location: Any) -> list[dict[str, Any]]:
    physical = {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}
    return [{"physicalLocation": physical, **location}]


# --- 1. a producer's own version in `version` --------------------------------------------------


def test_a_2_1_0_log_with_the_producers_version_is_read_with_a_warning(tmp_path: Path) -> None:
    # early Gitleaks 8 wrote its own version into the log's `version`
    doc = _log(
        "gitleaks",
        [{"id": "aws-access-token", "shortDescription": {"text": "AWS"}}],
        [{"ruleId": "aws-access-token", "message": {"text": "x"}, "locations": _at("a.env", 3)}],
        version="v8.0.0",
    )
    parsed = _parse(tmp_path, doc)
    assert [f.rule_id for f in parsed.findings] == ["aws-access-token"]
    assert any("'v8.0.0'" in w and "read as SARIF 2.1.0" in w for w in parsed.warnings)


@pytest.mark.parametrize("version", ["1.0.0", "2.0.0", "2.0.0-csd.2.beta.2019-01-24", "0.4"])
def test_real_sarif_1_and_2_0_logs_are_still_refused(tmp_path: Path, version: str) -> None:
    doc = _log("X", [], [], version=version)  # even with a driver: those versions differ inside
    with pytest.raises(MalformedReport, match=f"SARIF version {version} is not supported"):
        _parse(tmp_path, doc)


def test_an_odd_version_without_the_2_1_0_structure_is_refused(tmp_path: Path) -> None:
    doc = {"version": "v8.0.0", "runs": [{"results": []}]}
    with pytest.raises(MalformedReport, match=r"SARIF version v8\.0\.0 is not supported"):
        _parse(tmp_path, doc)


# --- 5. the producer's severity wins over level ------------------------------------------------


def _gosec_rule(rule_id: str, severity: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "shortDescription": {"text": rule_id},
        "properties": {"tags": ["security", severity], "precision": "high"},
        "defaultConfiguration": {"level": "error"},
    }


def test_gosec_upper_case_tag_decides_not_its_harsher_level(tmp_path: Path) -> None:
    # gosec writes LOW as "warning" and MEDIUM/HIGH as "error"
    rules = [_gosec_rule("G104", "LOW"), _gosec_rule("G401", "MEDIUM"), _gosec_rule("G101", "HIGH")]
    results = [
        {"ruleId": "G104", "ruleIndex": 0, "level": "warning", "message": {"text": "a"}},
        {"ruleId": "G401", "ruleIndex": 1, "level": "error", "message": {"text": "b"}},
        {"ruleId": "G101", "ruleIndex": 2, "level": "error", "message": {"text": "c"}},
    ]
    for r, line in zip(results, (3, 4, 5), strict=True):
        r["locations"] = _at("main.go", line)
    found = _parse(tmp_path, _log("gosec", rules, results)).findings
    assert [(f.severity, f.raw_severity) for f in found] == [
        (Severity.LOW, "LOW"),
        (Severity.MEDIUM, "MEDIUM"),
        (Severity.HIGH, "HIGH"),
    ]


def test_grype_severity_word_beats_its_security_severity(tmp_path: Path) -> None:
    rule = {
        "id": "CVE-1999-0002-package-2",
        "shortDescription": {"text": "CVE-1999-0002 critical vulnerability for package-2 package"},
        "help": {"text": "Vulnerability CVE-1999-0002\nSeverity: critical\nPackage: package-2"},
        "properties": {"security-severity": "1.0"},
    }
    result = {
        "ruleId": rule["id"],
        "level": "error",
        "message": {"text": "The path x reports package-2 at version 2.2.2"},
        "locations": _at("image/somefile-2.txt", 1),
    }
    (found,) = _parse(tmp_path, _log("grype", [rule], [result])).findings
    assert (found.severity, found.raw_severity, found.cvss) == (Severity.CRITICAL, "critical", 1.0)


def test_result_and_rule_property_severity_beat_level_and_score(tmp_path: Path) -> None:
    rules = [
        {"id": "B105", "properties": {"security-severity": "9.5"}},
        {"id": "R2", "properties": {"severity": "low"}, "defaultConfiguration": {"level": "error"}},
    ]
    results = [
        {
            "ruleId": "B105",
            "level": "error",
            "message": {"text": "hardcoded password"},
            "properties": {"issue_severity": "LOW", "issue_confidence": "MEDIUM"},
            "locations": _at("app.py", 1),
        },
        {"ruleId": "R2", "message": {"text": "r2"}, "locations": _at("app.py", 2)},
    ]
    found = _parse(tmp_path, _log("bandit", rules, results)).findings
    assert [(f.severity, f.raw_severity, f.cvss) for f in found] == [
        (Severity.LOW, "LOW", 9.5),
        (Severity.LOW, "low", None),
    ]


def test_without_a_producer_word_security_severity_then_level_decide(tmp_path: Path) -> None:
    rules = [
        {"id": "A", "properties": {"security-severity": "9.1", "tags": ["security", "high"]}},
        {"id": "B", "properties": {"tags": ["HIGH", "LOW"]}},  # two words: no word
    ]
    results = [
        {"ruleId": "A", "level": "note", "message": {"text": "a"}, "locations": _at("x.c", 1)},
        {"ruleId": "B", "level": "note", "message": {"text": "b"}, "locations": _at("x.c", 2)},
    ]
    found = _parse(tmp_path, _log("tool", rules, results)).findings
    assert [f.severity for f in found] == [Severity.CRITICAL, Severity.LOW]


# --- identity: package, method ----------------------------------------------------------------


def _trivy_result(package: str, version: str) -> dict[str, Any]:
    text = (
        f"Package: {package}\nInstalled Version: {version}\nVulnerability CVE-2019-1549\n"
        "Severity: MEDIUM\nFixed Version: 1.1.1d-r0\nLink: [CVE-2019-1549](https://avd.example)"
    )
    return {
        "ruleId": "CVE-2019-1549",
        "ruleIndex": 0,
        "level": "warning",
        "message": {"text": text},
        "locations": _at("alpine-310.tar.gz", 1),
    }


def test_trivy_same_cve_in_two_packages_is_two_identities(tmp_path: Path) -> None:
    rule = {"id": "CVE-2019-1549", "properties": {"tags": ["vulnerability", "MEDIUM"]}}
    results = [_trivy_result("libcrypto1.1", "1.1.1c-r0"), _trivy_result("libssl1.1", "1.1.1c-r0")]
    found = _parse(tmp_path, _log("Trivy", [rule], results)).findings
    assert [f.tool_fingerprint for f in found] == [
        "CVE-2019-1549|libcrypto1.1@1.1.1c-r0|alpine-310.tar.gz",
        "CVE-2019-1549|libssl1.1@1.1.1c-r0|alpine-310.tar.gz",
    ]
    again = _parse(tmp_path, _log("Trivy", [rule], [_trivy_result("libssl1.1", "1.1.1d-r0")]))
    assert again.findings[0].tool_fingerprint != found[1].tool_fingerprint  # installed version


def _spotbugs_result(method: str, line: int) -> dict[str, Any]:
    # SpotBugs before 4.8: the logical location is the class, its fully qualified name a source
    # line; the method is named only in the message arguments
    return {
        "ruleId": "DLS_DEAD_LOCAL_STORE",
        "ruleIndex": 0,
        "level": "warning",
        "message": {"id": "default", "arguments": ["com.acme.Orders", f"com.acme.Orders.{method}"]},
        "locations": _at(
            "com/acme/Orders.java",
            line,
            logicalLocations=[
                {
                    "name": "Orders",
                    "kind": "type",
                    "fullyQualifiedName": f"At Orders.java:[line {line}]",
                }
            ],
        ),
    }


def test_spotbugs_same_rule_in_four_methods_is_four_resources_that_survive_a_line_shift(
    tmp_path: Path,
) -> None:
    rule = {
        "id": "DLS_DEAD_LOCAL_STORE",
        "messageStrings": {"default": {"text": "Dead store in {1}"}},
    }
    methods = ["create()", "cancel(String)", "refund(long, String)", "list()"]
    before = _parse(
        tmp_path,
        _log("SpotBugs", [rule], [_spotbugs_result(m, 10 * i) for i, m in enumerate(methods, 1)]),
    ).findings
    after = _parse(
        tmp_path,
        _log("SpotBugs", [rule], [_spotbugs_result(m, 10 * i + 7) for i, m in enumerate(methods)]),
    ).findings
    assert [f.location.resource for f in before] == [f"com.acme.Orders.{m}" for m in methods]
    assert [f.location.resource for f in after] == [f.location.resource for f in before]
    assert before[1].description == "Dead store in com.acme.Orders.cancel(String)"


def test_a_method_level_logical_location_is_the_resource(tmp_path: Path) -> None:
    # SpotBugs 4.8+: kind "function", fully qualified name of the method
    result = {
        "ruleId": "NP_NULL",
        "message": {"text": "null", "arguments": ["com.acme.Orders", "com.acme.Orders.other()"]},
        "locations": _at(
            "Orders.java",
            5,
            logicalLocations=[
                {
                    "name": "create",
                    "kind": "function",
                    "fullyQualifiedName": "com.acme.Orders.create()",
                }
            ],
        ),
    }
    (found,) = _parse(tmp_path, _log("SpotBugs", [{"id": "NP_NULL"}], [result])).findings
    assert found.location.resource == "com.acme.Orders.create()"
