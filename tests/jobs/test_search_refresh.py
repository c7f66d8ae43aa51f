"""`aspm db refresh-search`: what the workers' periodic job does, on demand."""

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from aspm.cli import app
from aspm.jobs import tasks
from aspm.jobs import worker as jobs_worker
from aspm.settings import Settings, get_settings
from tests.jobs.test_lifecycle import leaks, state, upload

runner = CliRunner()


@pytest.mark.postgres
def test_the_command_refreshes_what_imports_marked(
    jobs_client: TestClient, jobs_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = f"acme/s-{uuid.uuid4().hex[:6]}"
    queued = upload(jobs_client, leaks(3, asset), asset)
    jobs_worker.run(jobs_settings, wait=False)
    assert state(jobs_client, queued["import_id"])["status"] == "ok"
    engine = create_engine(jobs_settings.database_url)
    marked = text(
        "SELECT count(*) FROM finding_search_pending p JOIN assets a ON a.id = p.asset_id"
        " WHERE a.name = :a"
    )
    with engine.begin() as conn:  # marked by the import (or by an earlier test's refresh: again)
        conn.execute(
            text(
                "INSERT INTO finding_search_pending (asset_id, version)"
                " SELECT id, 1 FROM assets WHERE name = :a ON CONFLICT DO NOTHING"
            ),
            {"a": asset},
        )
    monkeypatch.setenv("ASPM_DATABASE_URL", jobs_settings.database_url)
    monkeypatch.setenv("ASPM_SECRET_KEY", jobs_settings.secret_key.get_secret_value())
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "refresh-search"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "search refreshed:" in result.output
    with engine.connect() as conn:
        assert conn.scalar(marked, {"a": asset}) == 0
        rows = conn.scalar(
            text(
                "SELECT count(*) FROM finding_search s JOIN assets a ON a.id = s.asset_id"
                " WHERE a.name = :a"
            ),
            {"a": asset},
        )
    engine.dispose()
    assert rows == 3
    found = jobs_client.get("/api/v1/findings", params={"q": "cfg/", "asset": asset}).json()
    assert found["total"] == 3


def test_on_sqlite_there_is_nothing_to_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        result = runner.invoke(app, ["db", "refresh-search"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "nothing to refresh" in result.output


@pytest.mark.postgres
def test_the_periodic_refresh_waits_for_imports_within_its_bound(
    jobs_client: TestClient, jobs_settings: Settings
) -> None:
    """While an import waits or runs, the job leaves young marks alone (it would compete with
    the import for the database); past SEARCH_MAX_LAG_SECONDS it refreshes anyway."""
    asset = f"acme/w-{uuid.uuid4().hex[:6]}"
    engine = create_engine(jobs_settings.database_url)
    factory = sessionmaker(engine)
    marked = text(
        "SELECT count(*) FROM finding_search_pending p JOIN assets a ON a.id = p.asset_id"
        " WHERE a.name = :a"
    )
    try:
        first = upload(jobs_client, leaks(2, asset), asset)
        jobs_worker.run(jobs_settings, wait=False)  # imported (and maybe refreshed already)
        assert state(jobs_client, first["import_id"])["status"] == "ok"
        with engine.begin() as conn:  # its findings changed since: marked, as a trigger does
            conn.execute(
                text(
                    "UPDATE findings SET title = title || ' (changed)' WHERE asset_id ="
                    " (SELECT id FROM assets WHERE name = :a)"
                ),
                {"a": asset},
            )
            assert conn.scalar(marked, {"a": asset}) == 1
        upload(jobs_client, leaks(1, f"{asset}-next"), f"{asset}-next")  # waits for a worker
        with factory() as session:
            assert tasks.imports_in_flight(session)
        assert tasks.refresh_search_when_idle(factory) == 0
        with engine.connect() as conn:
            assert conn.scalar(marked, {"a": asset}) == 1  # left for later
        with engine.begin() as conn:  # the mark is older than the bound
            conn.execute(
                text(
                    "UPDATE finding_search_pending SET marked_at = now() - make_interval("
                    "secs => :s)"
                ),
                {"s": tasks.SEARCH_MAX_LAG_SECONDS + 1},
            )
        assert tasks.refresh_search_when_idle(factory) >= 1
        with engine.connect() as conn:
            assert conn.scalar(marked, {"a": asset}) == 0
        jobs_worker.run(jobs_settings, wait=False)  # the waiting import; then nothing waits
        with factory() as session:
            assert not tasks.imports_in_flight(session)
        # a young mark on the new asset: the worker's own periodic refresh may have taken the
        # import's mark already (its 5-second tick can fall inside the run above)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE findings SET title = title || ' (changed)' WHERE asset_id ="
                    " (SELECT id FROM assets WHERE name = :a)"
                ),
                {"a": f"{asset}-next"},
            )
            assert conn.scalar(marked, {"a": f"{asset}-next"}) == 1
        assert tasks.refresh_search_when_idle(factory) >= 1  # the young mark, without waiting
        with engine.connect() as conn:
            assert conn.scalar(marked, {"a": f"{asset}-next"}) == 0
    finally:
        engine.dispose()
