"""Users, teams, sign-in, browser sessions and API tokens; who a request's caller is.

Every change to a user, team or token writes an audit event, and so do sign-ins, failed sign-ins
of a known user, and sign-outs. Passwords, session ids and tokens are never stored in clear,
logged or returned (a token and a generated password are returned once, to the admin who
created them).
"""

import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.audit import service as audit
from aspm.auth import credentials, repository
from aspm.auth.models import ApiToken, AuthSession, Membership, Team, User
from aspm.auth.principal import Principal, Role, Scope
from aspm.auth.schemas import (
    BootstrapUser,
    Directory,
    Me,
    PersonRead,
    TeamRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserCreated,
    UserRead,
    UserUpdate,
)
from aspm.common.clock import utcnow
from aspm.db.session import unit_of_work
from aspm.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from aspm.findings import service as findings_service
from aspm.resources import service as resources_service
from aspm.settings import Settings

log = logging.getLogger(__name__)

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.SECURITY_LEAD: frozenset(Scope),
    Role.ENGINEER: frozenset(Scope),
    Role.VIEWER: frozenset({Scope.READ}),
}
"""What each role may do with a token at most; a signed-in user has all of its role's scopes."""

TOUCH_EVERY = timedelta(seconds=60)  # last_seen / last_used are written at most this often
CLI_ACTOR = "system:cli"

DEMO_TEAMS = ("payments", "web", "data", "platform")
DEMO_USERS: tuple[tuple[str, Role, str, tuple[str, ...]], ...] = (
    # username, role, password (printed by `make run` and listed in README), teams
    ("lead", Role.SECURITY_LEAD, "demo-lead-password", ()),
    ("engineer", Role.ENGINEER, "demo-engineer-password", ("payments", "web")),
    ("viewer", Role.VIEWER, "demo-viewer-password", ()),
)


def hash_params(settings: Settings) -> credentials.HashParams:
    return credentials.HashParams(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def _actor(actor: Principal | str) -> str:
    return actor.actor if isinstance(actor, Principal) else actor


def _check_password(password: str) -> None:
    if len(password) < credentials.MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password needs at least {credentials.MIN_PASSWORD_LENGTH} characters"
        )


# --- reading ----------------------------------------------------------------------------------


def _user_reads(session: Session, users: Sequence[User]) -> list[UserRead]:
    teams = repository.team_names_of(session, [u.id for u in users])
    return [
        UserRead(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=Role(u.role),
            teams=teams.get(u.id, []),
            active=u.active,
            must_change_password=u.must_change_password,
            created_at=u.created_at,
        )
        for u in users
    ]


