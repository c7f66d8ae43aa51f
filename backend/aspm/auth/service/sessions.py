"""Sign-in (rate-limited, argon2 checks bounded per process), browser sessions, sign-out, and who a
request's caller is (by session cookie or API token)."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from aspm.audit import service as audit
from aspm.auth import credentials, repository
from aspm.auth.models import ApiToken, AuthSession, User
from aspm.auth.principal import Principal, Role, Scope
from aspm.auth.schemas import UserRead
from aspm.auth.service.common import ROLE_SCOPES, hash_params, password_check_slot, user_reads
from aspm.common.clock import utcnow
from aspm.db.session import unit_of_work
from aspm.errors import NotAuthenticated, PermissionDenied, RateLimited
from aspm.settings import Settings

log = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(seconds=60)  # last_seen / last_used are written at most this often


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
    with password_check_slot(settings):
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
        session_id = open_session(
            session, user_id=current.id, client_ip=client_ip, settings=settings, now=now
        )
        read = user_reads(session, [current])[0]
        audit.record(session, _user_actor(current), "signed_in", "user", current.id,
                     details={"client_ip": client_ip[:64]}, at=now)  # fmt: skip
    log.info("signed in: %s from %s", username, client_ip)
    return SignedIn(user=read, session_id=session_id)


def open_session(
    session: Session, *, user_id: uuid.UUID, client_ip: str, settings: Settings, now: datetime
) -> str:
    """A new browser session for a user who has just signed in (by password or SSO), after
    pruning expired ones. Returns the session id, the cookie value; only its digest is stored."""
    repository.delete_expired_sessions(
        session, now=now, idle_before=now - timedelta(minutes=settings.session_idle_minutes)
    )
    session_id = credentials.new_session_id()
    repository.add(
        session,
        AuthSession(
            session_hash=credentials.digest(session_id),
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
            last_seen_at=now,
            client_ip=client_ip[:64],
        ),
    )
    return session_id


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
