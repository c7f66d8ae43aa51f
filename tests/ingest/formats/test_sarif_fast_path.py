"""The SARIF reader's per-result fast paths (positional construction, inline rule lookup, inline
message, per-rule severity) give what the general code gives, edge cases included."""

import dataclasses
import io
import json
from typing import Any

import pytest

from aspm.common.severity import Severity
from aspm.ingest.contract import Location, ParseContext, RawFinding
from aspm.ingest.formats.sarif import SarifIngestor


def test_contract_field_order_the_sarif_reader_relies_on() -> None:
    # sarif.py and checkov.py build RawFinding and Location positionally (keyword arguments cost
    # twice as much per record); a reordered contract must fail here, not shift values silently
    assert [f.name for f in dataclasses.fields(RawFinding)][:19] == [
        "tool", "rule_id", "title", "severity", "location", "category", "raw_severity",
        "asset_key", "description", "remediation", "help_uri", "references", "cwe_ids",
        "compliance", "tool_fingerprint", "secret", "secret_verified", "suppressed", "cvss",
    ]  # fmt: skip
    assert [f.name for f in dataclasses.fields(Location)][:9] == [
        "path", "start_line", "end_line", "resource", "resource_type", "cloud_provider",
        "account_id", "region", "snippet",
    ]  # fmt: skip


def _parse(
    results: list[Any], rules: list[Any] | None = None, extensions: list[Any] | None = None
) -> tuple[list[RawFinding], list[str]]:
    doc = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "Probe", "rules": rules or []},
                    "extensions": extensions or [],
                },
                "originalUriBaseIds": {"SRC": {"uri": "src/"}},
                "results": results,
            }
        ],
    }
    warnings: list[str] = []
    ctx = ParseContext(warn=warnings.append)
    stream = io.BytesIO(json.dumps(doc).encode())
    return list(SarifIngestor().parse(stream, ctx)), warnings


_SCORED_RULE = {"id": "R0", "properties": {"security-severity": "9.5"}}
_LEVEL_RULE = {"id": "R1", "defaultConfiguration": {"level": "note"}}


@pytest.mark.parametrize(
    ("rule", "result", "severity", "raw", "cvss", "warned"),
    [
        # the result's own score wins
        (_SCORED_RULE, {"properties": {"security-severity": 4.2}}, Severity.MEDIUM, "4.2", 4.2, 0),
        # no score on the result: the rule's, with its label as written
        (_SCORED_RULE, {"level": "note"}, Severity.CRITICAL, "9.5", 9.5, 0),
        # an unreadable result score with a scored rule: the rule's, no warning
        (
            _SCORED_RULE,
            {"properties": {"security-severity": "n/a"}},
            Severity.CRITICAL,
            "9.5",
            9.5,
            0,
        ),
        # an unreadable result score and no rule score: warned, then the level
        (_LEVEL_RULE, {"properties": {"security-severity": "n/a"}}, Severity.LOW, "note", None, 1),
        # the rule's default level, else "warning"
        (_LEVEL_RULE, {}, Severity.LOW, "note", None, 0),
        ({"id": "R1"}, {}, Severity.MEDIUM, "warning", None, 0),
        # levels match case-insensitively and trimmed; the raw label is kept as written
        (_LEVEL_RULE, {"level": " Error "}, Severity.HIGH, " Error ", None, 0),
        (_LEVEL_RULE, {"level": "none"}, Severity.INFO, "none", None, 0),
        # unknown or non-text levels: medium, warned
        (_LEVEL_RULE, {"level": "severe"}, Severity.MEDIUM, "severe", None, 1),
        (_LEVEL_RULE, {"level": 3}, Severity.MEDIUM, None, None, 1),
    ],
)
def test_severity_from_result_score_rule_score_or_level(
    rule: dict[str, Any],
    result: dict[str, Any],
    severity: Severity,
    raw: str | None,
    cvss: float | None,
    warned: int,
) -> None:
    findings, warnings = _parse([{"ruleIndex": 0, "message": {"text": "m"}, **result}], [rule])
    (finding,) = findings
    assert (finding.severity, finding.raw_severity, finding.cvss) == (severity, raw, cvss)
    assert len(warnings) == warned


