"""The same control failing in code and in the cloud on one resource is one finding with both
detections: the IaC finding survives unless only the cloud one carries a human decision, two
findings with decisions stay apart, the merged key is an alias later imports land on, and each
side's scope retires only its own detection."""

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets.models import Asset
from aspm.audit.models import AuditEvent
from aspm.auth.principal import SYSTEM
from aspm.common.clock import reset_clock, set_clock
from aspm.findings import service as findings_service
from aspm.findings.models import Detection, Finding, TriageState
from aspm.ingest.models import IngestRun
from aspm.resources.models import FindingAlias, ResourceLink
from aspm.triage import service as triage_service
from aspm.triage.schemas import CommentCreate, TriageRequest
from tests.factories import ingest_bytes
from tests.metrics.helpers import NOW, assert_flows_exact, flow_kinds
from tests.resources.conftest import FORMAT, bucket, report

ARN = "arn:aws:s3:::acme-logs"
ADDRESS = "aws_s3_bucket.logs"
REPO, CLOUD, STATE = "acme/payments-api", "aws-prod", "acme/infra"


def _import(sessions: sessionmaker[Session], data: bytes, asset: str) -> Any:
    result = ingest_bytes(sessions, data, fmt=FORMAT, asset=asset)
    assert result.status == "ok", result.error
    return result


def _iac(tool: str = "checkov", rule: str = "CKV_AWS_18", *, present: bool = True) -> bytes:
    found = {
        "tool": tool, "rule_id": rule, "resource": ADDRESS, "category": "iac",
        "path": "infra/s3.tf", "line": 12, "severity": "medium",
    }  # fmt: skip
    return report(findings=[found] if present else [], complete=False, tool=tool)


def _cloud(
    tool: str = "prowler",
    rule: str = "s3_bucket_server_access_logging_enabled",
    *,
    present: bool = True,
) -> bytes:
    found = {
        "tool": tool, "rule_id": rule, "resource": ARN, "category": "cspm",
        "account_id": "111122223333", "region": "eu-west-1", "cloud_provider": "aws",
        "severity": "high",
    }  # fmt: skip
    return report(findings=[found] if present else [], complete=False, tool=tool)


def _state() -> bytes:
    return report([bucket("logs")])


def _findings(session: Session) -> list[Finding]:
    session.expire_all()
    return list(session.scalars(select(Finding).order_by(Finding.first_seen_at)))


def _tools(session: Session, finding_id: uuid.UUID) -> dict[str, bool]:
    rows = session.execute(
        select(Detection.tool, Detection.active).where(Detection.finding_id == finding_id)
    ).all()
    return {t: bool(a) for t, a in rows}


def _asset(session: Session, finding: Finding) -> str:
    return session.get_one(Asset, finding.asset_id).name


def _one(session: Session) -> Finding:
    findings = _findings(session)
    assert len(findings) == 1, [(f.category, f.control_id) for f in findings]
    return findings[0]


def _decide(sessions: sessionmaker[Session], finding_id: uuid.UUID, how: str) -> None:
    with sessions.begin() as s:
        if how == "comment":
            triage_service.add_comment(
                s, finding_id=finding_id, request=CommentCreate(body="seen"), principal=SYSTEM
            )
        else:
            version = s.get_one(Finding, finding_id).version
            triage_service.triage(
                s,
                finding_id=finding_id,
                request=TriageRequest(state=TriageState(how), reason="checked", version=version),
                principal=SYSTEM,
            )


