"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL with ASPM_TEST_DATABASE_URL)."""

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite ingest golden files from samples"
    )
