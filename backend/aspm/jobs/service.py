"""Queue an upload: its import row (queued) and its job. Called by POST /imports; and the
same for a gate evaluation (its row, its reports and policy, its job): POST /gate/evaluations."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Principal
from aspm.db.session import unit_of_work
from aspm.gate import queued as gate_queued
from aspm.gate.models import EvaluationStatus
from aspm.gate.policy import LoadedPolicy
from aspm.gate.schemas import GateEvaluationDetail
from aspm.gate.service import GateOptions
from aspm.ingest import queued
from aspm.ingest.schemas import IngestResult
from aspm.ingest.service import IngestOptions
from aspm.jobs import queue, spool, tasks
from aspm.settings import Settings

log = logging.getLogger(__name__)


def create_queued(
    factory: sessionmaker[Session],
    *,
    partial: Path,
    size: int,
    filename: str,
    options: IngestOptions,
) -> tuple[IngestResult, str]:
    """The import row, committed, and the upload renamed after it. Returns the answer for the
    client and the spool name for the job."""
    with unit_of_work(factory) as session:
        run = queued.create(session, filename=filename, size=size, options=options)
    name = spool.commit(partial, run.id)
    result = IngestResult(
        import_id=run.id, file=filename, format=options.format, asset=options.asset,
        status=run.status, partial=options.partial,
    )  # fmt: skip
    return result, name


async def defer_import(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    result: IngestResult,
    spool_name: str,
    options: IngestOptions,
) -> IngestResult:
    """Put the import on the queue. If the queue cannot take it, the import is an error (and
    its upload deleted) rather than queued forever."""
    assert result.import_id is not None  # noqa: S101 - create_queued sets it
    try:
        app = queue.make_app(settings, pool_size=1)
        async with app.open_async():
            job_id = await app.configure_task(queue.IMPORT_TASK).defer_async(
                import_id=str(result.import_id),
                spool_name=spool_name,
                filename=result.file,
                options=tasks.options_to_json(options),
            )
    except Exception:
        log.exception("import %s: could not queue it", result.import_id)
        spool.remove(spool.path_of(settings.spool_dir, spool_name))
        error = f"{result.file}: the job queue is unavailable; nothing was stored"
        with unit_of_work(factory) as session:
            queued.fail(session, import_id=result.import_id, error=error)
        return result.model_copy(update={"status": "error", "error": error})
    log.info("import %s queued as job %s", result.import_id, job_id)
    return result


# --- gate evaluations ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Received:
    """An uploaded file, written to the spool (a partial file until `create_queued_evaluation`
    names it after its evaluation)."""

    partial: Path
    filename: str


@dataclass(frozen=True, slots=True)
class GateJob:
    """What the worker's job carries (JSON): the spooled files and the options."""

    evaluation: GateEvaluationDetail
    args: dict[str, Any]

    def spooled(self, settings: Settings) -> list[Path]:
        names = [r["spool"] for r in self.args["reports"]]
        if self.args["policy"] is not None:
            names.append(self.args["policy"]["spool"])
        return [spool.path_of(settings.spool_dir, n) for n in names]


def create_queued_evaluation(
    factory: sessionmaker[Session],
    *,
    reports: Sequence[Received],
    policy: Received | None,
    loaded: LoadedPolicy,
    options: GateOptions,
    principal: Principal,
) -> GateJob:
    """The evaluation's row, committed (queued), and its files renamed after it."""
    with unit_of_work(factory) as session:
        row = gate_queued.create(
            session, loaded=loaded, options=options, principal=principal, reports=len(reports)
        )
        evaluation = GateEvaluationDetail.model_validate(row)
    spooled = [
        {"spool": spool.commit(r.partial, row.id, part=f"report-{n}"), "filename": r.filename}
        for n, r in enumerate(reports)
    ]
    policy_arg = (
        None if policy is None
        else {"spool": spool.commit(policy.partial, row.id, part="policy"),
              "source": loaded.source}
    )  # fmt: skip
    args = {
        "evaluation_id": str(row.id),
        "reports": spooled,
        "policy": policy_arg,
        "options": tasks.gate_options_to_json(options, principal),
    }
    return GateJob(evaluation, args)


async def defer_evaluation(
    settings: Settings, factory: sessionmaker[Session], job: GateJob
) -> GateEvaluationDetail:
    """Put the evaluation on the queue. If the queue cannot take it, the evaluation is an error
    (and its files deleted) rather than queued forever."""
    evaluation = job.evaluation
    try:
        app = queue.make_app(settings, pool_size=1)
        async with app.open_async():
            job_id = await app.configure_task(queue.GATE_TASK).defer_async(**job.args)
    except Exception:
        log.exception("gate evaluation %s: could not queue it", evaluation.id)
        for path in job.spooled(settings):
            spool.remove(path)
        error = "the job queue is unavailable; nothing was stored"
        with unit_of_work(factory) as session:
            gate_queued.fail(session, evaluation_id=evaluation.id, error=error)
        return evaluation.model_copy(update={"status": EvaluationStatus.ERROR, "error": error})
    log.info("gate evaluation %s queued as job %s", evaluation.id, job_id)
    return evaluation
