"""Resource context benchmark: aspm.resources.exposure.finding_contexts on a large inventory.

    .venv/bin/python benchmarks/resource_context.py --url postgresql+psycopg://.../db \
        [--resources 10000] [--findings 100000]

On a fresh schema (PostgreSQL: DROP SCHEMA public CASCADE, then migrations; SQLite: a new file),
written straight into the tables: R resources in stacks of 10 (open and private security groups,
a load balancer, listener, target group and attachment, an instance with an instance profile, a
role attachment with AdministratorAccess every other stack, a bucket and a database tagged
restricted every third), 100 stacks per asset, and F findings linked round-robin to them (public,
IMDS, admin, logging, encryption, drift and unrelated controls; every tenth fixed). Then times
finding_contexts over every finding, and over one asset's findings (a selection temp table), and
prints the median of 3 runs of each. Destroys what --url holds.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from aspm.db.bulk import db_datetime, db_uuid, is_postgres, load_rows
from aspm.db.migrate import upgrade
from aspm.db.session import make_engine
from aspm.resources.exposure import finding_contexts

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PUBLIC = ("*public*", "*0.0.0.0*")
RESOURCE_COLUMNS = (
    "id", "asset_id", "identity_key", "provider", "type", "address", "cloud_id", "name", "tags",
    "facts", "relations", "managed", "scope_id", "active", "first_seen_at", "last_seen_at",
    "first_import_id", "last_import_id",
)  # fmt: skip
FINDING_COLUMNS = (
    "id", "asset_id", "finding_key", "key_version", "control_id", "title", "category",
    "severity", "severity_rank", "description", "remediation", "\"references\"", "cwe_ids",
    "compliance", "detector_state", "triage_state", "suppressed", "reopen_count", "version",
    "first_seen_at", "last_seen_at",
)  # fmt: skip
CONTROLS = (
    ("aws-ec2-security-group-public-ingress", "iac", "critical"),
    ("aws-ec2-imdsv2", "cspm", "high"),
    ("aws-iam-policy-no-wildcards", "iac", "high"),
    ("aws-s3-access-logging", "iac", "medium"),
    ("aws-rds-instance-encryption", "iac", "high"),
    ("terraform:drift-network-exposure", "drift", "critical"),
    ("inspector:CVE-2024-0001", "sca", "critical"),
    ("aws-ec2-detailed-monitoring", "iac", "low"),
    ("checkov:CKV_AWS_50", "iac", "medium"),
    ("aws-kms-key-rotation", "cspm", "medium"),
)


def _stack(i: int) -> list[tuple[str, str, dict[str, str], list[list[str]], list[list[str]]]]:
    """(type, name, tags, facts, relations) of one stack's 10 resources."""
    open_in = [["ingress", "tcp/443 0.0.0.0/0"], ["public", "true"]]
    private = [["ingress", "tcp/22 10.0.0.0/16"]]
    restricted = {"data-classification": "restricted" if i % 3 == 0 else "internal"}
    policy = "AdministratorAccess" if i % 2 == 0 else "ReadOnlyAccess"
    return [
        ("aws_security_group", "alb", {}, open_in, []),
        ("aws_security_group", "app", {}, private, []),
        ("aws_lb", "front", {}, [], [["security_group", "aws_security_group.alb"]]),
        ("aws_lb_target_group", "app", {}, [], []),
        ("aws_lb_listener", "https", {}, [], [["load_balancer", "aws_lb.front"],
                                               ["target_group", "aws_lb_target_group.app"]]),
        ("aws_lb_target_group_attachment", "app", {}, [],
         [["target_group", "aws_lb_target_group.app"], ["instance", "aws_instance.app"]]),
        ("aws_instance", "app", {}, [], [["security_group", "aws_security_group.app"],
                                        ["instance_profile", f"profile-{i}"]]),
        ("aws_iam_role_policy_attachment", "app", {}, [],
         [["role", f"role-{i}"], ["policy", f"arn:aws:iam::aws:policy/{policy}"]]),
        ("aws_s3_bucket", "data", restricted, [["logging", "false"], ["acl", "private"]], []),
        ("aws_db_instance", "db", restricted, [["encrypted", str(i % 4 == 0).lower()]],
         [["security_group", "aws_security_group.app"]]),
    ]  # fmt: skip


