"""Resource inventory benchmark: storing a state's resources and linking findings to them.

    .venv/bin/python benchmarks/resource_links.py --url postgresql+psycopg://.../db [--findings N]

On a fresh schema (PostgreSQL: DROP SCHEMA public CASCADE, then migrations; SQLite: a new file):
import a generated Checkov report of N findings (one resource each) on asset "bench", then time,
each in its own transaction: (a) storing N resources whose addresses are the findings' (a
complete snapshot, as a Terraform state import would), (b) the same snapshot again (idempotent
re-import), (c) linking every finding of the org (the statement a new state runs), (d) linking
again (nothing changes). Prints one line per step: seconds, rows. Destroys what --url holds.
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

from aspm.common.clock import utcnow
from aspm.db.migrate import upgrade
from aspm.db.session import make_engine, make_sessionmaker, unit_of_work
from aspm.ingest import service as ingest_service
from aspm.ingest.contract import ResourceRecord
from aspm.resources import service as resources_service


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--findings", type=int, default=100_000)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/links.db"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    factory = make_sessionmaker(engine)
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
