"""Resource inventory benchmark: storing a state's resources and linking findings to them.

    .venv/bin/python benchmarks/resource_links.py --url postgresql+psycopg://.../db [--findings N]

On a fresh schema (PostgreSQL: DROP SCHEMA public CASCADE, then migrations; SQLite: a new file):
import a generated Checkov report of N findings (one resource each) on asset "bench", then time,
each in its own transaction: (a) storing N resources whose addresses are the findings' (a
complete snapshot, as a Terraform state import would), (b) the same snapshot again (idempotent
re-import), (c) linking every finding of the org (the statement a new state runs), (d) linking
again (nothing changes). Prints one line per step: seconds, rows. Destroys what --url holds.

    .venv/bin/python benchmarks/resource_links.py --merge --url ... [--findings N] [--resources R]

With --merge, instead: an organisation of N findings on R resources of one state (asset
"bench-infra"), written straight into the tables: per resource, N/R/5 x 4 IaC findings of
mapped controls (asset "bench-repo", by IaC address) and N/R/5 cloud findings (asset
"bench-cloud", by ARN), one detection each; of each resource's cloud findings one fails a control
that an IaC finding of the resource fails too (R pairs). Then times, each in its own
transaction: linking every finding and merging the pairs (the step a state import runs), the
re-scoring of the survivors, and both again (nothing to do).
"""

import argparse
import io
import sys
import tempfile
import time
import uuid
from pathlib import Path

import generate
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.common.clock import utcnow
from aspm.db.bulk import db_datetime, db_uuid, is_postgres, load_rows
from aspm.db.migrate import upgrade
from aspm.db.session import make_engine, make_sessionmaker, unit_of_work
from aspm.findings.controls import Control, load_control_map
from aspm.findings.fingerprint import FINDING_KEY_VERSION, correlated_key
from aspm.ingest import repository as ingest_repository
from aspm.ingest import service as ingest_service
from aspm.ingest.contract import ResourceRecord
from aspm.ingest.repository import DETECTION_COLUMNS, FINDING_COLUMNS
from aspm.resources import service as resources_service
from aspm.risk import service as risk_service


def _paired_controls() -> list[Control]:
    """Controls of the map with an IaC rule (Checkov) and a cloud rule (Prowler)."""
    return [c for c in load_control_map().all() if "checkov" in c.rules and "prowler" in c.rules]


