"""Every operation of the OpenAPI document against an explicit role matrix.

Anonymous callers get 401 everywhere but health and login. Each role (signed in with a session
cookie) and each single-scope API token either gets 403 (denied) or anything but 401/403
(allowed, e.g. 404 or 422 for the placeholder ids and empty bodies sent here).

A new endpoint makes `test_every_operation_is_classified` fail until it is added to MATRIX.
"""

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aspm.auth.principal import Role
from aspm.main import create_app
from aspm.settings import Settings
from tests.conftest import ClientAs

ADMIN, LEAD, ENGINEER, VIEWER = "admin", "security_lead", "engineer", "viewer"
T_READ, T_INGEST, T_TRIAGE = "token:read", "token:ingest", "token:triage"  # an admin's tokens
CALLERS = (ADMIN, LEAD, ENGINEER, VIEWER, T_READ, T_INGEST, T_TRIAGE)

PUBLIC = "public"  # no authentication at all
EVERYONE_READ = frozenset({ADMIN, LEAD, ENGINEER, VIEWER, T_READ})  # GETs
SIGNED_IN = frozenset(CALLERS)  # any authenticated caller
INGEST = frozenset({ADMIN, LEAD, ENGINEER, T_INGEST})
TRIAGE = frozenset({ADMIN, LEAD, ENGINEER, T_TRIAGE})  # services narrow engineers to their teams
LEADS = frozenset({ADMIN, LEAD})  # people only: asset context, risk policy, rules
ADMINS = frozenset({ADMIN})  # people only: users, teams, tokens
PEOPLE = frozenset({ADMIN, LEAD, ENGINEER, VIEWER})

MATRIX: dict[str, frozenset[str] | str] = {
    "system-health": PUBLIC,
    "auth-login": PUBLIC,
    "auth-logout": SIGNED_IN,
    "auth-me": SIGNED_IN,
    "auth-directory": EVERYONE_READ,
    "auth-change_password": SIGNED_IN,  # a token gets 422 (only people have passwords)
    "auth-sign_in_options": PUBLIC,  # what the login page offers (tests/auth/test_oidc.py)
    "auth-sso_login": PUBLIC,  # 404 here: single sign-on is not configured in this app
    "auth-sso_logout": SIGNED_IN,
    "imports-upload": INGEST,
    "imports-list": EVERYONE_READ,
    "imports-formats": EVERYONE_READ,
    "imports-get": EVERYONE_READ,
    "findings-list": EVERYONE_READ,
    "findings-get": EVERYONE_READ,
    "assets-list": EVERYONE_READ,
    "assets-apply": LEADS,
    "assets-get": EVERYONE_READ,
    "assets-put": LEADS,
    "risk-get_policy": EVERYONE_READ,
    "risk-put_policy": LEADS,
    "risk-reset_policy": LEADS,
    "risk-rescore": LEADS,
    "risk-explain": EVERYONE_READ,
    "controls-list": EVERYONE_READ,
    "controls-get": EVERYONE_READ,
    "resources-list": EVERYONE_READ,
    "resources-get": EVERYONE_READ,
    "users-list": ADMINS,
    "users-create": ADMINS,
    "users-get": ADMINS,
    "users-update": ADMINS,
    "users-deactivate": ADMINS,
    "users-reset_password": ADMINS,
    "teams-list": ADMINS,
    "teams-create": ADMINS,
    "teams-add_member": ADMINS,
    "teams-remove_member": ADMINS,
    "tokens-list": ADMINS,
    "tokens-create": ADMINS,
    "tokens-revoke": ADMINS,
    # workflow (aspm.triage, aspm.audit): services narrow engineers to their teams' findings
    "triage-set_state": TRIAGE,
    "triage-assign": TRIAGE,
    "triage-bulk": TRIAGE,
    "triage-add_comment": TRIAGE,
    "triage-list_comments": EVERYONE_READ,
    "triage-history": EVERYONE_READ,
    "triage-risk_acceptance": EVERYONE_READ,
    "rules-list_suppression": EVERYONE_READ,
    "rules-create_suppression": LEADS,
    "rules-remove_suppression": LEADS,
    "rules-preview_suppression": LEADS,
    "rules-suppressed_findings": EVERYONE_READ,
    "rules-list_ownership": EVERYONE_READ,
    "rules-create_ownership": LEADS,
    "rules-remove_ownership": LEADS,
    "rules-expire": LEADS,
    "audit-list": EVERYONE_READ,
    "metrics-list": EVERYONE_READ,
    "metrics-get": EVERYONE_READ,
    "gate-evaluate": INGEST,  # asset-bound tokens must name ?asset=
    "gate-list": EVERYONE_READ,
    "gate-get": EVERYONE_READ,
    "exports-findings": EVERYONE_READ,
    # saved views of the queue: each person their own (tokens have none)
    "views-list": PEOPLE,
    "views-create": PEOPLE,
    "views-update": PEOPLE,
    "views-delete": PEOPLE,
    # outgoing webhooks (aspm.integrations): their URLs and secrets are credentials
    "webhooks-event_types": LEADS,
    "webhooks-list": LEADS,
    "webhooks-create": LEADS,
    "webhooks-get": LEADS,
    "webhooks-update": LEADS,
    "webhooks-delete": LEADS,
    "webhooks-send_test": LEADS,
    "webhooks-list_deliveries": LEADS,
    "webhooks-get_delivery": LEADS,
    # tickets in Jira and GitHub Issues: services narrow engineers to their teams' findings;
    # tracker tokens are admins'; the trackers' webhooks are authenticated by their signature
    "tickets-settings": LEADS,
    "tickets-set_credentials": ADMINS,
    "tickets-create": TRIAGE,
    "tickets-list": EVERYONE_READ,
    "tickets-get": EVERYONE_READ,
    "tickets-retry": LEADS,
    "tickets-github_hook": PUBLIC,  # 404 here: no tickets file
    "tickets-jira_hook": PUBLIC,
}


