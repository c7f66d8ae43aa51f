"""The demo's history gates each report's pull request before its first import (dry run)."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.demo.generate import build_reports
from aspm.demo.service import run_demo
from aspm.gate.models import GateEvaluation
from tests.conftest import TEST_SECRET


def test_demo_history_records_gate_runs_that_block_and_pass(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    run_demo(sessions, out_dir=tmp_path, hmac_key=TEST_SECRET.encode(), batch_size=500,
             history_days=10)  # fmt: skip
    rows = session.scalars(select(GateEvaluation)).all()
    assert len(rows) == len(build_reports())
    assert {r.dry_run for r in rows} == {True}
    assert {r.passed for r in rows} == {True, False}
    assert all(r.failed_count > 0 for r in rows if not r.passed)
    days = {r.evaluated_at.date() for r in rows}
    assert len(days) > 1  # spread over the history, not all today
