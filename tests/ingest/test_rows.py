"""The rows an import writes without the ORM (COPY, executemany) name the columns they land in,
in the database the migrations built, and the positional pieces the service splices agree."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from aspm.ingest.repository import (
    SHOWN_COLUMNS,
    DetectionRow,
    DetectionUpdate,
    FindingRow,
    new_detection_row,
    new_detection_update,
    new_finding_row,
)


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


@pytest.mark.parametrize(
    ("construct", "row_type"),
    [
        (new_finding_row, FindingRow),
        (new_detection_row, DetectionRow),
        (new_detection_update, DetectionUpdate),
    ],
)
def test_the_fast_constructors_make_the_named_rows(
    construct: Callable[..., Any], row_type: Any
) -> None:
    # the service builds rows through these: the same instances the class makes, fields by name
    values = [f"v{i}" for i in range(len(row_type._fields))]
    row = construct(*values)
    assert type(row) is row_type
    assert row == row_type(*values)
    assert row._asdict() == dict(zip(row_type._fields, values, strict=True))