@pytest.mark.parametrize(
    ("message", "rule", "expected"),
    [
        ({"text": "  plain text  "}, {"id": "R0"}, "plain text"),
        ({"text": "value {0} in {1}", "arguments": ["x", "y"]}, {"id": "R0"}, "value x in y"),
        ({"text": "only {0} {3}", "arguments": ["a"]}, {"id": "R0"}, "only a {3}"),
        (
            {"id": "m", "arguments": ["z"]},
            {"id": "R0", "messageStrings": {"m": {"text": "s {0}"}}},
            "s z",
        ),
        ({"text": 5, "markdown": "**md**"}, {"id": "R0"}, "**md**"),
        (
            "not an object",
            {"id": "R0", "fullDescription": {"text": "from the rule"}},
            "from the rule",
        ),
    ],
)
def test_message_text_arguments_and_fallbacks(
    message: Any, rule: dict[str, Any], expected: str
) -> None:
    (finding,), _ = _parse([{"ruleIndex": 0, "message": message}], [rule])
    assert finding.description == expected


def test_rule_index_rule_object_and_rule_id_pick_the_same_rules_as_before() -> None:
    rules = [
        {"id": "R0", "shortDescription": {"text": "zero"}},
        "not a rule",
        {"id": "R2", "shortDescription": {"text": "two"}},
    ]
    extension = {"rules": [{"id": "E0", "shortDescription": {"text": "ext"}}]}
    findings, _ = _parse(
        [
            {"ruleIndex": 2, "message": {"text": "m"}},
            # a rule object's toolComponent points into an extension
            {"ruleIndex": 0, "rule": {"toolComponent": {"index": 0}}, "message": {"text": "m"}},
            # an index to a non-object or out of range falls back to the rule id
            {"ruleIndex": 1, "ruleId": "R0", "message": {"text": "m"}},
            {"ruleIndex": 9, "ruleId": "R2/sub", "message": {"text": "m"}},
            {"rule": {"id": "R0"}, "message": {"text": "m"}},
        ],
        rules,
        [extension],
    )
    assert [(f.rule_id, f.title) for f in findings] == [
        ("R2", "two"),
        ("E0", "ext"),
        ("R0", "zero"),
        ("R2/sub", "two"),
        ("R0", "zero"),
    ]


def test_every_field_of_a_full_result() -> None:
    rule = {
        "id": "py/sqli",
        "shortDescription": {"text": "SQL injection"},
        "fullDescription": {"text": "full"},
        "help": {"text": "Use parameters."},
        "helpUri": "https://example.com/sqli",
        "properties": {"tags": ["external/cwe/cwe-089"]},
    }
    result = {
        "ruleIndex": 0,
        "ruleId": "py/sqli",
        "level": "error",
        "message": {"text": "tainted"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "app/db.py", "uriBaseId": "SRC"},
                    "region": {"startLine": 7, "snippet": {"text": "cur.execute(q)"}},
                },
                "logicalLocations": [{"fullyQualifiedName": "app.db.run"}],
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": "abc:1"},
        "suppressions": [{"kind": "inSource"}],
        "properties": {"tags": ["CWE-20"]},
    }
    (finding,), warnings = _parse([result], [rule])
    assert warnings == []
    assert finding == RawFinding(
        tool="probe",
        rule_id="py/sqli",
        title="SQL injection",
        severity=Severity.HIGH,
        location=Location(
            path="src/app/db.py",
            start_line=7,
            end_line=7,
            resource="app.db.run",
            snippet="cur.execute(q)",
        ),
        category=finding.category,  # sast for an unknown producer; not what this test is about
        raw_severity="error",
        description="tainted",
        remediation="Use parameters.",
        help_uri="https://example.com/sqli",
        cwe_ids=(89, 20),
        tool_fingerprint="py/sqli|src/app/db.py|primaryLocationLineHash=abc:1",
        suppressed=True,
    )
