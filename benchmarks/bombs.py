"""Server memory under upload bombs: each format's depth bomb and wide bomb posted to `aspm serve`.

    .venv/bin/python benchmarks/bombs.py [--port 8765] [--db sqlite|postgres]

Starts `aspm serve` on 127.0.0.1 over a fresh database (SQLite file in a temporary folder, or the
PostgreSQL database `bench_bombs`), creates an admin with an ingest token, then for every format
posts the two bombs of tests/hardening/test_bombs.py (a value nested 100,000 deep; a record of two
million empty objects) and prints the answer and the server's peak resident memory for that
request (its high-water mark, reset through /proc/PID/clear_refs before each one). Loopback only,
one request at a time, 34 requests in all.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hardening.test_bombs import JSON_TEMPLATES, depth_bomb, wide_bomb  # noqa: E402

BIN = ROOT / ".venv" / "bin"


def kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


def post(port: int, token: str, fmt: str, data: bytes) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}/api/v1/imports?asset=bombed&filename=bomb&format={fmt}"
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:  # noqa: S310
            return resp.status, resp.read().decode()[:120]
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()[:160]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="aspm-bombs-"))
    env = dict(os.environ, ASPM_SECRET_KEY="bench-bombs-secret-key")  # noqa: S106 - a throwaway database
    if args.db == "postgres":
        db = "bench_bombs"
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
        env["ASPM_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
    else:
        env["ASPM_DATABASE_URL"] = f"sqlite:///{folder / 'bombs.db'}"
    aspm = str(BIN / "aspm")
    subprocess.run([aspm, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [aspm, "users", "create", "bomber", "--role", "admin", "--password-stdin"],
        env=env,
        input="a-long-bench-password-1",
        text=True,
        check=True,
        capture_output=True,
    )
    made = subprocess.run(
        [aspm, "tokens", "create", "--user", "bomber", "--scope", "ingest"],
        env=env,
        text=True,
        check=True,
        capture_output=True,
    )
    token = re.search(r"\S{30,}", made.stdout).group(0)  # type: ignore[union-attr]
    server = subprocess.Popen(
        [aspm, "serve", "--host", "127.0.0.1", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/api/health", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
            except Exception:  # any answer means it is up
                break
        print(f"server pid {server.pid}, resident at start {kib(server.pid, 'VmRSS') >> 10} MB")
        print(f"{'format':<16}{'bomb':<7}{'size':>9}{'status':>8}{'peak MB':>9}  answer")
        worst = 0
        for fmt in sorted(JSON_TEMPLATES):
            for kind, bomb in (("depth", depth_bomb), ("wide", wide_bomb)):
                data = JSON_TEMPLATES[fmt].replace("BOMB", bomb()).encode()
                Path(f"/proc/{server.pid}/clear_refs").write_text("5")
                status, answer = post(args.port, token, fmt, data)
                peak = kib(server.pid, "VmHWM") >> 10
                worst = max(worst, peak)
                detail = re.sub(r"\s+", " ", answer)[-90:]
                print(f"{fmt:<16}{kind:<7}{len(data) >> 10:>7}KB{status:>8}{peak:>9}  {detail}")
        print(f"worst server peak: {worst} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
