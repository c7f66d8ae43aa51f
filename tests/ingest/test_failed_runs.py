"""One record of a failed import, whoever saw it fail: the inline import, or the job queue's
worker for a queued upload (aspm.ingest.queued). Each is an error row saying why and one
`import.failed` webhook event."""

import io
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.common.clock import utcnow
from aspm.db.session import unit_of_work
from aspm.ingest import queued
from aspm.ingest.models import IngestRun, IngestStatus
from aspm.ingest.service import IngestOptions, record_failure, run_import
from aspm.integrations.models import Webhook, WebhookEvent

KEY = b"k" * 32


def _subscribe(session: Session) -> None:
    now = utcnow()
    session.add(
        Webhook(id=uuid.uuid4(), name="failures", kind="generic", url_sealed="v1.x",
                url_hint="https://x/…", secret_sealed=None, events=["import.failed"],
                active=True, created_by="test", created_at=now, updated_at=now)
    )  # fmt: skip
    session.flush()


def _events(session: Session) -> list[dict[str, object]]:
    rows = session.scalars(select(WebhookEvent).where(WebhookEvent.type == "import.failed"))
    return [e.data for e in rows]


def test_a_failed_inline_import_and_a_failed_queued_one_are_recorded_alike(
    sessions: sessionmaker[Session],
) -> None:
    with unit_of_work(sessions) as session:
        _subscribe(session)
        waiting = queued.create(
            session, filename="b.sarif", size=10, options=IngestOptions(actor="ci")
        )
        waiting_id, queued_at = waiting.id, waiting.started_at
    inline = run_import(
        sessions, source=io.BytesIO(b"not a report"), filename="a.txt",
        options=IngestOptions(actor="ci"), hmac_key=KEY,
    )  # fmt: skip
    assert inline.status == "error"
    assert inline.error is not None
    with unit_of_work(sessions) as session:
        queued.claim(session, import_id=waiting_id)
    with unit_of_work(sessions) as session:
        queued.fail(session, import_id=waiting_id, error="b.sarif: the upload is gone")
    with unit_of_work(sessions) as session:
        rows = {r.filename: r for r in session.scalars(select(IngestRun))}
        for name, error in (("a.txt", inline.error), ("b.sarif", "b.sarif: the upload is gone")):
            run = rows[name]
            assert (run.status, run.error, run.progress_bytes) == (IngestStatus.ERROR, error, None)
            assert run.finished_at is not None
            assert run.uploaded_by == "ci"
        assert rows["a.txt"].id == inline.import_id
        assert rows["b.sarif"].started_at == queued_at  # the queued row, not a new one
        events = sorted(_events(session), key=lambda d: str(d["file"]))
        assert [(e["file"], e["error"]) for e in events] == [
            ("a.txt", inline.error),
            ("b.sarif", "b.sarif: the upload is gone"),
        ]
        assert events[1]["import_id"] == str(waiting_id)


def test_a_finished_or_vanished_import_is_left_as_it_is(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        _subscribe(session)
        done = queued.create(session, filename="c.sarif", size=1, options=IngestOptions())
        done.status = IngestStatus.OK
        done.finished_at = done.started_at + timedelta(seconds=1)
        done_id = done.id
    with unit_of_work(sessions) as session:
        assert record_failure(session, error="late", run_id=done_id) is None
        assert record_failure(session, error="late", run_id=uuid.uuid4()) is None
    with unit_of_work(sessions) as session:
        run = session.get(IngestRun, done_id)
        assert run is not None
        assert (run.status, run.error) == (IngestStatus.OK, None)
        assert _events(session) == []
