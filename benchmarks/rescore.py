"""Re-scoring benchmark: how long a policy change takes to re-score every finding.

    .venv/bin/python benchmarks/rescore.py [--sizes 100000,1000000] [--db sqlite,postgres]
        [--repeat 3] [--out benchmarks/out] [--pg-db aspm_bench_rescore]

For every (database, size): a fresh database (SQLite file under --out; PostgreSQL: DROP/CREATE
DATABASE --pg-db, never `test`), migrated, then filled set-based with N findings and ~1.1 N
detections on 50 assets of varied context (2 tools on 10% of findings, verified secrets, 1 in
200 findings showing its resource public, 4 findings per resource, 1 in 13 resolved), with a
placeholder risk key as ingestion's inline scoring writes one (an unscored row that grows on its
first scoring made SQLite split a page per row). Not timed. The
first policy is applied once (not timed). Then each repetition puts a new policy version in force
through `risk.service.set_policy` in its own transaction, as `PUT /api/v1/risk/policy` does: every
finding is re-scored, the audit event written, and the transaction committed. Timed wall clock,
in process. Two kinds of change (--changes): `prod` changes the prod multiplier (a fifth of the
findings change), `all` changes every severity value (every finding changes). Findings whose
result does not change are not rewritten. Prints every run and the medians.
Target (issue 4): 1M findings in under 20 s. Takes the benchmarks' machine lock
(benchmarks/ingest.py): one benchmark at a time.

Each finding stores the key of its scoring input (findings.risk_key), so a policy change scores the
distinct keys (a few thousand) and rewrites only the findings whose key's result changed: the time
is that rewrite, about proportional to the findings that change.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

from aspm.db.migrate import upgrade  # noqa: E402
from aspm.db.session import make_engine, make_sessionmaker, unit_of_work  # noqa: E402
from aspm.risk import service as risk_service  # noqa: E402
from aspm.risk.policy import DEFAULT_POLICY_PATH  # noqa: E402
from ingest import take_machine_lock  # noqa: E402 - the benchmarks' one-at-a-time lock

PROTECTED_DBS = {"test", "postgres", "template0", "template1"}
ASSETS = 50
TARGET_1M_SECONDS = 20.0

_FILL_PG = """
INSERT INTO assets (id, name, kind, environment, exposure, data_sensitivity, data_tags,
    criticality, match_rules, created_at, updated_at)
SELECT md5('asset' || a)::uuid, 'bench/asset-' || a, 'repository',
    (ARRAY['prod','staging','dev','test','unknown'])[1 + a % 5],
    (ARRAY['internet','internal','isolated','unknown'])[1 + a % 4],
    (ARRAY['restricted','confidential','internal','public','unknown'])[1 + a % 5],
    CASE WHEN a % 7 = 0 THEN '["pci"]'::jsonb ELSE '[]'::jsonb END, 1 + a % 3, '{}'::jsonb,
    now(), now()
FROM generate_series(0, :assets - 1) a;
INSERT INTO findings (id, asset_id, finding_key, key_version, control_id, title, category,
    severity, severity_rank, resource, path, description, remediation, "references", cwe_ids,
    compliance, detector_state, triage_state, suppressed, secret_verified, cvss,
    risk_key, first_seen_at, last_seen_at, resolved_at, reopen_count, version)
SELECT md5('f' || n)::uuid, md5('asset' || ((n / 4) % :assets))::uuid, md5('k' || n), 1,
    CASE WHEN n % 200 = 0 THEN 'aws-s3-restrict-public-buckets' ELSE 'checkov:CKV_AWS_' || (n % 300)
    END, 'Finding ' || n, 'iac',
    (ARRAY['critical','high','medium','low','info'])[1 + n % 5], 4 - n % 5,
    'aws_s3_bucket.b' || (n / 4), 'main.tf', '', '', '[]', '[]', '[]',
    CASE WHEN n % 13 = 0 THEN 'fixed' ELSE 'active' END, 'new', false, NULL,
    CASE WHEN n % 11 = 0 THEN (n % 100) / 10.0 END,
    repeat('k', 16), now() - (n % 300) * interval '1 day', now(),
    CASE WHEN n % 13 = 0 THEN now() END, 0, 1
FROM generate_series(0, :n - 1) n;
INSERT INTO detections (id, asset_id, finding_id, scope_id, fingerprint, fingerprint_version,
    content_hash, tool, rule_id, title, severity, category, path, suppressed, secret_verified,
    active, first_seen_at, last_seen_at, first_import_id, last_import_id)
