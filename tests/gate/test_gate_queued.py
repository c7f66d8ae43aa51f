"""A queued gate evaluation that hits a bug (not the user's reports) ends in error with an id that
finds the traceback in the worker's log, and nothing of the exception's text."""

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import SYSTEM
from aspm.db.session import unit_of_work
from aspm.gate import policy as gate_policy
from aspm.gate import queued
from aspm.gate.models import EvaluationStatus, GateEvaluation
from aspm.gate.service import GateOptions


def test_a_bug_while_evaluating_is_an_internal_error_with_an_id_in_the_log(
    sessions: sessionmaker[Session], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    options = GateOptions(asset="acme/api")
    with unit_of_work(sessions) as session:
        row = queued.create(
            session, loaded=gate_policy.load(), options=options, principal=SYSTEM, reports=1
        )
    # A directory where the spooled report should be: opening it raises IsADirectoryError, an
    # OSError that is no fault of the user's report (a missing file is a different error).
    where = tmp_path / "spool-internals"
    where.mkdir()
    with caplog.at_level(logging.ERROR, logger="aspm.gate.queued"):
        status = queued.run(
            sessions, evaluation_id=row.id, reports=[queued.Spooled("r0.sarif", where)],
            policy=None, options=options, principal=SYSTEM, hmac_key=b"k" * 32, batch_size=100,
        )  # fmt: skip
    assert status is EvaluationStatus.ERROR
    with sessions() as session:
        stored = session.get(GateEvaluation, row.id)
        assert stored is not None
        assert stored.status == EvaluationStatus.ERROR
        error = stored.error or ""
    found = re.fullmatch(
        r"internal error while evaluating \(error id ([0-9a-f]{12}), in the worker's log\); "
        r"nothing was stored",
        error,
    )
    assert found is not None, error
    assert "spool-internals" not in error  # the path stays in the log
    (record,) = caplog.records
    assert record.getMessage() == f"gate evaluation {row.id} failed: internal error {found[1]}"
    assert record.exc_info is not None
    assert record.exc_info[0] is IsADirectoryError
