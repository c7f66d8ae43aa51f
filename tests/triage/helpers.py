"""Small helpers for the workflow tests: findings via the import API, then their ids."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import gitleaks_leak, gitleaks_report


def secret(i: int) -> str:
    return f"ghp_{i:036d}"


def import_leaks(
    client: TestClient, asset: str, files: list[str], *, start: int = 0
) -> dict[str, Any]:
    """Import one Gitleaks report (one leak per file) into `asset`; returns the import result."""
    report = gitleaks_report(
        *(gitleaks_leak(secret(start + i), file=f) for i, f in enumerate(files))
    )
    resp = client.post(f"/api/v1/imports?asset={asset}", content=report)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def findings(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/findings", params={"limit": 500, **params})
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


def by_path(client: TestClient, asset: str, **params: Any) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in findings(client, asset=asset, **params)}


def people(client: TestClient, *, users: tuple[str, ...] = (), teams: tuple[str, ...] = ()) -> None:
    """Create the users (engineers) and teams a test assigns findings to, as an admin: assignment
    accepts only existing, active users and existing teams."""
    for team in teams:
        resp = client.post("/api/v1/teams", json={"name": team})
        assert resp.status_code in (201, 409), resp.text
    for user in users:
        resp = client.post("/api/v1/users", json={"username": user, "role": "engineer"})
        assert resp.status_code == 201, resp.text
