"""Trackers' API tokens and webhook secrets are write-only: stored sealed with the instance key,
never in an answer, a log line or the database in clear, even when the tracker refuses them."""

import base64
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.session import unit_of_work
from aspm.integrations import crypto, tickets_service
from aspm.integrations.tickets_models import TicketTracker
from aspm.settings import Settings
from tests.factories import ingest_bytes
from tests.gate.helpers import CRITICAL, sarif_report, sarif_result
from tests.integrations.test_credentials import _everything_in_the_database
from tests.integrations.tickets_fixtures import (
    DC_TOKEN,
    GH_TOKEN,
    HOOK_SECRET,
    JIRA_TOKEN,
    KEY,
    URL,
    configured,
    github,
    jira,
    jira_dc,
    settings,
    tickets_file,
)
from tests.integrations.trackers import Fail, Tracker

__all__ = ["configured", "github", "jira", "jira_dc", "settings", "tickets_file"]  # fixtures


def test_no_tracker_credential_appears_in_the_database_logs_or_answers(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    jira: Tracker,
    github: Tracker,
    crown_jewels: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's and httpcore's included
    answers: list[str] = []
    for name, token in (("jira", JIRA_TOKEN), ("dc", DC_TOKEN), ("gh", GH_TOKEN)):
        response = client.put(
            f"{URL}/trackers/{name}/credentials",
            json={"token": token, "webhook_secret": HOOK_SECRET},
        )
        assert response.status_code == 200
        answers.append(response.text)
    report = sarif_report(sarif_result("sql-injection", level="error", score=CRITICAL))
    ingest_bytes(sessions, report, asset="acme/api")
    ingest_bytes(sessions, report, asset="acme/srv")
    ids = [f["id"] for f in client.get("/api/v1/findings").json()["items"]]
    answers.append(client.post(URL, json={"ids": ids}).text)
    jira.fail(Fail(401), Fail(429, retry_after=1))  # a refused token, then a rate limit
    tickets_service.send_due(sessions, path=settings.tickets_file, instance_key=KEY)
    for ticket in client.get(URL).json()["items"]:
        if ticket["status"] == "failed":
            answers.append(client.post(f"{URL}/{ticket['id']}/retry").text)
    tickets_service.send_due(sessions, path=settings.tickets_file, instance_key=KEY)
    tickets_service.poll(sessions, path=settings.tickets_file, instance_key=KEY)
    answers += [
        client.get(URL).text,
        client.get(f"{URL}/settings").text,
        client.get("/api/v1/audit").text,
        client.post(f"{URL}/hooks/github/gh", content=b"{}",
                    headers={"X-Hub-Signature-256": "sha256=00"}).text,
    ]  # fmt: skip
    sent: list[Any] = [c.headers.get("authorization") for c in jira.received + github.received]
    basic = base64.b64encode(f"{jira.email}:{JIRA_TOKEN}".encode()).decode()
    assert f"Basic {basic}" in sent  # the trackers did get the credentials
    assert f"Bearer {GH_TOKEN}" in sent
    assert any(t["key"] for t in client.get(URL).json()["items"])
    with unit_of_work(sessions) as session:
        stored = _everything_in_the_database(session)
        sealed = session.scalars(
            select(TicketTracker.token_sealed).where(TicketTracker.name == "gh")
        ).one()
    for where, content in (("answers", "\n".join(answers)), ("logs", caplog.text),
                           ("database", stored)):  # fmt: skip
        for secret in (JIRA_TOKEN, DC_TOKEN, GH_TOKEN, HOOK_SECRET, basic):
            assert secret not in content, (where, secret)
    assert sealed is not None
    assert crypto.open_sealed(sealed, instance_key=KEY, context="tracker:gh:token") == GH_TOKEN
    with pytest.raises(crypto.Unreadable):
        crypto.open_sealed(sealed, instance_key=KEY, context="tracker:jira:token")
