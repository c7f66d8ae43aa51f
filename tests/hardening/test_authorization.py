"""Importing into an asset acts on it (a full import resolves what the report no longer lists), so
it needs the same team access as triage: an engineer and their tokens import only into their
teams' assets or into new ones (which then belong to their team), whichever way the asset was
chosen; security leads and admins import anywhere; asset-bound tokens into their assets."""

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.auth.principal import Role, Scope
from aspm.findings.models import Finding
from aspm.ingest.models import IngestRun
from tests.conftest import ClientAs
from tests.factories import gitleaks_leak, gitleaks_report

IMPORTS = "/api/v1/imports"
EMPTY = b"[]"
TOKEN = Callable[..., TestClient]


@pytest.fixture
def team_token(token_client: ClientAs) -> TOKEN:
    """`team_token(teams, assets=None)`: a client sending an `ingest`+`triage` token of a new
    engineer in those teams (bound to those assets, if given)."""

    def make(teams: Sequence[str], assets: Sequence[str] | None = None) -> TestClient:
        scopes = [Scope.INGEST, Scope.TRIAGE]
        return token_client(scopes, role=Role.ENGINEER, assets=assets, teams=teams)

    return make


def _payments_asset(admin: TestClient, name: str = "acme/payments") -> list[dict[str, Any]]:
    """An asset of team payments with two open secret findings; returns them."""
    assert admin.put(f"/api/v1/assets/{name}", json={"owner_team": "payments"}).status_code == 200
    leaks = [gitleaks_leak(f"ghp_{i:036d}", file=f"conf/{i}.env") for i in range(2)]
    resp = admin.post(IMPORTS, params={"asset": name}, content=gitleaks_report(*leaks))
    assert resp.status_code == 201, resp.text
    items: list[dict[str, Any]] = admin.get("/api/v1/findings", params={"asset": name}).json()[
        "items"
    ]
    assert len(items) == 2
    return items


def _open(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Finding).where(Finding.detector_state == "active")
        )
        or 0
    )


def _runs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(IngestRun)) or 0


def test_an_engineers_token_cannot_close_another_teams_findings_with_an_empty_report(
    client: TestClient, team_token: TOKEN, session: Session
) -> None:
    """The reported scenario: `[]` as Gitleaks into another team's asset resolved its findings,
    while the same engineer got 403 on triaging them."""
    findings = _payments_asset(client)
    runs = _runs(session)
    web = team_token(["web"])
    resp = web.post(IMPORTS, params={"asset": "acme/payments", "format": "gitleaks"}, content=EMPTY)
    assert resp.status_code == 403, resp.text
    detail = resp.json()["detail"]
    assert "'acme/payments' belongs to team 'payments'" in detail
    assert "yours: web" in detail
    assert _open(session) == 2  # nothing resolved
    assert _runs(session) == runs  # nothing stored, not even an import row
    finding = findings[0]
    triage = web.post(
        f"/api/v1/findings/{finding['id']}/triage",
        json={"state": "confirmed", "version": finding["version"]},
    )
    assert triage.status_code == 403  # the same answer as for triage


def test_an_engineer_signed_in_is_refused_the_same_way(
    client: TestClient, client_as: ClientAs, session: Session
) -> None:
    _payments_asset(client)
    web = client_as(Role.ENGINEER, teams=["web"])
    resp = web.post(IMPORTS, params={"asset": "acme/payments", "format": "gitleaks"}, content=EMPTY)
    assert resp.status_code == 403, resp.text
    assert _open(session) == 2


