"""Triage queue benchmark (issue 17, part 2): the findings list, CSV export and a 20-client load
test at 1M findings in PostgreSQL.

    .venv/bin/python benchmarks/triage_queue.py [--findings 1000000] [--pg-db aspm_bench_queue]
        [--reuse] [--drop] [--parts queue,metrics,export,load] [--repeat 30] [--clients 20]
        [--requests 60] [--port 8027] [--cases team,q=]

Database: --pg-db (never `test`), filled once as benchmarks/metrics.py fills it (1M findings on
1,000 assets of 25 teams, a year of snapshots; set-based, not timed), plus one detection per
finding (its tool, rule, path and resource, in one of the asset's import scopes), an assignee on
a quarter of the findings (1 in 800 is the benchmark's user `bench-lead`, who is in team-3), and
1 in 500 findings hidden by a suppression rule. `--reuse` keeps a database that a previous run
filled (its migrations are brought to head first, so the same fill measures before and after an
index migration); `--drop` drops it at the end.

Parts (--parts):
- queue: `GET /api/v1/findings` through the ASGI app (FastAPI TestClient, as the signed-in
  `bench-lead`), 3 warm-up calls then --repeat calls per case; p50/p95 against the 30 ms target.
  Page 100 is reached by following `next_cursor` 99 times, then that request is repeated.
  `--cases` keeps the cases whose label contains one of its comma-separated words (the walk to
  page 100 runs only when a kept case needs it).
- metrics: every endpoint of benchmarks/metrics.py on the same data, p50/p95 against the 100 ms
  target of issue 17.
- export: `aspm serve --workers 2` on loopback; `GET /api/v1/exports/findings?format=csv` of
  every finding, streamed; wall time against the 30 s target, rows, and the serving processes'
  resident memory before and at the end (peak, VmHWM) to show that it stays flat.
- load: the same server; --clients threads, each sending --requests requests in turn to the
  queue (the dashboard's default: open findings by risk), a finding page (random finding) and
  posture (90 days); p50/p95/p99 and errors per endpoint.
Prints nproc and the load average before and after: on a shared 2-core machine, quote medians.
Takes the benchmarks' machine lock (benchmarks/ingest.py): one benchmark at a time.
"""

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))
BIN = Path(sys.executable).parent

from fastapi.testclient import TestClient  # noqa: E402

from aspm.api.deps import get_principal  # noqa: E402
from aspm.auth.principal import Principal, Role  # noqa: E402
from aspm.db.migrate import upgrade  # noqa: E402
from aspm.db.session import make_engine  # noqa: E402
from aspm.findings import search_index  # noqa: E402
from aspm.main import create_app  # noqa: E402
from aspm.settings import Settings  # noqa: E402
from ingest import take_machine_lock  # noqa: E402 - the benchmarks' one-at-a-time lock
from metrics import ENDPOINTS as METRICS_ENDPOINTS  # noqa: E402
from metrics import PROTECTED_DBS  # noqa: E402
from metrics import _fill as fill_metrics  # noqa: E402 - the same 1M findings as metrics.py

USER = "bench-lead"
TEAM = "team-3"
TARGET_QUEUE_MS = 30.0
TARGET_EXPORT_S = 30.0
TARGET_METRICS_MS = 100.0

_EXTRA = """
INSERT INTO detections (id, asset_id, finding_id, scope_id, fingerprint, fingerprint_version,
    content_hash, tool, rule_id, title, severity, category, path, start_line, end_line, resource,
    suppressed, active, first_seen_at, last_seen_at, first_import_id, last_import_id)
SELECT md5('d' || f.id)::uuid, f.asset_id, f.id, s.id, md5('fp' || f.id), 1, left(md5(f.title), 32),
    s.tool, 'CKV_AWS_' || (abs(hashtext(f.id::text)) % 300), f.title, f.severity, f.category,
    'modules/m' || (abs(hashtext(f.id::text)) % 97) || '/main.tf', 10, 20, f.resource, false,
    f.detector_state = 'active', f.first_seen_at, f.last_seen_at, s.id, s.id
FROM findings f
JOIN LATERAL (SELECT id, tool FROM ingest_scopes WHERE asset_id = f.asset_id ORDER BY tool LIMIT 1)
    s ON true;

UPDATE findings SET
    assignee = CASE WHEN abs(hashtext(id::text)) % 800 = 0 THEN :user
        WHEN abs(hashtext(id::text)) % 4 = 1 THEN 'user-' || abs(hashtext(id::text)) % 400 END,
    suppression_rule_id = CASE WHEN abs(hashtext(id::text) / 7) % 500 = 0
        THEN '00000000-0000-0000-0000-000000000500'::uuid END
WHERE abs(hashtext(id::text)) % 4 = 1 OR abs(hashtext(id::text)) % 800 = 0
    OR abs(hashtext(id::text) / 7) % 500 = 0
"""


