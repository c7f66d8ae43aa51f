"""Ingestion benchmark: `aspm ingest` as a whole process, first import and identical re-import.

    .venv/bin/python benchmarks/ingest.py [--sizes 10000,100000,1000000] [--db sqlite,postgres]
        [--formats sarif,checkov] [--repeat N] [--out benchmarks/out]

For every (database, format, size) and every repetition: a fresh database (SQLite file under
--out; PostgreSQL: DROP/CREATE DATABASE then `aspm db upgrade`, not timed), then
`aspm ingest FILE --asset bench --json` run twice on the same file: (a) the first import into the
empty database, (b) the identical re-import. Each run is timed wall clock from spawn to exit
(interpreter start, imports and commit included) with its peak RSS and CPU time from
`/usr/bin/time` (or psutil polling every 50 ms when it is missing). See benchmarks/README.md.
"""

import argparse
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import generate
import psutil
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
TIME_BIN = Path("/usr/bin/time")
POLL_SECONDS = 0.05
ASSET = "bench"
PHASES = ("first", "reimport")
PROTECTED_DBS = {"test", "postgres", "template0", "template1"}

# Targets from the issue, printed next to the figures.
RATE_TARGETS = {  # (db, format, size, phase) -> minimum results/s, end to end
    ("postgres", "sarif", 100_000, "first"): 15_000,
    ("postgres", "sarif", 100_000, "reimport"): 30_000,
}
RSS_TARGET_MB = 500  # peak RSS on a 1M-result report
RSS_TARGET_MIN_SIZE = 1_000_000


class BenchError(RuntimeError):
    """A run that did not do what the benchmark needs: stop, and say why."""


@dataclass(frozen=True)
class Code:
    """Which application code runs: the working tree through the `aspm` script, or a snapshot of
    one commit (`--at`) run as `python -m aspm.cli` with the snapshot first on PYTHONPATH."""

    root: Path  # holds backend/, alembic/, alembic.ini
    cli: tuple[str, ...]  # command prefix that runs the CLI
    commit: str | None = None  # the snapshot's commit; None for the working tree

    def env(self, url: str) -> dict[str, str]:
        env = dict(os.environ)
        env["ASPM_DATABASE_URL"] = url
        if self.commit is not None:
            backend = str(self.root / "backend")
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [backend, env.get("PYTHONPATH")]))
        return env