def test_an_engineer_imports_into_their_own_teams_asset(
    client: TestClient, team_token: TOKEN, session: Session
) -> None:
    _payments_asset(client)
    payments = team_token(["payments"])
    resp = payments.post(
        IMPORTS, params={"asset": "acme/payments", "format": "gitleaks"}, content=EMPTY
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["resolved_findings"] == 2
    assert _open(session) == 0


def test_security_leads_and_admin_tokens_import_anywhere(
    client: TestClient, client_as: ClientAs, token_client: ClientAs
) -> None:
    _payments_asset(client)
    lead = client_as(Role.SECURITY_LEAD)
    admin_token = token_client([Scope.INGEST])
    for caller in (lead, admin_token):
        resp = caller.post(
            IMPORTS, params={"asset": "acme/payments", "format": "gitleaks"}, content=EMPTY
        )
        assert resp.status_code == 201, resp.text


def test_a_new_asset_belongs_to_the_engineers_team_who_may_import_into_it_again(
    team_token: TOKEN, session: Session
) -> None:
    web = team_token(["web"])
    report = gitleaks_report(gitleaks_leak("ghp_" + "1" * 36))
    for _ in range(2):
        resp = web.post(IMPORTS, params={"asset": "acme/storefront"}, content=report)
        assert resp.status_code == 201, resp.text
    asset = session.scalars(select(Asset).where(Asset.name == "acme/storefront")).one()
    assert asset.owner_team == "web"
    other = team_token(["payments"])
    assert (
        other.post(IMPORTS, params={"asset": "acme/storefront"}, content=report).status_code == 403
    )


@pytest.mark.parametrize("teams", [[], ["web", "mobile"]], ids=["no-team", "two-teams"])
def test_an_engineer_in_no_team_or_several_cannot_create_an_asset(
    team_token: TOKEN, session: Session, teams: list[str]
) -> None:
    """No guessing which team owns it: a security lead creates it with its owner team."""
    resp = team_token(teams).post(
        IMPORTS, params={"asset": "acme/new", "format": "gitleaks"}, content=EMPTY
    )
    assert resp.status_code == 403, resp.text
    assert "belongs to no team" in resp.json()["detail"]
    assert session.scalar(select(Asset).where(Asset.name == "acme/new")) is None


def test_the_check_applies_to_the_asset_the_report_names(
    client: TestClient, team_token: TOKEN, session: Session
) -> None:
    """No ?asset=: SARIF's repositoryUri names the asset; it is another team's."""
    spec = {"owner_team": "payments", "key": "https://github.com/acme/payments"}
    assert client.put("/api/v1/assets/acme/payments", json=spec).status_code == 200
    run = {
        "versionControlProvenance": [{"repositoryUri": "https://github.com/acme/payments"}],
        "tool": {"driver": {"name": "CodeQL", "rules": [{"id": "r1"}]}},
        "results": [
            {
                "ruleId": "r1",
                "message": {"text": "m"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}}}],
            }
        ],
    }
    report = json.dumps({"version": "2.1.0", "runs": [run]}).encode()
    resp = team_token(["web"]).post(IMPORTS, content=report)
    assert resp.status_code == 403, resp.text
    assert "acme/payments" in resp.json()["detail"]
    assert session.scalar(select(func.count()).select_from(Finding)) == 0
    assert team_token(["payments"]).post(IMPORTS, content=report).status_code == 201


def test_the_check_applies_to_the_asset_a_match_rule_picks(
    client: TestClient, team_token: TOKEN, session: Session
) -> None:
    spec = {"owner_team": "payments", "match": [{"paths": ["services/payments/**"]}]}
    assert client.put("/api/v1/assets/acme/payments", json=spec).status_code == 200
    report = gitleaks_report(gitleaks_leak("ghp_" + "2" * 36, file="services/payments/x.env"))
    resp = team_token(["web"]).post(IMPORTS, content=report)
    assert resp.status_code == 403, resp.text
    assert session.scalar(select(func.count()).select_from(Finding)) == 0


def test_records_that_name_no_asset_need_an_asset_from_an_engineer(team_token: TOKEN) -> None:
    report = gitleaks_report(gitleaks_leak("ghp_" + "3" * 36))
    resp = team_token(["web"]).post(IMPORTS, content=report)
    assert resp.status_code == 403, resp.text
    assert "?asset=" in resp.json()["detail"]


def test_an_asset_bound_token_imports_into_its_asset_as_before(
    client: TestClient, team_token: TOKEN
) -> None:
    _payments_asset(client)
    bound = team_token([], assets=["acme/payments"])
    resp = bound.post(
        IMPORTS, params={"asset": "acme/payments", "format": "gitleaks"}, content=EMPTY
    )
    assert resp.status_code == 201, resp.text


def test_the_gate_imports_under_the_same_rule(
    client: TestClient, team_token: TOKEN, session: Session
) -> None:
    """`aspm gate` in server mode imports the reports (full imports) before it decides."""
    _payments_asset(client)
    files = [("reports", ("gitleaks.json", EMPTY))]
    params = {"asset": "acme/payments", "input_format": "gitleaks"}
    resp = team_token(["web"]).post("/api/v1/gate/evaluations", files=files, params=params)
    assert resp.status_code == 403, resp.text
    assert _open(session) == 2
    ok = team_token(["payments"]).post("/api/v1/gate/evaluations", files=files, params=params)
    assert ok.status_code == 200, ok.text
    assert _open(session) == 0
