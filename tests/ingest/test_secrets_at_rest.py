"""DESIGN §5: no secret value from any secret-scanner report reaches the database, logs or output.

Ingests every secret-scanner report of the corpus through the CLI (output captured) and the REST
API, then searches every column of every table, the captured logs and all output for each value.
"""

import io
import logging
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.all_models import Base
from aspm.ingest.service import IngestOptions, run_import
from tests.conftest import TEST_SECRET
from tests.ingest.harness import CORPUS, parse_file

SECRET_SOURCES = (
    "gitleaks/*",
    "trufflehog/*",
    "trufflehog3/*",
    "detect-secrets/*",
    "sarif/gitleaks-*",
)
# shorter values match ordinary prose (gitleaks' own golden file uses the secret "a secret")
MIN_LEN = 10


def _secret_reports() -> list[Path]:
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            raise RuntimeError("corpus missing in CI")
        return []
    files = sorted(p for pattern in SECRET_SOURCES for p in CORPUS.glob(pattern))
    usable = []
    for path in files:
        try:
            parse_file(path)
        except Exception:  # noqa: S112 - unreadable/rejected files are covered by corpus tests
            continue
        usable.append(path)
    return usable


REPORTS = _secret_reports()


def _secrets(paths: list[Path]) -> set[str]:
    values = {f.secret for p in paths for f in parse_file(p).findings if f.secret}
    return {v for v in values if len(v) >= MIN_LEN}


def _dump(session: Session) -> str:
    chunks = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            chunks.append(repr(tuple(row)))
    return "\n".join(chunks)


@pytest.mark.corpus
def test_no_secret_value_is_stored_logged_or_returned(
    sessions: sessionmaker[Session],
    session: Session,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if not REPORTS:
        pytest.skip("corpus absent")
    secrets = _secrets(REPORTS)
    assert len(secrets) >= 10, "the corpus should give plenty of secrets to look for"
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    for path in REPORTS:
        result = run_import(
            sessions,
            source=path.open("rb"),
            filename=path.name,
            options=IngestOptions(asset="secrets/direct"),
            hmac_key=TEST_SECRET.encode(),
        )
        assert result.status == "ok", result.error
        outputs.append(result.model_dump_json())
        resp = client.post(
            "/api/v1/imports",
            params={"asset": "secrets/api", "filename": path.name},
            content=path.read_bytes(),
        )
        assert resp.status_code == 201, resp.text
        outputs.append(resp.text)
    page = client.get("/api/v1/findings", params={"limit": 500}).json()
    outputs.append(str(page))
    for item in page["items"]:
        outputs.append(client.get(f"/api/v1/findings/{item['id']}").text)
    everything = "\n".join([_dump(session), caplog.text, *outputs])
    leaked = sorted(s[:4] + "..." for s in secrets if s in everything)
    assert leaked == [], f"secret values found at rest or in output (prefixes): {leaked}"
    assert page["total"] > 0


def test_secret_preview_shows_only_a_prefix_and_length(
    sessions: sessionmaker[Session], session: Session
) -> None:
    from aspm.findings.models import Detection
    from tests.factories import gitleaks_leak, gitleaks_report

    value = "AKIA" + "Z7X6C5V4B3N2M1L0"
    leak = gitleaks_leak(value)
    leak["Message"] = f"oops committed {value}"
    run_import(
        sessions,
        source=io.BytesIO(gitleaks_report(leak)),
        filename="g.json",
        options=IngestOptions(asset="a/b"),
        hmac_key=TEST_SECRET.encode(),
    )
    det = session.scalars(select(Detection)).one()
    assert det.secret_preview == "AKIA**** (20 chars)"
    assert det.snippet is not None
    assert value not in det.snippet
    assert det.secret_hash
    assert len(det.secret_hash) == 64
    assert value not in _dump(session)
