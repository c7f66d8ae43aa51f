"""CLI tables at 60, 80 and 120 columns over the demo estate: no line is wider than the terminal,
no table is cut at its right edge, ids stay whole, and `findings list` filters as the dashboard."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aspm import cli
from aspm.cli_tables import Col, fit_table
from aspm.resources import cli as resources_cli
from aspm.settings import get_settings

runner = CliRunner()
WIDTHS = [60, 80, 120]
ID = re.compile(r"^│ ([0-9a-f]{12}) ", re.MULTILINE)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("cli-tables")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASPM_DATABASE_URL", f"sqlite:///{path / 'demo.db'}")
        mp.setenv("ASPM_SECRET_KEY", "cli-tables-key")
        mp.setattr(cli.out, "width", 80)
        get_settings.cache_clear()
        assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0
        loaded = runner.invoke(
            cli.app, ["demo", "--history-days", "0", "--out", str(path / "reports")]
        )
        assert loaded.exit_code == 0, loaded.output
        (path / "demo.out").write_text(loaded.stdout)
        assert runner.invoke(cli.app, ["users", "bootstrap", "--demo"]).exit_code == 0
        yield path
    get_settings.cache_clear()


@pytest.fixture
def width(
    request: pytest.FixtureRequest, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[int]:
    columns: int = request.param
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{demo_db / 'demo.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "cli-tables-key")
    monkeypatch.setenv("COLUMNS", str(columns))  # consoles made per command read it
    for console in (cli.out, resources_cli.out):
        monkeypatch.setattr(console, "width", columns)
    get_settings.cache_clear()
    yield columns
    get_settings.cache_clear()


def assert_fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert any(line.startswith("┏") for line in lines), text  # a table was printed
    for line in lines:
        assert len(line) <= width, f"{len(line)} > {width}: {line!r}"
        if line[:1] in {"┏", "┃", "┡", "│", "└"}:  # a table row ends with its right border
            assert line.rstrip()[-1:] in {"┓", "┃", "┩", "│", "┘"}, f"cut: {line!r}"


def run(*args: str) -> str:
    result = runner.invoke(cli.app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
@pytest.mark.parametrize(
    "command",
    [
        ["findings", "list", "--limit", "40"],
        ["findings", "list", "--view", "all", "--limit", "40"],
        ["metrics"],
        ["metrics", "posture", "--group-by", "team"],
        ["resources", "list"],
        ["assets", "list"],
        ["controls", "list"],
    ],
)
def test_tables_fit_the_terminal(width: int, command: list[str]) -> None:
    assert_fits(run(*command), width)


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_ingest_summary_fits_and_names_each_file(width: int, demo_db: Path) -> None:
    report = sorted((demo_db / "reports").rglob("checkov.json"))[-1]
    text = run("ingest", str(report), "--asset", "acme-corp/payments-api")
    assert_fits(text, width)
    file_cells = [line.split("│")[1].strip() for line in text.splitlines() if line[:1] == "│"]
    assert "".join(file_cells) == str(report)  # folded over lines, never cut
    assert_fits((demo_db / "demo.out").read_text(), 80)  # `aspm demo`, printed at 80


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_findings_list_ids_are_accepted_by_findings_show(width: int) -> None:
    text = run("findings", "list", "--limit", "15")
    assert_fits(text, width)
    ids = ID.findall(text)
    assert len(ids) == 15
    for short in ids[:5]:
        shown = run("findings", "show", short)
        assert short in shown.replace("-", "")


@pytest.mark.parametrize("width", [80], indirect=True)
def test_findings_list_defaults_to_open_work_in_risk_order(width: int) -> None:
    listed = json.loads(run("findings", "list", "--limit", "500", "--json"))
    every = json.loads(run("findings", "list", "--view", "all", "--limit", "500", "--json"))
    closed = json.loads(run("findings", "list", "--view", "closed", "--limit", "500", "--json"))
    assert listed
    assert closed
    assert len(listed) + len(closed) == len(every)
    assert all(f["status"] == "active" for f in listed)
    assert all(f["triage_state"] in {"new", "confirmed", "in_progress"} for f in listed)
    risks = [f["risk_score"] or 0 for f in listed]
    assert risks == sorted(risks, reverse=True)
    assert "(open)" in run("findings", "list")


@pytest.mark.parametrize("width", [120], indirect=True)
def test_findings_list_filters_priority_toxic_assignee_and_team(width: int) -> None:
    def ids(*args: str) -> list[dict[str, object]]:
        items: list[dict[str, object]] = json.loads(
            run("findings", "list", "--limit", "500", "--json", *args)
        )
        return items

    every = ids()
    p1_p2 = ids("--priority", "P1", "--priority", "P2")
    assert p1_p2
    assert {f["priority"] for f in p1_p2} == {"P1", "P2"}
    assert len(p1_p2) == sum(f["priority"] in {"P1", "P2"} for f in every)

    toxic = ids("--toxic")
    assert 0 < len(toxic) < len(every)

    payments = ids("--team", "payments")
    assert payments
    assert {f["asset"] for f in payments} == {"acme-corp/payments-api"}

    target = str(every[-1]["id"])
    assigned = runner.invoke(cli.app, ["triage", "assign", target, "--user", "engineer"])
    assert assigned.exit_code == 0, assigned.output
    assert [f["id"] for f in ids("--assignee", "engineer")] == [target]
    assert ID.findall(run("findings", "list", "--assignee", "engineer")) == [target[-12:]]
    assert ids("--assignee", "lead") == []


def test_fit_table_hides_the_highest_ranks_first_and_says_so() -> None:
    from rich.console import Console

    console = Console(width=40, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    columns = (Col("id", 0), Col("extra", 2), Col("title", 0, min_width=10, fold=True),
               Col("more", 1))  # fmt: skip
    rows = [("abcdef123456", "x" * 12, "a long title that has to fold " * 2, "yes")]
    console.print(fit_table(console, columns, rows))
    text = console.export_text()
    assert "abcdef123456" in text
    assert "more" in text.split("hidden")[0]
    assert "extra" not in text.split("hidden")[0]
    assert "hidden at this width: extra" in " ".join(text.split())
    assert all(len(line) <= 40 for line in text.splitlines())
