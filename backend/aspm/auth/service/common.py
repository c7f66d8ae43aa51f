"""What users, teams, tokens and sessions share: the scopes a role allows, password rules and
hashing, user look-ups, and how an actor is named in audit events."""

import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.orm import Session

from aspm.auth import credentials, repository
from aspm.auth.models import User
from aspm.auth.principal import Principal, Role, Scope
from aspm.auth.schemas import UserRead
from aspm.errors import InvalidInput, NotFound, RateLimited
from aspm.settings import Settings

log = logging.getLogger(__name__)

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.SECURITY_LEAD: frozenset(Scope),
    Role.ENGINEER: frozenset(Scope),
    Role.VIEWER: frozenset({Scope.READ}),
}
"""What each role may do with a token at most; a signed-in user has all of its role's scopes."""

CLI_ACTOR = "system:cli"


def hash_params(settings: Settings) -> credentials.HashParams:
    return credentials.HashParams(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def actor_name(actor: Principal | str) -> str:
    return actor.actor if isinstance(actor, Principal) else actor


def check_password(password: str) -> None:
    if len(password) < credentials.MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password needs at least {credentials.MIN_PASSWORD_LENGTH} characters"
        )


@contextmanager
def password_check_slot(settings: Settings) -> Iterator[None]:
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


def user_reads(session: Session, users: Sequence[User]) -> list[UserRead]:
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


def user_or_raise(session: Session, user_id: uuid.UUID) -> User:
    user = repository.get_user(session, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def user_by_name_or_raise(session: Session, username: str) -> User:
    user = repository.get_user_by_name(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user
