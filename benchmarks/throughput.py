"""Throughput of many pipelines through the server (issue 17 part 3).

    python benchmarks/throughput.py [--pipelines 16] [--results 10000] [--workers 1,2]
        [--pg-db aspm_bench_throughput] [--port 8029] [--keep]

For each worker count: a fresh PostgreSQL database (migrated), `aspm serve` (one API process: it
only spools uploads and queues them) and `aspm worker --processes N` on loopback sharing one spool
folder, then `--pipelines` clients at once, each uploading its own SARIF report of `--results`
results (benchmarks/generate.py, one seed per pipeline) into its own asset with `POST
/api/v1/imports` (202) and polling `GET /api/v1/imports/{id}` until it is ok or error, at the
growing intervals of `aspm ingest --server` (an import ends at its `finished_at`, the server's
clock). Prints per run the wall time from the first upload to the last import done, the aggregate
results/s, how many cores the machine kept busy on average meanwhile (/proc/stat: the workers,
the API and PostgreSQL together) and every import's status; at the end the ratio of the last
worker count's rate to the first's (target: 2 workers >= 1.6x one), with the load average next
to each figure. On 2 cores the ratio cannot pass 2 / (busy cores of one worker): one import
already keeps more than one core busy (its parse thread, its writer thread, PostgreSQL). Exits 1
if any import did not end ok. The database is dropped at the end unless --keep.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import DEFAULT_SEED, ensure_report  # noqa: E402

sys.path.insert(0, str(ROOT / "backend"))
from aspm.client import POLL_FIRST_SECONDS, POLL_MAX_SECONDS  # noqa: E402

PROTECTED_DBS = {"test", "postgres", "template0", "template1", "aspm_bench_queue"}
USER = "bench-pipelines"
TARGET_RATIO = 1.6


@dataclass(slots=True)
class Outcome:
    pipeline: int
    status: str = "not started"
    upload_s: float = 0.0  # until the 202
    done_s: float = 0.0  # until the import ended, from the common start
    error: str | None = None


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all cores since boot (Linux /proc/stat); None elsewhere."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def _busy_cores(before: tuple[int, int] | None, after: tuple[int, int] | None) -> str:
    """How many cores the machine kept busy on average between the two readings (every process:
    the workers, the API, PostgreSQL and anything else running)."""
    if before is None or after is None or after[1] == before[1]:
        return "n/a"
    cores = os.cpu_count() or 1
    return f"{cores * (after[0] - before[0]) / (after[1] - before[1]):.2f}"


def _aspm(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "aspm.cli", *args], env=env, input=stdin,
                          text=True, capture_output=True, check=True)  # fmt: skip
    return done.stdout


def _fresh_db(args: argparse.Namespace) -> str:
    if args.pg_db in PROTECTED_DBS:
        raise SystemExit(f"refusing to use the database {args.pg_db!r}")
    admin = f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        name = sql.Identifier(args.pg_db)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return f"postgresql+psycopg://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.pg_db}"


def _drop_db(args: argparse.Namespace) -> None:
    admin = f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        name = sql.Identifier(args.pg_db)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _pipeline(
    base: str, headers: dict[str, str], report: Path, n: int, start: float, out: Outcome
) -> None:
    """One pipeline: upload, then wait as `aspm ingest --server` waits (aspm.client's polls at
    growing intervals); the import's end is the server's `finished_at`, so the pauses between
    polls do not lengthen the measured time."""
    start_wall = time.time() - (time.perf_counter() - start)
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            with report.open("rb") as fh:
                resp = client.post(
                    "/api/v1/imports",
                    params={"asset": f"pipeline-{n:02d}", "filename": report.name},
                    content=fh,
                )
            out.upload_s = time.perf_counter() - start
            if resp.status_code != 202:
                out.status, out.error = "refused", f"{resp.status_code} {resp.text[:200]}"
                return
            import_id = resp.json()["import_id"]
            pause = POLL_FIRST_SECONDS
            while True:
                got = client.get(f"/api/v1/imports/{import_id}")
                got.raise_for_status()
                body = got.json()
                if body["status"] in ("ok", "error"):
                    out.status, out.error = body["status"], body.get("error")
                    out.done_s = time.perf_counter() - start
                    if body.get("finished_at"):  # the server's clock: not late by a poll
                        finished = datetime.fromisoformat(body["finished_at"]).timestamp()
                        out.done_s = min(out.done_s, finished - start_wall)
                    return
                time.sleep(pause)
                pause = min(pause * 1.5, POLL_MAX_SECONDS)
    except Exception as exc:  # reported with the others; the run then fails
        out.status, out.error = "failed", repr(exc)


def run(args: argparse.Namespace, workers: int, reports: list[Path]) -> float:
    """One run with `workers` worker processes: the aggregate results/s."""
    url = _fresh_db(args)
    spool = tempfile.mkdtemp(prefix="aspm-throughput-spool-")
    env = {**os.environ, "ASPM_DATABASE_URL": url, "ASPM_SPOOL_DIR": spool,
           "PYTHONPATH": str(ROOT / "backend")}  # fmt: skip
    _aspm(env, "db", "upgrade")
    _aspm(env, "users", "create", USER, "--role", "admin", "--password-stdin",
          stdin="a-long-bench-pass-1")  # fmt: skip
    made = _aspm(env, "tokens", "create", "--user", USER, "--scope", "ingest", "--scope", "read",
                 "--name", "throughput")  # fmt: skip
    found = re.search(r"\S{30,}", made)
    if found is None:
        raise SystemExit(f"no token in: {made}")
    headers = {"Authorization": f"Bearer {found.group(0)}"}
    base = f"http://127.0.0.1:{args.port}"
    procs = [
        subprocess.Popen([sys.executable, "-m", "aspm.cli", "serve", "--host", "127.0.0.1",
                          "--port", str(args.port)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "aspm.cli", "worker", "--processes",
                          str(workers)], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 180  # start-up on a loaded 2-core machine
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise SystemExit("aspm serve or aspm worker did not start")
            time.sleep(0.5)
        time.sleep(3.0)  # the workers too
        load_before = _load()
        outcomes = [Outcome(n) for n in range(len(reports))]
        ticks_before = _cpu_ticks()
        start = time.perf_counter()
        threads = [
            threading.Thread(target=_pipeline, args=(base, headers, r, n, start, outcomes[n]))
            for n, r in enumerate(reports)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = max(o.done_s for o in outcomes) or time.perf_counter() - start
        busy = _busy_cores(ticks_before, _cpu_ticks())
        load_after = _load()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
    ok = sum(o.status == "ok" for o in outcomes)
    total = ok * args.results
    rate = float(total / wall)
    uploads = sorted(o.upload_s for o in outcomes)
    print(f"{workers} worker(s): {ok}/{len(outcomes)} imports ok, {total:,} results in {wall:.1f} s"
          f" = {rate:,.0f} results/s (uploads answered 202 within {uploads[-1]:.1f} s; "
          f"busy cores {busy} on average; load {load_before} before, {load_after} after)",
          flush=True)  # fmt: skip
    for o in outcomes:
        if o.status != "ok":
            print(f"  pipeline-{o.pipeline:02d}: {o.status}: {o.error}")
    if ok != len(outcomes):
        raise SystemExit(1)
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipelines", type=int, default=16)
    parser.add_argument("--results", type=int, default=10_000, help="per report")
    parser.add_argument("--workers", default="1,2", help="worker counts, one run each")
    parser.add_argument("--pg-db", default="aspm_bench_throughput")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--port", type=int, default=8029)
    parser.add_argument("--reports", type=Path, default=Path(tempfile.gettempdir()) / "aspm-bench")
    parser.add_argument("--keep", action="store_true", help="keep the last run's database")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    args.reports.mkdir(parents=True, exist_ok=True)
    reports = [
        ensure_report(args.reports, "sarif", args.results, seed=DEFAULT_SEED + n)[0]
        for n in range(args.pipelines)
    ]
    print(f"{args.pipelines} pipelines x {args.results:,} SARIF results, each into its own asset; "
          f"{os.cpu_count()} cores", flush=True)  # fmt: skip
    rates: dict[int, float] = {}
    try:
        for workers in counts:
            rates[workers] = run(args, workers, reports)
    finally:
        if not args.keep:
            _drop_db(args)
    if len(rates) > 1:
        first, last = counts[0], counts[-1]
        ratio = rates[last] / rates[first]
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        print(f"{last} workers / {first}: {ratio:.2f}x (target >= {TARGET_RATIO}x with 2 workers "
              f"on 2 cores) {verdict}; load now {_load()}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
