"""Gap 20 of issue 16: posture read by team, asset and environment over the API, each tile's
previous period (the `end` the dashboard asks with), and figures that move with triage at once."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from aspm.auth.principal import SYSTEM
from aspm.common.clock import reset_clock, set_clock, utcnow
from aspm.metrics import service
from aspm.metrics.schemas import MetricQuery
from tests.metrics.helpers import NOW, days_ago, make_asset, make_finding
from tests.triage.helpers import findings, import_leaks


def posture(client: TestClient, **params: str) -> dict[str, Any]:
    resp = client.get(
        "/api/v1/metrics/posture", params={"period": "1d", "group_by": "none", **params}
    )
    assert resp.status_code == 200, resp.text
    rows = resp.json()["rows"]
    assert len(rows) <= 1
    row: dict[str, Any] = rows[0] if rows else {"open_count": 0, "accepted_count": 0}
    return row


def put_asset(client: TestClient, name: str, **context: str) -> None:
    resp = client.put(f"/api/v1/assets/{name}", json=context)
    assert resp.status_code == 200, resp.text


def test_posture_reads_one_team_asset_or_environment_and_moves_with_triage(
    client: TestClient,
) -> None:
    import_leaks(client, "acme/pay", ["a.env", "b.env", "c.env"])
    import_leaks(client, "acme/web", ["d.env"], start=10)
    put_asset(client, "acme/pay", owner_team="payments", environment="prod")
    put_asset(client, "acme/web", owner_team="web", environment="dev")

    assert posture(client)["open_count"] == 4
    assert posture(client, team="payments")["open_count"] == 3
    assert posture(client, team="web")["open_count"] == 1
    assert posture(client, asset="acme/web")["open_count"] == 1
    assert posture(client, environment="prod")["open_count"] == 3
    assert posture(client, environment="dev", team="payments")["open_count"] == 0
    by_team = client.get(
        "/api/v1/metrics/posture", params={"period": "1d", "group_by": "team", "team": "web"}
    ).json()
    assert [(r["team"], r["open_count"]) for r in by_team["rows"] if r["open_count"]] == [
        ("web", 1)
    ]

    f = findings(client, asset="acme/pay")[0]
    accepted = client.post(
        f"/api/v1/findings/{f['id']}/triage",
        json={
            "version": f["version"],
            "state": "accepted_risk",
            "reason": "compensating control",
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
    )
    assert accepted.status_code == 200, accepted.text
    team = posture(client, team="payments")
    assert (team["open_count"], team["accepted_count"]) == (2, 1)
    assert posture(client, team="web")["open_count"] == 1  # the other team did not move
    (asset,) = [a for a in client.get("/api/v1/assets").json() if a["name"] == "acme/pay"]
    assert asset["findings"] == 2  # the Assets page counts open the same way, at once


@pytest.fixture
def fixed_clock() -> Iterator[None]:
    set_clock(lambda: NOW)
    yield
    reset_clock()


@pytest.mark.usefixtures("fixed_clock")
def test_the_previous_period_ends_the_day_before_this_one_starts(session: Session) -> None:
    """What the dashboard's tiles compare with: posture with `end` = the day before the
    current period's start gives the last snapshot of the previous period of the same length."""
    repo = make_asset(session, "acme/api")
    make_finding(session, repo, risk_score=40, first_seen_at=days_ago(20))
    make_finding(session, repo, risk_score=60, first_seen_at=days_ago(20))
    service.take_snapshot(session, day=days_ago(10).date())
    make_finding(session, repo, risk_score=25, first_seen_at=days_ago(1))
    service.take_snapshot(session)

    def latest(**kw: Any) -> tuple[str, int, int]:
        result = service.compute(session, SYSTEM, "posture", MetricQuery(group_by="none", **kw))
        row = max(result.rows, key=lambda r: str(r["day"]))
        return str(row["day"]), int(str(row["open_count"])), int(str(row["open_risk"]))

    now = service.compute(session, SYSTEM, "posture", MetricQuery(period="7d", group_by="none"))
    assert latest(period="7d") == (NOW.date().isoformat(), 3, 125)
    previous_end = now.period.start.date() - timedelta(days=1)
    assert previous_end == days_ago(7).date()
    assert latest(period="7d", end=previous_end) == (days_ago(10).date().isoformat(), 2, 100)
