"""Odd input to POST /api/v1/imports gets a clear 422 (or a warning), never a 500 or a generic
"internal error", and behaves the same on SQLite and PostgreSQL: NUL characters (which PostgreSQL
text cannot hold), line numbers beyond the INTEGER columns, and asset names taken from reports."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.findings.models import Detection, Finding

IMPORTS = "/api/v1/imports"


def sarif(
    *,
    text: str = "query built from user input",
    uri: str = "app/views.py",
    line: int = 3,
    rule: str = "py/sql-injection",
    repository: str | None = None,
) -> bytes:
    """A SARIF log with one result (and the repository it was scanned from, when given)."""
    run: dict[str, Any] = {}
    if repository is not None:
        run["versionControlProvenance"] = [{"repositoryUri": repository}]
    run["tool"] = {"driver": {"name": "CodeQL", "rules": [{"id": rule}]}}
    region = {"startLine": line, "endLine": line}
    location = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}
    run["results"] = [
        {"ruleId": rule, "level": "error", "message": {"text": text}, "locations": [location]}
    ]
    return json.dumps({"version": "2.1.0", "runs": [run]}).encode()


def _stored(session: Session) -> tuple[int, int, list[str]]:
    return (
        session.scalar(select(func.count()).select_from(Finding)) or 0,
        session.scalar(select(func.count()).select_from(Detection)) or 0,
        list(session.scalars(select(Asset.name))),
    )


def _refused(resp: Any, *words: str) -> str:
    assert resp.status_code == 422, resp.text
    detail: str = resp.json()["detail"]
    assert "internal error" not in detail
    for word in words:
        assert word in detail, detail
    return detail


@pytest.mark.parametrize(
    "params",
    [
        {"filename": "report\x00.sarif"},
        {"filename": "report\n.sarif"},
        {"scope": "main\x00"},
        {"format": "sarif\x00"},
    ],
)
def test_a_control_character_in_what_the_caller_names_is_a_clear_422(
    client: TestClient, session: Session, params: dict[str, str]
) -> None:
    resp = client.post(IMPORTS, params={"asset": "acme/odd", **params}, content=sarif())
    _refused(resp, "control character", repr(next(iter(params.values()))))
    assert _stored(session) == (0, 0, [])
    assert client.get(IMPORTS).json()["total"] == 0  # not even an import row


def test_nuls_in_free_text_become_u_fffd_with_a_warning(
    client: TestClient, session: Session
) -> None:
    resp = client.post(IMPORTS, params={"asset": "acme/odd"}, content=sarif(text="a\x00b"))
    assert resp.status_code == 201, resp.text
    assert any("NUL" in w and "U+FFFD" in w for w in resp.json()["warnings"]), resp.json()
    titles = list(session.scalars(select(Finding.title)))
    assert titles == ["a\ufffdb"]


@pytest.mark.parametrize(
    "report",
    [sarif(uri="app/a\x00.py"), sarif(rule="py/sql\x00-injection")],
    ids=["path", "rule"],
)
def test_a_nul_in_what_identifies_a_record_refuses_the_report_naming_it(
    client: TestClient, session: Session, report: bytes
) -> None:
    resp = client.post(IMPORTS, params={"asset": "acme/odd"}, content=report)
    _refused(resp, "finding 1", "NUL")
    assert _stored(session)[:2] == (0, 0)


def test_a_warning_that_quotes_a_nul_is_stored(client: TestClient, session: Session) -> None:
    report = json.loads(sarif())
    report["runs"][0]["results"][0]["level"] = "fatal\x00"  # unknown: warned, quoting it
    resp = client.post(IMPORTS, params={"asset": "acme/odd"}, content=json.dumps(report))
    assert resp.status_code == 201, resp.text
    run = client.get(f"{IMPORTS}/{resp.json()['import_id']}").json()
    assert any("fatal\\x00" in w or "fatal\ufffd" in w for w in run["warnings"]), run


@pytest.mark.parametrize("line", [10**12, 2**31, -(2**31) - 1])
def test_line_numbers_beyond_the_column_are_dropped_with_a_warning(
    client: TestClient, session: Session, line: int
) -> None:
    resp = client.post(IMPORTS, params={"asset": "acme/odd"}, content=sarif(line=line))
    assert resp.status_code == 201, resp.text
    assert any("out of range" in w for w in resp.json()["warnings"]), resp.json()
    lines = session.execute(select(Detection.start_line, Detection.end_line)).all()
    assert [tuple(r) for r in lines] == [(None, None)]


def test_the_largest_line_number_the_column_holds_is_kept(
    client: TestClient, session: Session
) -> None:
    resp = client.post(IMPORTS, params={"asset": "acme/odd"}, content=sarif(line=2**31 - 1))
    assert resp.status_code == 201, resp.text
    assert session.scalar(select(Detection.start_line)) == 2**31 - 1


@pytest.mark.parametrize(
    "repository",
    [
        "https://github.com/acme/..",
        "https://github.com/acme/pay\u202ements",
        "https://github.com/acme/<img src=x onerror=alert(1)>",
        "https://github.com/acme/pay\x00ments",
        "https://github.com/acme/" + "x" * 600,
    ],
    ids=["dot-dot", "rtl-override", "html", "nul", "too-long"],
)
def test_an_asset_named_by_the_report_passes_the_asset_name_check(
    client: TestClient, session: Session, repository: str
) -> None:
    resp = client.post(IMPORTS, content=sarif(repository=repository))
    _refused(resp, "asset", "?asset=")
    assert _stored(session) == (0, 0, [])


def test_a_report_naming_a_good_repository_still_lands_on_its_asset(
    client: TestClient, session: Session
) -> None:
    resp = client.post(IMPORTS, content=sarif(repository="https://github.com/acme/payments.git"))
    assert resp.status_code == 201, resp.text
    assert resp.json()["asset"] == "acme/payments"


@pytest.mark.parametrize("name", ["acme/..", "./acme", "acme\n", "acme/\u202epay", "<b>x</b>"])
def test_the_asset_query_parameter_passes_the_same_check(
    client: TestClient, session: Session, name: str
) -> None:
    resp = client.post(IMPORTS, params={"asset": name}, content=sarif())
    _refused(resp, "invalid asset name")
    assert _stored(session) == (0, 0, [])