SELECT md5('d' || n || t)::uuid, md5('asset' || ((n / 4) % :assets))::uuid, md5('f' || n)::uuid,
    md5('scope')::uuid, md5('fp' || n || t), 1, '0', t, 'R' || (n % 300), 'Finding ' || n,
    'high', 'iac', 'main.tf', false, CASE WHEN n % 97 = 0 THEN true END, n % 13 <> 0,
    now(), now(), md5('run')::uuid, md5('run')::uuid
FROM generate_series(0, :n - 1) n CROSS JOIN (VALUES ('checkov'), ('tfsec')) tools(t)
WHERE t = 'checkov' OR n % 10 = 0;
ANALYZE;
"""

_FILL_SQLITE = """
WITH RECURSIVE s(a) AS (SELECT 0 UNION ALL SELECT a + 1 FROM s WHERE a < :assets - 1)
INSERT INTO assets (id, name, kind, environment, exposure, data_sensitivity, data_tags,
    criticality, match_rules, created_at, updated_at)
SELECT printf('%032x', 1000000000 + a), 'bench/asset-' || a, 'repository',
    CASE a % 5 WHEN 0 THEN 'prod' WHEN 1 THEN 'staging' WHEN 2 THEN 'dev' WHEN 3 THEN 'test'
        ELSE 'unknown' END,
    CASE a % 4 WHEN 0 THEN 'internet' WHEN 1 THEN 'internal' WHEN 2 THEN 'isolated'
        ELSE 'unknown' END,
    CASE a % 5 WHEN 0 THEN 'restricted' WHEN 1 THEN 'confidential' WHEN 2 THEN 'internal'
        WHEN 3 THEN 'public' ELSE 'unknown' END,
    CASE WHEN a % 7 = 0 THEN '["pci"]' ELSE '[]' END, 1 + a % 3, '{}',
    datetime('now'), datetime('now')
FROM s;
WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < :n - 1)
INSERT INTO findings (id, asset_id, finding_key, key_version, control_id, title, category,
    severity, severity_rank, resource, path, description, remediation, "references", cwe_ids,
    compliance, detector_state, triage_state, suppressed, secret_verified, cvss,
    risk_key, first_seen_at, last_seen_at, resolved_at, reopen_count, version)
SELECT printf('%032x', n + 1), printf('%032x', 1000000000 + (n / 4) % :assets),
    printf('%064x', n), 1,
    CASE WHEN n % 200 = 0 THEN 'aws-s3-restrict-public-buckets' ELSE 'checkov:CKV_AWS_' || (n % 300)
    END, 'Finding ' || n, 'iac',
    CASE n % 5 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' WHEN 3 THEN 'low'
        ELSE 'info' END, 4 - n % 5,
    'aws_s3_bucket.b' || (n / 4), 'main.tf', '', '', '[]', '[]', '[]',
    CASE WHEN n % 13 = 0 THEN 'fixed' ELSE 'active' END, 'new', 0, NULL,
    CASE WHEN n % 11 = 0 THEN (n % 100) / 10.0 END,
    replace(hex(zeroblob(8)), '0', 'k'),
    strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (n % 300) || ' days'),
    strftime('%Y-%m-%d %H:%M:%f', 'now'),
    CASE WHEN n % 13 = 0 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') END, 0, 1
FROM s;
WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < :n - 1)
INSERT INTO detections (id, asset_id, finding_id, scope_id, fingerprint, fingerprint_version,
    content_hash, tool, rule_id, title, severity, category, path, suppressed, secret_verified,
    active, first_seen_at, last_seen_at, first_import_id, last_import_id)
SELECT printf('%032x', n * 2 + (t = 'tfsec') + 1), printf('%032x', 1000000000 + (n / 4) % :assets),
    printf('%032x', n + 1), printf('%032x', 7), printf('%064x', n * 2 + (t = 'tfsec')), 1, '0',
    t, 'R' || (n % 300), 'Finding ' || n, 'high', 'iac', 'main.tf', 0,
    CASE WHEN n % 97 = 0 THEN 1 END, n % 13 <> 0,
    strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'),
    printf('%032x', 9), printf('%032x', 9)
