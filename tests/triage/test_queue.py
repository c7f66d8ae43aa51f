"""The engineer's queue: SLA status and the priority-then-due-date order (service level), and the
glob dialect of rules (Python and SQL agree)."""

import uuid
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Environment
from aspm.common.clock import utcnow
from aspm.findings import service as findings_service
from aspm.findings.models import Finding
from aspm.findings.schemas import (
    FindingFilter,
    FindingSort,
    PriorityFilter,
    SlaStatus,
)
from aspm.triage.patterns import is_wildcard_only
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes
from tests.triage.helpers import secret


def _seed(sessions: sessionmaker[Session], session: Session, asset: str) -> dict[str, uuid.UUID]:
    files = ["p1-late.env", "p1-soon.env", "p2.env", "none.env", "fixed-like.env"]
    report = gitleaks_report(*(gitleaks_leak(secret(i), file=f) for i, f in enumerate(files)))
    assert ingest_bytes(sessions, report, asset=asset).status == "ok"
    rows = session.execute(select(Finding.path, Finding.id)).all()
    return {p: i for p, i in rows if p in files}


def test_sla_status_and_priority_order(sessions: sessionmaker[Session], session: Session) -> None:
    ids = _seed(sessions, session, "acme/queue")
    now = utcnow()
    plan = {
        "p1-late.env": ("P1", now - timedelta(days=1), "new"),  # overdue
        "p1-soon.env": ("P1", now + timedelta(days=3), "confirmed"),  # due soon
        "p2.env": ("P2", now + timedelta(days=20), "in_progress"),  # on track
        "none.env": (None, None, "new"),  # no due date
        "fixed-like.env": ("P1", now - timedelta(days=5), "wont_fix"),  # closed: no SLA
    }
    for path, (prio, due, triage) in plan.items():
        session.execute(
            update(Finding)
            .where(Finding.id == ids[path])
            .values(priority=prio, sla_due_at=due, triage_state=triage, assignee="gus")
        )
    session.flush()
    session.expire_all()
    page = findings_service.list_findings(
        session, FindingFilter(assignee="gus", sort=FindingSort.PRIORITY)
    )
    order = [f.path for f in page.items]
    assert order == ["fixed-like.env", "p1-late.env", "p1-soon.env", "p2.env", "none.env"]
    status = {f.path: f.sla_status for f in page.items}
    assert status == {
        "p1-late.env": SlaStatus.OVERDUE,
        "p1-soon.env": SlaStatus.DUE_SOON,
        "p2.env": SlaStatus.ON_TRACK,
        "none.env": None,
        "fixed-like.env": None,
    }
    for wanted in SlaStatus:
        got = findings_service.list_findings(
            session, FindingFilter(assignee="gus", sla_status=[wanted])
        )
        assert [f.path for f in got.items if f.sla_status == wanted] == [f.path for f in got.items]
        assert got.total == sum(1 for s in status.values() if s == wanted)


@given(st.text(st.sampled_from(list("*?/. ")), min_size=1, max_size=8))
def test_patterns_of_only_wildcards_are_recognised(pattern: str) -> None:
    assert is_wildcard_only(pattern)
    assert not is_wildcard_only(pattern + "x")


def test_rules_at_import_are_limited_to_the_given_assets_and_apply_once(
    sessions: sessionmaker[Session], session: Session
) -> None:
    from aspm.auth.principal import SYSTEM
    from aspm.triage import service as triage_service
    from aspm.triage.schemas import OwnershipRuleCreate

    result = ingest_bytes(
        sessions, gitleaks_report(gitleaks_leak(secret(7), file="x.env")), asset="acme/limit"
    )
    triage_service.create_ownership_rule(
        session, request=OwnershipRuleCreate(path_glob="*.env", team="ops"), principal=SYSTEM
    )
    asset_id = session.scalar(select(Finding.asset_id).where(Finding.path == "x.env"))
    assert asset_id is not None
    assert result.import_id is not None
    import_id = result.import_id
    other = uuid.uuid4()
    apply = triage_service.apply_rules_to_import
    assert apply(session, import_id, asset_ids=[other]).owned == 0
    assert apply(session, import_id, asset_ids=[asset_id]).owned == 1
    assert apply(session, import_id).owned == 0  # already owned: nothing to do
    session.expire_all()
    assert session.scalar(select(Finding.team).where(Finding.path == "x.env")) == "ops"


def test_filter_by_priority_band_and_asset_environment(
    sessions: sessionmaker[Session], session: Session
) -> None:
    ids = _seed(sessions, session, "acme/bands")
    bands = {"p1-late.env": "P1", "p2.env": "P2", "none.env": None, "p1-soon.env": "P4",
             "fixed-like.env": "P4"}  # fmt: skip
    for path, prio in bands.items():
        session.execute(update(Finding).where(Finding.id == ids[path]).values(priority=prio))
    session.flush()
    session.expire_all()

    def paths(**kw: object) -> set[str | None]:
        flt = FindingFilter(asset="acme/bands", **kw)
        return {f.path for f in findings_service.list_findings(session, flt).items}

    assert paths(priority=[PriorityFilter.P1]) == {"p1-late.env"}
    assert paths(priority=[PriorityFilter.P2, PriorityFilter.P1]) == {"p1-late.env", "p2.env"}
    assert paths(priority=[PriorityFilter.NONE]) == {"none.env"}
    assert paths(environment=[Environment.PROD]) == set()
    assert len(paths(environment=[Environment.UNKNOWN])) == 5  # an asset nobody described