def _user_or_raise(session: Session, user_id: uuid.UUID) -> User:
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def _user_by_name_or_raise(session: Session, username: str) -> User:
    user = repository.get_user_by_name(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


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
    return _user_reads(session, repository.list_users(session))


def get_user(session: Session, user_id: uuid.UUID) -> UserRead:
    return _user_reads(session, [_user_or_raise(session, user_id)])[0]


def me(session: Session, principal: Principal) -> Me:
    if principal.kind not in ("user", "token") or principal.id is None:
        raise NotAuthenticated("not signed in")
    user = _user_by_name_or_raise(session, principal.name)
    read = _user_reads(session, [user])[0]
    return Me(
        **read.model_dump(),
        kind="token" if principal.kind == "token" else "user",
        scopes=sorted(principal.scopes),
        token_id=principal.id if principal.kind == "token" else None,
        asset_ids=None if principal.asset_ids is None else sorted(principal.asset_ids),
    )


# --- users and teams --------------------------------------------------------------------------


def _team_or_create(session: Session, name: str, actor: str) -> Team:
    team = repository.get_team_by_name(session, name)
    if team is None:
        team = Team(id=uuid.uuid4(), name=name, created_at=utcnow())
        repository.add(session, team)
        audit.record(session, actor, "team_created", "team", team.id, to_value=name)
    return team


def _set_teams(session: Session, user: User, names: Iterable[str], actor: str) -> None:
    wanted = set(names)
    current = set(repository.team_names_of(session, [user.id]).get(user.id, []))
    for name in sorted(wanted - current):
        _add_member(session, _team_or_create(session, name, actor), user, actor)
    for name in sorted(current - wanted):
        team = repository.get_team_by_name(session, name)
        if team is not None:
            _remove_member(session, team, user, actor)


def _add_member(session: Session, team: Team, user: User, actor: str) -> bool:
    if repository.get_membership(session, user.id, team.id) is not None:
        return False
    repository.add(session, Membership(user_id=user.id, team_id=team.id))
    audit.record(
        session, actor, "team_member_added", "team", team.id, to_value=user.username,
        details={"team": team.name, "user_id": str(user.id)},
    )  # fmt: skip
    return True


def _remove_member(session: Session, team: Team, user: User, actor: str) -> bool:
    membership = repository.get_membership(session, user.id, team.id)
    if membership is None:
        return False
    repository.delete_membership(session, membership)
    audit.record(
        session, actor, "team_member_removed", "team", team.id, from_value=user.username,
        details={"team": team.name, "user_id": str(user.id)},
    )  # fmt: skip
    return True


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
    who = _actor(actor)
    if repository.get_user_by_name(session, spec.username) is not None:
        raise Conflict(f"a user named {spec.username!r} exists already")
    generated = None
    password = spec.password
    if password is None:
        password = generated = credentials.generate_password()
    _check_password(password)
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
    _set_teams(session, user, spec.teams, who)
    log.info("user created: %s (%s) by %s", user.username, user.role, who)
    return UserCreated(**_user_reads(session, [user])[0].model_dump(), password=generated)


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
    who = _actor(actor)
    user = _user_or_raise(session, user_id)
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
        user.role = spec.role.value
    if spec.password is not None:
        _check_password(spec.password)
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
        _set_teams(session, user, spec.teams, who)
    session.flush()
    return _user_reads(session, [user])[0]


def set_password(
    session: Session, *, username: str, password: str, actor: Principal | str, settings: Settings
) -> None:
    """An admin (or the CLI) sets a password; the user must change it at the next sign-in."""
    user = _user_by_name_or_raise(session, username)
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
    user = _user_by_name_or_raise(session, principal.name)
    params = hash_params(settings)
    with _password_check_slot(settings):
        if not credentials.verify_password(user.password_hash, current_password, params):
            raise InvalidInput("the current password is wrong")
        if credentials.same(current_password, new_password):
            raise InvalidInput("the new password must differ from the current one")
        _check_password(new_password)
        user.password_hash = credentials.hash_password(new_password, params)
    user.must_change_password = False
    keep = None if session_id is None else credentials.digest(session_id)
    ended = repository.delete_sessions_of(session, user.id, keep_hash=keep)
    session.flush()
    audit.record(session, principal, "user_password_changed", "user", user.id,
                 details={"other_sessions_ended": ended})  # fmt: skip


def create_team(session: Session, *, name: str, actor: Principal | str) -> TeamRead:
    if repository.get_team_by_name(session, name) is not None:
        raise Conflict(f"a team named {name!r} exists already")
    team = _team_or_create(session, name, _actor(actor))
    return TeamRead(id=team.id, name=team.name, members=[], created_at=team.created_at)


def list_teams(session: Session) -> list[TeamRead]:
    teams = repository.list_teams(session)
    members = repository.members_of(session, [t.id for t in teams])
    return [
        TeamRead(id=t.id, name=t.name, members=members.get(t.id, []), created_at=t.created_at)
        for t in teams
    ]


def _team_read(session: Session, team: Team) -> TeamRead:
    members = repository.members_of(session, [team.id]).get(team.id, [])
    return TeamRead(id=team.id, name=team.name, members=members, created_at=team.created_at)


def add_member(session: Session, *, team: str, username: str, actor: Principal | str) -> TeamRead:
    """Idempotent: adding a member twice changes nothing (and audits nothing)."""
    row = repository.get_team_by_name(session, team)
    if row is None:
        raise NotFound(f"no team named {team!r}")
    _add_member(session, row, _user_by_name_or_raise(session, username), _actor(actor))
    return _team_read(session, row)


def remove_member(
    session: Session, *, team: str, username: str, actor: Principal | str
) -> TeamRead:
    row = repository.get_team_by_name(session, team)
    if row is None:
        raise NotFound(f"no team named {team!r}")
    if not _remove_member(session, row, _user_by_name_or_raise(session, username), _actor(actor)):
        raise NotFound(f"{username!r} is not a member of {team!r}")
    return _team_read(session, row)


# --- API tokens -------------------------------------------------------------------------------


def _token_read(token: ApiToken, username: str, now: datetime) -> TokenRead:
    return TokenRead(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        user=username,
        scopes=sorted(Scope(s) for s in token.scopes),
        asset_ids=None if token.asset_ids is None else [uuid.UUID(a) for a in token.asset_ids],
        created_at=token.created_at,
        created_by=token.created_by,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
        active=token.revoked_at is None and (token.expires_at is None or token.expires_at > now),
    )


def create_token(session: Session, *, spec: TokenCreate, actor: Principal | str) -> TokenCreated:
    """A new API token for `spec.user`; the secret is in the result and nowhere else."""
    user = _user_by_name_or_raise(session, spec.user)
    if not user.active:
        raise InvalidInput(f"user {user.username!r} is deactivated")
    if user.must_change_password:
        raise InvalidInput(
            f"user {user.username!r} still has a one-time password: they must sign in and set "
            "their own before a token can act for them"
        )
    too_wide = set(spec.scopes) - ROLE_SCOPES[Role(user.role)]
    if too_wide:
        raise InvalidInput(f"a {user.role} cannot hold the scope(s) {', '.join(sorted(too_wide))}")
    asset_ids = None
    if spec.assets is not None:
        if not spec.assets:
            raise InvalidInput("`assets` must name at least one asset (omit it for all assets)")
        asset_ids = sorted({str(assets_service.get_read(session, name=n).id) for n in spec.assets})
    secret = credentials.new_token()
    now = utcnow()
    token = ApiToken(
        id=uuid.uuid4(),
        name=spec.name,
        token_hash=credentials.digest(secret),
        prefix=secret[: len(credentials.TOKEN_PREFIX) + 6],
        user_id=user.id,
        scopes=sorted({s.value for s in spec.scopes}),
        asset_ids=asset_ids,
        created_at=now,
        created_by=_actor(actor),
        expires_at=None if spec.expires_days is None else now + timedelta(days=spec.expires_days),
    )
    repository.add(session, token)
    audit.record(
        session, actor, "token_created", "token", token.id, to_value=",".join(token.scopes),
        details={"name": token.name, "user": user.username, "asset_ids": asset_ids,
                 "expires_at": None if token.expires_at is None else token.expires_at.isoformat()},
    )  # fmt: skip
    return TokenCreated(**_token_read(token, user.username, now).model_dump(), token=secret)


def list_tokens(session: Session) -> list[TokenRead]:
    tokens = repository.list_tokens(session)
    names = {u.id: u.username for u in repository.list_users(session)}
    now = utcnow()
    return [_token_read(t, names.get(t.user_id, "?"), now) for t in tokens]


def revoke_token(session: Session, *, token_id: uuid.UUID, actor: Principal | str) -> TokenRead:
    token = repository.get_token(session, token_id)
    if token is None:
        raise NotFound(f"no token with id {token_id}")
    user = _user_or_raise(session, token.user_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "token_revoked", "token", token.id,
                     details={"name": token.name, "user": user.username})  # fmt: skip
    return _token_read(token, user.username, utcnow())


# --- sign-in and sessions ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: UserRead
    session_id: str  # the cookie value; only its digest is stored


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    must_change_password: bool = False
    session_id: str | None = None  # set when authenticated by a session cookie


THROTTLE_USER = "user"
THROTTLE_ADDRESS = "address"


@contextmanager
def _password_check_slot(settings: Settings) -> Iterator[None]:
    """Hold one of this process's argon2 slots; `RateLimited` at once when all are busy (a
    queue of waiting checks would hold their memory and threads just the same)."""
    slots = credentials.password_check_slots(settings.password_hash_concurrency)
    if not slots.acquire(blocking=False):
        log.warning(
            "password check refused: %d already running", settings.password_hash_concurrency
        )
        raise RateLimited("the server is busy checking passwords; try again shortly", retry_after=1)
    try:
        yield
    finally:
        slots.release()


def _reserve_checks(
    session: Session, *, username: str, client_ip: str, settings: Settings, now: datetime
) -> None:
    """Count this sign-in's password check against the username and the client address before
    it runs, or raise `RateLimited` (and count nothing: the caller's transaction rolls back)."""
    window = timedelta(minutes=settings.login_window_minutes)
    limits = (
        (THROTTLE_USER, username[:100], settings.login_max_failures, "this user"),
        (THROTTLE_ADDRESS, client_ip[:64], settings.login_max_failures_per_ip, "this address"),
    )  # always in this order, so that two sign-ins never wait for each other's rows in a cycle
    for kind, value, limit, whom in limits:
        if not repository.reserve_check(
            session, kind=kind, value=value, now=now, since=now - window, limit=limit
        ):
            start = repository.throttle_window_start(session, kind=kind, value=value)
            retry = window if start is None else start + window - now
            log.warning("sign-in refused: too many failures for %s", whom)
            raise RateLimited(
                f"too many failed sign-ins for {whom}; try again later",
                retry_after=max(1, int(retry.total_seconds()) + 1),
            )


def login(
    factory: sessionmaker[Session],
    *,
    username: str,
    password: str,
    client_ip: str,
    settings: Settings,
) -> SignedIn:
    """Check a password and open a session. Rate-limited per username and per client address:
    each check is counted before it runs (in its own transaction, atomically, so parallel
    attempts cannot overrun the limit); past the limit, even the right password gets
    `RateLimited` until the window has passed. A successful sign-in clears its username's count
    and gives its check back to the address. At most `password_hash_concurrency` checks run at
    once in this process; beyond them the answer is `RateLimited` too, and nothing is counted."""
    window = timedelta(minutes=settings.login_window_minutes)
    params = hash_params(settings)
    with _password_check_slot(settings):
        with unit_of_work(factory) as session:
            _reserve_checks(
                session, username=username, client_ip=client_ip, settings=settings, now=utcnow()
            )
            user = repository.get_user_by_name(session, username)
        stored = user.password_hash if user is not None else None
        # no transaction (nor connection) is held while argon2 runs
        ok = credentials.verify_password(stored, password, params) and user is not None
        rehashed = None
        if ok and stored and credentials.needs_rehash(stored, params):
            rehashed = credentials.hash_password(password, params)
    now = utcnow()
    if not ok or user is None or not user.active:
        with unit_of_work(factory) as session:
            repository.prune_throttles(session, before=now - window)
            if user is not None:  # an unknown name has no user to hang the event on
                audit.record(session, _user_actor(user), "sign_in_failed", "user", user.id,
                             details={"client_ip": client_ip[:64]}, at=now)  # fmt: skip
        log.info("sign-in failed from %s", client_ip)
        raise NotAuthenticated("wrong username or password")
    with unit_of_work(factory) as session:
        repository.reset_throttle(session, kind=THROTTLE_USER, value=username[:100])
        repository.give_back_check(session, kind=THROTTLE_ADDRESS, value=client_ip[:64])
        current = repository.get_user(session, user.id)
        if current is None or not current.active or current.password_hash != stored:
            # changed while the password was checked: roll back, so the check stays counted
            raise NotAuthenticated("wrong username or password")
        if rehashed is not None:
            current.password_hash = rehashed
        repository.delete_expired_sessions(
            session, now=now, idle_before=now - timedelta(minutes=settings.session_idle_minutes)
        )
        session_id = credentials.new_session_id()
        repository.add(
            session,
            AuthSession(
                session_hash=credentials.digest(session_id),
                user_id=current.id,
                created_at=now,
                expires_at=now + timedelta(hours=settings.session_hours),
                last_seen_at=now,
                client_ip=client_ip[:64],
            ),
        )
        read = _user_reads(session, [current])[0]
        audit.record(session, _user_actor(current), "signed_in", "user", current.id,
                     details={"client_ip": client_ip[:64]}, at=now)  # fmt: skip
    log.info("signed in: %s from %s", username, client_ip)
    return SignedIn(user=read, session_id=session_id)


def _user_actor(user: User) -> str:
    """How audit events name a user acting for themselves (Principal.actor)."""
    return Principal(kind="user", id=user.id, name=user.username, role=Role(user.role)).actor


def logout(session: Session, *, session_id: str) -> None:
    row = repository.get_session_by_hash(session, credentials.digest(session_id))
    if row is not None:
        user = repository.get_user(session, row.user_id)
        repository.delete_session(session, row)
        if user is not None:
            audit.record(session, _user_actor(user), "signed_out", "user", user.id)


def _principal_for(
    session: Session,
    user: User,
    *,
    token: ApiToken | None = None,
) -> Principal:
    """A user's principal, or a token's: the token's scopes capped by its user's role."""
    role = Role(user.role)
    teams = frozenset(repository.team_names_of(session, [user.id]).get(user.id, []))
    if token is None:
        return Principal(kind="user", id=user.id, name=user.username, role=role,
                         team_names=teams, scopes=ROLE_SCOPES[role])  # fmt: skip
    return Principal(
        kind="token",
        id=token.id,
        name=user.username,
        role=role,
        team_names=teams,
        scopes=frozenset(Scope(s) for s in token.scopes) & ROLE_SCOPES[role],
        asset_ids=(
            None if token.asset_ids is None else frozenset(uuid.UUID(a) for a in token.asset_ids)
        ),
    )


def authenticate_session(session: Session, *, session_id: str, settings: Settings) -> Caller:
    """The caller behind a session cookie; `NotAuthenticated` when it is unknown or expired."""
    row = repository.get_session_by_hash(session, credentials.digest(session_id))
    now = utcnow()
    if row is None:
        raise NotAuthenticated("not signed in (unknown or ended session)")
    idle = timedelta(minutes=settings.session_idle_minutes)
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        repository.delete_session(session, row)
        raise NotAuthenticated("the session has expired; sign in again")
    user = repository.get_user(session, row.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("not signed in (user deactivated)")
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Caller(
        principal=_principal_for(session, user),
        must_change_password=user.must_change_password,
        session_id=session_id,
    )


def authenticate_token(session: Session, *, token: str) -> Caller:
    """The caller behind an API token; `NotAuthenticated` when unknown, expired or revoked."""
    row = repository.get_token_by_hash(session, credentials.digest(token))
    now = utcnow()
    if row is None:
        raise NotAuthenticated("unknown API token")
    if row.revoked_at is not None:
        raise NotAuthenticated("this API token was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise NotAuthenticated("this API token has expired")
    user = repository.get_user(session, row.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("the user of this API token is deactivated")
    if user.must_change_password:  # as their browser sessions are, until they set a password
        raise PermissionDenied(
            "the user of this API token has a one-time password: the token works once they "
            "sign in and set their own (POST /api/v1/auth/password)"
        )
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
    return Caller(principal=_principal_for(session, user, token=row))


def finding_in_assets(session: Session, finding_ref: str, asset_ids: Iterable[uuid.UUID]) -> bool:
    """True when the finding exists and belongs to one of the assets (a bound token's check;
    an unknown finding answers False, so that the token learns nothing of other assets)."""
    try:
        finding_id = uuid.UUID(finding_ref)
    except ValueError:
        return False
    finding = findings_service.get_risk_fields(session, finding_id)
    return finding is not None and finding.asset_id in set(asset_ids)


def resource_in_assets(session: Session, resource_ref: str, asset_ids: Iterable[uuid.UUID]) -> bool:
    """True when the inventory resource exists and belongs to one of the assets (as
    `finding_in_assets`: an unknown one answers False)."""
    asset_id = resources_service.asset_of(session, resource_ref)
    return asset_id is not None and asset_id in set(asset_ids)


def bound_asset_names(session: Session, asset_ids: Iterable[uuid.UUID]) -> set[str]:
    """Names of the assets a token is bound to (a token names ids; requests name assets)."""
    return {a.name for a in assets_service.get_many(session, asset_ids)}


# --- first run --------------------------------------------------------------------------------


def bootstrap(session: Session, *, settings: Settings, demo: bool) -> list[BootstrapUser]:
    """On a database without users: an `admin` with a one-time password, and with `demo` one
    user per other role with the documented demo passwords (never when ASPM_ENVIRONMENT=prod).
    Does nothing when users exist."""
    if repository.count_users(session) > 0:
        return []
    admin = create_user(
        session, spec=UserCreate(username="admin", role=Role.ADMIN, display_name="Administrator"),
        actor=CLI_ACTOR, settings=settings,
    )  # fmt: skip
    assert admin.password is not None  # noqa: S101 - generated by create_user
    created = [BootstrapUser(username="admin", role=Role.ADMIN, password=admin.password,
                             one_time=True)]  # fmt: skip
    if demo and settings.environment != "prod":
        for team in DEMO_TEAMS:
            _team_or_create(session, team, CLI_ACTOR)
        for username, role, password, teams in DEMO_USERS:
            create_user(
                session, spec=UserCreate(username=username, role=role, password=password,
                                         display_name=f"Demo {role.value}", teams=list(teams)),
                actor=CLI_ACTOR, settings=settings, must_change_password=False,
            )  # fmt: skip
            created.append(BootstrapUser(username=username, role=role, password=password,
                                         one_time=False))  # fmt: skip
    return created
