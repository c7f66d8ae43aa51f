"""Teams and their members (a user's teams are set with the user, or one member at a time)."""

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from aspm.audit import service as audit
from aspm.auth import repository
from aspm.auth.models import Membership, Team, User
from aspm.auth.principal import Principal
from aspm.auth.schemas import TeamRead
from aspm.auth.service.common import actor_name, user_by_name_or_raise
from aspm.common.clock import utcnow
from aspm.errors import Conflict, NotFound


def team_or_create(session: Session, name: str, actor: str) -> Team:
    team = repository.get_team_by_name(session, name)
    if team is None:
        team = Team(id=uuid.uuid4(), name=name, created_at=utcnow())
        repository.add(session, team)
        audit.record(session, actor, "team_created", "team", team.id, to_value=name)
    return team


def set_teams(session: Session, user: User, names: Iterable[str], actor: str) -> None:
    wanted = set(names)
    current = set(repository.team_names_of(session, [user.id]).get(user.id, []))
    for name in sorted(wanted - current):
        _add_member(session, team_or_create(session, name, actor), user, actor)
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


def create_team(session: Session, *, name: str, actor: Principal | str) -> TeamRead:
    if repository.get_team_by_name(session, name) is not None:
        raise Conflict(f"a team named {name!r} exists already")
    team = team_or_create(session, name, actor_name(actor))
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
    _add_member(session, row, user_by_name_or_raise(session, username), actor_name(actor))
    return _team_read(session, row)


def remove_member(
    session: Session, *, team: str, username: str, actor: Principal | str
) -> TeamRead:
    row = repository.get_team_by_name(session, team)
    if row is None:
        raise NotFound(f"no team named {team!r}")
    if not _remove_member(
        session, row, user_by_name_or_raise(session, username), actor_name(actor)
    ):
        raise NotFound(f"{username!r} is not a member of {team!r}")
    return _team_read(session, row)
