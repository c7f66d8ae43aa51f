# Two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install lint typecheck test-backend test-postgres migrate demo bench clean \
	frontend test-frontend test-browser wheel test-wheel

# the Python packages come from uv.lock (`uv lock` after changing pyproject.toml's dependencies);
# --inexact leaves alone what else the venv holds
$(STAMP): pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv sync -q --frozen --inexact --extra dev --compile-bytecode
	$(BIN)/python -m compileall -q backend alembic  # bytecode even where PYTHONDONTWRITEBYTECODE is set
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/aspm db upgrade

demo: migrate
	$(BIN)/aspm demo --if-empty
	$(BIN)/aspm users bootstrap --demo  # first admin (one-time password) + demo users, on an empty database only

# the dashboard: npm ci when the lockfile changes, a build when any source changes
FRONTEND_DEPS := frontend/node_modules/.installed
FRONTEND_DIST := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/package.json frontend/vite.config.ts frontend/tsconfig.json

$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(FRONTEND_DEPS)

$(FRONTEND_DIST): $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	cd frontend && npm run build
	touch $(FRONTEND_DIST)

frontend: $(FRONTEND_DIST)

# typecheck, Biome (lint + format), Vitest
test-frontend: $(FRONTEND_DEPS)
	cd frontend && npm run typecheck && npm run lint && npm test

# Playwright against `aspm serve` with demo data and the built dashboard (Debian's /usr/bin/chromium)
test-browser: install frontend
	$(BIN)/pytest -q -m browser tests/browser --screenshot only-on-failure --output test-results/failures

run: demo frontend
	$(BIN)/aspm serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff format --check backend tests alembic benchmarks
	$(BIN)/ruff check backend tests alembic benchmarks
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy backend/aspm tests

test-backend: install
	$(BIN)/pytest -q

# the same suite against PostgreSQL; CI always runs it (ASPM_TEST_DATABASE_URL points at the server)
test-postgres: install
	ASPM_TEST_DATABASE_URL=$${ASPM_TEST_DATABASE_URL:-$(PG_TEST_URL)} $(BIN)/pytest -q

# the wheel, with the migrations and the dashboard inside (hatch_build.py)
wheel: install frontend
	rm -rf build/wheel && $(BIN)/uv build -q --wheel -o build/wheel

# the wheel in a fresh venv, outside the source tree: migrate a new SQLite, serve, GET health and /
test-wheel: wheel
	bash tests/deploy/check_wheel.sh build/wheel

test: lint typecheck test-backend test-frontend test-browser test-wheel
	@if [ -n "$$CI" ] || [ -n "$$ASPM_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL suite not run: set ASPM_TEST_DATABASE_URL (CI always runs it)"; fi

bench: install
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache frontend/node_modules frontend/dist test-results
