"""The parts of gate-evaluations-as-jobs that need no PostgreSQL: the spool's names for an
evaluation's files, the sweep, the job's arguments."""

import json
import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from aspm.auth.principal import Principal, Role, Scope
from aspm.gate.service import GateOptions
from aspm.jobs import queue, spool, tasks
from aspm.settings import Settings


def spooled(folder: Path, owner: uuid.UUID, part: str | None = None) -> str:
    fd, partial = spool.new_partial(folder)
    os.write(fd, b"{}")
    os.close(fd)
    return spool.commit(partial, owner, part=part)


def test_an_evaluations_files_are_named_after_it_and_read_back_by_the_job(tmp_path: Path) -> None:
    evaluation = uuid.uuid4()
    names = [spooled(tmp_path, evaluation, part) for part in ("report-0", "report-1", "policy")]
    assert names == [f"{evaluation}.{p}.upload" for p in ("report-0", "report-1", "policy")]
    assert [spool.owner_of(spool.path_of(tmp_path, n)) for n in names] == [evaluation] * 3
    assert spool.spooled_ids(tmp_path) == [evaluation]  # one owner, however many files
    with pytest.raises(ValueError, match="part"):
        spooled(tmp_path, evaluation, "../x")


def test_the_sweep_keeps_a_pending_evaluations_files_and_deletes_a_finished_ones(
    tmp_path: Path,
) -> None:
    pending, finished, imported = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    keep = [spooled(tmp_path, pending, p) for p in ("report-0", "policy")]
    spooled(tmp_path, finished, "report-0")
    spooled(tmp_path, finished, "policy")
    keep.append(spooled(tmp_path, imported))  # an import's upload, still pending
    checked = set(spool.spooled_ids(tmp_path))
    assert checked == {pending, finished, imported}
    removed = spool.sweep(tmp_path, checked=checked, pending={pending, imported})
    assert removed == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)


def test_the_jobs_arguments_carry_the_options_and_who_asked() -> None:
    principal = Principal(
        kind="token", id=uuid.uuid4(), name="ci", role=Role.ENGINEER,
        team_names=frozenset({"payments"}), scopes=frozenset({Scope.INGEST}),
        asset_ids=frozenset({uuid.uuid4()}),
    )  # fmt: skip
    options = GateOptions(
        asset="acme/api", branch="pr-1", commit="abc", baseline="main", dry_run=True,
        record=True, format="sarif", with_sarif=True,
    )  # fmt: skip
    data = json.loads(json.dumps(tasks.gate_options_to_json(options, principal)))  # as stored
    settings = Settings(risk_policy=Path("risk-policy.yaml"))
    back, who = tasks.gate_options_from_json(data, settings)
    assert back == replace(options, risk_policy=Path("risk-policy.yaml"))  # the worker's
    assert who == principal


def test_the_gate_task_is_registered_on_the_queue(tmp_path: Path) -> None:
    settings = Settings(database_url="postgresql+psycopg://u@h/db", spool_dir=tmp_path)
    app = queue.make_app(settings)
    assert queue.GATE_TASK in app.tasks
    assert app.tasks[queue.GATE_TASK].retry_strategy is None  # a failed report stays failed
