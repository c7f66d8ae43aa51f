"""Users and teams (admins only), argon2id hashes, audit events, and no secret kept in clear."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from aspm.audit.models import AuditEvent
from aspm.auth import credentials
from aspm.auth.models import User
from aspm.auth.principal import Role
from aspm.db.base import Base
from aspm.settings import Settings
from tests.auth.conftest import PASSWORD, MakeUser
from tests.conftest import ClientAs


def test_passwords_are_stored_as_argon2id_hashes(
    make_user: MakeUser, session: Session, settings: Settings
) -> None:
    make_user("alice")
    stored = session.scalars(select(User.password_hash).where(User.username == "alice")).one()
    assert stored is not None
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    params = credentials.HashParams(1, 1024, 1)
    assert credentials.verify_password(stored, PASSWORD, params)
    assert not credentials.verify_password(stored, PASSWORD + "x", params)
    assert not credentials.verify_password(None, PASSWORD, params)


def test_a_hash_made_with_other_costs_is_rehashed_at_the_next_sign_in(
    make_user: MakeUser, session: Session, anon_client: TestClient
) -> None:
    make_user("old-timer")
    user = session.scalars(select(User).where(User.username == "old-timer")).one()
    user.password_hash = credentials.hash_password(PASSWORD, credentials.HashParams(2, 2048, 1))
    session.flush()
    resp = anon_client.post(
        "/api/v1/auth/login", json={"username": "old-timer", "password": PASSWORD}
    )
    assert resp.status_code == 200
    session.refresh(user)
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")


def test_production_hashes_use_argon2_cffi_defaults() -> None:
    from argon2 import PasswordHasher

    defaults = PasswordHasher()
    settings = Settings()
    assert (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
    )


def test_admins_create_list_update_and_deactivate_users(client: TestClient) -> None:
    created = client.post(
        "/api/v1/users",
        json={"username": "bob", "role": "engineer", "password": "bobs-password", "teams": ["web"]},
    )
    assert created.status_code == 201, created.text
    bob = created.json()
    assert (bob["role"], bob["teams"], bob["password"], bob["must_change_password"]) == (
        "engineer", ["web"], None, False,
    )  # fmt: skip
    assert (
        client.post("/api/v1/users", json={"username": "bob", "role": "viewer"}).status_code == 409
    )
    names = [u["username"] for u in client.get("/api/v1/users").json()]
    assert names == ["admin-test", "bob"]
    changed = client.patch(
        f"/api/v1/users/{bob['id']}", json={"role": "security_lead", "teams": ["data", "web"]}
    ).json()
    assert (changed["role"], changed["teams"]) == ("security_lead", ["data", "web"])
    gone = client.delete(f"/api/v1/users/{bob['id']}").json()
    assert gone["active"] is False
    assert (
        client.post(
            "/api/v1/auth/login", json={"username": "bob", "password": "bobs-password"}
        ).status_code
        == 401
    )


def test_short_passwords_are_refused(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/users", json={"username": "c", "role": "viewer", "password": "short"}
    )
    assert resp.status_code == 422


def test_role_changes_apply_to_open_sessions(client: TestClient, client_as: ClientAs) -> None:
    viewer = client_as(Role.VIEWER, username="vic")
    assert viewer.put("/api/v1/assets/acme/z", json={}).status_code == 403
    vic = next(u for u in client.get("/api/v1/users").json() if u["username"] == "vic")
    client.patch(f"/api/v1/users/{vic['id']}", json={"role": "security_lead"})
    assert viewer.put("/api/v1/assets/acme/z", json={}).status_code == 200


def test_deactivating_a_user_ends_their_sessions(client: TestClient, client_as: ClientAs) -> None:
    eng = client_as(Role.ENGINEER)
    me = eng.get("/api/v1/auth/me").json()
    client.delete(f"/api/v1/users/{me['id']}")
    assert eng.get("/api/v1/auth/me").status_code == 401


def test_the_last_admin_cannot_be_removed_and_no_admin_demotes_themselves(
    client: TestClient, client_as: ClientAs
) -> None:
    me = client.get("/api/v1/auth/me").json()
    resp = client.delete(f"/api/v1/users/{me['id']}")
    assert resp.status_code == 409
    client_as(Role.ADMIN, username="second-admin")
    assert client.patch(f"/api/v1/users/{me['id']}", json={"role": "viewer"}).status_code == 409


def test_teams_and_memberships(client: TestClient, client_as: ClientAs) -> None:
    eng = client_as(Role.ENGINEER, username="erin")
    assert client.post("/api/v1/teams", json={"name": "payments"}).status_code == 201
    assert client.post("/api/v1/teams", json={"name": "payments"}).status_code == 409
    added = client.put("/api/v1/teams/payments/members/erin")
    assert added.json()["members"] == ["erin"]
    assert eng.get("/api/v1/auth/me").json()["teams"] == ["payments"]
    assert client.put("/api/v1/teams/payments/members/nobody").status_code == 404
    assert client.delete("/api/v1/teams/payments/members/erin").json()["members"] == []
    assert client.delete("/api/v1/teams/payments/members/erin").status_code == 404
    assert [t["name"] for t in client.get("/api/v1/teams").json()] == ["payments"]
    assert eng.get("/api/v1/teams").status_code == 403


def test_every_user_team_and_token_change_is_audited(client: TestClient, session: Session) -> None:
    bob = client.post(
        "/api/v1/users", json={"username": "bob", "role": "viewer", "password": "bobs-password"}
    ).json()
    client.patch(f"/api/v1/users/{bob['id']}", json={"role": "engineer", "display_name": "Bob"})
    token = client.post("/api/v1/tokens", json={"name": "t", "user": "bob", "scopes": ["read"]})
    client.delete(f"/api/v1/tokens/{token.json()['id']}")
    client.patch(f"/api/v1/users/{bob['id']}", json={"password": "a-reset-password"})
    client.post("/api/v1/teams", json={"name": "web"})
    client.put("/api/v1/teams/web/members/bob")
    client.delete("/api/v1/teams/web/members/bob")
    client.delete(f"/api/v1/users/{bob['id']}")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.actor == "user:admin-test").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "signed_in",  # the admin client's own sign-in
        "user_created", "user_renamed", "user_role_changed", "token_created", "token_revoked",
        "user_password_reset", "team_created", "team_member_added", "team_member_removed",
        "user_deactivated",
    ]  # fmt: skip
    role = next(e for e in events if e.action == "user_role_changed")
    assert (role.from_value, role.to_value) == ("viewer", "engineer")


def _everything_stored(session: Session) -> str:
    dump: list[str] = []
    for table in Base.metadata.sorted_tables:
        dump.extend(str(row) for row in session.execute(text(f"SELECT * FROM {table.name}")))
    return "\n".join(dump)


def test_passwords_tokens_and_session_ids_are_never_stored_or_logged_in_clear(
    client: TestClient, anon_client: TestClient, session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    created = client.post("/api/v1/users", json={"username": "dan", "role": "engineer"}).json()
    one_time = created["password"]
    anon_client.post("/api/v1/auth/login", json={"username": "dan", "password": "wrong-guess-1"})
    anon_client.post("/api/v1/auth/login", json={"username": "dan", "password": one_time})
    session_id = anon_client.cookies["aspm_session"]
    csrf = anon_client.cookies["aspm_csrf"]
    new = "dans-new-password"
    anon_client.post(
        "/api/v1/auth/password",
        json={"current_password": one_time, "new_password": new},
        headers={"X-CSRF-Token": csrf},
    )
    token = client.post(
        "/api/v1/tokens", json={"name": "t", "user": "dan", "scopes": ["read"]}
    ).json()["token"]
    TestClient(client.app, headers={"Authorization": f"Bearer {token}"}).get("/api/v1/findings")
    stored = _everything_stored(session)
    logged = caplog.text
    for secret in (one_time, "wrong-guess-1", new, token, session_id, csrf):
        assert secret not in stored
        assert secret not in logged
    assert "dan" in stored  # the dump does hold the rows