@pytest.mark.parametrize(
    "order",
    [("state", "iac", "cloud"), ("iac", "cloud", "state"), ("cloud", "state", "iac")],
)
def test_iac_and_cloud_findings_of_one_control_on_one_resource_are_one_finding(
    sessions: sessionmaker[Session], session: Session, order: tuple[str, ...]
) -> None:
    reports = {"state": (_state(), STATE), "iac": (_iac(), REPO), "cloud": (_cloud(), CLOUD)}
    results = [_import(sessions, *reports[name]) for name in order]
    finding = _one(session)
    # the IaC finding survives: the fix is in code, on the repository's asset
    assert (finding.category, _asset(session, finding)) == ("iac", REPO)
    assert _tools(session, finding.id) == {"checkov": True, "prowler": True}
    assert (finding.detector_state, finding.severity) == ("active", "high")  # the worse one
    # the cloud finding's key is an alias of the survivor on the cloud asset
    alias = session.scalars(select(FindingAlias)).one()
    assert alias.finding_id == finding.id
    assert session.get_one(Asset, alias.asset_id).name == CLOUD
    assert alias.category == "cspm"
    links = session.execute(select(ResourceLink.finding_id)).scalars().all()
    assert links == [finding.id]
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "finding_merged")).all()
    assert {e.object_id for e in events} == {finding.id, alias.merged_finding_id}
    assert all(
        e.details["survivor_id"] == str(finding.id)
        and e.details["merged_finding_id"] == str(alias.merged_finding_id)
        for e in events
    )
    last = session.get_one(IngestRun, results[-1].import_id)
    assert last.details["resources"]["merged"] == 1
    # re-scored: two tools corroborate it
    factors = {e["factor"] for e in findings_service.explanation_of(session, finding)}
    assert "corroboration" in factors


def test_the_finding_shows_both_detections_and_both_places(
    sessions: sessionmaker[Session], session: Session
) -> None:
    for data, asset in ((_state(), STATE), (_iac(), REPO), (_cloud(), CLOUD)):
        _import(sessions, data, asset)
    detail = findings_service.get_finding(session, _one(session).id)
    shown = {(d.tool, d.path, d.start_line, d.resource, d.account_id, d.region)
             for d in detail.detection_list}  # fmt: skip
    assert shown == {
        ("checkov", "infra/s3.tf", 12, ADDRESS, None, None),
        ("prowler", None, None, ARN, "111122223333", "eu-west-1"),
    }
    c2c = detail.code_to_cloud
    assert c2c is not None
    assert c2c.in_code is not None
    assert c2c.in_cloud is not None
    assert (c2c.in_code.path, c2c.in_code.start_line) == ("infra/s3.tf", 12)
    assert (c2c.in_cloud.cloud_id, c2c.in_cloud.account_id) == (ARN, "111122223333")


@pytest.mark.parametrize("decision", ["comment", "confirmed"])
def test_a_cloud_finding_with_a_decision_survives_and_keeps_it(
    sessions: sessionmaker[Session], session: Session, decision: str
) -> None:
    _import(sessions, _state(), STATE)
    _import(sessions, _cloud(), CLOUD)
    cloud = _one(session)
    _decide(sessions, cloud.id, decision)
    result = _import(sessions, _iac(), REPO)
    assert result.new_findings == 1  # created, then merged into the cloud finding
    finding = _one(session)
    assert (finding.id, finding.category) == (cloud.id, "cspm")
    assert _tools(session, finding.id) == {"checkov": True, "prowler": True}
    assert finding.triage_state == ("new" if decision == "comment" else "confirmed")
    comments = triage_service.list_comments(session, finding_id=finding.id)
    assert comments.total == (1 if decision == "comment" else 0)
    alias = session.scalars(select(FindingAlias)).one()
    assert (alias.category, alias.resource, alias.path) == ("iac", ADDRESS, "infra/s3.tf")
    # another IaC tool's detection of the same block finds the survivor through the alias
    again = _import(sessions, _iac("tfsec", "aws-s3-enable-bucket-logging"), REPO)
    assert (again.new, again.new_findings) == (1, 0)
    assert set(_tools(session, _one(session).id)) == {"checkov", "prowler", "tfsec"}


def test_an_iac_finding_with_a_decision_survives(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, _iac(), REPO)
    iac = _one(session)
    _decide(sessions, iac.id, "in_progress")
    session.expire_all()
    triaged = iac.version
    _import(sessions, _cloud(), CLOUD)
    _import(sessions, _state(), STATE)
    finding = _one(session)
    assert (finding.id, finding.triage_state) == (iac.id, "in_progress")
    assert finding.version > triaged  # the merge moved it on: a stale triage gets a 409


def test_findings_that_both_carry_decisions_stay_apart(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, _iac(), REPO)
    _import(sessions, _cloud(), CLOUD)
    iac, cloud = _findings(session)
    _decide(sessions, iac.id, "confirmed")
    _decide(sessions, cloud.id, "false_positive")
    state = _import(sessions, _state(), STATE)
    assert [(f.id, f.triage_state) for f in _findings(session)] == [
        (iac.id, "confirmed"), (cloud.id, "false_positive"),
    ]  # fmt: skip
    details = session.get_one(IngestRun, state.import_id).details["resources"]
    assert (details["merged"], details["kept_apart"]) == (0, 1)
    assert session.scalar(select(func.count()).select_from(FindingAlias)) == 0


