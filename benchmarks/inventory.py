"""Inventory benchmark: `aspm ingest` of a generated Terraform state, as a whole process.

    .venv/bin/python benchmarks/inventory.py [--resources 10000] [--db sqlite,postgres]
        [--repeat 3] [--out benchmarks/out] [--pg-db bench_inventory]

Writes a raw `.tfstate` (format version 4) of N resource instances: a mix of S3 buckets, security
groups with ingress rules, EC2 instances that reference their group and subnet, and RDS
instances with a password marked sensitive, in `count` blocks at the root and in `for_each`
module instances, each instance with the dozens of attributes a real state carries (only a few
of which the reader keeps). Then, for every database and repetition: a fresh database
(PostgreSQL: DROP/CREATE DATABASE --pg-db then `aspm db upgrade`; SQLite: a new file; not
timed), and `aspm ingest STATE --asset bench --json` twice: (a) the first import, (b) the
identical re-import (nothing new, nothing retired). Each run is timed wall clock from spawn to
exit, with peak RSS, as benchmarks/ingest.py does; medians over the repetitions are printed.
The issue's target: a 10,000-resource state imports in under 3 s on PostgreSQL.
"""

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg

from ingest import (
    ROOT,
    BenchError,
    PgTarget,
    postgres_version,
    recreate_postgres,
    recreate_sqlite,
    run_measured,
)

ASSET = "bench"
PHASES = ("first", "reimport")
TARGET_S = 3.0  # (postgres, first import), from the issue
INSTANCES_PER_BLOCK = 4  # count = 4 at the root; 4 for_each keys per module
MODULE_KEYS = ("alpha", "beta", "gamma", "delta")


def _noise(i: int) -> dict[str, Any]:
    """Attributes a real state carries that the reader never keeps."""
    return {
        "timeouts": None,
        "force_destroy": False,
        "lifecycle_rule": [],
        "cors_rule": [],
        "website": [],
        "replication_configuration": [],
        "hosted_zone_id": "Z1BKCTXD74EZPE",
        "request_payer": "BucketOwner",
        "object_lock_enabled": False,
        "revoke_rules_on_delete": False,
        "user_data_replace_on_change": False,
        "ebs_optimized": True,
        "monitoring": False,
        "source_dest_check": True,
        "cpu_core_count": 2,
        "private_dns": f"ip-10-0-{i % 256}-{i // 256 % 256}.eu-west-1.compute.internal",
        "root_block_device": [
            {"delete_on_termination": True, "volume_size": 20, "volume_type": "gp3", "iops": 3000}
        ],
    }


def _attributes(kind: str, i: int, account: str) -> tuple[dict[str, Any], list[Any]]:
    """(attributes, sensitive_attributes) of instance i of a kind."""
    tags = {"Service": f"svc-{i % 50}", "Environment": "prod", "Owner": f"team-{i % 7}"}
    region = "eu-west-1"
    sg = f"sg-{i:017x}"
    base: dict[str, Any] = {"tags": tags, "tags_all": tags, **_noise(i)}
    if kind == "aws_s3_bucket":
        name = f"bench-bucket-{i:06d}"
        return {
            **base,
            "id": name,
            "arn": f"arn:aws:s3:::{name}",
            "bucket": name,
            "region": region,
            "acl": "private",
            "logging": [{"target_bucket": "bench-logs", "target_prefix": f"{name}/"}],
            "versioning": [{"enabled": True, "mfa_delete": False}],
            "server_side_encryption_configuration": [
                {
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": [
                                {"sse_algorithm": "aws:kms", "kms_master_key_id": ""}
                            ]
                        }
                    ]
                }
            ],
        }, []
    if kind == "aws_security_group":
        rule = {
            "cidr_blocks": ["10.0.0.0/8"] if i % 10 else ["0.0.0.0/0"],
            "description": "https",
            "from_port": 443,
            "to_port": 443,
            "protocol": "tcp",
            "ipv6_cidr_blocks": [],
            "prefix_list_ids": [],
            "security_groups": [],
            "self": False,
        }
        return {
            **base,
            "id": sg,
            "arn": f"arn:aws:ec2:{region}:{account}:security-group/{sg}",
            "name": f"bench-sg-{i}",
            "description": "bench",
            "vpc_id": "vpc-0bench",
            "owner_id": account,
            "ingress": [rule, {**rule, "from_port": 80, "to_port": 80}],
            "egress": [
                {
                    **rule,
                    "cidr_blocks": ["0.0.0.0/0"],
                    "protocol": "-1",
                    "from_port": 0,
                    "to_port": 0,
                }
            ],
        }, []
    if kind == "aws_instance":
        ident = f"i-{i:017x}"
        return {
            **base,
            "id": ident,
            "arn": f"arn:aws:ec2:{region}:{account}:instance/{ident}",
            "instance_type": "t3.micro",
            "associate_public_ip_address": i % 5 == 0,
            "subnet_id": f"subnet-{i % 64:017x}",
            "vpc_security_group_ids": [f"sg-{i - 1:017x}"],
            "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "required"}],
            "user_data": "I2Nsb3VkLWNvbmZpZwo=",
        }, []
    name = f"bench-db-{i:06d}"
    return {
        **base,
        "id": f"db-{i:026X}",
        "arn": f"arn:aws:rds:{region}:{account}:db:{name}",
        "identifier": name,
        "engine": "postgres",
        "storage_encrypted": True,
        "publicly_accessible": False,
        "deletion_protection": True,
        "vpc_security_group_ids": [f"sg-{i - 3:017x}"],
        "username": "admin",
        "password": f"not-a-real-password-{i}",
    }, [[{"type": "get_attr", "value": "password"}]]


