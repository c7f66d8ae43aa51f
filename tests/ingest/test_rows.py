"""The rows an import writes without the ORM (COPY, executemany) name the columns they land in,
in the database the migrations built, and the positional pieces the service splices agree."""

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from aspm.ingest.repository import SHOWN_COLUMNS, DetectionRow, DetectionUpdate, FindingRow


def _columns(session: Session, table: str) -> dict[str, bool]:
    """Column name -> nullable, as the database has it."""
    return {c["name"]: c["nullable"] for c in inspect(session.connection()).get_columns(table)}


def test_finding_rows_name_the_findings_columns_and_every_required_one(session: Session) -> None:
    columns = _columns(session, "findings")
    assert set(FindingRow._fields) - set(columns) == set()
    assert {name for name, nullable in columns.items() if not nullable} - set(
        FindingRow._fields
    ) == set()


def test_detection_rows_name_the_detections_columns_and_every_required_one(
    session: Session,
) -> None:
    columns = _columns(session, "detections")
    assert set(DetectionRow._fields) - set(columns) == set()
    assert {name for name, nullable in columns.items() if not nullable} - set(
        DetectionRow._fields
    ) == set()


def test_staged_updates_name_detections_columns(session: Session) -> None:
    columns = _columns(session, "detections")
    assert set(DetectionUpdate._fields) - {"row_no"} - set(columns) == set()


def test_what_a_detection_shows_is_spliced_at_the_same_place_in_both_rows() -> None:
    # the service builds one tuple of SHOWN_COLUMNS and splices it into both rows (`*shown`)
    n = len(SHOWN_COLUMNS)
    assert SHOWN_COLUMNS[0] == "tool"
    assert SHOWN_COLUMNS[-1] == "cvss"
    assert DetectionRow._fields[7 : 7 + n] == SHOWN_COLUMNS
    assert DetectionUpdate._fields[4:] == SHOWN_COLUMNS
