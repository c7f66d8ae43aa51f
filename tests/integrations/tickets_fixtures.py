"""Fixtures of the ticket tests: fake Jira Cloud, Jira Data Center and GitHub servers on loopback,
a tickets file mapping to them, the settings naming it, and an admin who entered every token."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aspm.settings import Settings
from tests.conftest import TEST_SECRET
from tests.integrations.trackers import Tracker, tracker_server

URL = "/api/v1/tickets"
KEY = TEST_SECRET.encode()
PUBLIC = "https://aspm.example.com"
JIRA_TOKEN = "jira-api-token-Zq81xW"
DC_TOKEN = "dc-pat-Mv27LpQ0"
GH_TOKEN = "ghp_githubtokenR4nd0m"
HOOK_SECRET = "hook-secret-6b1f0e2d"


@pytest.fixture
def jira() -> Iterator[Tracker]:
    with tracker_server(JIRA_TOKEN) as t:
        yield t


@pytest.fixture
def jira_dc() -> Iterator[Tracker]:
    with tracker_server(DC_TOKEN) as t:
        yield t


@pytest.fixture
def github() -> Iterator[Tracker]:
    with tracker_server(GH_TOKEN, projects={"acme/payments"}) as t:
        yield t


def tickets_yaml(jira: Tracker, jira_dc: Tracker, github: Tracker, **extra: str) -> str:
    text = f"""
trackers:
  jira:
    kind: jira_cloud
    url: {jira.url}
    email: {jira.email}
    priorities: {{P1: Highest, P2: High, P3: Medium, P4: Low}}
  dc:
    kind: jira_server
    url: {jira_dc.url}
    issue_type: Task
  gh:
    kind: github
    url: {github.url}
    labels: {{P1: "priority: P1"}}
default: {{tracker: jira, project: SEC}}
teams:
  ci: {{tracker: gh, project: acme/payments}}
assets:
  acme/cli: {{tracker: dc, project: WEB}}
poll_minutes: 10
"""
    return text + "".join(f"{k}: {v}\n" for k, v in extra.items())


@pytest.fixture
def tickets_file(tmp_path: Path, jira: Tracker, jira_dc: Tracker, github: Tracker) -> Path:
    path = tmp_path / "tickets.yaml"
    path.write_text(tickets_yaml(jira, jira_dc, github), encoding="utf-8")
    return path


@pytest.fixture
def settings(tickets_file: Path) -> Settings:
    return Settings(
        environment="test", database_url="sqlite://", secret_key=TEST_SECRET,
        argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1,
        tickets_file=tickets_file, public_url=PUBLIC,
    )  # fmt: skip


@pytest.fixture
def configured(client: TestClient) -> TestClient:
    """The admin client, with every tracker's token and webhook secret entered."""
    for name, token in (("jira", JIRA_TOKEN), ("dc", DC_TOKEN), ("gh", GH_TOKEN)):
        response = client.put(
            f"{URL}/trackers/{name}/credentials",
            json={"token": token, "webhook_secret": HOOK_SECRET},
        )
        assert response.status_code == 200, response.text
    return client
