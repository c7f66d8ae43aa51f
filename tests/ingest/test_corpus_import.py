"""Every corpus report of a supported format imports end to end; unreadable ones store nothing."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.findings.models import Detection
from aspm.ingest.service import IngestOptions, run_import
from tests.conftest import TEST_SECRET
from tests.ingest.harness import CORPUS, parse_file
from tests.ingest.test_corpus import CASES, COUNT_KEYS, REJECTED


@pytest.mark.corpus
@pytest.mark.parametrize(("rel", "count"), CASES, ids=[c[0] for c in CASES])
def test_corpus_report_imports(
    rel: str, count: int | None, sessions: sessionmaker[Session], session: Session
) -> None:
    path = CORPUS / rel
    with path.open("rb") as fh:
        result = run_import(
            sessions,
            source=fh,
            filename=path.name,
            options=IngestOptions(),
            hmac_key=TEST_SECRET.encode(),
        )
    stored = session.scalar(select(func.count()).select_from(Detection))
    if count is None or rel in REJECTED:
        assert result.status == "error"
        assert result.error
        assert path.name in result.error
        assert stored == 0
        return
    assert result.status == "ok", result.error
    if rel.split("/")[0] not in COUNT_KEYS:  # those folders count something else (test_corpus)
        assert result.records == count
    # Prowler's MANUAL records are neither passed nor failed (issue 15): the parse counts them
    manual = parse_file(path).ctx.manual if rel.startswith("prowler") else 0
    assert result.findings == result.records - result.passed - result.skipped - manual
    assert stored == result.new == result.findings - result.duplicates
