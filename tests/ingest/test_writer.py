"""An import's session has one owner at a time: its writer thread (PostgreSQL) from the moment a
batch is submitted until `_Writer.session()` has waited for it, else the import. A statement that
skips the hand-over raises at once instead of racing the writer on the connection."""

import json
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.findings.models import Detection
from aspm.ingest import repository, service
from aspm.ingest.repository import Batch
from tests.factories import ingest_bytes


def _run(tool: str, repo: str, results: int) -> dict[str, Any]:
    return {
        "tool": {"driver": {"name": tool, "rules": []}},
        "versionControlProvenance": [{"repositoryUri": repo}],
        "results": [
            {
                "ruleId": f"rule-{n % 3}",
                "level": "warning",
                "message": {"text": f"finding {n}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f"src/file{n}.c"},
                            "region": {"startLine": n + 1},
                        }
                    }
                ],
            }
            for n in range(results)
        ],
    }


@pytest.mark.postgres
def test_a_statement_while_the_writer_owns_the_session_raises(
    sessions: sessionmaker[Session],
) -> None:
    writing, release = threading.Event(), threading.Event()

    def slow_apply(session: Session, batch: Batch) -> None:
        writing.set()
        release.wait(10)
        session.execute(select(1))  # the writer's own statement is allowed

    with sessions() as session:
        writer = service._Writer(session, slow_apply, threaded=True)
        try:
            writer.submit(Batch([], [], []))
            assert writing.wait(10)
            with pytest.raises(service.SessionInUseError):
                session.execute(select(1))  # a read that did not wait for the writer
            release.set()
            assert writer.session().execute(select(1)).scalar() == 1  # after the hand-over
            writer.submit(Batch([], [], []))  # the thread owns it again until session()
            with pytest.raises(service.SessionInUseError):
                session.execute(select(1))
        finally:
            release.set()
            writer.close()
        assert session.execute(select(1)).scalar() == 1  # the caller's again once closed


@pytest.mark.postgres
def test_an_import_with_a_slow_writer_takes_its_session_back_for_every_query(
    sessions: sessionmaker[Session], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New assets and tools appear after batches are in flight (batch size 3): resolving the
    asset, the scope and the known detections all need the session while the writer is slow."""
    merge_batch = repository.merge_batch

    def slow_merge(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.05)
        merge_batch(*args, **kwargs)

    monkeypatch.setattr(repository, "merge_batch", slow_merge)
    report = {
        "version": "2.1.0",
        "runs": [
            _run("cppcheck", "https://git.example.com/acme/a", 10),
            _run("semgrep", "https://git.example.com/acme/b", 10),
            _run("cppcheck", "https://git.example.com/acme/b", 7),
        ],
    }
    result = ingest_bytes(sessions, json.dumps(report).encode(), asset=None)
    assert result.status == "ok", result.error
    assert (result.findings, result.new) == (27, 27)
    assert result.asset == "2 assets"
    assert session.scalar(select(func.count()).select_from(Detection)) == 27


def test_an_import_keeps_no_reference_to_its_session(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything `_Import` does with the database goes through its writer (`db`)."""
    seen: list[str] = []
    flush = service._Import.flush

    def checked_flush(self: service._Import) -> None:
        seen.extend(name for name, value in vars(self).items() if isinstance(value, Session))
        flush(self)

    monkeypatch.setattr(service._Import, "flush", checked_flush)
    report = {"version": "2.1.0", "runs": [_run("cppcheck", "https://git.example.com/a", 4)]}
    result = ingest_bytes(sessions, json.dumps(report).encode())
    assert result.status == "ok", result.error
    assert seen == []
