"""Explanations are stored once per (asset, scoring input), and rewriting the risk result of
every finding (a policy change) touches no index of findings."""

import pytest
from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.db.session import unit_of_work
from aspm.findings.models import Finding, RiskExplanation
from aspm.risk import service as risk_service
from aspm.risk.policy import DEFAULT_POLICY_PATH, load_file
from aspm.risk.scoring import Explanation, multiply_back
from tests.factories import ingest_bytes
from tests.risk.helpers import curved, explanation, sarif

RISK_RESULT = {"risk_score", "priority", "sla_due_at", "risk_policy_version", "risk_key"}


def _import_three(sessions: sessionmaker[Session]) -> list[Finding]:
    report = sarif(
        [
            ("R1", "a.tf", "first"),
            ("R2", "b.tf", "second"),  # same asset and severity as R1: the same scoring input
            ("R3", "c.tf", "third"),
        ]
    )
    assert ingest_bytes(sessions, report, filename="r.sarif", asset="acme/app").status == "ok"
    with unit_of_work(sessions) as session:
        return list(session.scalars(select(Finding).order_by(Finding.path)))


def _policy(version: str, **values: str) -> str:
    text_ = DEFAULT_POLICY_PATH.read_text().replace(
        "version: ranked-2026.12", f"version: {version}"
    )
    for old, new in values.items():
        text_ = text_.replace(old, new)
    return text_


def test_findings_with_one_input_share_one_stored_explanation(
    sessions: sessionmaker[Session],
) -> None:
    findings = _import_three(sessions)
    assert len({f.risk_key for f in findings}) == 1
    with unit_of_work(sessions) as session:
        stored = session.scalars(select(RiskExplanation)).all()
    assert [(e.asset_id, e.risk_key) for e in stored] == [
        (findings[0].asset_id, findings[0].risk_key)
    ]
    pol = load_file()
    for finding in findings:
        items = tuple(Explanation(**e) for e in explanation(sessions, finding))
        assert items
        assert multiply_back(pol, items) == finding.risk_score


def test_policy_change_rewrites_shared_explanations_and_drops_unused_ones(
    sessions: sessionmaker[Session],
) -> None:
    findings = _import_three(sessions)
    asset_id = findings[0].asset_id
    with unit_of_work(sessions) as session:
        session.add(RiskExplanation(asset_id=asset_id, risk_key="high||9|0||", explanation=[]))
    with unit_of_work(sessions) as session:  # "error" maps to high: 8.0 -> 9.0
        result = risk_service.set_policy(
            session, yaml_text=_policy("high-9", **{"  high: 8.0\n": "  high: 9.0\n"}), actor="t"
        )
    assert result.updated == 3
    with unit_of_work(sessions) as session:
        keys = session.scalars(select(RiskExplanation.risk_key)).all()
        rescored = list(session.scalars(select(Finding).order_by(Finding.path)))
    assert keys == [findings[0].risk_key]  # the unused explanation is gone
    for finding in rescored:
        assert finding.risk_policy_version == "high-9"
        items = explanation(sessions, finding)
        assert items[0]["factor"] == "severity"
        assert items[0]["multiplier"] == 9.0  # the new policy's value for high
        assert finding.risk_score == curved(9.0)


def test_no_index_of_findings_holds_the_risk_result(connection: Connection) -> None:
    """A policy change rewrites these columns in up to every row: were one indexed, every
    rewritten row would take a new entry in every index (no HOT update on PostgreSQL)."""
    inspector = inspect(connection)
    indexed: set[str] = set()
    for index in inspector.get_indexes("findings"):
        indexed.update(c for c in index["column_names"] if c)
        indexed.update(index.get("include_columns") or [])
        indexed.update(index.get("dialect_options", {}).get("postgresql_include") or [])
    for unique in inspector.get_unique_constraints("findings"):
        indexed.update(unique["column_names"])
    assert indexed
    assert not indexed & RISK_RESULT


@pytest.mark.postgres
def test_policy_change_is_a_hot_update_of_findings_on_postgresql(
    sessions: sessionmaker[Session], connection: Connection
) -> None:
    options = connection.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'findings'"))
    assert "fillfactor=50" in (options or [])
    _import_three(sessions)

    def updates() -> tuple[int, int]:
        row = connection.execute(
            text(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                "WHERE relname = 'findings'"
            )
        ).one()
        return int(row[0]), int(row[1])

    before = updates()
    with unit_of_work(sessions) as session:
        result = risk_service.set_policy(
            session, yaml_text=_policy("high-9", **{"  high: 8.0\n": "  high: 9.0\n"}), actor="t"
        )
    assert result.updated == 3
    after = updates()
    assert (after[0] - before[0], after[1] - before[1]) == (3, 3)
