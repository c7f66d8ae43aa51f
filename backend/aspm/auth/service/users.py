"""Users: who may be assigned work, creating and changing users, and passwords (set by an admin,
reset to a one-time password, or changed by the user)."""

import logging
import uuid

from sqlalchemy.orm import Session

from aspm.audit import service as audit
from aspm.auth import credentials, repository
from aspm.auth.models import User
from aspm.auth.principal import Principal, Role
from aspm.auth.schemas import (
    Directory,
    Me,
    PersonRead,
    UserCreate,
    UserCreated,
    UserRead,
    UserUpdate,
)
from aspm.auth.service.common import (
    actor_name,
    check_password,
    hash_params,
    password_check_slot,
    user_by_name_or_raise,
    user_or_raise,
    user_reads,
)
from aspm.auth.service.teams import set_teams
from aspm.common.clock import utcnow
from aspm.errors import Conflict, InvalidInput, NotAuthenticated
from aspm.settings import Settings

log = logging.getLogger(__name__)


def directory(session: Session) -> Directory:
    """Active users and every team: what assignment pickers offer (and all they accept)."""
    users = [u for u in repository.list_users(session) if u.active]
    teams = repository.team_names_of(session, [u.id for u in users])
    return Directory(
        users=[
            PersonRead(username=u.username, display_name=u.display_name, teams=teams.get(u.id, []))
            for u in users
        ],
        teams=[t.name for t in repository.list_teams(session)],
    )


def check_assignable(session: Session, *, assignee: str | None, team: str | None) -> None:
    """A finding is assigned to an existing, active user and an existing team, or to nobody:
    a typo ("enginer") is refused, not stored and audited."""
    if assignee is not None:
        user = repository.get_user_by_name(session, assignee)
        if user is None or not user.active:
            why = "no user" if user is None else "no active user"
            raise InvalidInput(f"{why} named {assignee!r}: assign to an active user")
    if team is not None and repository.get_team_by_name(session, team) is None:
        known = ", ".join(t.name for t in repository.list_teams(session)) or "none yet"
        raise InvalidInput(f"no team named {team!r}; teams: {known}")


def list_users(session: Session) -> list[UserRead]:
    return user_reads(session, repository.list_users(session))


def get_user(session: Session, user_id: uuid.UUID) -> UserRead:
    return user_reads(session, [user_or_raise(session, user_id)])[0]


def me(session: Session, principal: Principal) -> Me:
    if principal.kind not in ("user", "token") or principal.id is None:
        raise NotAuthenticated("not signed in")
    user = user_by_name_or_raise(session, principal.name)
    read = user_reads(session, [user])[0]
    return Me(
        **read.model_dump(),
        kind="token" if principal.kind == "token" else "user",
        scopes=sorted(principal.scopes),
        token_id=principal.id if principal.kind == "token" else None,
        asset_ids=None if principal.asset_ids is None else sorted(principal.asset_ids),
    )


def create_user(
    session: Session,
    *,
    spec: UserCreate,
    actor: Principal | str,
    settings: Settings,
    must_change_password: bool | None = None,
) -> UserCreated:
    """Create a user. Without a password, a one-time password is generated and returned (once);
    the user must change it at the first sign-in."""
    who = actor_name(actor)
    if repository.get_user_by_name(session, spec.username) is not None:
        raise Conflict(f"a user named {spec.username!r} exists already")
    generated = None
    password = spec.password
    if password is None:
        password = generated = credentials.generate_password()
    check_password(password)
    user = User(
        id=uuid.uuid4(),
        username=spec.username,
        display_name=spec.display_name,
        password_hash=credentials.hash_password(password, hash_params(settings)),
        must_change_password=(
            generated is not None if must_change_password is None else must_change_password
        ),
        role=spec.role.value,
        active=True,
        created_at=utcnow(),
    )
    repository.add(session, user)
    audit.record(
        session, who, "user_created", "user", user.id, to_value=spec.role.value,
        details={"username": user.username},
    )  # fmt: skip
    set_teams(session, user, spec.teams, who)
    log.info("user created: %s (%s) by %s", user.username, user.role, who)
    return UserCreated(**user_reads(session, [user])[0].model_dump(), password=generated)


def _active_admins(session: Session) -> int:
    return sum(1 for u in repository.list_users(session) if u.active and u.role == Role.ADMIN)