FROM s CROSS JOIN (SELECT 'checkov' AS t UNION ALL SELECT 'tfsec') tools
WHERE t = 'checkov' OR n % 10 = 0;
ANALYZE;
"""


def _fresh_db(kind: str, args: argparse.Namespace) -> str:
    if kind == "sqlite":
        path = Path(args.out) / "rescore.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        if args.pg_db in PROTECTED_DBS:
            raise SystemExit(f"refusing to drop the database {args.pg_db!r}")
        admin = f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            name = sql.Identifier(args.pg_db)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
        url = f"postgresql+psycopg://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.pg_db}"
    upgrade(url)
    return url


def _fill(url: str, n: int) -> float:
    started = time.perf_counter()
    engine = make_engine(url)
    script = _FILL_PG if engine.dialect.name == "postgresql" else _FILL_SQLITE
    with engine.begin() as conn:
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(text(statement), {"n": n, "assets": ASSETS})
    engine.dispose()
    return time.perf_counter() - started


def _policy(version: str, step: int, change: str) -> str:
    """A new policy version: `prod` changes the prod multiplier, `all` every severity value.
    Since the score curve's top is the policy's largest raw score (issue 14), a larger prod
    multiplier moves the top too: every finding's score changes with either kind."""
    body = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    body = re.sub(r"(?m)^version: .*$", f"version: {version}", body, count=1)
    if change == "prod":
        return body.replace("  prod: 1.1\n", f"  prod: {1.1 + 0.05 * step:.2f}\n")
    for label, value in (("critical", 9.5), ("high", 8.0), ("medium", 5.5), ("low", 2.5)):
        body = body.replace(f"  {label}: {value}\n", f"  {label}: {value - 0.1 * step:.2f}\n")
    return body.replace("  info: 0.0\n", f"  info: {0.1 * step:.2f}\n")


def run(kind: str, n: int, args: argparse.Namespace) -> dict[str, list[float]]:
    url = _fresh_db(kind, args)
    filled = _fill(url, n)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as session:
        first = risk_service.current_policy(session)  # the default, applied once: not timed
    print(f"  {kind:8} {n:>9,} findings: filled in {filled:.1f} s; first policy "
          f"{first[0].version}", flush=True)  # fmt: skip
    with unit_of_work(factory) as session:
        print(f"  {kind:8} {n:>9,} findings: {_distribution(session)}", flush=True)
    times: dict[str, list[float]] = {}
    step = 0
    for change in args.changes.split(","):
        for i in range(args.repeat):
            step += 1
            started = time.perf_counter()
            with unit_of_work(factory) as session:
                result = risk_service.set_policy(
                    session, yaml_text=_policy(f"bench-{step}", step, change), actor="bench"
                )
            elapsed = time.perf_counter() - started
            times.setdefault(change, []).append(elapsed)
            print(f"  {kind:8} {n:>9,} {change:4} #{i + 1}: {elapsed:6.2f} s  "
                  f"({result.selected:,} evaluated, {result.updated:,} changed, "
                  f"{result.distinct_inputs:,} distinct inputs, "
                  f"{result.selected / elapsed:,.0f} findings/s)", flush=True)  # fmt: skip
    engine.dispose()
    return times


def _distribution(session: Session) -> str:
    """How the first policy ranks the mixed set (issue 14): the share of each priority among
    active findings, how many reach the top of the curve, and how many distinct scores."""
    rows = session.execute(
        text(
            "SELECT priority, COUNT(*) FROM findings WHERE detector_state = 'active' "
            "GROUP BY priority"
        )
    ).all()
    active = sum(int(c) for _, c in rows) or 1
    shares = ", ".join(f"{p or 'none'} {int(c) / active:.1%}" for p, c in sorted(rows, key=str))
    top, distinct = session.execute(
        text("SELECT SUM(CASE WHEN risk_score >= 100 THEN 1 ELSE 0 END), "
             "COUNT(DISTINCT risk_score) FROM findings")
    ).one()  # fmt: skip
    return f"{shares}; at 100: {int(top or 0)}; distinct scores: {int(distinct)} (P1 target <= 10%)"


def _sizes(value: str) -> list[int]:
    out = []
    for part in value.split(","):
        p = part.strip().lower().replace("_", "")
        mult = 1_000_000 if p.endswith("m") else 1_000 if p.endswith("k") else 1
        out.append(int(float(p.rstrip("mk")) * mult))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", type=_sizes)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--changes", default="prod,all", help="prod: prod multiplier; all: every severity value"
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default=5432, type=int)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-db", default="aspm_bench_rescore")
    args = parser.parse_args()
    lock = take_machine_lock()  # noqa: F841 - held for the lifetime of the run
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"nproc {os.cpu_count()}, load average {load} (a shared machine: medians)", flush=True)
    results = []
    for kind in args.db.split(","):
        for n in args.sizes:
            for change, times in run(kind.strip(), n, args).items():
                results.append((kind, n, change, times))
    print("\ndb       findings change  median s  (min-max)        findings/s")
    for kind, n, change, times in results:
        med = statistics.median(times)
        target = ""
        if n >= 1_000_000:
            met = "met" if med < TARGET_1M_SECONDS else "NOT met"
            target = f"  target < {TARGET_1M_SECONDS:.0f} s: {met}"
        print(f"{kind:8} {n:>9,} {change:6} {med:7.2f}  ({min(times):.2f}-{max(times):.2f})  "
              f"{n / med:>12,.0f}{target}")  # fmt: skip


if __name__ == "__main__":
    main()