def snapshot(rev: str, out: Path) -> Code:
    """Extract `rev`'s backend/ and migrations under `out` (once) with `git archive`: the
    benchmark then measures that commit even while the working tree changes."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if commit.returncode != 0:
        raise BenchError(f"--at {rev}: not a commit: {commit.stderr.strip()}")
    sha = commit.stdout.strip()
    root = out.resolve() / f"src-{sha[:12]}"
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha, "backend", "alembic", "alembic.ini"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(root / "backend")], check=True
        )
        (root / ".complete").write_text(sha + "\n")
    return Code(root=root, cli=(sys.executable, "-m", "aspm.cli"), commit=sha)


@dataclass
class Sample:
    db: str
    format: str
    size: int
    phase: str
    rep: int
    wall_s: float
    peak_rss_mb: float
    user_s: float | None
    sys_s: float | None
    app_s: float | None  # the import's own duration_ms, in the process: no start-up, no commit
    records: int
    findings: int
    new: int
    unchanged: int
    code: str = ""  # digest of backend/ when the run started (see backend_digest)
    warnings: list[str] = field(default_factory=list)
    busy_s: float | None = None  # CPU seconds the whole machine spent during the run
    busy_before_pct: float | None = None  # machine CPU use in the second before the run
    started_at: str | None = None  # UTC, ISO 8601
    # PostgreSQL: what the workers' search refresh then took for this import's changes, in the
    # process (`aspm db refresh-search`); None where the code has no such step (before 44e9e80)
    search_s: float | None = None

    @property
    def rate(self) -> float:
        return self.records / self.wall_s if self.wall_s else 0.0


# ------------------------------------------------------------------------------------- database


@dataclass(frozen=True)
class PgTarget:
    host: str
    port: int
    user: str
    dbname: str

    def admin_conninfo(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname=postgres"

    def sqlalchemy_url(self) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{self.dbname}"


def recreate_postgres(pg: PgTarget) -> None:
    if pg.dbname in PROTECTED_DBS or pg.dbname.startswith("template"):
        raise BenchError(f"refusing to drop the database {pg.dbname!r}")
    with psycopg.connect(pg.admin_conninfo(), autocommit=True) as conn:
        name = sql.Identifier(pg.dbname)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def postgres_version(pg: PgTarget) -> str:
    with psycopg.connect(pg.admin_conninfo()) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def recreate_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def prepare_db(db: str, args: argparse.Namespace) -> str:
    """A fresh, migrated database; returns its ASPM_DATABASE_URL."""
    if db == "postgres":
        recreate_postgres(args.pg)
        url = args.pg.sqlalchemy_url()
    else:
        path = args.out.resolve() / "bench.db"
        recreate_sqlite(path)
        url = f"sqlite:///{path}"
    proc = subprocess.run(
        [*args.code.cli, "db", "upgrade"],
        env=args.code.env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(f"`aspm db upgrade` failed on {db}:\n{proc.stderr[-4000:]}")
    return url


# -------------------------------------------------------------------------------- measured runs


@dataclass
class RunOutcome:
    wall_s: float
    peak_rss_mb: float
    user_s: float | None
    sys_s: float | None
    busy_s: float
    returncode: int
    stdout: str
    stderr: str


def machine_busy_seconds() -> float:
    """CPU seconds spent by all processes on all cores since boot (not idle, not I/O wait)."""
    t = psutil.cpu_times()
    return sum(
        getattr(t, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal")
    )


def wait_for_quiet(args: argparse.Namespace) -> float:
    """Wait (up to --quiet-timeout) until the machine's CPU use over one second is below
    --quiet-below percent, so other work does not land in a measurement. Returns that use."""
    deadline = time.monotonic() + args.quiet_timeout
    while True:
        used = psutil.cpu_percent(interval=1.0)
        if args.quiet_below <= 0 or used < args.quiet_below:
            return used
        if time.monotonic() >= deadline:
            print(f"    machine still {used:.0f}% busy after {args.quiet_timeout:.0f} s; measuring")
            return used
        print(f"    machine {used:.0f}% busy; waiting for it to quiet down", flush=True)
        time.sleep(4.0)


def run_measured(cmd: list[str], env: dict[str, str]) -> RunOutcome:
    """Run `cmd` to completion: wall clock from spawn to exit, peak RSS, CPU seconds of the
    process and of the whole machine (the rest is the database server, or noise)."""
    busy = machine_busy_seconds()
    if TIME_BIN.exists() and os.access(TIME_BIN, os.X_OK):
        outcome = _run_with_time(cmd, env)
    else:
        outcome = _run_with_psutil(cmd, env)
    outcome.busy_s = machine_busy_seconds() - busy
    return outcome


def _run_with_time(cmd: list[str], env: dict[str, str]) -> RunOutcome:
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        stats_path = Path(tf.name)
    try:
        started = time.perf_counter()
        proc = subprocess.run(
            [str(TIME_BIN), "-f", "%M %U %S", "-o", str(stats_path), *cmd],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        # on failure GNU time writes "Command exited with non-zero status N" first
        stats = stats_path.read_text().strip().splitlines()
    finally:
        stats_path.unlink(missing_ok=True)
    try:
        parts = stats[-1].split()
        max_kb, user, system = int(parts[0]), float(parts[1]), float(parts[2])
    except (IndexError, ValueError) as exc:
        raise BenchError(
            f"{TIME_BIN} gave no figures for {cmd}: {stats!r}\nstderr: {proc.stderr[-4000:]}"
        ) from exc
    return RunOutcome(
        wall, max_kb / 1024, user, system, 0.0, proc.returncode, proc.stdout, proc.stderr
    )


def _run_with_psutil(cmd: list[str], env: dict[str, str]) -> RunOutcome:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        popen = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        child = psutil.Process(popen.pid)
        peak = 0
        cpu: tuple[float, float] | None = None
        while popen.poll() is None:
            try:
                with child.oneshot():
                    rss = child.memory_info().rss
                    for sub in child.children(recursive=True):
                        rss += sub.memory_info().rss
                    times = child.cpu_times()
                peak = max(peak, rss)
                cpu = (times.user, times.system)
            except psutil.Error:  # exited between poll() and the sample
                pass
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        user, system = cpu if cpu else (None, None)
        return RunOutcome(
            wall, peak / 2**20, user, system, 0.0, popen.returncode, out.read(), err.read()
        )


def ingest_once(
    args: argparse.Namespace, url: str, report: Path, db: str, fmt: str, size: int, phase: str
) -> tuple[RunOutcome, dict[str, Any]]:
    cmd = [*args.code.cli, "ingest", str(report), "--asset", ASSET, "--json"]
    outcome = run_measured(cmd, args.code.env(url))
    where = f"{db}/{fmt}/{size}/{phase}"
    lines = [ln for ln in outcome.stdout.splitlines() if ln.strip()]
    try:
        result = json.loads(lines[-1]) if lines else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        raise BenchError(
            f"{where}: `aspm ingest` printed no JSON result (exit {outcome.returncode}).\n"
            f"stdout: {outcome.stdout[-2000:]}\nstderr: {outcome.stderr[-4000:]}"
        )
    if result.get("status") != "ok" or outcome.returncode != 0:
        raise BenchError(
            f"{where}: import failed (exit {outcome.returncode}, status "
            f"{result.get('status')!r}): {result.get('error')}\nstderr: {outcome.stderr[-4000:]}"
        )
    if result.get("records") != size:
        raise BenchError(
            f"{where}: expected {size} records, the import counted {result.get('records')}: "
            f"{json.dumps(result)}"
        )
    return outcome, result


_REFRESHED = re.compile(r"search refreshed: (\d+) assets, (\d+) rows, ([0-9.]+) s")


def refresh_search(args: argparse.Namespace, url: str, where: str) -> float | None:
    """Seconds `aspm db refresh-search` spent on the rows an import changed (the work a worker
    does after the import, off its path), or None when the code has no such command."""
    cmd = [*args.code.cli, "db", "refresh-search"]
    done = subprocess.run(cmd, env=args.code.env(url), capture_output=True, text=True)
    said = done.stdout + done.stderr
    if done.returncode != 0 and "No such command" in said:
        return None
    found = _REFRESHED.search(said)
    if done.returncode != 0 or found is None:
        raise BenchError(f"{where}: `aspm db refresh-search` failed: {said[-2000:]}")
    return float(found.group(3))


def identity_warnings(result: dict[str, Any], size: int, phase: str) -> list[str]:
    """What should hold for N distinct results; a miss makes the figures mean something else."""
    expected = {"findings": size, "duplicates": 0}
    expected |= {"new": size} if phase == "first" else {"new": 0, "unchanged": size}
    return [
        f"{key}={result.get(key)} (expected {want})"
        for key, want in expected.items()
        if result.get(key) != want
    ]


# ----------------------------------------------------------------------------------- reporting


def _repeat_for(size: int, args: argparse.Namespace) -> int:
    if args.repeat is not None:
        return int(args.repeat)
    return 3 if size <= 100_000 else 1


def summarize(samples: list[Sample]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, int, str], list[Sample]] = {}
    for s in samples:
        groups.setdefault((s.db, s.format, s.size, s.phase), []).append(s)
    rows = []
    for (db, fmt, size, phase), group in groups.items():
        walls = [s.wall_s for s in group]
        rss = [s.peak_rss_mb for s in group]
        apps = [s.app_s for s in group if s.app_s is not None]
        cpus = [s.user_s + s.sys_s for s in group if s.user_s is not None and s.sys_s is not None]
        rest = [
            s.busy_s - s.user_s - s.sys_s
            for s in group
            if s.user_s is not None and s.sys_s is not None and s.busy_s is not None
        ]
        searches = [s.search_s for s in group if s.search_s is not None]
        wall = statistics.median(walls)
        row: dict[str, Any] = {
            "db": db,
            "format": fmt,
            "size": size,
            "phase": phase,
            "runs": len(group),
            "wall_s_median": wall,
            "wall_s_min": min(walls),
            "wall_s_max": max(walls),
            "rate_median": size / wall,
            "rate_min": size / max(walls),
            "rate_max": size / min(walls),
            "peak_rss_mb_median": statistics.median(rss),
            "peak_rss_mb_min": min(rss),
            "peak_rss_mb_max": max(rss),
            "app_s_median": statistics.median(apps) if apps else None,
            "cpu_s_median": statistics.median(cpus) if cpus else None,
            "other_cpu_s_median": statistics.median(rest) if rest else None,
            "search_s_median": statistics.median(searches) if searches else None,
            "warnings": sorted({w for s in group for w in s.warnings}),
        }
        row["targets"] = check_targets(row)
        rows.append(row)
    return rows


def check_targets(row: dict[str, Any]) -> list[dict[str, Any]]:
    targets = []
    key = (row["db"], row["format"], row["size"], row["phase"])
    if key in RATE_TARGETS:
        want = RATE_TARGETS[key]
        targets.append(
            {
                "what": f">= {want:,} results/s",
                "value": round(row["rate_median"]),
                "ok": row["rate_median"] >= want,
            }
        )
    if row["size"] >= RSS_TARGET_MIN_SIZE:
        targets.append(
            {
                "what": f"peak RSS < {RSS_TARGET_MB} MB",
                "value": round(row["peak_rss_mb_max"], 1),
                "ok": row["peak_rss_mb_max"] < RSS_TARGET_MB,
            }
        )
    return targets


def _fmt_size(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'db':<8} {'format':<7} {'size':>5} {'phase':<8} {'n':>2} "
        f"{'wall s (min-max)':>22} {'results/s (min-max)':>25} {'RSS MB (min-max)':>21} "
        f"{'app s':>6} {'cpu s':>6} {'other':>6} {'search':>6}  target"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        wall = f"{r['wall_s_median']:.2f} ({r['wall_s_min']:.2f}-{r['wall_s_max']:.2f})"
        rate = f"{r['rate_median']:,.0f} ({r['rate_min']:,.0f}-{r['rate_max']:,.0f})"
        rss = (
            f"{r['peak_rss_mb_median']:.0f} ({r['peak_rss_mb_min']:.0f}-{r['peak_rss_mb_max']:.0f})"
        )
        app = f"{r['app_s_median']:.2f}" if r["app_s_median"] is not None else "-"
        cpu = f"{r['cpu_s_median']:.2f}" if r["cpu_s_median"] is not None else "-"
        other = f"{r['other_cpu_s_median']:.2f}" if r["other_cpu_s_median"] is not None else "-"
        found = r.get("search_s_median")  # absent from results files before 44e9e80
        search = "-" if found is None else f"{found:.2f}"
        target = "; ".join(f"{t['what']}: {'PASS' if t['ok'] else 'FAIL'}" for t in r["targets"])
        if r["warnings"]:
            target = (
                (target + "; " if target else "") + "WARN identity: " + ", ".join(r["warnings"])
            )
        print(
            f"{r['db']:<8} {r['format']:<7} {_fmt_size(r['size']):>5} {r['phase']:<8} "
            f"{r['runs']:>2} {wall:>22} {rate:>25} {rss:>21} {app:>6} {cpu:>6} {other:>6} "
            f"{search:>6}  {target}"
        )


def memory_growth(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Peak RSS by size for each (db, format, phase), and the growth from 100k to 1M."""
    by_group: dict[tuple[str, str, str], dict[int, float]] = {}
    for r in rows:
        key = (r["db"], r["format"], r["phase"])
        by_group.setdefault(key, {})[r["size"]] = r["peak_rss_mb_max"]
    out = []
    for (db, fmt, phase), sizes in by_group.items():
        entry: dict[str, Any] = {
            "db": db,
            "format": fmt,
            "phase": phase,
            "peak_rss_mb_by_size": dict(sorted(sizes.items())),
        }
        if 100_000 in sizes and 1_000_000 in sizes:
            entry["growth_100k_to_1m_mb"] = sizes[1_000_000] - sizes[100_000]
            entry["ratio_1m_over_100k"] = sizes[1_000_000] / sizes[100_000]
        out.append(entry)
    return out