def _seed_org(factory: sessionmaker[Session], n_findings: int, n_resources: int) -> int:
    """The --merge organisation (see the module docstring); returns the number of pairs."""
    controls = _paired_controls()
    per = max(n_findings // n_resources // 5, 1)  # cloud findings per resource; IaC: 4x
    if len(controls) < 4 * per + per:
        raise SystemExit(f"{len(controls)} paired controls cannot give {5 * per} per resource")
    now = utcnow()
    with unit_of_work(factory) as session:
        assets = {
            name: assets_service.get_or_create(session, name=name).id
            for name in ("bench-infra", "bench-repo", "bench-cloud")
        }
        scopes = {
            name: ingest_repository.get_or_create_scope(
                session, asset_id=asset_id, tool=tool, target=""
            ).id
            for (name, asset_id), tool in zip(
                assets.items(), ("terraform", "checkov", "prowler"), strict=True
            )
        }
        records = [
            ResourceRecord(
                provider="aws", type="aws_s3_bucket", address=f"aws_s3_bucket.b{i}",
                cloud_id=f"arn:aws:s3:::bench-b{i}", account_id="111122223333",
                region="eu-west-1",
            )
            for i in range(n_resources)
        ]  # fmt: skip
        resources_service.store_snapshot(
            session, records=records, complete=True, asset_id=assets["bench-infra"],
            scope_id=scopes["bench-infra"], run_id=uuid.uuid4(), now=now, warn=lambda _: None,
        )  # fmt: skip
        db = lambda v: db_uuid(session, v)  # noqa: E731
        at, run = db_datetime(session, now), db(uuid.uuid4())
        findings: list[tuple[object, ...]] = []
        detections: list[tuple[object, ...]] = []
        for i in range(n_resources):
            # IaC: controls 0 .. 4*per-1; cloud: control 0 (the pair) and 4*per .. 5*per-2
            start = (i * 7) % len(controls)
            chosen = [controls[(start + k) % len(controls)] for k in range(5 * per)]
            sides = [("iac", c) for c in chosen[: 4 * per]]
            sides += [("cspm", c) for c in [chosen[0], *chosen[4 * per + 1 :]]]
            for category, control in sides:
                iac = category == "iac"
                asset = assets["bench-repo" if iac else "bench-cloud"]
                tool = "checkov" if iac else "prowler"
                rule = control.rules[tool][0]
                where = f"aws_s3_bucket.b{i}" if iac else f"arn:aws:s3:::bench-b{i}"
                fid = uuid.uuid4()
                key = correlated_key(control.id, "iac" if iac else "cloud", where)
                findings.append((
                    db(fid), db(asset), key, FINDING_KEY_VERSION, control.id, control.title,
                    category, "medium", 2, where, "infra/s3.tf" if iac else None,
                    None if iac else "aws", None, None, "", "", "[]", "[]", "[]", "active", "new",
                    False, None, None, at, at, 0, run, 1, None, None, None, None, None, None,
                    None,  # team
                ))  # fmt: skip
                detections.append((
                    db(uuid.uuid4()), db(asset), db(fid),
                    db(scopes["bench-repo" if iac else "bench-cloud"]),
                    correlated_key(tool, rule, where), 1, "0" * 16, tool, rule, control.title,
                    "medium", None, category, "infra/s3.tf" if iac else None, 10 if iac else None,
                    None, where, "aws_s3_bucket", None if iac else "aws",
                    None if iac else "111122223333", None if iac else "eu-west-1", None, None,
                    None, None, None, False, None, True, at, at, run, run,
                ))  # fmt: skip
        load_rows(session, "findings", FINDING_COLUMNS, findings)
        load_rows(session, "detections", DETECTION_COLUMNS, detections)
    if is_postgres(session):  # what autovacuum does for an organisation that grew to this size
        with unit_of_work(factory) as session:
            for table in ("findings", "detections", "resources"):
                session.execute(text(f"ANALYZE {table}"))
    print(f"seeded: {len(findings)} findings, {n_resources} resources, one pair a resource")
    return n_resources


def _bench_merge(factory: sessionmaker[Session], n_findings: int, n_resources: int) -> None:
    _seed_org(factory, n_findings, n_resources)
    for label in ("first", "again"):
        with unit_of_work(factory) as session:
            now = utcnow()
            started = time.perf_counter()
            linked = resources_service.link_findings(session, now=now)
            linked_at = time.perf_counter()
            merge = resources_service.merge_code_and_cloud(session, now=now, actor="bench")
            merged_at = time.perf_counter()
            risk_service.rescore_findings(session, merge.survivors, actor="bench")
            done = time.perf_counter()
        print(
            f"link + merge ({label}): link {linked_at - started:.2f} s ({linked} links), "
            f"merge {merged_at - linked_at:.2f} s ({merge.merged} merged), "
            f"rescore {done - merged_at:.2f} s; total {done - started:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--merge", action="store_true", help="time link + merge (see above)")
    parser.add_argument("--resources", type=int, default=10_000, help="with --merge")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/links.db"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    factory = make_sessionmaker(engine)
    if args.merge:
        _bench_merge(factory, args.findings, args.resources)
        print(f"database: {engine.dialect.name}, python {sys.version.split()[0]}")
        return
    buf = io.StringIO()
    generate.write_checkov(buf, args.findings)
    started = time.perf_counter()
    result = ingest_service.run_import(
        factory,
        source=io.BytesIO(buf.getvalue().encode()),
        filename="checkov.json",
        options=ingest_service.IngestOptions(asset="bench"),
        hmac_key=b"bench",
    )
    print(f"checkov import: {time.perf_counter() - started:.2f} s, {result.findings} findings")
    with unit_of_work(factory) as session:
        addresses = list(session.scalars(text("SELECT DISTINCT resource FROM detections")))
        asset_id, scope_id = session.execute(
            text("SELECT asset_id, id FROM ingest_scopes LIMIT 1")
        ).one()
    records = [
        ResourceRecord(
            provider="aws", type=a.split(".")[0], address=a, cloud_id=f"arn:aws:x:::{a}",
            account_id="111122223333", region="eu-west-1", tags=(("team", "bench"),),
            facts=(("encrypted", "false"),), relations=(("vpc", "aws_vpc.main"),),
        )
        for a in addresses
    ]  # fmt: skip
    asset_id, scope_id = uuid.UUID(str(asset_id)), uuid.UUID(str(scope_id))
    for label in ("state import (new)", "state re-import (same)"):
        with unit_of_work(factory) as session:
            started = time.perf_counter()
            counts = resources_service.store_snapshot(
                session, records=records, complete=True, asset_id=asset_id, scope_id=scope_id,
                run_id=uuid.uuid4(), now=utcnow(), warn=lambda _: None,
            )  # fmt: skip
            took = time.perf_counter() - started
        print(f"{label}: {took:.2f} s, {counts.seen} resources, {counts.new} new")
    for label in ("link all findings (first)", "link all findings (again)"):
        with unit_of_work(factory) as session:
            started = time.perf_counter()
            linked = resources_service.link_findings(session, now=utcnow())
            took = time.perf_counter() - started
        print(f"{label}: {took:.2f} s, {linked} links made or changed")
    print(f"database: {engine.dialect.name}, python {sys.version.split()[0]}, {Path(url).name}")


if __name__ == "__main__":
    main()
