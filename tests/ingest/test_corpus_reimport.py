"""Re-importing any corpus report creates nothing, resolves nothing and reopens nothing (issue 2's
idempotence, kept by issue 15's identity refinements and occurrence ordinals)."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from aspm.ingest.service import IngestOptions, run_import
from tests.conftest import TEST_SECRET
from tests.ingest.harness import CORPUS
from tests.ingest.test_corpus import CASES, REJECTED

READABLE = [(rel, count) for rel, count in CASES if count is not None and rel not in REJECTED]


@pytest.mark.corpus
@pytest.mark.parametrize(("rel", "count"), READABLE, ids=[c[0] for c in READABLE])
def test_reimport_of_corpus_report_creates_nothing(
    rel: str, count: int, sessions: sessionmaker[Session]
) -> None:
    del count  # the MANIFEST count is test_corpus's business
    path = CORPUS / rel
    results = []
    for _ in range(2):
        with path.open("rb") as fh:
            results.append(
                run_import(
                    sessions,
                    source=fh,
                    filename=path.name,
                    options=IngestOptions(),
                    hmac_key=TEST_SECRET.encode(),
                )
            )
    first, again = results
    assert first.status == again.status == "ok", (first.error, again.error)
    assert (again.new, again.resolved, again.reopened, again.new_findings) == (0, 0, 0, 0)
    assert again.unchanged == first.new
    assert again.duplicates == first.duplicates
