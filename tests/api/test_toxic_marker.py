"""Issue 16: the queue marks the findings in a toxic combination; the list API says which
(`toxic` on each item, the same definition as the `toxic=true` filter)."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from aspm.demo.service import run_demo
from tests.conftest import TEST_SECRET


@pytest.fixture
def demo(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run_demo(sessions, out_dir=tmp_path, hmac_key=TEST_SECRET.encode(), batch_size=50)


@pytest.mark.usefixtures("demo")
def test_each_listed_finding_says_whether_it_is_in_a_toxic_combination(
    client: TestClient,
) -> None:
    toxic = client.get("/api/v1/findings", params={"toxic": "true", "limit": 500}).json()
    assert toxic["items"], "the demo shows toxic combinations"
    assert all(i["toxic"] is True for i in toxic["items"])
    others = client.get("/api/v1/findings", params={"toxic": "false", "limit": 500}).json()
    assert others["items"]
    assert all(i["toxic"] is False for i in others["items"])
    # the finding page says the same as its list row
    one = toxic["items"][0]
    detail = client.get(f"/api/v1/findings/{one['id']}").json()
    assert detail["toxic"] is True
    assert any(f["factor"] == "toxic_combination" for f in detail["risk_explanation"])