def seed(session: Session, n_resources: int, n_findings: int) -> list[uuid.UUID]:
    """Writes the inventory and its findings; returns the asset ids."""
    assets: list[uuid.UUID] = []
    resources: list[tuple[Any, ...]] = []
    ids: list[tuple[uuid.UUID, uuid.UUID]] = []  # (resource, asset)
    now = db_datetime(session, NOW)
    for i in range(n_resources // 10):
        if i % 100 == 0:
            assets.append(uuid.uuid4())
        asset = assets[-1]
        for rtype, name, tags, facts, relations in _stack(i):
            rid = uuid.uuid4()
            ids.append((rid, asset))
            # one state per stack: addresses are unique within the stack's own module
            prefix = f"module.s{i}."
            rel = [[k, prefix + t if t.startswith("aws_") else t] for k, t in relations]
            resources.append((
                db_uuid(session, rid), db_uuid(session, asset), uuid.uuid4().hex + "0" * 32,
                "aws", rtype, f"{prefix}{rtype}.{name}", f"arn:aws:x:::{rid.hex}",
                f"role-{i}" if rtype == "aws_iam_role_policy_attachment" else None,
                json.dumps(tags), json.dumps(facts), json.dumps(rel), True,
                db_uuid(session, uuid.uuid4()), True, now, now,
                db_uuid(session, uuid.uuid4()), db_uuid(session, uuid.uuid4()),
            ))  # fmt: skip
    load_rows(session, "resources", RESOURCE_COLUMNS, resources)
    findings: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    ranks = {"critical": 4, "high": 3, "medium": 2, "low": 1}
    for n in range(n_findings):
        rid, asset = ids[n % len(ids)]
        control, category, severity = CONTROLS[(n // len(ids)) % len(CONTROLS)]
        fid = uuid.uuid4()
        findings.append((
            db_uuid(session, fid), db_uuid(session, asset), uuid.uuid4().hex + "0" * 32, 1,
            control, control, category, severity, ranks[severity], "", "", "[]", "[]", "[]",
            "fixed" if n % 10 == 9 else "active", "new", False, 0, 1, now, now,
        ))  # fmt: skip
        links.append((db_uuid(session, fid), db_uuid(session, rid), "address", now))
    load_rows(session, "findings", FINDING_COLUMNS, findings)
    load_rows(session, "resource_links", ("finding_id", "resource_id", "via", "linked_at"), links)
    return assets


def median_of_3(fn: Callable[[], int]) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(3):
        start = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--findings", type=int, default=100_000)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/context.db"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    with Session(engine) as session, session.begin():
        start = time.perf_counter()
        assets = seed(session, args.resources, args.findings)
        print(f"seeded {args.resources} resources, {args.findings} findings "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(f"database: {engine.dialect.name}, python {sys.version.split()[0]}")
    kw: dict[str, Any] = {"sensitivity_tags": ("data-classification",), "public_controls": PUBLIC,
                          "not_public_controls": ("*egress*",)}  # fmt: skip
    with Session(engine) as session:
        seconds, count = median_of_3(lambda: len(finding_contexts(session, selection=None, **kw)))
        print(f"every finding:        {seconds:6.2f} s median of 3, {count} contexts")
        id_type = "UUID" if is_postgres(session) else "CHAR(32)"
        session.execute(text(f"CREATE TEMPORARY TABLE bench_sel (finding_id {id_type})"))
        session.execute(
            text("INSERT INTO bench_sel SELECT id FROM findings WHERE asset_id = :a"),
            {"a": db_uuid(session, assets[0])},
        )
        seconds, count = median_of_3(
            lambda: len(finding_contexts(session, selection="bench_sel", **kw))
        )
        print(f"one asset (selection): {seconds:6.2f} s median of 3, {count} contexts")
        session.rollback()
        session.execute(text("UPDATE resources SET active = false"))
        seconds, count = median_of_3(lambda: len(finding_contexts(session, selection=None, **kw)))
        print(f"no active resource:   {seconds * 1000:6.2f} ms median of 3, {count} contexts")
        session.rollback()


if __name__ == "__main__":
    main()
