"""Queued imports (aspm.jobs): the import row exists from the upload on, so a client can follow
it at GET /imports/{id}: queued -> running (progress_bytes of size_bytes) -> ok or error.

The import itself is `service.run_import(..., run_id=...)`, one transaction as inline: only at
its end does it write the final state onto this row. Progress is written in short transactions
of its own, which never wait for the import's (the import takes no lock on the row until then).
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from aspm.common.clock import utcnow
from aspm.db.bulk import is_postgres
from aspm.ingest.models import FINAL_STATUSES, IngestRun, IngestStatus
from aspm.ingest.service import IngestOptions, check_request, record_failure


@dataclass(frozen=True, slots=True)
class Claimed:
    id: uuid.UUID
    attempt: int  # 1 on the first run; more when a dead worker's job runs again


def create(session: Session, *, filename: str, size: int, options: IngestOptions) -> IngestRun:
    """The row of an upload that waits for a worker. Raises what `run_import` would refuse
    before reading a byte (InvalidInput), so the client hears it now, not from the job."""
    check_request(filename, options)
    run = IngestRun(
        id=uuid.uuid4(),
        filename=filename[:500],
        format=options.format,
        scope_target=options.scope,
        partial=options.partial,
        uploaded_by=options.actor,
        status=IngestStatus.QUEUED,
        size_bytes=size,
        started_at=utcnow(),
        details={"attempts": 0},
    )
    session.add(run)
    session.flush()
    return run


def claim(session: Session, *, import_id: uuid.UUID) -> Claimed | None:
    """A worker starts (or starts again) the import: running, progress 0. None when there is
    nothing to do: the row is gone, or an earlier run of the job finished it."""
    run = session.scalar(select(IngestRun).where(IngestRun.id == import_id).with_for_update())
    if run is None or run.status in FINAL_STATUSES:
        return None
    attempt = int((run.details or {}).get("attempts", 0)) + 1
    run.status = IngestStatus.RUNNING
    run.progress_bytes = 0
    run.details = {**(run.details or {}), "attempts": attempt}
    session.flush()
    return Claimed(id=run.id, attempt=attempt)


def record_progress(session: Session, *, import_id: uuid.UUID, read_bytes: int) -> None:
    if is_postgres(session):
        # never wait: the import's own transaction holds the row once it writes the result
        session.execute(text("SET LOCAL lock_timeout = '200ms'"))
    session.execute(
        update(IngestRun)
        .where(IngestRun.id == import_id, IngestRun.status == IngestStatus.RUNNING)
        .values(progress_bytes=read_bytes)
    )


def fail(session: Session, *, import_id: uuid.UUID, error: str) -> None:
    """An import that did not run to its end (e.g. its upload vanished): error, with why, as
    any failed import is recorded (`service.record_failure`)."""
    record_failure(session, error=error, run_id=import_id)


def pending_ids(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these imports are still queued or running."""
    if not ids:
        return set()
    rows = session.scalars(
        select(IngestRun.id).where(
            IngestRun.id.in_(ids), IngestRun.status.not_in(list(FINAL_STATUSES))
        )
    )
    return set(rows)
