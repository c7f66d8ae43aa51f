"""Property-based API testing: schemathesis generates requests from the OpenAPI document and
sends them as each role (session cookie + CSRF header) to every operation the role may call
(tests/api/test_role_matrix.py shows the others answer 403). No response may be a 500, and every
response must match the schema (documented body and content type).

Bounded for `make test`: a few examples per operation, derandomized (the same cases every run),
one database transaction per role. The schemathesis pytest plugin's lazy loader does not work
with this pytest, so the Hypothesis test is built here from each operation's strategy.
"""

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Role
from tests.api.test_role_matrix import MATRIX, OPERATIONS, PUBLIC
from tests.conftest import ClientAs
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes

MAX_EXAMPLES = 6
SKIPPED = {"auth-logout"}  # it ends the session the run uses (tests/auth covers it)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _operations_for(role: Role) -> list[str]:
    """What the role may call; public operations once, as admin."""
    ops = []
    for operation_id in sorted(OPERATIONS):
        allowed = MATRIX.get(operation_id, frozenset())
        if operation_id in SKIPPED:
            continue
        if (allowed == PUBLIC and role == Role.ADMIN) or (
            allowed != PUBLIC and role.value in allowed
        ):
            ops.append(operation_id)
    return ops


@pytest.mark.parametrize("role", list(Role))
def test_no_server_errors_and_responses_match_the_schema(
    role: Role, api_app: FastAPI, sessions: sessionmaker[Session], client_as: ClientAs
) -> None:
    # a little data, so that list and detail operations return real rows
    ingest_bytes(
        sessions, gitleaks_report(gitleaks_leak("s" * 24 + "chemathesis")), asset="acme/st"
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    client = client_as(role)
    csrf = client.cookies["aspm_csrf"]
    cookies = {"aspm_session": client.cookies["aspm_session"], "aspm_csrf": csrf}
    failures: dict[str, str] = {}
    for operation_id in _operations_for(role):
        operation = schema.find_operation_by_id(operation_id)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers={"X-CSRF-Token": csrf}, cookies=cookies, checks=CHECKS)

        try:
            run()
        except Exception as exc:
            failures[operation_id] = f"{type(exc).__name__}: {exc}"[:3000]
    assert not failures, "\n\n".join(f"{op}:\n{text}" for op, text in failures.items())