KINDS = ("aws_security_group", "aws_instance", "aws_s3_bucket", "aws_db_instance")


def generate_state(n: int, path: Path, account: str = "111122223333") -> None:
    """A raw state of n instances: blocks of INSTANCES_PER_BLOCK, alternately `count` blocks at
    the root and one module with for_each keys."""
    resources: list[dict[str, Any]] = []
    i = 0
    block = 0
    while i < n:
        kind = KINDS[block % len(KINDS)]
        in_module = block % 2 == 1
        take = min(INSTANCES_PER_BLOCK, n - i)
        if in_module:  # one resource per module instance: module.svc_N["alpha"].aws_...
            for key in MODULE_KEYS[:take]:
                attrs, sensitive = _attributes(kind, i, account)
                resources.append({
                    "module": f'module.svc_{block}["{key}"]',
                    "mode": "managed", "type": kind, "name": "this",
                    "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                    "instances": [{"schema_version": 0, "attributes": attrs,
                                   "sensitive_attributes": sensitive}],
                })  # fmt: skip
                i += 1
        else:
            instances = []
            for index in range(take):
                attrs, sensitive = _attributes(kind, i, account)
                instances.append({"index_key": index, "schema_version": 0, "attributes": attrs,
                                  "sensitive_attributes": sensitive})  # fmt: skip
                i += 1
            resources.append({
                "mode": "managed", "type": kind, "name": f"r{block}",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": instances,
            })  # fmt: skip
        block += 1
    doc = {
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 1,
        "lineage": "00000000-0000-4000-8000-000000000001",
        "outputs": {
            "db_password": {"value": "not-a-real-output", "type": "string", "sensitive": True}
        },
        "resources": resources,
        "check_results": None,
    }
    path.write_text(json.dumps(doc, indent=1))


def prepare(db: str, args: argparse.Namespace) -> str:
    """A fresh, migrated database; returns its ASPM_DATABASE_URL."""
    if db == "postgres":
        recreate_postgres(args.pg)
        url = args.pg.sqlalchemy_url()
    else:
        path = args.out.resolve() / "inventory.db"
        recreate_sqlite(path)
        url = f"sqlite:///{path}"
    outcome = run_measured([args.aspm, "db", "upgrade"], _env(url))
    if outcome.returncode != 0:
        raise BenchError(f"`aspm db upgrade` failed on {db}:\n{outcome.stderr[-4000:]}")
    return url


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "ASPM_DATABASE_URL": url}


def ingest(state: Path, url: str, args: argparse.Namespace) -> tuple[float, float]:
    """One `aspm ingest`: (wall seconds, peak RSS MB)."""
    cmd = [args.aspm, "ingest", str(state), "--asset", ASSET, "--json"]
    outcome = run_measured(cmd, _env(url))
    if outcome.returncode != 0:
        raise BenchError(f"`aspm ingest` failed:\n{outcome.stderr[-4000:]}")
    result = json.loads(outcome.stdout.strip().splitlines()[-1])
    if result.get("status") != "ok" or result.get("format") != "terraform-state":
        raise BenchError(f"unexpected import result: {result}")
    return outcome.wall_s, outcome.peak_rss_mb


def active_resources(db: str, args: argparse.Namespace) -> int:
    """How many active resources the benchmark database holds (each import must store all)."""
    query = "SELECT count(*) FROM resources WHERE active"
    if db == "postgres":
        conninfo = args.pg.admin_conninfo().replace("dbname=postgres", f"dbname={args.pg.dbname}")
        with psycopg.connect(conninfo) as conn:
            row = conn.execute(query).fetchone()
    else:
        with closing(sqlite3.connect(args.out.resolve() / "inventory.db")) as lite:
            row = lite.execute(query).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--aspm", default=str(Path(sys.executable).parent / "aspm"))
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-db", default="bench_inventory")
    args = parser.parse_args()
    args.pg = PgTarget(args.pg_host, args.pg_port, args.pg_user, args.pg_db)
    args.out.mkdir(parents=True, exist_ok=True)
    state = args.out / f"state-{args.resources}.tfstate"
    generate_state(args.resources, state)
    size_mb = state.stat().st_size / 2**20
    print(f"state: {args.resources} resource instances, {size_mb:.1f} MiB, {state}")
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    for db in args.db.split(","):
        if db == "postgres":
            print(f"postgres {postgres_version(args.pg)}, database {args.pg.dbname}")
        walls: dict[str, list[float]] = {p: [] for p in PHASES}
        rss: dict[str, list[float]] = {p: [] for p in PHASES}
        for _ in range(args.repeat):
            url = prepare(db, args)
            for phase in PHASES:
                wall, peak = ingest(state, url, args)
                if (stored := active_resources(db, args)) != args.resources:
                    raise BenchError(f"{db} {phase}: {stored} resources, not {args.resources}")
                walls[phase].append(wall)
                rss[phase].append(peak)
        for phase in PHASES:
            median = statistics.median(walls[phase])
            target = ""
            if db == "postgres" and phase == "first":
                target = f"  target < {TARGET_S:.0f} s: {'met' if median < TARGET_S else 'MISSED'}"
            runs = ", ".join(f"{w:.2f}" for w in walls[phase])
            print(
                f"{db:8} {phase:8} median {median:5.2f} s  ({runs})  "
                f"peak RSS {statistics.median(rss[phase]):.0f} MB{target}"
            )
        if db == "postgres":
            recreate_postgres(args.pg)  # leave an empty database, not 10k benchmark rows


if __name__ == "__main__":
    main()
