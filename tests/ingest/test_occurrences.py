"""Same-rule results in one file that only the line tells apart stay apart, by order of occurrence
within (rule, file), as GitHub code scanning keeps them; a line shift still creates nothing."""

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.findings.models import Detection, Finding
from tests.factories import ingest_bytes


def _result(line: int, *, rule: str = "missingInclude", uri: str = "src/main.c") -> dict[str, Any]:
    # Cppcheck's SARIF: no fingerprints, no snippet, no logical location; only the line differs
    return {
        "ruleId": rule,
        "level": "note",
        "message": {"text": f"Include file not found (line {line})"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": line, "startColumn": 1},
                }
            }
        ],
    }


def _sarif(*results: dict[str, Any]) -> bytes:
    run = {"tool": {"driver": {"name": "cppcheck", "rules": []}}, "results": list(results)}
    return json.dumps({"version": "2.1.0", "runs": [run]}).encode()


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_rule_on_three_lines_of_one_file_is_three_findings(
    sessions: sessionmaker[Session], session: Session
) -> None:
    result = ingest_bytes(sessions, _sarif(_result(10), _result(11), _result(12)))
    assert result.status == "ok", result.error
    assert (result.findings, result.new, result.duplicates) == (3, 3, 0)
    assert _count(session, Detection) == 3
    assert _count(session, Finding) == 3


def test_a_line_shift_creates_and_resolves_nothing(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ingest_bytes(sessions, _sarif(_result(10), _result(11), _result(12), _result(40, rule="x")))
    shifted = ingest_bytes(
        sessions, _sarif(_result(25), _result(26), _result(27), _result(55, rule="x"))
    )
    assert (shifted.new, shifted.unchanged, shifted.resolved) == (0, 4, 0)
    lines = session.scalars(select(Detection.start_line).order_by(Detection.start_line)).all()
    assert lines == [25, 26, 27, 55]  # display data follows the latest report


def test_the_same_result_listed_twice_at_one_line_stays_one_detection(
    sessions: sessionmaker[Session], session: Session
) -> None:
    result = ingest_bytes(sessions, _sarif(_result(10), _result(10), _result(12), _result(12)))
    assert (result.findings, result.new, result.duplicates) == (4, 2, 2)
    assert _count(session, Detection) == 2


def test_order_is_counted_per_rule_and_file(
    sessions: sessionmaker[Session], session: Session
) -> None:
    first = _sarif(_result(10), _result(20), _result(10, uri="src/other.c"), _result(10, rule="y"))
    ingest_bytes(sessions, first)
    # a new result of another rule, and one in another file, renumber nothing here
    again = _sarif(
        _result(5, rule="y"),
        _result(3, uri="src/other.c"),
        _result(10),
        _result(20),
        _result(10, uri="src/other.c"),
        _result(10, rule="y"),
    )
    result = ingest_bytes(sessions, again)
    assert (result.new, result.unchanged, result.resolved) == (2, 4, 0)


def test_reimport_after_the_old_recipe_keeps_the_first_occurrence(
    sessions: sessionmaker[Session], session: Session
) -> None:
    # before issue 15 the later occurrences were dropped as duplicates: a database from then holds
    # the first one only, under the identity it still has, so an upgrade adds the others as new
    ingest_bytes(sessions, _sarif(_result(10)))
    before = session.scalars(select(Detection.fingerprint)).one()
    result = ingest_bytes(sessions, _sarif(_result(10), _result(11), _result(12)))
    assert (result.new, result.unchanged, result.resolved) == (2, 1, 0)
    assert before in session.scalars(select(Detection.fingerprint)).all()
