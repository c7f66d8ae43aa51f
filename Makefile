# Two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install lint typecheck test-backend test-postgres migrate demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[dev]'
	$(BIN)/python -m compileall -q backend alembic  # bytecode even where PYTHONDONTWRITEBYTECODE is set
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/aspm db upgrade

demo: migrate
	$(BIN)/aspm demo --if-empty
	$(BIN)/aspm users bootstrap --demo  # first admin (one-time password) + demo users, on an empty database only

run: demo
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

test: lint typecheck test-backend
	@if [ -n "$$CI" ] || [ -n "$$ASPM_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL suite not run: set ASPM_TEST_DATABASE_URL (CI always runs it)"; fi

bench: install
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