def test_a_merge_keeps_today_s_flows_of_both_assets_exact(
    sessions: sessionmaker[Session], session: Session
) -> None:
    """The state's import merges the cloud asset's finding into the repository's: neither is
    an asset of that import, and both assets' flows of today change."""
    set_clock(lambda: NOW)
    try:
        _import(sessions, _iac(), REPO)
        _import(sessions, _cloud(), CLOUD)
        assert flow_kinds(assert_flows_exact(session)) == {"created": 2}
        _import(sessions, _state(), STATE)
        _one(session)
        assert flow_kinds(assert_flows_exact(session)) == {"created": 1}
    finally:
        reset_clock()


def test_a_later_new_detection_of_the_merged_key_lands_on_the_survivor(
    sessions: sessionmaker[Session], session: Session
) -> None:
    for data, asset in ((_state(), STATE), (_iac(), REPO), (_cloud(), CLOUD)):
        _import(sessions, data, asset)
    survivor = _one(session).id
    # Security Hub's control S3.9 on the same bucket: the cloud key, now an alias
    hub = _import(sessions, _cloud("securityhub", "S3.9"), CLOUD)
    assert (hub.new, hub.new_findings) == (1, 0)
    assert _tools(session, survivor) == {"checkov": True, "prowler": True, "securityhub": True}


def test_reimporting_anything_after_the_merge_creates_nothing_and_keeps_it_merged(
    sessions: sessionmaker[Session], session: Session
) -> None:
    for data, asset in ((_state(), STATE), (_iac(), REPO), (_cloud(), CLOUD)):
        _import(sessions, data, asset)
    finding = _one(session)
    for data, asset in ((_iac(), REPO), (_cloud(), CLOUD), (_state(), STATE)):
        again = _import(sessions, data, asset)
        assert (again.new, again.new_findings, again.resolved) == (0, 0, 0)
    assert _one(session).id == finding.id
    assert _tools(session, finding.id) == {"checkov": True, "prowler": True}
    assert session.scalar(select(func.count()).select_from(FindingAlias)) == 1


@pytest.mark.parametrize("first", ["cloud", "iac"])
def test_each_side_retires_only_its_own_detection(
    sessions: sessionmaker[Session], session: Session, first: str
) -> None:
    for data, asset in ((_state(), STATE), (_iac(), REPO), (_cloud(), CLOUD)):
        _import(sessions, data, asset)
    finding = _one(session)
    gone = {"cloud": (_cloud(present=False), CLOUD), "iac": (_iac(present=False), REPO)}
    second = "iac" if first == "cloud" else "cloud"
    tool = {"cloud": "prowler", "iac": "checkov"}
    result = _import(sessions, *gone[first])
    assert (result.resolved, result.resolved_findings) == (1, 0)
    assert _one(session).detector_state == "active"
    assert _tools(session, finding.id) == {tool[first]: False, tool[second]: True}
    result = _import(sessions, *gone[second])
    assert (result.resolved, result.resolved_findings) == (1, 1)
    assert _one(session).detector_state == "fixed"
    # back in the cloud: the same finding reopens
    back = _import(sessions, _cloud(), CLOUD)
    assert (back.new_findings, back.reopened_findings) == (0, 1)
    assert _one(session).id == finding.id


def test_no_merge_without_a_mapped_control_or_with_two_of_a_kind(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, _state(), STATE)
    # unmapped rules key on tool:rule_id and never merge
    _import(sessions, _iac(rule="CKV_AWS_99999"), REPO)
    _import(sessions, _cloud(rule="s3_bucket_something_unmapped"), CLOUD)
    assert len(_findings(session)) == 2
    # two IaC findings of the control on the bucket (two repositories): which one pairs with
    # the cloud finding would be a guess
    _import(sessions, _iac(), REPO)
    _import(sessions, _iac(), "acme/payments-api-fork")
    _import(sessions, _cloud(), CLOUD)
    assert len(_findings(session)) == 5
    assert session.scalar(select(func.count()).select_from(FindingAlias)) == 0
