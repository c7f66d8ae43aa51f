"""The findings filter is defined once (FindingQuery): the list route, the exports route, the
bulk action's filter and the CLI take exactly its names, so a filter added in one place and
forgotten in another fails here (`aspm export findings` included)."""

import types
import uuid
from enum import Enum
from pathlib import Path
from typing import Any, Union, cast, get_args, get_origin

import httpx
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from aspm.cli import app as cli_app
from aspm.client import ServerClient
from aspm.exports import tabular
from aspm.findings.schemas import FindingListQuery, FindingQuery
from aspm.settings import get_settings

FILTER = set(FindingQuery.model_fields)
SORT = {"sort", "descending"}
PAGE = {"limit", "offset", "after"}
# `findings list` spells two filters as the terminal user thinks of them
CLI_SPELLING = {"open": "view"}


def _non_default(annotation: Any, default: Any) -> Any:
    """A valid value of the field's type that differs from its default."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in get_args(annotation) if a is not type(None)]
        return _non_default(inner, None)
    if origin is list:
        return [_non_default(get_args(annotation)[0], None)]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(m for m in reversed(list(annotation)) if m != default)
    if annotation is bool:
        return not default
    if annotation is uuid.UUID:
        return uuid.uuid4()
    if annotation is str:
        return "zz-no-such"
    raise AssertionError(f"give the test a value of {annotation}")


def _every_filter() -> dict[str, Any]:
    return {
        name: _non_default(field.annotation, field.get_default(call_default_factory=True))
        for name, field in FindingQuery.model_fields.items()
    }


def test_the_list_exports_and_bulk_operations_take_exactly_the_filter(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    def query_names(path: str) -> set[str]:
        params = spec["paths"][path]["get"]["parameters"]
        return {p["name"] for p in params if p["in"] == "query"}

    assert query_names("/api/v1/findings") == FILTER | SORT | PAGE
    assert query_names("/api/v1/exports/findings") == FILTER | SORT | {"format"}
    schemas = spec["components"]["schemas"]
    bulk_filter = schemas["BulkRequest"]["properties"]["filter"]["anyOf"][0]["$ref"]
    assert bulk_filter == "#/components/schemas/FindingQuery"  # the one model, shown once
    assert set(schemas["FindingQuery"]["properties"]) == FILTER


def test_every_filter_passes_through_each_caller_and_a_misspelt_one_is_refused(
    client: TestClient,
) -> None:
    every = FindingQuery(**_every_filter())
    assert {name for name, _ in every.params()} == FILTER  # the CLI's server mode sends them all
    # ...and the server takes them (TestClient is the httpx client the CLI uses)
    page = ServerClient(cast(httpx.Client, client)).list_findings(
        FindingListQuery(**every.model_dump())
    )
    assert page.items == []
    export = client.get("/api/v1/exports/findings", params=every.params())
    assert export.status_code == 200, export.text
    bulk = client.post(
        "/api/v1/findings/bulk",
        json={"filter": every.model_dump(mode="json"), "action": "assign", "reason": "r"},
    )
    assert bulk.status_code == 422
    assert bulk.json()["detail"] == "the selection is empty"  # valid, and selects nothing

    for path in ("/api/v1/findings", "/api/v1/exports/findings"):
        typo = client.get(path, params={"severty": "high"})
        assert typo.status_code == 422
        assert "severty" in typo.json()["detail"]
        assert set(typo.json()["detail"].split("accepts: ")[1].split(", ")) >= FILTER
    typo = client.post(
        "/api/v1/findings/bulk",
        json={"filter": {"severty": ["high"]}, "action": "assign", "reason": "r"},
    )
    assert typo.status_code == 422  # never "no filter, so every finding"
    assert "severty" in typo.text


def test_findings_list_on_the_command_line_has_an_option_for_every_filter() -> None:
    command = typer.main.get_command(cli_app)
    ctx = typer.Context(command)
    findings_list = command.get_command(ctx, "findings").get_command(ctx, "list")  # type: ignore[attr-defined]
    options = {p.name for p in findings_list.params}
    assert {CLI_SPELLING.get(name, name) for name in FILTER} <= options


def _export_command() -> Any:
    command = typer.main.get_command(cli_app)
    ctx = typer.Context(command)
    return command.get_command(ctx, "export").get_command(ctx, "findings")  # type: ignore[attr-defined]


def test_export_findings_on_the_command_line_has_an_option_for_every_filter_and_sort() -> None:
    options = {p.name for p in _export_command().params}
    assert options >= FILTER | SORT


def _cli_args(filters: dict[str, Any]) -> list[str]:
    """`aspm export findings` arguments for these filter values (what Typer names them)."""
    flags = {p.name: p for p in _export_command().params}
    args: list[str] = []
    for name, value in filters.items():
        option = flags[name]
        if isinstance(value, bool):  # an on/off pair: --open/--closed, --toxic/--not-toxic
            args.append(option.opts[0] if value else option.secondary_opts[0])
            continue
        for item in value if isinstance(value, list) else [value]:
            args += [option.opts[0], str(item.value if isinstance(item, Enum) else item)]
    return args


def test_export_findings_on_the_command_line_takes_every_filter_and_refuses_a_bad_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASPM_DATABASE_URL", f"sqlite:///{tmp_path / 'filters.db'}")
    monkeypatch.setenv("ASPM_SECRET_KEY", "one-filter-cli-test-key")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
        every = _cli_args(_every_filter())
        result = runner.invoke(cli_app, ["export", "findings", "--format", "csv", *every])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == ",".join(tabular.HEADER)  # valid, and selects nothing
        bad = runner.invoke(cli_app, ["export", "findings", "--import-id", "not-an-id"])
        assert bad.exit_code == 2
    finally:
        get_settings.cache_clear()