def print_memory_growth(growth: list[dict[str, Any]]) -> None:
    print("\nMemory growth (peak RSS, worst run; target: flat as the report grows)")
    for g in growth:
        by_size = ", ".join(
            f"{_fmt_size(n)} {mb:.0f} MB" for n, mb in g["peak_rss_mb_by_size"].items()
        )
        line = f"  {g['db']:<8} {g['format']:<7} {g['phase']:<8} {by_size}"
        if "growth_100k_to_1m_mb" in g:
            line += (
                f"; 100k -> 1M: {g['growth_100k_to_1m_mb']:+.0f} MB "
                f"(x{g['ratio_1m_over_100k']:.2f} for 10x the results)"
            )
        print(line)


def print_targets(rows: list[dict[str, Any]]) -> None:
    print("\nTargets (from the issue)")
    lines = {
        ("postgres", "sarif", 100_000, "first"): "first import, 100k SARIF, PostgreSQL",
        ("postgres", "sarif", 100_000, "reimport"): "identical re-import, 100k SARIF, PostgreSQL",
    }
    seen = {(r["db"], r["format"], r["size"], r["phase"]): r for r in rows}
    for key, label in lines.items():
        want = RATE_TARGETS[key]
        r = seen.get(key)
        got = "not measured" if r is None else f"{r['rate_median']:,.0f} results/s"
        verdict = "" if r is None else ("PASS" if r["rate_median"] >= want else "FAIL")
        print(f"  {label}: >= {want:,} results/s end to end; got {got} {verdict}")
    big = [r for r in rows if r["size"] >= RSS_TARGET_MIN_SIZE]
    if not big:
        print(f"  peak RSS on the 1M-result report < {RSS_TARGET_MB} MB: not measured")
    for r in big:
        verdict = "PASS" if r["peak_rss_mb_max"] < RSS_TARGET_MB else "FAIL"
        print(
            f"  peak RSS < {RSS_TARGET_MB} MB on {_fmt_size(r['size'])} {r['format']} "
            f"({r['db']}, {r['phase']}): got {r['peak_rss_mb_max']:.0f} MB {verdict}"
        )