def _admin(args: argparse.Namespace) -> str:
    return f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname=postgres"


def _url(args: argparse.Namespace) -> str:
    return f"postgresql+psycopg://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.pg_db}"


def _filled(args: argparse.Namespace) -> bool:
    with psycopg.connect(_admin(args), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (args.pg_db,)
        ).fetchone()
    if not exists:
        return False
    engine = make_engine(_url(args))
    with engine.connect() as conn:
        n = conn.scalar(text("SELECT count(*) FROM detections WHERE fingerprint_version = 1"))
    engine.dispose()
    return bool(n)


def prepare(args: argparse.Namespace) -> str:
    if args.pg_db in PROTECTED_DBS:
        raise SystemExit(f"refusing to use the database {args.pg_db!r}")
    url = _url(args)
    if args.reuse and _filled(args):
        started = time.perf_counter()
        upgrade(url)
        print(f"reusing {args.pg_db}; migrations at head ({time.perf_counter() - started:.1f} s)")
        _refresh_search(url)
        return url
    with psycopg.connect(_admin(args), autocommit=True) as conn:
        name = sql.Identifier(args.pg_db)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    upgrade(url)
    filled = fill_metrics(url, argparse.Namespace(findings=args.findings, assets=1000, days=365))
    started = time.perf_counter()
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in _EXTRA.split(";\n"):
            conn.execute(text(statement), {"user": USER})
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"filled {args.pg_db}: {args.findings:,} findings in {filled:.0f} s, detections, "
          f"assignees and suppressions in {time.perf_counter() - started:.0f} s")  # fmt: skip
    _refresh_search(url)
    return url


def _refresh_search(url: str) -> None:
    """What a worker's periodic job does within seconds of a write (aspm.findings.search_index):
    without it every asset the fill marked would be searched in its tables (seconds a search)."""
    engine = make_engine(url)
    done = search_index.refresh(sessionmaker(engine))
    if done.assets:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE finding_search")
            )
        print(f"search rows of {done.assets:,} assets refreshed: {done.rows:,} rows in "
              f"{done.seconds:.0f} s")  # fmt: skip
    engine.dispose()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)] * 1000


def _verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "FAIL"


def bench_queue(url: str, args: argparse.Namespace) -> None:
    app = create_app(Settings(environment="test", database_url=url))
    me = Principal(kind="user", id=None, name=USER, role=Role.SECURITY_LEAD,
                   team_names=frozenset({TEAM}))  # fmt: skip
    app.dependency_overrides[get_principal] = lambda: me
    path = "/api/v1/findings"
    with TestClient(app) as client:

        def get(params: dict[str, Any]) -> dict[str, Any]:
            response = client.get(path, params={"limit": 50, **params})
            if response.status_code != 200:
                raise SystemExit(f"{params}: {response.status_code} {response.text}")
            return dict(response.json())

        def wanted(label: str) -> bool:
            return not args.cases or any(w in label for w in args.cases.split(","))

        # page 100 of the dashboard's default view: follow the cursor 99 times
        walk = {"open": "true", "sort": "risk"}
        page100: dict[str, Any] = {}
        if wanted("page 100"):
            started = time.perf_counter()
            body = get(walk)
            for _ in range(99):
                body = get({**walk, "after": body["next_cursor"]})
            walked = time.perf_counter() - started
            page100 = {**walk, "after": body["next_cursor"]}
            print(f"pages 1-100 by cursor (open, by risk): {walked:.2f} s, "
                  f"{walked / 100 * 1000:.1f} ms a page")  # fmt: skip
        cases: list[tuple[str, dict[str, Any]]] = [
            ("default page (no filter)", {}),
            ("dashboard default (open, by risk)", {"open": "true", "sort": "risk"}),
            ("sort=risk", {"sort": "risk"}),
            ("sort=priority", {"sort": "priority"}),
            ("priority=P1", {"priority": "P1"}),
            ("priority=P1, open (the dashboard's P1 view)", {"priority": "P1", "open": "true"}),
            ("assignee=me", {"assignee": "me"}),
            ("team=mine (by priority: the default of `mine`)", {"team": "mine"}),
            ("team=mine, by severity", {"team": "mine", "sort": "severity"}),
            ("team=mine, by risk", {"team": "mine", "sort": "risk"}),
            ("team=mine, by priority, ascending", {"team": "mine", "descending": "false"}),
            ("team=mine, open", {"team": "mine", "open": "true"}),
            ("team=mine, open, by risk", {"team": "mine", "open": "true", "sort": "risk"}),
            ("q=CKV_AWS_42 (many matches)", {"q": "CKV_AWS_42"}),
            ("q=b123456 (few matches)", {"q": "b123456"}),
            ("page 100 (after=, open, by risk)", page100),
            ("offset=4950 (legacy, open, by risk)", {**walk, "offset": 4950}),
        ]
        print(f"{'GET /api/v1/findings?limit=50&...':40} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'total':>9}  target p95 < {TARGET_QUEUE_MS:.0f} ms")  # fmt: skip
        for label, params in cases:
            if not wanted(label):
                continue
            times = []
            for i in range(args.repeat + 3):
                t0 = time.perf_counter()
                body = get(params)
                if i >= 3:
                    times.append(time.perf_counter() - t0)
            total = f"{body['total']:,}{'+' if body['total_capped'] else ''}"
            p95 = _pct(times, 0.95)
            print(f"{label:40} {_pct(times, 0.5):8.1f} {p95:8.1f} {total:>9}  "
                  f"{_verdict(p95, TARGET_QUEUE_MS)}", flush=True)  # fmt: skip


