"""Queued gate evaluations (aspm.jobs), as queued imports are (aspm.ingest.queued): on a server
with the job queue, POST /gate/evaluations creates the evaluation's row (queued) and a job, and
the client follows it at GET /gate/evaluations/{id}: queued -> running -> done or error.

The worker runs `run`: the whole evaluation (the reports' imports, the probe, the verdict) is one
transaction as inline, so a worker killed mid-way commits nothing of it; the row stays running
and the job runs again from the start once the worker's lease has passed (`claim` counts the
attempts). Whatever stops an evaluation (an unreadable report, a refusal, a bug) writes error
with why, and the job ends: a report that fails stays failed.
"""

import logging
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.db.session import unit_of_work
from aspm.errors import AspmError, PermissionDenied, internal_error
from aspm.gate import policy as gate_policy
from aspm.gate import repository, service
from aspm.gate.models import FINAL_STATUSES, EvaluationStatus, GateEvaluation
from aspm.gate.policy import LoadedPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: uuid.UUID
    attempt: int  # 1 on the first run; more when a dead worker's job runs again


@dataclass(frozen=True, slots=True)
class Spooled:
    """A file of the evaluation waiting in the spool: a report (its name as uploaded) or the
    policy (its source name, as errors cite it)."""

    name: str
    path: Path


def create(
    session: Session,
    *,
    loaded: LoadedPolicy,
    options: service.GateOptions,
    principal: Principal,
    reports: int,
) -> GateEvaluation:
    """The row of an evaluation that waits for a worker. Raises what the gate refuses before
    reading a report, so the client hears it now, not from the job."""
    service.check_request(principal, options, reports=reports)
    row = GateEvaluation(
        id=uuid.uuid4(), evaluated_at=utcnow(), actor=principal.actor[:200],
        asset_name=options.asset, branch=options.branch, commit=options.commit, passed=None,
        failed_count=0, evaluated_count=0, ignored_count=0, finding_ids=[], failed_rules=[],
        policy_name=loaded.policy.name, policy_digest=loaded.digest, scope=None,
        baseline=options.baseline, dry_run=options.dry_run, import_ids=[],
        status=EvaluationStatus.QUEUED, error=None, attempts=0, result=None,
    )  # fmt: skip
    return repository.add(session, row)


def claim(session: Session, *, evaluation_id: uuid.UUID) -> Claimed | None:
    """A worker starts (or starts again) the evaluation: running. None when there is nothing
    to do: the row is gone, or an earlier run of the job finished it."""
    row = repository.get_for_update(session, evaluation_id)
    if row is None or row.status in FINAL_STATUSES:
        return None
    row.status = EvaluationStatus.RUNNING
    row.attempts += 1
    session.flush()
    return Claimed(id=row.id, attempt=row.attempts)


def fail(session: Session, *, evaluation_id: uuid.UUID, error: str) -> None:
    """An evaluation that did not reach a verdict: error, with why."""
    repository.fail(session, evaluation_id=evaluation_id, error=error, now=utcnow())


def pending_ids(session: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these evaluations are still queued or running."""
    return repository.pending_ids(session, ids)


def run(
    factory: sessionmaker[Session],
    *,
    evaluation_id: uuid.UUID,
    reports: Sequence[Spooled],
    policy: Spooled | None,
    options: service.GateOptions,
    principal: Principal,
    hmac_key: bytes,
    batch_size: int,
) -> EvaluationStatus:
    """The boundary of one claimed evaluation: its verdict committed (done), or nothing of it
    and the row says why (error). The caller deletes the spooled files afterwards."""
    try:
        with ExitStack() as files:
            try:
                opened = [
                    service.Report(r.name, files.enter_context(r.path.open("rb"))) for r in reports
                ]
                loaded = (
                    gate_policy.load()
                    if policy is None
                    else gate_policy.parse(policy.path.read_text("utf-8"), source=policy.name)
                )
            except FileNotFoundError:
                error = "the reports are gone from the spool; run the gate again"
            else:
                service.evaluate_reports(
                    factory, opened, loaded=loaded, options=options, hmac_key=hmac_key,
                    batch_size=batch_size, principal=principal, evaluation_id=evaluation_id,
                )  # fmt: skip
                return EvaluationStatus.DONE
    except PermissionDenied as exc:
        error = f"permission denied: {exc}"
    except AspmError as exc:  # an unreadable report, an invalid asset name...: nothing stored
        error = str(exc) if "nothing was stored" in str(exc) else f"{exc}; nothing was stored"
    except Exception:  # a bug, not the user's reports: an id to find it in the worker's log
        what = f"gate evaluation {evaluation_id}"
        error = internal_error(log, what, doing="evaluating", log_name="worker's")
        error += "; nothing was stored"
    with unit_of_work(factory) as session:
        fail(session, evaluation_id=evaluation_id, error=error)
    return EvaluationStatus.ERROR
