"""What the workers run. Each task gets the worker's settings and session factory through the
job context (`Env`, set by aspm.jobs.worker); each transaction is its own unit of work."""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procrastinate import JobContext
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Principal, Role, Scope
from aspm.db.session import unit_of_work
from aspm.findings import search_index
from aspm.gate import queued as gate_queued
from aspm.gate import service as gate_service
from aspm.ingest import queued
from aspm.ingest import service as ingest_service
from aspm.jobs import spool
from aspm.metrics import service as metrics_service
from aspm.settings import Settings
from aspm.triage import service as triage_service

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0
IMPORT_TASK = "aspm.import_report"
# how long the search refresh may wait for imports (refresh_search)
SEARCH_MAX_LAG_SECONDS = 60.0
IMPORTS_IN_FLIGHT = (
    "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs"
    " WHERE status IN ('todo', 'doing') AND task_name = :task)"
)


@dataclass(frozen=True, slots=True)
class Env:
    settings: Settings
    factory: sessionmaker[Session]


def env_of(context: JobContext) -> Env:
    """The worker's Env, which every task (the integrations' too) reads its settings and
    sessions from."""
    env = context.additional_context["aspm"]
    assert isinstance(env, Env)  # noqa: S101 - set by aspm.jobs.worker, never by a client
    return env


# --- the job's arguments: JSON ------------------------------------------------------------------


def principal_to_json(p: Principal) -> dict[str, Any]:
    """Who asked: the job acts with their rights (their assets, their scopes)."""
    return {
        "kind": p.kind,
        "id": None if p.id is None else str(p.id),
        "name": p.name,
        "role": p.role.value,
        "team_names": sorted(p.team_names),
        "scopes": sorted(s.value for s in p.scopes),
        "asset_ids": None if p.asset_ids is None else sorted(str(a) for a in p.asset_ids),
    }


def principal_from_json(p: dict[str, Any]) -> Principal:
    return Principal(
        kind=p["kind"],
        id=None if p["id"] is None else uuid.UUID(p["id"]),
        name=p["name"],
        role=Role(p["role"]),
        team_names=frozenset(p["team_names"]),
        scopes=frozenset(Scope(s) for s in p["scopes"]),
        asset_ids=None if p["asset_ids"] is None else frozenset(map(uuid.UUID, p["asset_ids"])),
    )


def options_to_json(options: ingest_service.IngestOptions) -> dict[str, Any]:
    return {
        "asset": options.asset,
        "scope": options.scope,
        "partial": options.partial,
        "format": options.format,
        "actor": options.actor,
        "principal": principal_to_json(options.principal),
    }


def options_from_json(data: dict[str, Any], settings: Settings) -> ingest_service.IngestOptions:
    return ingest_service.IngestOptions(
        asset=data["asset"], scope=data["scope"], partial=data["partial"],
        format=data["format"], actor=data["actor"], risk_policy=settings.risk_policy,
        principal=principal_from_json(data["principal"]),
    )  # fmt: skip


def gate_options_to_json(options: gate_service.GateOptions, principal: Principal) -> dict[str, Any]:
    return {
        "asset": options.asset,
        "branch": options.branch,
        "commit": options.commit,
        "baseline": options.baseline,
        "new_only": options.new_only,
        "dry_run": options.dry_run,
        "record": options.record,
        "format": options.format,
        "with_sarif": options.with_sarif,
        "principal": principal_to_json(principal),
    }


def gate_options_from_json(
    data: dict[str, Any], settings: Settings
) -> tuple[gate_service.GateOptions, Principal]:
    options = gate_service.GateOptions(
        asset=data["asset"], branch=data["branch"], commit=data["commit"],
        baseline=data["baseline"], new_only=data["new_only"], dry_run=data["dry_run"],
        record=data["record"], format=data["format"], with_sarif=data["with_sarif"],
        risk_policy=settings.risk_policy,
    )  # fmt: skip
    return options, principal_from_json(data["principal"])


# --- imports ------------------------------------------------------------------------------------


class _Progress:
    """The bytes read so far, written to the import row at most every second."""

    def __init__(self, factory: sessionmaker[Session], import_id: uuid.UUID) -> None:
        self.factory = factory
        self.import_id = import_id
        self.read = 0
        self.written_at = 0.0

    def __call__(self, n: int) -> None:
        self.read += n
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY_SECONDS:
            return
        self.written_at = now
        try:
            with unit_of_work(self.factory) as session:
                queued.record_progress(session, import_id=self.import_id, read_bytes=self.read)
        except Exception:  # progress is a courtesy: never fail the import for it
            log.warning("import %s: progress not recorded", self.import_id, exc_info=True)


def import_report(
    context: JobContext, *, import_id: str, spool_name: str, filename: str,
    options: dict[str, Any],
) -> str:  # fmt: skip
    """One queued upload: claim the row, import in one transaction (as inline), delete the
    upload. A worker killed mid-way leaves the row running and the upload in place; the job
    runs again (`retry_stalled`) and starts over, as nothing of the first run was committed."""
    env = env_of(context)
    run_id = uuid.UUID(import_id)
    path = spool.path_of(env.settings.spool_dir, spool_name)
    with unit_of_work(env.factory) as session:
        claimed = queued.claim(session, import_id=run_id)
    if claimed is None:  # an earlier run of this job finished it
        spool.remove(path)
        return "already finished"
    log.info("import %s: attempt %d of job %s", run_id, claimed.attempt, context.job.id)
    try:
        try:
            source = path.open("rb")
        except FileNotFoundError:
            with unit_of_work(env.factory) as session:
                queued.fail(
                    session, import_id=run_id,
                    error=f"{filename}: the upload is gone from the spool; upload it again",
                )  # fmt: skip
            return "error"
        with source:
            result = ingest_service.run_import(
                env.factory,
                source=source,
                filename=filename,
                options=options_from_json(options, env.settings),
                hmac_key=env.settings.secret_hmac_key,
                batch_size=env.settings.ingest_batch_size,
                progress=_Progress(env.factory, run_id),
                run_id=run_id,
            )
    finally:
        spool.remove(path)  # the job ended: the report (and any secret in it) goes
    return result.status