def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    app = create_app(Settings(environment="test", database_url="sqlite://"))
    ops: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, items in app.openapi()["paths"].items():
        for method, op in items.items():
            ops[op["operationId"]] = (method.upper(), path, op)
    return ops


OPERATIONS = _operations()


def _url(path: str, op: dict[str, Any]) -> str:
    """The path with placeholder values: a random uuid where the schema says uuid, else `x`."""
    formats = {
        p["name"]: p.get("schema", {}).get("format")
        for p in op.get("parameters", [])
        if p.get("in") == "path"
    }

    def value(match: re.Match[str]) -> str:
        return str(uuid.uuid4()) if formats.get(match.group(1)) == "uuid" else "x"

    return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", value, path)


def _call(client: TestClient, operation_id: str) -> int:
    method, path, op = OPERATIONS[operation_id]
    return client.request(method, _url(path, op)).status_code


def test_every_operation_is_classified() -> None:
    missing = sorted(set(OPERATIONS) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(OPERATIONS))
    assert not missing, f"add these operations to MATRIX in {__file__}: {missing}"
    assert not stale, f"these MATRIX entries name no operation: {stale}"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_anonymous_callers_get_401_except_on_public_operations(
    operation_id: str, anon_client: TestClient
) -> None:
    status = _call(anon_client, operation_id)
    if MATRIX.get(operation_id) == PUBLIC:
        assert status not in (401, 403)
    else:
        assert status == 401, operation_id
        anon_client.headers["Authorization"] = "Bearer aspm_not-a-real-token"
        assert _call(anon_client, operation_id) == 401, operation_id


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_each_role_and_token_scope_is_allowed_or_denied_as_the_matrix_says(
    operation_id: str, client_as: ClientAs, token_client: ClientAs
) -> None:
    allowed = MATRIX.get(operation_id)
    assert allowed is not None, f"{operation_id} is not in MATRIX"
    if allowed == PUBLIC:
        return
    wrong: dict[str, int] = {}
    for caller in CALLERS:
        if caller.startswith("token:"):
            client = token_client([caller.removeprefix("token:")], role=Role.ADMIN)
        else:
            client = client_as(Role(caller))
        status = _call(client, operation_id)
        ok = status == 403 if caller not in allowed else status not in (401, 403)
        if not ok:
            wrong[caller] = status
    assert not wrong, f"{operation_id}: status per caller that contradicts MATRIX: {wrong}"


def test_the_openapi_document_says_which_operations_answer_401_and_403_in_the_error_envelope() -> (
    None
):
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for operation_id, (_, _, op) in OPERATIONS.items():
        responses = op["responses"]
        if MATRIX.get(operation_id) == PUBLIC:
            assert "403" not in responses, operation_id
            continue
        for code in ("401", "403"):
            assert responses[code]["content"]["application/json"]["schema"] == envelope, (
                operation_id,
                code,
            )


# Importing into an asset acts on it (a full import resolves what the report no longer lists):
# of the INGEST callers, who may import into an asset of team "payments". The engineer is in team
# "web"; the token is an admin's (an engineer's token follows its user: tests/hardening).
IMPORT_INTO_ANOTHER_TEAMS_ASSET = frozenset({ADMIN, LEAD, T_INGEST})


def test_imports_into_a_teams_asset_need_team_access_as_triage_does(
    client: TestClient, client_as: ClientAs, token_client: ClientAs
) -> None:
    assert (
        client.put("/api/v1/assets/acme/owned", json={"owner_team": "payments"}).status_code == 200
    )
    url = "/api/v1/imports?asset=acme/owned&format=gitleaks"
    wrong: dict[str, int] = {}
    for caller in sorted(INGEST):
        if caller.startswith("token:"):
            c = token_client([caller.removeprefix("token:")], role=Role.ADMIN)
        else:
            c = client_as(Role(caller), teams=["web"])
        status = c.post(url, content=b"[]").status_code
        if status != (201 if caller in IMPORT_INTO_ANOTHER_TEAMS_ASSET else 403):
            wrong[caller] = status
    assert not wrong, f"status per caller that contradicts the table: {wrong}"
    assert client_as(Role.ENGINEER, teams=["payments"]).post(url, content=b"[]").status_code == 201