def update_user(
    session: Session,
    *,
    user_id: uuid.UUID,
    spec: UserUpdate,
    actor: Principal | str,
    settings: Settings,
) -> UserRead:
    """Change a user's name, role, teams, password or active flag (each change audited).
    Deactivating a user ends their sessions; their tokens stop working. Setting a password ends
    every session of the user and makes it a one-time password: their tokens are refused until
    they set their own."""
    who = actor_name(actor)
    user = user_or_raise(session, user_id)
    removes_admin = user.role == Role.ADMIN and user.active and (
        spec.active is False or (spec.role is not None and spec.role != Role.ADMIN)
    )  # fmt: skip
    if removes_admin:
        if isinstance(actor, Principal) and actor.kind == "user" and actor.id == user.id:
            raise Conflict("an admin cannot deactivate or demote themselves")
        if _active_admins(session) <= 1:
            raise Conflict("this is the last active admin")
    if spec.display_name is not None and spec.display_name != user.display_name:
        audit.record(session, who, "user_renamed", "user", user.id,
                     from_value=user.display_name, to_value=spec.display_name)  # fmt: skip
        user.display_name = spec.display_name
    if spec.role is not None and spec.role != user.role:
        audit.record(session, who, "user_role_changed", "user", user.id,
                     from_value=user.role, to_value=spec.role.value)  # fmt: skip
        user.role = spec.role
    if spec.password is not None:
        check_password(spec.password)
        user.password_hash = credentials.hash_password(spec.password, hash_params(settings))
        user.must_change_password = True
        repository.delete_sessions_of(session, user.id)
        audit.record(session, who, "user_password_reset", "user", user.id)
    if spec.active is not None and spec.active != user.active:
        audit.record(
            session, who, "user_activated" if spec.active else "user_deactivated", "user",
            user.id, from_value=str(user.active).lower(), to_value=str(spec.active).lower(),
        )  # fmt: skip
        user.active = spec.active
        if not spec.active:
            repository.delete_sessions_of(session, user.id)
    if spec.teams is not None:
        set_teams(session, user, spec.teams, who)
    session.flush()
    return user_reads(session, [user])[0]


def set_password(
    session: Session, *, username: str, password: str, actor: Principal | str, settings: Settings
) -> None:
    """An admin (or the CLI) sets a password; the user must change it at the next sign-in."""
    user = user_by_name_or_raise(session, username)
    update_user(
        session, user_id=user.id, spec=UserUpdate(password=password), actor=actor,
        settings=settings,
    )  # fmt: skip


def reset_password(
    session: Session, *, user_id: uuid.UUID, actor: Principal | str, settings: Settings
) -> UserCreated:
    """An admin resets a user's password to a generated one-time password, returned this once;
    the user's sessions end and they must set their own at the next sign-in."""
    password = credentials.generate_password()
    read = update_user(
        session, user_id=user_id, spec=UserUpdate(password=password), actor=actor,
        settings=settings,
    )  # fmt: skip
    return UserCreated(**read.model_dump(), password=password)


def change_own_password(
    session: Session,
    *,
    principal: Principal,
    current_password: str,
    new_password: str,
    settings: Settings,
    session_id: str | None = None,
) -> None:
    """Set one's own password. The user's other browser sessions end (`session_id`, the one
    that asks, stays signed in); their API tokens keep working: they are credentials of their
    own, revoked one by one (DELETE /tokens/{id})."""
    if principal.kind != "user":
        raise InvalidInput("only a signed-in user can change their password")
    user = user_by_name_or_raise(session, principal.name)
    params = hash_params(settings)
    with password_check_slot(settings):
        if not credentials.verify_password(user.password_hash, current_password, params):
            raise InvalidInput("the current password is wrong")
        if credentials.same(current_password, new_password):
            raise InvalidInput("the new password must differ from the current one")
        check_password(new_password)
        user.password_hash = credentials.hash_password(new_password, params)
    user.must_change_password = False
    keep = None if session_id is None else credentials.digest(session_id)
    ended = repository.delete_sessions_of(session, user.id, keep_hash=keep)
    session.flush()
    audit.record(session, principal, "user_password_changed", "user", user.id,
                 details={"other_sessions_ended": ended})  # fmt: skip