# --- gate evaluations ---------------------------------------------------------------------------


def evaluate_gate(
    context: JobContext, *, evaluation_id: str, reports: list[dict[str, str]],
    policy: dict[str, str] | None, options: dict[str, Any],
) -> str:  # fmt: skip
    """One queued gate evaluation (aspm.gate.queued): claim the row, import and evaluate in one
    transaction (as inline), delete the spooled reports and policy. A worker killed mid-way
    leaves the row running and the files in place; the job runs again (`retry_stalled`) and
    starts over, as nothing of the first run was committed."""
    env = env_of(context)
    run_id = uuid.UUID(evaluation_id)
    folder = env.settings.spool_dir
    files = [gate_queued.Spooled(r["filename"], spool.path_of(folder, r["spool"])) for r in reports]
    policy_file = (
        None if policy is None
        else gate_queued.Spooled(policy["source"], spool.path_of(folder, policy["spool"]))
    )  # fmt: skip
    spooled = [f.path for f in files] + ([] if policy_file is None else [policy_file.path])
    with unit_of_work(env.factory) as session:
        claimed = gate_queued.claim(session, evaluation_id=run_id)
    if claimed is None:  # an earlier run of this job finished it
        for path in spooled:
            spool.remove(path)
        return "already finished"
    log.info("gate evaluation %s: attempt %d of job %s", run_id, claimed.attempt, context.job.id)
    try:
        gate_options, principal = gate_options_from_json(options, env.settings)
        status = gate_queued.run(
            env.factory, evaluation_id=run_id, reports=files, policy=policy_file,
            options=gate_options, principal=principal, hmac_key=env.settings.secret_hmac_key,
            batch_size=env.settings.ingest_batch_size,
        )  # fmt: skip
        return status.value
    finally:
        for path in spooled:  # the job ended: the reports (and any secret in them) go
            spool.remove(path)


# --- periodic -----------------------------------------------------------------------------------


async def retry_stalled(context: JobContext, timestamp: int) -> int:  # noqa: ARG001
    """Jobs of workers that sent no heartbeat for a lease run again on a live worker."""
    env = env_of(context)
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=env.settings.job_lease_seconds)
    for job in stalled:
        log.warning("job %s (%s): its worker is gone; running it again", job.id, job.task_name)
        await manager.retry_job(job)
    return len(list(stalled))


def _in_transaction(env: Env, work: Callable[[Session], object]) -> object:
    with unit_of_work(env.factory) as session:
        return work(session)


def expire_triage(context: JobContext, timestamp: int) -> str:  # noqa: ARG001
    """Hourly: risk acceptances and suppression rules past their expiry end (audited)."""
    result = _in_transaction(env_of(context), triage_service.expire_due)
    log.info("expiry: %s", result)
    return str(result)


def metrics_snapshot(context: JobContext, timestamp: int) -> str:  # noqa: ARG001
    """Daily: the posture snapshot of today, every asset recomputed."""
    result = _in_transaction(env_of(context), metrics_service.take_snapshot)
    log.info("metrics snapshot: %s", result)
    return str(result)


def imports_in_flight(session: Session) -> bool:
    """Whether any import job waits or runs (procrastinate's table, through its partial index
    of waiting and running jobs)."""
    return bool(session.execute(text(IMPORTS_IN_FLIGHT), {"task": IMPORT_TASK}).scalar())


def refresh_search(context: JobContext, timestamp: int) -> int:  # noqa: ARG001
    """Every few seconds: the text search rows of assets that imports (or any writer) changed
    are rewritten (aspm.findings.search_index); until then a search reads their tables."""
    return refresh_search_when_idle(env_of(context).factory)


def refresh_search_when_idle(factory: sessionmaker[Session]) -> int:
    """The search refresh, unless imports wait or run and the oldest mark is younger than
    SEARCH_MAX_LAG_SECONDS: it would compete with them for the database (on 2 cores it ran
    beside the last imports of a burst and slowed them), while searches stay exact meanwhile,
    only slower on the pending assets. Past the bound it runs anyway, so a steady stream of
    imports cannot keep the index stale. Returns the assets refreshed."""
    with factory() as session:
        age = search_index.oldest_mark_age(session)
        if age is None:
            return 0
        if age < SEARCH_MAX_LAG_SECONDS and imports_in_flight(session):
            log.debug("search: the refresh waits for imports (oldest mark %.0f s)", age)
            return 0
    return search_index.refresh(factory).assets


def sweep_spool(context: JobContext, timestamp: int) -> int:  # noqa: ARG001
    """Hourly: uploads that no pending import or gate evaluation will read are deleted."""
    env = env_of(context)
    folder: Path = env.settings.spool_dir
    checked = set(spool.spooled_ids(folder))
    with unit_of_work(env.factory) as session:
        pending = queued.pending_ids(session, sorted(checked))
        pending |= gate_queued.pending_ids(session, sorted(checked))
    removed = spool.sweep(folder, checked=checked, pending=pending)
    if removed:
        log.info("spool: %d abandoned uploads deleted", removed)
    return removed
