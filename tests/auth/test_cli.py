"""`aspm users|teams|tokens` on a SQLite file, and the CLI's server mode (`--server --token`)."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from aspm.auth.models import ApiToken, User
from aspm.cli import app
from aspm.common.hashing import sha256_hex
from aspm.db.session import make_engine, make_sessionmaker, unit_of_work
from aspm.settings import get_settings
from tests.conftest import ClientAs
from tests.factories import gitleaks_leak, gitleaks_report

runner = CliRunner()
KEY = "glpat-" + "Aa1Bb2Cc3Dd4Ee5Ff6Gg7"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ASPM_DATABASE_URL", url)
    monkeypatch.setenv("ASPM_SECRET_KEY", "cli-test-key")
    monkeypatch.setenv("ASPM_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ASPM_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("ASPM_ARGON2_PARALLELISM", "1")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield url
    get_settings.cache_clear()


def _stored(url: str) -> tuple[list[User], list[ApiToken]]:
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as s:
        users = list(s.scalars(select(User).order_by(User.username)))
        tokens = list(s.scalars(select(ApiToken)))
    engine.dispose()
    return users, tokens


def test_users_create_prints_a_one_time_password_that_is_stored_hashed(cli_db: str) -> None:
    result = runner.invoke(app, ["users", "create", "alice", "--role", "engineer", "--team", "web"])
    assert result.exit_code == 0, result.output
    password = result.stdout.strip().rsplit(" ", 1)[-1]
    assert len(password) >= 16
    (alice,), _ = _stored(cli_db)
    assert alice.must_change_password
    assert alice.password_hash is not None
    assert alice.password_hash.startswith("$argon2id$")
    assert password not in alice.password_hash
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)
    assert [(u["username"], u["role"], u["teams"]) for u in listed] == [
        ("alice", "engineer", ["web"])
    ]


def test_users_create_reads_a_password_from_stdin_and_refuses_bad_input(cli_db: str) -> None:
    ok = runner.invoke(
        app, ["users", "create", "bob", "--role", "viewer", "--password-stdin"],
        input="bobs-long-password\n",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "bobs-long-password" not in ok.output
    (bob,), _ = _stored(cli_db)
    assert not bob.must_change_password
    assert runner.invoke(app, ["users", "create", "bob", "--role", "viewer"]).exit_code == 2
    assert runner.invoke(app, ["users", "create", "eve", "--role", "root"]).exit_code == 2


def test_teams_create_list_and_add_member(cli_db: str) -> None:
    runner.invoke(app, ["users", "create", "carol", "--role", "engineer"])
    assert runner.invoke(app, ["teams", "create", "payments"]).exit_code == 0
    assert runner.invoke(app, ["teams", "add-member", "payments", "carol"]).exit_code == 0
    teams = json.loads(runner.invoke(app, ["teams", "list", "--json"]).stdout)
    assert [(t["name"], t["members"]) for t in teams] == [("payments", ["carol"])]
    assert runner.invoke(app, ["teams", "add-member", "nope", "carol"]).exit_code == 2


def test_tokens_create_prints_the_token_once_list_never_and_revoke_works(cli_db: str) -> None:
    runner.invoke(app, ["users", "create", "fresh", "--role", "engineer"])  # one-time password
    refused = runner.invoke(app, ["tokens", "create", "--user", "fresh", "--scope", "read"])
    assert refused.exit_code == 2
    assert "one-time password" in refused.output
    runner.invoke(
        app, ["users", "create", "ci", "--role", "engineer", "--password-stdin"],
        input="a-long-ci-password\n",
    )  # fmt: skip
    created = runner.invoke(
        app, ["tokens", "create", "--user", "ci", "--scope", "ingest", "--scope", "read",
              "--expires-days", "30"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("aspm_")
    _, (row,) = _stored(cli_db)
    assert row.token_hash == sha256_hex(token)
    assert sorted(row.scopes) == ["ingest", "read"]
    listed = runner.invoke(app, ["tokens", "list", "--json"])
    assert token not in listed.stdout
    assert json.loads(listed.stdout)[0]["active"] is True
    assert runner.invoke(app, ["tokens", "revoke", str(row.id)]).exit_code == 0
    assert json.loads(runner.invoke(app, ["tokens", "list", "--json"]).stdout)[0]["active"] is False
    too_wide = ["tokens", "create", "--user", "ci", "--scope", "admin"]
    assert runner.invoke(app, too_wide).exit_code == 2


def test_bootstrap_creates_the_first_admin_once_and_demo_users_only_with_demo(
    cli_db: str,
) -> None:
    first = runner.invoke(app, ["users", "bootstrap"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.stdout
    assert "one-time" in first.stdout
    again = runner.invoke(app, ["users", "bootstrap", "--demo"])
    assert again.exit_code == 0
    assert "password" not in again.stdout  # users exist: nothing created, nothing printed
    users, _ = _stored(cli_db)
    assert [u.username for u in users] == ["admin"]


def test_bootstrap_with_demo_on_an_empty_database_creates_one_user_per_role(cli_db: str) -> None:
    result = runner.invoke(app, ["users", "bootstrap", "--demo"])
    assert result.exit_code == 0, result.output
    users, _ = _stored(cli_db)
    assert sorted((u.username, u.role) for u in users) == [
        ("admin", "admin"), ("engineer", "engineer"), ("lead", "security_lead"),
        ("viewer", "viewer"),
    ]  # fmt: skip
    assert "demo-engineer-password" in result.stdout


def test_server_mode_ingests_and_lists_findings_over_http_with_a_token(
    served: None, token_client: ClientAs, tmp_path: Path
) -> None:
    # an engineer imports only into their teams' assets; a new asset gets their one team
    bot = token_client(["ingest", "read"], role="engineer", teams=["web"])
    token = bot.headers["Authorization"].removeprefix("Bearer ")
    report = tmp_path / "gitleaks.json"
    report.write_bytes(gitleaks_report(gitleaks_leak(KEY)))
    remote = ["--server", "https://aspm.example", "--token", token]
    ingested = runner.invoke(app, [*remote, "ingest", str(report), "--asset", "acme/srv", "--json"])
    assert ingested.exit_code == 0, ingested.output
    result = json.loads(ingested.stdout)
    assert (result["status"], result["new"], result["file"]) == ("ok", 1, str(report))
    listed = runner.invoke(app, [*remote, "findings", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    (finding,) = json.loads(listed.stdout)
    assert finding["asset"] == "acme/srv"
    shown = runner.invoke(app, [*remote, "findings", "show", finding["id"], "--json"])
    assert json.loads(shown.stdout)["id"] == finding["id"]
    assert KEY not in ingested.stdout + listed.stdout + shown.stdout


def test_server_mode_reports_a_refused_token_and_exits_2(
    served: None, token_client: ClientAs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = token_client(["read"], role="viewer")
    report = tmp_path / "g.json"
    report.write_bytes(gitleaks_report(gitleaks_leak(KEY)))
    monkeypatch.setenv("ASPM_SERVER", "https://aspm.example")
    monkeypatch.setenv("ASPM_TOKEN", reader.headers["Authorization"].removeprefix("Bearer "))
    refused = runner.invoke(app, ["ingest", str(report)])
    assert refused.exit_code == 2
    assert "403" in refused.output
    monkeypatch.setenv("ASPM_TOKEN", "aspm_wrong")
    assert "401" in runner.invoke(app, ["findings", "list"]).output
    monkeypatch.delenv("ASPM_TOKEN")
    assert runner.invoke(app, ["findings", "list"]).exit_code == 2  # --server without a token
