"""Every SQL statement of the auth domain."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from aspm.auth.models import ApiToken, AuthSession, LoginFailure, Membership, Team, User


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


def delete_sessions_of(session: Session, user_id: uuid.UUID) -> int:
    result = session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
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


# --- login failures ---------------------------------------------------------------------------


def add_failure(session: Session, failure: LoginFailure) -> None:
    session.add(failure)
    session.flush()


def failures_since(
    session: Session, *, since: datetime, username: str | None = None, client_ip: str | None = None
) -> tuple[int, datetime | None]:
    """How many failures match (by username or by address) since `since`, and the oldest one."""
    stmt = select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.at > since)
    if username is not None:
        stmt = stmt.where(LoginFailure.username == username)
    if client_ip is not None:
        stmt = stmt.where(LoginFailure.client_ip == client_ip)
    count, oldest = session.execute(stmt).one()
    return int(count or 0), oldest


def clear_failures(session: Session, *, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))


def prune_failures(session: Session, *, before: datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at <= before))