# ----------------------------------------------------------------------------------- profiling


def profile_one(args: argparse.Namespace, db: str, fmt: str, size: int, report: Path) -> None:
    """Both imports under cProfile (slower than real runs); prints the top functions."""
    import pstats

    url = prepare_db(db, args)
    for phase in PHASES:
        prof = args.out / f"profile-{db}-{fmt}-{size}-{phase}.pstats"
        cmd = [
            sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "aspm.cli",
            "ingest", str(report), "--asset", ASSET, "--json",
        ]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.run(
            cmd, env=args.code.env(url), cwd=ROOT, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise BenchError(f"profiled import failed:\n{proc.stdout}\n{proc.stderr[-4000:]}")
        print(f"\n=== {db} {fmt} {_fmt_size(size)} {phase}: {wall:.1f} s under cProfile -> {prof}")
        stats = pstats.Stats(str(prof))
        stats.sort_stats("cumulative").print_stats(args.profile_top)
        stats.sort_stats("tottime").print_stats(args.profile_top)


# ----------------------------------------------------------------------------------------- main


def machine_info(args: argparse.Namespace) -> dict[str, Any]:
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    info: dict[str, Any] = {
        "nproc": nproc,
        "loadavg_start": list(os.getloadavg()),
        "memory_total_mb": round(psutil.virtual_memory().total / 2**20),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "rss_source": "/usr/bin/time %M" if TIME_BIN.exists() else "psutil poll 50 ms",
    }
    if "postgres" in args.db:
        info["postgres"] = postgres_version(args.pg)
    info["code"] = (
        f"snapshot of {args.at} in {args.code.root}" if args.code.commit else "working tree"
    )
    try:
        info["git_commit"] = (
            args.code.commit
            or subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "backend"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        info["backend_dirty"] = args.code.commit is None and bool(dirty.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    info["backend_digest"] = backend_digest(args.code.root)
    info["aspm_env"] = {
        k: v for k, v in os.environ.items() if k.startswith("ASPM_") and "SECRET" not in k
    }
    return info


def backend_digest(root: Path = ROOT) -> str:
    """Digest of the application's source as it is on disk (committed or not): the figures are
    for this code. Colleagues' edits during a long run show up as a change of digest."""
    h = hashlib.sha256()
    for path in sorted((root / "backend").rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def _size(text: str) -> int:
    text = text.strip().replace("_", "")
    scale = {"k": 1000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(text[:-1] if scale > 1 else text) * scale


def _csv(kind: Any, choices: set[str] | None = None) -> Any:
    def parse(text: str) -> list[Any]:
        try:
            items = [kind(x.strip()) for x in text.split(",") if x.strip()]
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
        if choices is not None:
            bad = [x for x in items if x not in choices]
            if bad:
                raise argparse.ArgumentTypeError(f"unknown: {bad}; choose from {sorted(choices)}")
        if not items:
            raise argparse.ArgumentTypeError("empty list")
        return items

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", type=_csv(_size), default=[10_000, 100_000, 1_000_000])
    p.add_argument("--db", type=_csv(str, {"sqlite", "postgres"}), default=["sqlite", "postgres"])
    p.add_argument("--formats", type=_csv(str, set(generate.WRITERS)), default=["sarif", "checkov"])
    p.add_argument(
        "--repeat", type=int, default=None, help="runs per measurement (default 3 <=100k, 1 above)"
    )
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    p.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    p.add_argument("--aspm", type=Path, default=Path(sys.executable).parent / "aspm")
    p.add_argument(
        "--at",
        metavar="REV",
        help="measure this commit (extracted under --out with git archive) instead of the "
        "working tree",
    )
    p.add_argument("--pg-host", default="127.0.0.1")
    p.add_argument("--pg-port", type=int, default=5432)
    p.add_argument("--pg-user", default="postgres")
    p.add_argument("--pg-db", default="aspm_bench", help="dropped and recreated per measurement")
    p.add_argument(
        "--profile",
        action="store_true",
        help="instead of timing, run each import once under cProfile and print top costs",
    )
    p.add_argument("--profile-top", type=int, default=25)
    p.add_argument(
        "--quiet-below",
        type=float,
        default=25.0,
        metavar="PCT",
        help="before each run, wait until the machine's CPU use is below PCT%% (0: never wait)",
    )
    p.add_argument("--quiet-timeout", type=float, default=300.0, metavar="SECONDS")
    p.add_argument(
        "--report",
        nargs="+",
        type=Path,
        metavar="RESULTS_JSON",
        help="measure nothing: print the tables for results files of earlier runs, together",
    )
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    args.pg = PgTarget(args.pg_host, args.pg_port, args.pg_user, args.pg_db)
    if args.pg_db in PROTECTED_DBS:
        p.error(f"--pg-db {args.pg_db!r} is not a benchmark database")
    if not args.aspm.exists():
        found = shutil.which("aspm")
        if found is None:
            p.error(f"{args.aspm} not found; pass --aspm")
        args.aspm = Path(found)
    if args.at:
        try:
            args.code = snapshot(args.at, args.out)
        except (BenchError, subprocess.CalledProcessError) as exc:
            p.error(f"--at {args.at}: {exc}")
    else:
        args.code = Code(root=ROOT, cli=(str(args.aspm),))
    if args.repeat is not None and args.repeat < 1:
        p.error("--repeat must be >= 1")
    return args


def report(paths: list[Path]) -> int:
    """Print the tables for samples saved by earlier runs (one or several results files)."""
    by_code: dict[str, list[Sample]] = {}
    commits: dict[str, str] = {}
    known = {f.name for f in fields(Sample)}
    for path in paths:
        doc = json.loads(path.read_text())
        m = doc["machine"]
        print(f"{path.name}: nproc {m['nproc']}, load average at start "
              f"{' '.join(f'{x:.2f}' for x in m['loadavg_start'])}, {m.get('code', '?')}, commit "
              f"{str(m.get('git_commit', '?'))[:12]}, backend digest "
              f"{m.get('backend_digest', '?')}")  # fmt: skip
        for raw in doc["samples"]:
            sample = Sample(**{k: v for k, v in raw.items() if k in known})
            by_code.setdefault(sample.code, []).append(sample)
            commits.setdefault(sample.code, str(m.get("git_commit", "?"))[:12])
    for code, samples in by_code.items():
        rows = summarize(samples)
        print(f"\n=== backend digest {code or '?'} (commit {commits[code]})")
        print_table(rows)
        print_memory_growth(memory_growth(rows))
        print_targets(rows)
    return 0


LOCK_PATH = Path(tempfile.gettempdir()) / "aspm-ingest-benchmark.lock"


def take_machine_lock() -> IO[str]:
    """One benchmark at a time on this machine: two would share the benchmark databases (each
    recreating them under the other's imports) and the two cores. Waits for a running one."""
    fh = LOCK_PATH.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "?"
        print(
            f"another ingestion benchmark holds {LOCK_PATH} ({holder}); waiting for it", flush=True
        )
        fcntl.flock(fh, fcntl.LOCK_EX)
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}: {' '.join(sys.argv)}\n")
    fh.flush()
    return fh  # held until the process exits


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        return report(args.report)
    lock = take_machine_lock()  # noqa: F841 - held for the lifetime of the run
    info = machine_info(args)
    load = " ".join(f"{x:.2f}" for x in info["loadavg_start"])
    print(f"nproc {info['nproc']}, load average {load}, Python {info['python']}, SQLite "
          f"{info['sqlite']}, PostgreSQL {info.get('postgres', '-')}, RSS via "
          f"{info['rss_source']}")  # fmt: skip
    print(
        f"code: {info['code']}, commit {info.get('git_commit', '?')[:12]}, backend digest "
        f"{info['backend_digest']}"
    )
    if info.get("backend_dirty"):
        print("note: backend/ has uncommitted changes; figures are for the working tree")

    reports: dict[tuple[str, int], Path] = {}
    for fmt in args.formats:
        for size in args.sizes:
            started = time.perf_counter()
            path, reused = generate.ensure_report(args.out, fmt, size, args.seed)
            reports[fmt, size] = path
            mb = path.stat().st_size / 2**20
            how = "cached" if reused else f"generated in {time.perf_counter() - started:.1f} s"
            print(f"report {path.name}: {size:,} results, {mb:,.1f} MB ({how})")

    if args.profile:
        for db in args.db:
            for fmt in args.formats:
                for size in args.sizes:
                    profile_one(args, db, fmt, size, reports[fmt, size])
        return 0

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results_path = args.out / f"results-{stamp}.json"
    samples: list[Sample] = []

    def save() -> None:
        rows = summarize(samples)
        doc = {
            "started": stamp,
            "machine": info,
            "params": {
                "sizes": args.sizes,
                "db": args.db,
                "formats": args.formats,
                "repeat": args.repeat,
                "seed": args.seed,
                "generator_version": generate.GENERATOR_VERSION,
                "reports": {f"{f}-{n}": str(p) for (f, n), p in reports.items()},
            },
            "targets": {
                "rate": [
                    {"db": k[0], "format": k[1], "size": k[2], "phase": k[3], "min_rate": v}
                    for k, v in RATE_TARGETS.items()
                ],
                "peak_rss_mb_below": RSS_TARGET_MB,
                "peak_rss_applies_from_size": RSS_TARGET_MIN_SIZE,
            },
            "samples": [asdict(s) | {"rate": s.rate} for s in samples],
            "summary": rows,
            "memory_growth": memory_growth(rows),
        }
        tmp = results_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2) + "\n")
        os.replace(tmp, results_path)

    try:
        for db in args.db:
            for fmt in args.formats:
                for size in args.sizes:
                    for rep in range(1, _repeat_for(size, args) + 1):
                        code = backend_digest(args.code.root)
                        url = prepare_db(db, args)
                        for phase in PHASES:
                            before = wait_for_quiet(args)
                            started_at = datetime.now(UTC).isoformat(timespec="seconds")
                            outcome, result = ingest_once(
                                args, url, reports[fmt, size], db, fmt, size, phase
                            )
                            duration = result.get("duration_ms")
                            search = None
                            if db == "postgres":
                                search = refresh_search(args, url, f"{db}/{fmt}/{size}/{phase}")
                            sample = Sample(
                                db=db, format=fmt, size=size, phase=phase, rep=rep,
                                wall_s=outcome.wall_s, peak_rss_mb=outcome.peak_rss_mb,
                                user_s=outcome.user_s, sys_s=outcome.sys_s,
                                app_s=duration / 1000 if duration is not None else None,
                                busy_s=outcome.busy_s, busy_before_pct=before,
                                started_at=started_at,
                                records=result["records"], findings=result.get("findings", -1),
                                new=result.get("new", -1), unchanged=result.get("unchanged", -1),
                                code=code, warnings=identity_warnings(result, size, phase),
                                search_s=search,
                            )  # fmt: skip
                            samples.append(sample)
                            save()
                            flag = ""
                            if sample.warnings:
                                flag = "  WARNING identity: " + ", ".join(sample.warnings)
                            print(
                                f"  {db:<8} {fmt:<7} {_fmt_size(size):>5} {phase:<8} "
                                f"#{rep}: {sample.wall_s:7.2f} s {sample.rate:9,.0f} results/s "
                                f"{sample.peak_rss_mb:7.0f} MB (machine {before:.0f}% busy "
                                f"before){'' if search is None else f', search {search:.2f} s'}"
                                f"{flag}",
                                flush=True,
                            )
    except BenchError as exc:
        print(f"\nBENCHMARK FAILED: {exc}", file=sys.stderr)
        if samples:
            print(f"partial results in {results_path}", file=sys.stderr)
        return 1

    rows = summarize(samples)
    print()
    print_table(rows)
    codes = sorted({s.code for s in samples} | {backend_digest(args.code.root)})
    if len(codes) > 1:
        print(
            f"\nWARNING: backend/ changed during the run (digests {', '.join(codes)}); samples "
            "carry the digest of the code they ran, see the JSON."
        )
    print_memory_growth(memory_growth(rows))
    print_targets(rows)
    end_load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average at end {end_load}; results in {results_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
