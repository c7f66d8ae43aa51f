"""Findings linked to the resource their detections name: by cloud id in any asset, by IaC
address in the same asset, else in any asset only when exactly one resource has it."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.findings.models import Finding
from aspm.ingest.models import IngestRun
from aspm.resources.models import Resource, ResourceLink
from tests.factories import ingest_bytes
from tests.resources.conftest import FORMAT, bucket, report


def _import(sessions: sessionmaker[Session], data: bytes, asset: str) -> Any:
    result = ingest_bytes(sessions, data, fmt=FORMAT, asset=asset)
    assert result.status == "ok", result.error
    return result


def _findings(tool: str, *resources: str, category: str = "iac") -> bytes:
    return report(
        findings=[
            {"tool": tool, "rule_id": f"R-{r}", "resource": r, "category": category}
            for r in resources
        ],
        complete=False,
        tool=None,
    )


def _links(session: Session) -> dict[str, tuple[str, str, str]]:
    """finding resource text -> (resource asset-qualified address or cloud id, via)"""
    session.expire_all()
    rows = session.execute(
        select(Finding.resource, Resource.address, Resource.cloud_id, ResourceLink.via)
        .join(ResourceLink, ResourceLink.finding_id == Finding.id)
        .join(Resource, Resource.id == ResourceLink.resource_id)
    ).all()
    return {f or "": (a or "", c or "", v) for f, a, c, v in rows}


def _asset_of_link(session: Session, finding_resource: str) -> str:
    from aspm.assets.models import Asset

    return session.execute(
        select(Asset.name)
        .join(Resource, Resource.asset_id == Asset.id)
        .join(ResourceLink, ResourceLink.resource_id == Resource.id)
        .join(Finding, Finding.id == ResourceLink.finding_id)
        .where(Finding.resource == finding_resource)
    ).scalar_one()


def test_cloud_finding_links_by_arn_in_any_asset_when_the_state_arrives(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, _findings("prowler", "arn:aws:s3:::acme-logs", category="cspm"), "aws-prod")
    assert _links(session) == {}
    state = _import(sessions, report([bucket("logs")]), "infra")
    assert _links(session) == {
        "arn:aws:s3:::acme-logs": ("aws_s3_bucket.logs", "arn:aws:s3:::acme-logs", "cloud_id")
    }
    run = session.get(IngestRun, state.import_id)
    assert run is not None
    assert run.details["resources"]["linked"] == 1


def test_iac_finding_links_by_address_in_its_asset_at_import(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, report([bucket("logs")]), "infra")
    _import(sessions, report([bucket("logs")]), "other-infra")  # the same address elsewhere
    _import(sessions, _findings("checkov", "aws_s3_bucket.logs"), "infra")
    assert _links(session)["aws_s3_bucket.logs"][2] == "address"
    assert _asset_of_link(session, "aws_s3_bucket.logs") == "infra"


def test_address_in_another_asset_links_only_when_unique(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, report([bucket("logs"), bucket("data")]), "state-a")
    _import(sessions, report([bucket("data")]), "state-b")
    _import(sessions, _findings("checkov", "aws_s3_bucket.logs", "aws_s3_bucket.data"), "repo")
    links = _links(session)
    assert links["aws_s3_bucket.logs"][2] == "address"  # one resource has it: linked
    assert "aws_s3_bucket.data" not in links  # two assets have it: no guess


def test_relinking_the_same_state_changes_no_link(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, _findings("checkov", "aws_s3_bucket.logs"), "infra")
    first = _import(sessions, report([bucket("logs")]), "infra")
    again = _import(sessions, report([bucket("logs")]), "infra")
    runs = [session.get(IngestRun, r.import_id) for r in (first, again)]
    assert [r.details["resources"]["linked"] for r in runs if r is not None] == [1, 0]
    assert len(_links(session)) == 1


def test_retired_resource_keeps_its_findings_and_unknown_resources_link_nothing(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, report([bucket("logs")]), "infra")
    _import(sessions, _findings("checkov", "aws_s3_bucket.logs", "aws_s3_bucket.nope"), "infra")
    _import(sessions, report([]), "infra")  # complete and empty: the bucket is retired
    assert set(_links(session)) == {"aws_s3_bucket.logs"}


def test_cloud_finding_links_to_an_unmanaged_resource_known_by_the_id_its_arn_ends_with(
    sessions: sessionmaker[Session], session: Session
) -> None:
    sg = "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0abc"
    _import(
        sessions,
        _findings(
            "prowler", sg, "arn:aws:s3:::acme-hand", "arn:aws:s3:::acme-other", category="cspm"
        ),
        "aws-prod",
    )
    unmanaged = [
        {"provider": "aws", "type": t, "cloud_id": i, "managed": False}
        for t, i in (("aws_security_group", "sg-0abc"), ("aws_s3_bucket", "acme-hand"))
    ]
    _import(sessions, report(unmanaged, complete=False, tool="driftctl"), "aws-prod")
    assert _links(session) == {
        sg: ("", "sg-0abc", "cloud_id"),
        "arn:aws:s3:::acme-hand": ("", "acme-hand", "cloud_id"),
    }
