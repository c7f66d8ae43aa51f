#!/usr/bin/env bash
# The built wheel works outside the source tree: install it (with the locked dependencies) into a
# fresh venv in a temporary folder, migrate a new SQLite database, serve, and GET /api/v1/health
# and / (the dashboard). `make test-wheel` runs it; CI through `make test`.
set -euo pipefail
wheel_dir="$(cd "${1:?usage: check_wheel.sh WHEEL_DIR}" && pwd)"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
uv="$repo/.venv/bin/uv"
wheel="$(ls "$wheel_dir"/aspm-*.whl)"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$uv" export -q --frozen --no-dev --no-emit-project --no-hashes -o "$work/requirements.txt" \
  --project "$repo"
"$uv" venv -q --python "$repo/.venv/bin/python" "$work/venv"
"$uv" pip install -q --python "$work/venv/bin/python" -r "$work/requirements.txt" "$wheel"

cd "$work"  # nothing of the checkout is reachable from here
export ASPM_DATABASE_URL="sqlite:///$work/aspm.db"
"$work/venv/bin/aspm" db upgrade
port="$("$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$work/venv/bin/aspm" serve --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do  # up to 60 s: a cold start compiles and imports pandas
  curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/health" 2>/dev/null && break
  sleep 0.1
done
health="$(curl -fsS "http://127.0.0.1:$port/api/v1/health")" || { cat "$work/serve.log"; exit 1; }
page="$(curl -fsS "http://127.0.0.1:$port/")" || { cat "$work/serve.log"; exit 1; }
echo "health: $health"
grep -q '<div id="root">' <<<"$page" || { echo "/ is not the dashboard: ${page:0:200}"; exit 1; }
echo "wheel $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB): migrates and serves outside the source tree"
