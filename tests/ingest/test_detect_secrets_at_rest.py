"""detect-secrets baselines: the report's `hashed_secret` (an unsalted SHA-1 of the secret) never
reaches the database; only its keyed HMAC does, and it keys the detection across re-imports."""

import hashlib
import json
from types import ModuleType

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.common.hashing import secret_hmac
from aspm.findings.models import Detection, Finding
from tests import alembic_versions
from tests.conftest import TEST_SECRET
from tests.factories import ingest_bytes
from tests.ingest.harness import SAMPLES
from tests.ingest.test_secrets_at_rest import _dump

BASELINES = ("many.json", "ibm-fork.json", "v0-version-last.json")


def _hashes(data: bytes) -> set[str]:
    results = json.loads(data)["results"]
    return {e["hashed_secret"] for entries in results.values() for e in entries}


def test_no_hashed_secret_is_stored_and_a_reimport_changes_nothing(
    sessions: sessionmaker[Session], session: Session
) -> None:
    reports = {name: (SAMPLES / "detect-secrets" / name).read_bytes() for name in BASELINES}
    hashes = set().union(*map(_hashes, reports.values()))
    assert len(hashes) >= 5
    for name, data in reports.items():
        first = ingest_bytes(sessions, data, asset="acme/web", filename=name)
        assert first.status == "ok", first
        assert first.new_findings > 0
    dump = _dump(session)
    assert [h for h in hashes if h in dump] == []
    stored = set(session.scalars(select(Detection.secret_hash)))
    assert stored == {secret_hmac(h, key=TEST_SECRET.encode()) for h in hashes}
    # no preview either: hex digits of an unsalted hash help a guesser, not a reader
    assert set(session.scalars(select(Detection.secret_preview))) == {None}
    detections = session.scalar(select(func.count()).select_from(Detection))
    findings = session.scalar(select(func.count()).select_from(Finding))

    for name, data in reports.items():  # the same baselines again
        again = ingest_bytes(sessions, data, asset="acme/web", filename=name)
        assert (again.status, again.new_findings) == ("ok", 0)
    assert session.scalar(select(func.count()).select_from(Detection)) == detections
    assert session.scalar(select(func.count()).select_from(Finding)) == findings


def test_a_secret_that_moved_lines_is_the_same_detection(
    sessions: sessionmaker[Session], session: Session
) -> None:
    data = (SAMPLES / "detect-secrets" / "one.json").read_bytes()
    doc = json.loads(data)
    ingest_bytes(sessions, data, asset="acme/web", filename="one.json")
    for entries in doc["results"].values():
        for entry in entries:
            entry["line_number"] += 10
    moved = ingest_bytes(sessions, json.dumps(doc).encode(), asset="acme/web", filename="b.json")
    assert moved.new_findings == 0
    assert session.scalar(select(func.count()).select_from(Detection)) == 1


def _migration() -> ModuleType:
    return alembic_versions.load("detect_secrets_keyed_hash")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def test_the_migration_rekeys_rows_stored_with_the_raw_hash(
    sessions: sessionmaker[Session], session: Session
) -> None:
    """Rows as the ingestor wrote them before (raw hash in tool_fingerprint, identities from it)
    become exactly what an import writes now, and a re-import matches them."""
    data = (SAMPLES / "detect-secrets" / "many.json").read_bytes()
    assert ingest_bytes(sessions, data, asset="acme/web", filename="many.json").new_findings > 0
    cols = (Detection.id, Detection.fingerprint, Detection.secret_hash, Detection.tool_fingerprint)
    now = {r.id: r for r in session.execute(select(*cols, Detection.finding_id)).all()}
    keys = {r.id: r.finding_key for r in session.execute(select(Finding.id, Finding.finding_key))}
    by_hmac = {secret_hmac(h, key=TEST_SECRET.encode()): h for h in _hashes(data)}
    for det in session.scalars(select(Detection)).all():  # back to the old form
        finding = session.get_one(Finding, det.finding_id)
        tfp = f"{det.path}|{det.rule_id}|{by_hmac[det.secret_hash or '']}"
        det.fingerprint = _digest("detect-secrets", str(det.asset_id), "tfp", tfp)
        det.secret_hash, det.tool_fingerprint = None, tfp
        finding.finding_key = _digest(finding.control_id, "tfp", "detect-secrets", tfp)
    session.flush()
    assert any(h in _dump(session) for h in by_hmac.values())

    assert _migration().rekey(session.connection(), TEST_SECRET.encode()) == len(now)
    session.expire_all()
    after = {r.id: r for r in session.execute(select(*cols, Detection.finding_id)).all()}
    assert after == now
    assert {
        r.id: r.finding_key for r in session.execute(select(Finding.id, Finding.finding_key))
    } == keys
    assert not any(h in _dump(session) for h in by_hmac.values())
    again = ingest_bytes(sessions, data, asset="acme/web", filename="many.json")
    assert (again.new_findings, again.reopened_findings) == (0, 0)
