"""Issue 17 part 2: the findings queue pages with an opaque keyset cursor (`after=next_cursor`) and
counts exactly up to 10,000, then says "10,000+" (`total_capped`). On SQLite and PostgreSQL."""

import base64
import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Asset
from aspm.auth.principal import Role
from aspm.db.session import unit_of_work
from aspm.findings.models import Finding
from aspm.findings.schemas import COUNT_CAP, FindingSort
from tests.conftest import ClientAs

T0 = datetime(2026, 11, 1, tzinfo=UTC)
PRIORITIES = ["P1", "P2", None, "P3", "P4"]


def _finding(asset_id: uuid.UUID, n: int, **over: Any) -> dict[str, Any]:
    """Varied on purpose: many ties (one import's findings share first_seen_at), NULL risk,
    priority and due dates, assignees, owner teams, toxic risk keys, suppressed rows."""
    severity = ["critical", "high", "medium", "low", "info"][n % 5]
    row = {
        "id": uuid.uuid4(),
        "asset_id": asset_id,
        "finding_key": f"k{n}-{uuid.uuid4().hex[:8]}",
        "control_id": f"tool:R{n % 4}",
        "title": f"Finding {n % 6}",  # ties on the title too
        "category": "iac",
        "severity": severity,
        "severity_rank": 4 - n % 5,
        "resource": f"aws_s3_bucket.b{n}",
        "path": "main.tf",
        "detector_state": "fixed" if n % 9 == 0 else "active",
        "triage_state": "false_positive" if n % 11 == 0 else "new",
        "suppression_rule_id": uuid.uuid4() if n % 13 == 0 else None,
        "assignee": "lead" if n % 3 == 0 else None,
        "team": "red" if n % 7 == 0 else None,
        "risk_score": None if n % 8 == 0 else (n * 37) % 5 * 10,  # few distinct values
        "priority": PRIORITIES[n % 5],
        "sla_due_at": None if n % 4 == 0 else T0 + timedelta(days=(n * 7) % 3),
        "risk_key": ("2t|x" if n % 5 == 1 else "1|x") if n % 8 else None,
        "first_seen_at": T0 + timedelta(hours=n // 10),  # ten findings per "import"
        "last_seen_at": T0 + timedelta(hours=n // 10, minutes=n % 3),
    }
    return {**row, **over}


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> Callable[..., list[uuid.UUID]]:
    """`seeded(n, start=0)`: n findings on two assets (prod owned by red, dev by blue)."""
    assets: list[uuid.UUID] = []

    def add(n: int, start: int = 0, **over: Any) -> list[uuid.UUID]:
        with unit_of_work(sessions) as s:
            if not assets:
                for name, env, team in (("q/prod", "prod", "red"), ("q/dev", "dev", "blue")):
                    a = Asset(name=name, environment=env, owner_team=team, created_at=T0,
                              updated_at=T0)  # fmt: skip
                    s.add(a)
                    s.flush()
                    assets.append(a.id)
            rows = [_finding(assets[i % 2], i, **over) for i in range(start, start + n)]
            s.execute(insert(Finding), rows)
        return [r["id"] for r in rows]

    return add


@pytest.fixture
def lead(client_as: ClientAs, client: TestClient) -> TestClient:
    """A security lead called `lead` in team red (the admin `client` creates the team)."""
    assert client.post("/api/v1/teams", json={"name": "red"}).status_code in (201, 409)
    return client_as(Role.SECURITY_LEAD, teams=["red"], username="lead")


def _get(client: TestClient, **params: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/findings", params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _walk(
    client: TestClient, limit: int, after: str | None = None, **params: Any
) -> Iterator[dict[str, Any]]:
    body = _get(client, limit=limit, **({"after": after} if after else {}), **params)
    while True:
        yield body
        if body["next_cursor"] is None:
            return
        assert len(body["items"]) == limit
        body = _get(client, limit=limit, after=body["next_cursor"], **params)


# the filters the dashboard sends (queue views, people, search, toxic, suppressed)
FILTERS: list[dict[str, Any]] = [
    {},
    {"open": "true"},
    {"open": "false"},
    {"priority": ["P1", "P2"]},
    {"priority": "none"},
    {"assignee": "me"},
    {"team": "mine"},
    {"q": "b1"},
    {"toxic": "true"},
    {"severity": ["critical", "high"], "environment": "prod"},
    {"suppressed": "include"},
    {"suppressed": "only"},
    {"status": "active", "triage": "new"},
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: json.dumps(f, sort_keys=True))
def test_cursor_pages_are_the_whole_list_in_order_for_every_sort_and_filter(
    seeded: Callable[..., list[uuid.UUID]], lead: TestClient, flt: dict[str, Any]
) -> None:
    seeded(83)
    for sort, descending in itertools.product(FindingSort, (True, False)):
        params = {"sort": sort.value, "descending": str(descending).lower(), **flt}
        whole = _get(lead, limit=500, **params)
        expected = [f["id"] for f in whole["items"]]
        walked = [f["id"] for page in _walk(lead, 4, **params) for f in page["items"]]
        assert walked == expected, params  # stable order, no duplicate, no gap
        assert whole["total"] == len(expected)
        assert not whole["total_capped"]
        assert whole["next_cursor"] is None


def _priority_order(f: dict[str, Any]) -> tuple[Any, ...]:
    due = f["sla_due_at"] or "9999"
    return (f["priority"] or "P9", due, -(f["risk_score"] if f["risk_score"] is not None else -1))


def test_nulls_sort_as_documented_on_both_databases(
    seeded: Callable[..., list[uuid.UUID]], client: TestClient
) -> None:
    """Risk: unscored last when descending; priority: P1 first, due date none last, then risk."""
    seeded(60)
    by_risk = _get(client, sort="risk", limit=500)["items"]
    keys = [(f["risk_score"] if f["risk_score"] is not None else -1) for f in by_risk]
    assert keys == sorted(keys, reverse=True)
    assert keys[-1] == -1
    by_priority = _get(client, sort="priority", limit=500)["items"]
    ordered = [_priority_order(f) for f in by_priority]
    assert ordered == sorted(ordered)
    assert by_priority[0]["priority"] == "P1"
    assert by_priority[-1]["priority"] is None
    least_urgent = _get(client, sort="priority", descending="false", limit=500)["items"]
    assert [f["id"] for f in least_urgent] == [f["id"] for f in reversed(by_priority)]


@pytest.mark.parametrize("sort", [FindingSort.SEVERITY, FindingSort.RISK, FindingSort.PRIORITY])
def test_rows_added_between_pages_neither_repeat_nor_hide_others(
    seeded: Callable[..., list[uuid.UUID]], client: TestClient, sort: FindingSort
) -> None:
    seeded(40)
    first = _get(client, sort=sort.value, limit=10)
    shown = [f["id"] for f in first["items"]]
    # new findings sorting before the cursor (top of the queue) and after it (the bottom)
    top = seeded(3, start=1000, severity_rank=4, severity="critical", risk_score=999,
                 priority="P1", sla_due_at=T0 - timedelta(days=30),
                 first_seen_at=T0 + timedelta(days=30))  # fmt: skip
    bottom = seeded(3, start=2000, suppression_rule_id=None, severity_rank=0, severity="info",
                    risk_score=None, priority=None, sla_due_at=None,
                    first_seen_at=T0 - timedelta(days=30))  # fmt: skip
    rest = [f["id"] for page in _walk(client, 10, sort=sort.value, after=first["next_cursor"])
            for f in page["items"]]  # fmt: skip
    walked = shown + rest
    assert len(walked) == len(set(walked)), "a finding came twice"
    now = [f["id"] for f in _get(client, sort=sort.value, limit=500)["items"]]
    # exactly what the list holds now, less the new rows that sort before the first page's end
    assert walked == [i for i in now if i not in {str(t) for t in top}]
    assert {str(b) for b in bottom} <= set(rest)


def test_an_invalid_cursor_is_422(
    seeded: Callable[..., list[uuid.UUID]], client: TestClient
) -> None:
    seeded(12)
    cursor = _get(client, sort="risk", limit=5)["next_cursor"]
    assert cursor

    def forged(body: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")

    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    wrong_types = {**decoded, "k": ["x", "y", "z"]}
    bad = [
        "not a cursor",
        "!!!",
        forged([1, 2, 3]),
        forged({"s": "risk", "d": True, "k": [1]}),
        forged(wrong_types),
        forged({**decoded, "k": [1, 2, "not-a-uuid"]}),
        forged({**decoded, "k": [None, 2, decoded["k"][2]]}),  # risk's key is never NULL
    ]
    for after in bad:
        resp = client.get("/api/v1/findings", params={"sort": "risk", "after": after})
        assert resp.status_code == 422, (after, resp.text)
        assert "cursor" in resp.json()["detail"]
    # another sort or direction than the cursor's
    for params in ({"sort": "severity"}, {"sort": "risk", "descending": "false"}):
        resp = client.get("/api/v1/findings", params={**params, "after": cursor})
        assert resp.status_code == 422, resp.text
    resp = client.get("/api/v1/findings", params={"sort": "risk", "after": cursor, "offset": 5})
    assert resp.status_code == 422
    assert _get(client, sort="risk", after=cursor)["items"]


def test_offset_paging_still_works_and_gives_a_cursor(
    seeded: Callable[..., list[uuid.UUID]], client: TestClient
) -> None:
    seeded(30)
    whole = [f["id"] for f in _get(client, sort="priority", limit=500)["items"]]
    page = _get(client, sort="priority", limit=7, offset=14)
    assert [f["id"] for f in page["items"]] == whole[14:21]
    after = _get(client, sort="priority", limit=7, after=page["next_cursor"])
    assert [f["id"] for f in after["items"]] == whole[21:28]


def test_counts_are_exact_up_to_10000_then_capped(
    seeded: Callable[..., list[uuid.UUID]], client: TestClient
) -> None:
    seeded(COUNT_CAP, assignee=None, suppression_rule_id=None, detector_state="active",
           triage_state="new")  # fmt: skip
    body = _get(client, limit=1)
    assert (body["total"], body["total_capped"]) == (COUNT_CAP, False)
    seeded(1, start=COUNT_CAP, suppression_rule_id=uuid.uuid4())  # hidden: not in the total
    body = _get(client, limit=1)
    assert (body["total"], body["total_capped"]) == (COUNT_CAP, False)
    assert (body["suppressed_total"], body["suppressed_total_capped"]) == (1, False)
    included = _get(client, limit=1, suppressed="include")
    assert (included["total"], included["total_capped"]) == (COUNT_CAP, True)
    seeded(1, start=COUNT_CAP + 1, suppression_rule_id=None)
    body = _get(client, limit=1)
    assert (body["total"], body["total_capped"]) == (COUNT_CAP, True)
    narrow = _get(client, limit=1, q="b1000")  # b1000 and b10001 (b10000 is hidden)
    assert (narrow["total"], narrow["total_capped"]) == (2, False)
    assert (narrow["suppressed_total"], narrow["suppressed_total_capped"]) == (1, False)
    narrow = _get(client, limit=1, q="b1000", suppressed="include")  # counted in one statement
    assert (narrow["total"], narrow["suppressed_total"]) == (3, 1)


def test_the_csv_export_reads_every_finding_in_the_list_order(
    seeded: Callable[..., list[uuid.UUID]], client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aspm.exports import service as exports

    monkeypatch.setattr(exports, "LIST_BATCH", 7)  # several keyset batches
    seeded(50)
    for params in ({"sort": "priority"}, {"sort": "title", "descending": "false", "open": "true"}):
        listed = [f["id"] for f in _get(client, limit=500, **params)["items"]]
        resp = client.get("/api/v1/exports/findings", params={"format": "csv", **params})
        assert resp.status_code == 200
        exported = [line.split(",")[0] for line in resp.text.splitlines()[1:]]
        assert exported == listed