def bench_metrics(url: str, args: argparse.Namespace) -> None:
    """benchmarks/metrics.py's endpoints on this database (the same fill), against issue 17's
    target (p95 < 100 ms)."""
    app = create_app(Settings(environment="test", database_url=url))
    me = Principal(kind="user", id=None, name=USER, role=Role.SECURITY_LEAD,
                   team_names=frozenset({TEAM}))  # fmt: skip
    app.dependency_overrides[get_principal] = lambda: me
    worst = 0.0
    with TestClient(app) as client:
        print(f"{'GET /api/v1/metrics/...':60} {'p50 ms':>8} {'p95 ms':>8}  "
              f"target p95 < {TARGET_METRICS_MS:.0f} ms")  # fmt: skip
        for name, params in METRICS_ENDPOINTS:
            path = f"/api/v1/metrics/{name}" if name else "/api/v1/metrics"
            times = []
            for i in range(args.repeat + 3):
                t0 = time.perf_counter()
                response = client.get(path, params=params)
                if response.status_code != 200:
                    raise SystemExit(f"{path} {params}: {response.status_code} {response.text}")
                if i >= 3:
                    times.append(time.perf_counter() - t0)
            p95 = _pct(times, 0.95)
            worst = max(worst, p95)
            query = "&".join(f"{k}={v}" for k, v in params.items())
            label = f"{name or '(catalogue)'}{'?' + query if query else ''}"
            print(f"{label:60} {_pct(times, 0.5):8.1f} {p95:8.1f}  "
                  f"{_verdict(p95, TARGET_METRICS_MS)}", flush=True)  # fmt: skip
    print(f"metrics: worst p95 {worst:.1f} ms, target < {TARGET_METRICS_MS:.0f} ms "
          f"{_verdict(worst, TARGET_METRICS_MS)}")  # fmt: skip


class Server:
    """`aspm serve --workers 2` on loopback over the benchmark database, with a read token."""

    def __init__(self, url: str, args: argparse.Namespace) -> None:
        self.env = {**os.environ, "ASPM_DATABASE_URL": url}
        self.port = args.port
        aspm = str(BIN / "aspm")
        users = subprocess.run([aspm, "users", "list"], env=self.env, text=True,
                               capture_output=True, check=True).stdout  # fmt: skip
        if USER not in users:
            subprocess.run([aspm, "users", "create", USER, "--role", "security_lead", "--team",
                            TEAM, "--password-stdin"], env=self.env, input="a-long-bench-pass-1",
                           text=True, check=True, capture_output=True)  # fmt: skip
        made = subprocess.run([aspm, "tokens", "create", "--user", USER, "--scope", "read",
                               "--name", "bench"], env=self.env, text=True, check=True,
                              capture_output=True)  # fmt: skip
        found = re.search(r"\S{30,}", made.stdout)
        if found is None:
            raise SystemExit(f"no token in: {made.stdout}")
        self.headers = {"Authorization": f"Bearer {found.group(0)}"}
        self.proc = subprocess.Popen(
            [aspm, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 180  # start-up on a loaded 2-core machine
        while True:
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("aspm serve did not start")
            time.sleep(0.5)
        time.sleep(2.0)  # the second worker too

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], text=True,
                             capture_output=True).stdout.split()  # fmt: skip
        return [self.proc.pid, *(int(p) for p in out)]

    def memory_mb(self, field: str) -> list[int]:
        found = []
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            m = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
            found.append(int(m.group(1)) >> 10 if m else 0)
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)


