"""Issue 18 item 9: a reader's bug is an internal error with an id in the log, not "your file is
malformed"; a malformed file is one exception type (MalformedReport) wherever it is raised."""

import logging
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aspm.errors import MalformedReport
from aspm.ingest import contract, reading
from aspm.ingest.contract import ParseContext, RawFinding
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes


class _Buggy:
    name: ClassVar[str] = "gitleaks"
    title: ClassVar[str] = "Buggy"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:  # noqa: ARG002
        raise self.exc
        yield  # pragma: no cover - a generator


def test_one_malformed_report_exception() -> None:
    assert contract.MalformedReport is MalformedReport


@pytest.mark.parametrize("exc", [KeyError("rule"), TypeError("'NoneType' is not subscriptable")])
def test_a_reader_bug_is_not_blamed_on_the_file(exc: Exception) -> None:
    opened = reading.OpenedReport(_Buggy(exc), None, None)  # type: ignore[arg-type]
    with pytest.raises(type(exc)):
        list(reading.parse_all(opened, ParseContext(warn=lambda _: None), "r.json"))


def test_malformed_content_still_names_the_file() -> None:
    opened = reading.OpenedReport(_Buggy(MalformedReport("record 3: no rule id")), None, None)  # type: ignore[arg-type]
    with pytest.raises(MalformedReport, match=r"^r\.json: not a readable Buggy report: record 3"):
        list(reading.parse_all(opened, ParseContext(warn=lambda _: None), "r.json"))


def test_an_internal_error_gets_an_id_in_the_log(
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> Iterator[RawFinding]:
        raise KeyError("a reader bug")
        yield  # pragma: no cover

    monkeypatch.setattr("aspm.ingest.service.parse_all", broken)
    with caplog.at_level(logging.ERROR, logger="aspm.ingest.service"):
        report = gitleaks_report(gitleaks_leak("ghp_" + "x" * 36, file="a.py"))
        result = ingest_bytes(sessions, report, filename="leaks.json")
    assert result.status == "error"
    assert result.error is not None
    assert "internal error while importing (error id " in result.error
    error_id = result.error.split("error id ")[1][:12]
    assert any(error_id in r.getMessage() for r in caplog.records)
