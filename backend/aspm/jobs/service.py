"""Queue an upload: its import row (queued) and its job. Called by POST /imports."""

import logging
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from aspm.db.session import unit_of_work
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
