"""The audit log: filters and paging over HTTP, and append-only storage on PostgreSQL."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.common.clock import utcnow
from tests.triage.helpers import findings, import_leaks


def test_audit_log_filters_by_object_actor_action_and_time(client: TestClient) -> None:
    import_leaks(client, "acme/audit", ["a.env", "b.env"])
    a, b = findings(client, asset="acme/audit")
    before = utcnow()
    for f in (a, b):
        resp = client.post(
            f"/api/v1/findings/{f['id']}/triage",
            json={"state": "confirmed", "version": f["version"]},
        )
        assert resp.status_code == 200
    client.post(f"/api/v1/findings/{a['id']}/comments", json={"body": "looking"})

    def get(**params: Any) -> dict[str, Any]:
        resp = client.get("/api/v1/audit", params=params)
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body

    assert get(object_type="finding", object_id=a["id"], since=before.isoformat())["total"] == 2
    assert get(action="triage", actor="user:admin-test", since=before.isoformat())["total"] == 2
    assert get(actor="user:nobody")["total"] == 0
    assert get(until=(before - timedelta(days=1)).isoformat(), action="triage")["total"] == 0
    page = get(action="triage", since=before.isoformat(), limit=1)
    assert (page["total"], len(page["items"])) == (2, 1)
    newest = page["items"][0]
    assert newest["object_id"] == b["id"]  # newest first
    naive = client.get("/api/v1/audit", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422  # times need a zone


def test_there_is_no_http_path_that_changes_audit_events(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    audit_ops = {
        m for p, ops in spec["paths"].items() if p.startswith("/api/v1/audit") for m in ops
    }
    assert audit_ops == {"get"}


@pytest.mark.postgres
def test_postgresql_refuses_update_delete_and_truncate_of_audit_events(
    engine: Engine, connection: Connection, session: Session
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    event = audit_service.record(session, "user:alice", "triage", "finding", uuid.uuid4())
    session.flush()
    for sql in (
        "UPDATE audit_events SET actor = 'user:mallory' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "TRUNCATE audit_events",
    ):
        savepoint = connection.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(sql), {"id": event.id})
        savepoint.rollback()
    actor = connection.execute(
        text("SELECT actor FROM audit_events WHERE id = :id"), {"id": event.id}
    ).scalar_one()
    assert actor == "user:alice"
