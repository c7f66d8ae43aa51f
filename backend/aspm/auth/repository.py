"""Every SQL statement of the auth domain."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from aspm.auth.models import ApiToken, AuthSession, LoginThrottle, Membership, Team, User


def get_user(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def get_user_by_name(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def add(session: Session, obj: User | Team | Membership | AuthSession | ApiToken) -> None:
    session.add(obj)
    session.flush()


def get_team_by_name(session: Session, name: str) -> Team | None:
    return session.scalars(select(Team).where(Team.name == name)).one_or_none()


def list_teams(session: Session) -> Sequence[Team]:
    return session.scalars(select(Team).order_by(Team.name)).all()


def team_names_of(session: Session, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Team names per user, sorted."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Membership.user_id, Team.name)
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.user_id.in_(user_ids))
        .order_by(Team.name)
    ).all()
    out: dict[uuid.UUID, list[str]] = {}
    for user_id, name in rows:
        out.setdefault(user_id, []).append(name)
    return out


def members_of(session: Session, team_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    if not team_ids:
        return {}
    rows = session.execute(
        select(Membership.team_id, User.username)
        .join(User, User.id == Membership.user_id)
        .where(Membership.team_id.in_(team_ids))
        .order_by(User.username)
    ).all()
    out: dict[uuid.UUID, list[str]] = {}
    for team_id, username in rows:
        out.setdefault(team_id, []).append(username)
    return out


def get_membership(session: Session, user_id: uuid.UUID, team_id: uuid.UUID) -> Membership | None:
    return session.get(Membership, (user_id, team_id))


def delete_membership(session: Session, membership: Membership) -> None:
    session.delete(membership)
    session.flush()


# --- sessions ---------------------------------------------------------------------------------


def get_session_by_hash(session: Session, session_hash: str) -> AuthSession | None:
    return session.scalars(
        select(AuthSession).where(AuthSession.session_hash == session_hash)
    ).one_or_none()


def delete_session(session: Session, row: AuthSession) -> None:
    session.delete(row)
    session.flush()


def delete_sessions_of(
    session: Session, user_id: uuid.UUID, *, keep_hash: str | None = None
) -> int:
    """End the user's sessions (all but the one whose hash is `keep_hash`); how many ended."""
    stmt = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep_hash is not None:
        stmt = stmt.where(AuthSession.session_hash != keep_hash)
    result = session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_expired_sessions(session: Session, *, now: datetime, idle_before: datetime) -> None:
    session.execute(
        delete(AuthSession).where(
            (AuthSession.expires_at <= now) | (AuthSession.last_seen_at <= idle_before)
        )
    )


# --- tokens -----------------------------------------------------------------------------------


def get_token(session: Session, token_id: uuid.UUID) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def get_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).one_or_none()


def list_tokens(session: Session) -> Sequence[ApiToken]:
    return session.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.name)).all()


# --- sign-in throttles ------------------------------------------------------------------------


def reserve_check(
    session: Session, *, kind: str, value: str, now: datetime, since: datetime, limit: int
) -> bool:
    """Count one password check for (kind, value) unless `limit` were counted since `since`;
    False when refused. One statement (an upsert whose update is conditional), so it is atomic
    on PostgreSQL (the row is locked until commit; a concurrent one waits, then sees the new
    count) and on SQLite (one writer at a time). A window that has passed starts over."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    expired = LoginThrottle.window_start <= since
    stmt = (
        insert(LoginThrottle)
        .values(kind=kind, value=value, window_start=now, attempts=1)
        .on_conflict_do_update(
            index_elements=["kind", "value"],
            set_={
                "attempts": case((expired, 1), else_=LoginThrottle.attempts + 1),
                "window_start": case((expired, now), else_=LoginThrottle.window_start),
            },
            where=expired | (LoginThrottle.attempts < limit),
        )
        .returning(LoginThrottle.attempts)
    )
    return session.execute(stmt).first() is not None


def throttle_window_start(session: Session, *, kind: str, value: str) -> datetime | None:
    return session.scalar(
        select(LoginThrottle.window_start).where(
            LoginThrottle.kind == kind, LoginThrottle.value == value
        )
    )


def reset_throttle(session: Session, *, kind: str, value: str) -> None:
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.value == value)
    )


def give_back_check(session: Session, *, kind: str, value: str) -> None:
    """Uncount one check (it succeeded, so it was no guess)."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.kind == kind, LoginThrottle.value == value, LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )


def prune_throttles(session: Session, *, before: datetime) -> None:
    """Forget windows that ended. Rows another sign-in holds are skipped (on PostgreSQL), so
    that pruning never waits for, or deadlocks with, a sign-in."""
    ended = (
        select(LoginThrottle.kind, LoginThrottle.value)
        .where(LoginThrottle.window_start <= before)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        delete(LoginThrottle).where(tuple_(LoginThrottle.kind, LoginThrottle.value).in_(ended))
    )
