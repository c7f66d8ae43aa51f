"""The queue's filters that have their own query plans (issue 17 part 2): a team's findings (one
index range per owned asset, merged), text search (trigram indexes on PostgreSQL), and the count
of what suppression rules hide in the open view. Behaviour only, on SQLite and PostgreSQL; the
plans themselves are asserted on PostgreSQL (EXPLAIN), never timings."""

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, insert, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Asset
from aspm.auth.principal import Role
from aspm.db.session import unit_of_work
from aspm.findings import repository, search_index
from aspm.findings.models import Detection, Finding
from aspm.findings.schemas import FindingFilter, FindingSort
from tests.conftest import ClientAs

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _finding(asset_id: uuid.UUID, n: int, **over: Any) -> dict[str, Any]:
    row = {
        "id": uuid.uuid4(),
        "asset_id": asset_id,
        "finding_key": f"k{n}-{uuid.uuid4().hex[:8]}",
        "control_id": f"tool:R{n % 4}",
        "title": f"Finding {n % 6}",
        "category": "iac",
        "severity": ["critical", "high", "medium", "low", "info"][n % 5],
        "severity_rank": 4 - n % 5,
        "resource": f"aws_s3_bucket.b{n}",
        "path": "main.tf",
        "detector_state": "fixed" if n % 9 == 0 else "active",
        "triage_state": "false_positive" if n % 11 == 0 else "new",
        "suppression_rule_id": None,
        "team": None,
        "risk_score": None if n % 8 == 0 else (n * 37) % 5 * 10,
        "priority": ["P1", "P2", None, "P3", "P4"][n % 5],
        "sla_due_at": None if n % 4 == 0 else T0 + timedelta(days=(n * 7) % 3),
        "first_seen_at": T0 + timedelta(hours=n // 10),
        "last_seen_at": T0 + timedelta(hours=n // 10, minutes=n % 3),
    }
    return {**row, **over}


Seed = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def seed(sessions: sessionmaker[Session]) -> Seed:
    """`seed(n, start=0, asset=i, **columns)`: n findings on asset i (0..5; assets 0-2 owned by
    red, 3-5 by blue)."""
    assets: list[uuid.UUID] = []

    def add(n: int, start: int = 0, asset: int | None = None, **over: Any) -> list[dict[str, Any]]:
        with unit_of_work(sessions) as s:
            if not assets:
                for i in range(6):
                    a = Asset(name=f"t/{i}", environment="prod",
                              owner_team="red" if i < 3 else "blue", created_at=T0,
                              updated_at=T0)  # fmt: skip
                    s.add(a)
                    s.flush()
                    assets.append(a.id)
            rows = [
                _finding(assets[i % 6 if asset is None else asset], i, **over)
                for i in range(start, start + n)
            ]
            s.execute(insert(Finding), rows)
        return rows

    return add


@pytest.fixture
def lead(client_as: ClientAs, client: TestClient) -> TestClient:
    assert client.post("/api/v1/teams", json={"name": "red"}).status_code in (201, 409)
    return client_as(Role.SECURITY_LEAD, teams=["red"], username="lead")


def _get(client: TestClient, **params: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/findings", params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _walk(client: TestClient, limit: int, **params: Any) -> list[str]:
    body = _get(client, limit=limit, **params)
    ids = [f["id"] for f in body["items"]]
    while body["next_cursor"]:
        body = _get(client, limit=limit, after=body["next_cursor"], **params)
        ids += [f["id"] for f in body["items"]]
    return ids


def test_the_open_view_counts_what_suppression_rules_hide(seed: Seed, client: TestClient) -> None:
    """The dashboard's Open view said "0 suppressed" whatever the rules hid: the count of hidden
    findings added the rule condition to `open`, which already excludes rule-hidden ones."""
    rule = uuid.uuid4()
    seed(6, detector_state="active", triage_state="new")
    hidden_open = seed(4, start=100, detector_state="active", triage_state="new",
                       suppression_rule_id=rule)  # fmt: skip
    seed(3, start=200, detector_state="fixed", triage_state="new", suppression_rule_id=rule)
    seed(2, start=300, detector_state="active", triage_state="wont_fix", suppression_rule_id=rule)
    body = _get(client, open="true")
    assert (body["total"], body["suppressed_total"]) == (6, 4)
    assert not body["suppressed_total_capped"]
    only = _get(client, open="true", suppressed="only", limit=500)
    assert {f["id"] for f in only["items"]} == {str(r["id"]) for r in hidden_open}
    included = _get(client, open="true", suppressed="include", limit=500)
    assert included["total"] == 10
    # the whole queue and the closed view as before: every rule-hidden finding is not open
    whole = _get(client)
    assert (whole["total"], whole["suppressed_total"]) == (6, 9)
    closed = _get(client, open="false")
    assert (closed["total"], closed["suppressed_total"]) == (0, 9)


@pytest.mark.parametrize("params", [{}, {"open": "true"}, {"severity": "low"}])
def test_a_teams_queue_is_its_findings_in_order_for_every_sort(
    seed: Seed, lead: TestClient, params: dict[str, Any]
) -> None:
    """team=mine: findings of the assets red owns with no team of their own, and findings whose
    own team is red wherever they are; in every order, walked by cursor."""
    seed(120)
    seed(7, start=500, asset=4, team="red")  # blue's asset, red's findings
    seed(5, start=600, asset=1, team="blue")  # red's asset, blue's findings
    everything = _get(lead, limit=500, suppressed="include", **params)["items"]
    assert len(everything) < 500
    for sort, descending in itertools.product(FindingSort, (True, False)):
        order = {"sort": sort.value, "descending": str(descending).lower(), **params}
        mine = _get(lead, team="mine", limit=500, **order)
        expected = [
            f["id"]
            for f in _get(lead, limit=500, **order)["items"]
            if f["team"] == "red" or (f["team"] is None and f["asset"] in {"t/0", "t/1", "t/2"})
        ]
        assert [f["id"] for f in mine["items"]] == expected, order
        assert mine["total"] == len(expected)
        assert _walk(lead, 3, team="mine", **order) == expected, order
        assert _walk(lead, 3, team="blue", **order) == [
            f["id"]
            for f in _get(lead, limit=500, **order)["items"]
            if f["team"] == "blue" or (f["team"] is None and f["asset"] in {"t/3", "t/4", "t/5"})
        ], order


def _detection(finding: dict[str, Any], **over: Any) -> dict[str, Any]:
    scope = uuid.uuid4()
    row = {
        "id": uuid.uuid4(),
        "asset_id": finding["asset_id"],
        "finding_id": finding["id"],
        "scope_id": scope,
        "fingerprint": uuid.uuid4().hex,
        "content_hash": "0" * 32,
        "tool": "checkov",
        "rule_id": "CKV_AWS_1",
        "title": finding["title"],
        "severity": finding["severity"],
        "category": "iac",
        "path": "modules/a/main.tf",
        "resource": finding["resource"],
        "first_seen_at": T0,
        "last_seen_at": T0,
        "first_import_id": scope,
        "last_import_id": scope,
    }
    return {**row, **over}


def test_search_matches_a_substring_of_each_field_and_only_within_one_field(
    seed: Seed, client: TestClient, sessions: sessionmaker[Session]
) -> None:
    rows = seed(12, detector_state="active", triage_state="new")
    with unit_of_work(sessions) as s:
        s.query(Finding).filter(Finding.id == rows[0]["id"]).update(
            {"title": "SQL Injection in Login_Form", "control_id": "CWE-89%"}
        )
        s.execute(
            insert(Detection),
            [
                _detection(rows[1], rule_id="CVE-2024-3094"),
                _detection(rows[2], path="src/Auth/Login.py"),
                _detection(rows[3], resource="arn:aws:s3:::payroll-bucket"),
                _detection(rows[4], rule_id="CVE-2024-3094", path="other.py"),
            ],
        )

    def found(q: str) -> set[str]:
        return {f["id"] for f in _get(client, q=q, limit=500, suppressed="include")["items"]}

    ids = [str(r["id"]) for r in rows]
    assert found("injection in login") == {ids[0]}  # title, any case
    assert found("login_form") == {ids[0]}  # `_` is a character, not a wildcard
    assert found("login") == {ids[0], ids[2]}  # title and a detection's path
    assert found("cwe-89%") == {ids[0]}  # `%` too
    assert found("cve-2024-3094") == {ids[1], ids[4]}
    assert found("PAYROLL") == {ids[3]}
    assert found("aws_s3_bucket.b5") == {ids[5]}  # the finding's own resource
    assert found("tool:r1") == {ids[i] for i in range(12) if i % 4 == 1}
    # text that spans two fields (the end of the title and the control id) matches nothing
    assert found("login_form cwe") == set()
    assert found("login_form\ncwe") == set()
    assert found("b5\nmain") == set()
    # what suppression rules hide, searched row by row (the few hidden findings), counts and
    # lists what the matches' set (`suppressed=include`) holds: hide the matches of each field
    with unit_of_work(sessions) as s:
        hidden = [rows[i]["id"] for i in (0, 1, 2, 3, 5, 9)]
        s.query(Finding).filter(Finding.id.in_(hidden)).update(
            {"suppression_rule_id": uuid.uuid4()}
        )
    for q in ("login", "cve-2024-3094", "PAYROLL", "aws_s3_bucket.b5", "tool:r1", "cwe-89%"):
        matches = _get(client, q=q, limit=500, suppressed="include")["items"]
        expected = {f["id"] for f in matches if f["id"] in {str(h) for h in hidden}}
        assert expected, q
        body = _get(client, q=q, limit=500)
        assert body["suppressed_total"] == len(expected), q
        assert {f["id"] for f in body["items"]} == {f["id"] for f in matches} - expected, q
        only = _get(client, q=q, limit=500, suppressed="only")["items"]
        assert {f["id"] for f in only} == expected, q


@pytest.mark.postgres
def test_postgres_answers_search_and_team_queues_from_their_indexes(
    seed: Seed, sessions: sessionmaker[Session], connection: Connection
) -> None:
    """A search reads finding_search's trigram index (otherwise PostgreSQL reads both tables
    whole), and a team's page is index ranges per owned asset."""
    seed(30)
    search_index.refresh(sessions)
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        with sessions() as s:
            repository.list_page(s, FindingFilter(q="B1"))
            repository.list_page(s, FindingFilter(teams=["red"]))
    finally:
        event.remove(connection, "before_cursor_execute", capture)

    def plan(marker: str) -> str:
        statement, params = next((st, p) for st, p in seen if marker in st)
        rows = connection.exec_driver_sql("EXPLAIN " + statement, params).scalars()
        return "\n".join(rows)

    assert "ix_finding_search_folded" in plan("searched")
    assert "ix_findings_asset_queue" in plan("owned_assets")