def bench_export(server: Server) -> None:
    before = server.memory_mb("VmRSS")
    rows = 0
    started = time.perf_counter()
    with httpx.stream("GET", f"{server.base}/api/v1/exports/findings", params={"format": "csv"},
                      headers=server.headers, timeout=600) as response:  # fmt: skip
        response.raise_for_status()
        first = None
        for chunk in response.iter_text():
            if first is None:
                first = time.perf_counter() - started
            rows += chunk.count("\n")
    took = time.perf_counter() - started
    peak = server.memory_mb("VmHWM")
    print(f"CSV export: {rows - 1:,} findings in {took:.1f} s ({(rows - 1) / took:,.0f}/s; first "
          f"bytes after {first or 0:.2f} s): target < {TARGET_EXPORT_S:.0f} s "
          f"{_verdict(took, TARGET_EXPORT_S)}")  # fmt: skip
    print(f"  serving processes' resident MB before {before}, peak {peak} (master, workers)")


def bench_load(server: Server, url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = [str(i) for i in conn.scalars(text(
            "SELECT id FROM findings TABLESAMPLE SYSTEM (1) LIMIT 2000"))]  # fmt: skip
    engine.dispose()
    endpoints: list[tuple[str, Callable[[random.Random], tuple[str, dict[str, str]]]]] = [
        ("queue (open, by risk)", lambda _: ("/api/v1/findings", {"open": "true",
                                                                  "sort": "risk"})),
        ("finding page", lambda r: (f"/api/v1/findings/{r.choice(ids)}", {})),
        ("posture (90 days)", lambda _: ("/api/v1/metrics/posture", {"period": "90d"})),
    ]  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name, _ in endpoints}
    errors: dict[str, int] = {name: 0 for name, _ in endpoints}
    lock = threading.Lock()

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        with httpx.Client(base_url=server.base, headers=server.headers, timeout=60) as http:
            for i in range(args.requests):
                name, make = endpoints[(seed + i) % len(endpoints)]
                path, params = make(rnd)
                t0 = time.perf_counter()
                try:
                    ok = http.get(path, params=params).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - t0
                with lock:
                    times[name].append(elapsed)
                    errors[name] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    n = sum(len(v) for v in times.values())
    print(f"load: {args.clients} clients x {args.requests} requests against 2 server workers: "
          f"{n:,} requests in {took:.1f} s ({n / took:.0f}/s)")  # fmt: skip
    print(f"{'endpoint':28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, values in times.items():
        print(f"{name:28} {len(values):5} {_pct(values, 0.5):8.1f} {_pct(values, 0.95):8.1f} "
              f"{_pct(values, 0.99):8.1f} {errors[name]:7}  errors target 0: "
              f"{'PASS' if errors[name] == 0 else 'FAIL'}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--pg-db", default="aspm_bench_queue")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--reuse", action="store_true", help="keep a database filled before")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--parts", default="queue,metrics,export,load")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=60, help="per client")
    parser.add_argument("--port", type=int, default=8027)
    parser.add_argument("--cases", default="", help="queue cases whose label has one of these")
    args = parser.parse_args()
    parts = set(args.parts.split(","))

    # a terminated run still stops its server (the `finally` below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    lock = take_machine_lock()  # noqa: F841 - held for the lifetime of the run
    print(f"nproc {os.cpu_count()}, load average {' '.join(map(str, os.getloadavg()))}")
    url = prepare(args)
    if "queue" in parts:
        bench_queue(url, args)
    if "metrics" in parts:
        bench_metrics(url, args)
    if parts & {"export", "load"}:
        server = Server(url, args)
        try:
            if "export" in parts:
                bench_export(server)
            if "load" in parts:
                bench_load(server, url, args)
        finally:
            server.stop()
    print(f"load average {' '.join(map(str, os.getloadavg()))}")
    if args.drop:
        with psycopg.connect(_admin(args), autocommit=True) as conn:
            name = sql.Identifier(args.pg_db)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        print(f"dropped {args.pg_db}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
