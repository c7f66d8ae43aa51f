"""Storing an import's resources: upsert, idempotence, retirement by a complete snapshot only."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aspm.ingest.models import IngestRun
from aspm.resources.models import Resource
from tests.factories import ingest_bytes
from tests.resources.conftest import FORMAT, bucket, report


def _import(sessions: sessionmaker[Session], data: bytes, **kw: Any) -> Any:
    result = ingest_bytes(sessions, data, fmt=FORMAT, asset=kw.pop("asset", "infra"), **kw)
    assert result.status == "ok", result.error
    return result


def _rows(session: Session) -> dict[str, Resource]:
    session.expire_all()
    return {r.address or r.cloud_id or "": r for r in session.scalars(select(Resource))}


def test_import_stores_each_resource_with_its_record_fields(
    sessions: sessionmaker[Session], session: Session
) -> None:
    result = _import(sessions, report([bucket("logs"), bucket("data", managed=False)]))
    rows = _rows(session)
    assert set(rows) == {"aws_s3_bucket.logs", "aws_s3_bucket.data"}
    logs = rows["aws_s3_bucket.logs"]
    assert (logs.provider, logs.type, logs.cloud_id, logs.account_id, logs.region, logs.name) == (
        "aws", "aws_s3_bucket", "arn:aws:s3:::acme-logs", "111122223333", "eu-west-1", "acme-logs",
    )  # fmt: skip
    assert logs.tags == {"team": "payments"}
    assert logs.facts == [["public", "false"], ["encrypted", "true"]]
    assert logs.relations == [["policy", "aws_s3_bucket_policy.logs"]]
    assert logs.managed
    assert not rows["aws_s3_bucket.data"].managed
    assert logs.active
    assert logs.retired_at is None
    assert logs.last_import_id == result.import_id == logs.first_import_id
    run = session.get(IngestRun, result.import_id)
    assert run is not None
    assert run.details["resources"]["new"] == 2


def test_reimport_of_same_state_changes_only_last_seen_and_import(
    sessions: sessionmaker[Session], session: Session
) -> None:
    data = report([bucket("logs"), bucket("data")])
    _import(sessions, data)
    before = {k: _snapshot(r) for k, r in _rows(session).items()}
    again = _import(sessions, data)
    after = _rows(session)
    assert {k: _snapshot(r) for k, r in after.items()} == before
    assert {r.last_import_id for r in after.values()} == {again.import_id}
    run = session.get(IngestRun, again.import_id)
    assert run is not None
    assert run.details["resources"] == {
        "seen": 2, "new": 0, "skipped": 0, "retired": 0, "linked": 0, "merged": 0,
        "kept_apart": 0,
    }  # fmt: skip


def _snapshot(r: Resource) -> tuple[Any, ...]:
    return (r.id, r.asset_id, r.identity_key, r.provider, r.type, r.address, r.cloud_id,
            r.account_id, r.region, r.name, r.tags, r.facts, r.relations, r.managed, r.scope_id,
            r.active, r.first_seen_at, r.retired_at, r.first_import_id)  # fmt: skip


def test_complete_snapshot_retires_what_it_no_longer_holds(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, report([bucket("logs"), bucket("data")]))
    result = _import(sessions, report([bucket("logs")]))
    rows = _rows(session)
    assert rows["aws_s3_bucket.logs"].active
    assert not rows["aws_s3_bucket.data"].active
    assert rows["aws_s3_bucket.data"].retired_at is not None
    run = session.get(IngestRun, result.import_id)
    assert run is not None
    assert run.details["resources"]["retired"] == 1
    # seen again: active again, the same row
    data_id = rows["aws_s3_bucket.data"].id
    _import(sessions, report([bucket("logs"), bucket("data")]))
    rows = _rows(session)
    assert rows["aws_s3_bucket.data"].active
    assert rows["aws_s3_bucket.data"].retired_at is None
    assert rows["aws_s3_bucket.data"].id == data_id


def test_incomplete_or_partial_snapshot_retires_nothing(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, report([bucket("logs"), bucket("data")]))
    _import(sessions, report([bucket("logs")], complete=False))
    _import(sessions, report([bucket("logs")]), partial=True)
    assert all(r.active for r in _rows(session).values())


def test_complete_snapshot_retires_only_its_own_asset_and_scope(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, report([bucket("prod")]), scope="prod")
    _import(sessions, report([bucket("other")]), asset="other-infra")
    _import(sessions, report([bucket("staging")]), scope="staging")
    _import(sessions, report([]), scope="staging")  # empty and complete: retires staging only
    rows = _rows(session)
    assert rows["aws_s3_bucket.prod"].active
    assert rows["aws_s3_bucket.other"].active
    assert not rows["aws_s3_bucket.staging"].active


def test_identity_is_the_address_else_the_cloud_id(
    sessions: sessionmaker[Session], session: Session
) -> None:
    unmanaged = {"provider": "aws", "type": "aws_s3_bucket", "cloud_id": "arn:aws:s3:::hand",
                 "managed": False}  # fmt: skip
    _import(sessions, report([bucket("logs"), unmanaged]))
    # the bucket's cloud id changed (recreated); its address keeps it the same resource
    moved = bucket("logs", cloud_id="arn:aws:s3:::acme-logs-2")
    _import(sessions, report([moved, unmanaged]))
    rows = _rows(session)
    assert set(rows) == {"aws_s3_bucket.logs", "arn:aws:s3:::hand"}
    assert rows["aws_s3_bucket.logs"].cloud_id == "arn:aws:s3:::acme-logs-2"


def test_records_without_identity_are_skipped_and_duplicates_are_one_row(
    sessions: sessionmaker[Session], session: Session
) -> None:
    nameless = {"provider": "aws", "type": "aws_instance"}
    result = _import(sessions, report([bucket("logs"), bucket("logs", name="last"), nameless]))
    rows = _rows(session)
    assert list(rows) == ["aws_s3_bucket.logs"]
    assert rows["aws_s3_bucket.logs"].name == "last"
    assert any("no IaC address and no cloud id" in w for w in result.warnings)


def test_failed_import_stores_no_resources(
    sessions: sessionmaker[Session], session: Session
) -> None:
    bad = report([bucket("logs")], findings=[{"tool": "chec\x00kov", "rule_id": "R1",
                                               "resource": "aws_s3_bucket.logs"}])  # fmt: skip
    result = ingest_bytes(sessions, bad, fmt=FORMAT, asset="infra")
    assert result.status == "error"
    assert _rows(session) == {}


def test_nul_characters_are_replaced_not_stored(
    sessions: sessionmaker[Session], session: Session
) -> None:
    _import(sessions, report([bucket("logs", name="a\x00b", tags=[["k\x00", "v"]])]))
    row = _rows(session)["aws_s3_bucket.logs"]
    assert row.name == "a\ufffdb"
    assert row.tags == {"k\ufffd": "v"}
