"""HTTP: sign-in, sessions and the caller (`auth`); users, teams and tokens (admins only)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from aspm.api.deps import (
    AdminAccess,
    CallerDep,
    PrincipalDep,
    ReadAccess,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
    SignedIn,
    client_ip,
)
from aspm.api.session_cookies import clear_cookies, set_cookies
from aspm.auth import oidc_service, service
from aspm.auth.schemas import (
    NAME_PATTERN,
    Directory,
    LoginRequest,
    Me,
    PasswordChange,
    TeamCreate,
    TeamRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserCreated,
    UserRead,
    UserUpdate,
)
from aspm.db.session import unit_of_work

router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"], dependencies=[AdminAccess])
teams_router = APIRouter(prefix="/teams", tags=["teams"], dependencies=[AdminAccess])
tokens_router = APIRouter(prefix="/tokens", tags=["tokens"], dependencies=[AdminAccess])

TeamPath = Annotated[str, Path(pattern=NAME_PATTERN, max_length=100)]
UserPath = Annotated[str, Path(pattern=NAME_PATTERN, max_length=100)]


@router.post(
    "/login",
    name="login",
    response_model=UserRead,
    responses={401: {"description": "wrong username or password"},
               429: {"description": "too many failures; see Retry-After"}},
)  # fmt: skip
def login(
    request: Request,
    response: Response,
    factory: SessionFactoryDep,
    settings: SettingsDep,
    body: LoginRequest,
) -> UserRead:
    """Sign in: sets the `aspm_session` cookie (httpOnly) and the `aspm_csrf` cookie, whose value
    state-changing requests must repeat in the `X-CSRF-Token` header. With
    ASPM_LOCAL_LOGIN=false only the break-glass admins may (403 for everyone else)."""
    with unit_of_work(factory) as session:
        oidc_service.check_password_sign_in(session, username=body.username, settings=settings)
    signed_in = service.login(
        factory, username=body.username, password=body.password,
        client_ip=client_ip(request), settings=settings,
    )  # fmt: skip
    set_cookies(response, signed_in.session_id, settings)
    return signed_in.user


@router.post("/logout", name="logout", status_code=204, dependencies=[SignedIn])
def logout(
    response: Response, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> Response:
    """End this browser session (the server forgets it) and clear the cookies."""
    if caller.session_id is not None:
        service.logout(session, session_id=caller.session_id)
    response.status_code = 204
    clear_cookies(response, settings)
    return response


@router.get("/me", name="me", response_model=Me, dependencies=[SignedIn])
def me(session: SessionDep, principal: PrincipalDep) -> Me:
    """Who the caller is: user, role, teams, and for an API token its scopes and assets."""
    return service.me(session, principal)


@router.get("/directory", name="directory", response_model=Directory, dependencies=[ReadAccess])
def directory(session: SessionDep) -> Directory:
    """Active users and teams, for assignment pickers (assignment accepts only these)."""
    return service.directory(session)


@router.post("/password", name="change_password", status_code=204, dependencies=[SignedIn])
def change_password(
    session: SessionDep, settings: SettingsDep, caller: CallerDep, body: PasswordChange
) -> Response:
    """Change your own password (required after a one-time password). Your other sessions end;
    this one stays signed in. Your API tokens keep working."""
    service.change_own_password(
        session, principal=caller.principal, current_password=body.current_password,
        new_password=body.new_password, settings=settings, session_id=caller.session_id,
    )  # fmt: skip
    return Response(status_code=204)


@users_router.get("", name="list", response_model=list[UserRead])
def list_users(session: SessionDep) -> list[UserRead]:
    return service.list_users(session)


@users_router.post("", name="create", status_code=201, response_model=UserCreated)
def create_user(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep, body: UserCreate
) -> UserCreated:
    """Create a user; without `password` the response holds a generated one-time password."""
    return service.create_user(session, spec=body, actor=principal, settings=settings)


@users_router.get("/{user_id}", name="get", response_model=UserRead)
def get_user(session: SessionDep, user_id: uuid.UUID) -> UserRead:
    return service.get_user(session, user_id)


@users_router.patch("/{user_id}", name="update", response_model=UserRead)
def update_user(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    user_id: uuid.UUID,
    body: UserUpdate,
) -> UserRead:
    """Change name, role, teams, password or active flag; each change is audited."""
    return service.update_user(
        session, user_id=user_id, spec=body, actor=principal, settings=settings
    )


@users_router.post("/{user_id}/reset-password", name="reset_password", response_model=UserCreated)
def reset_password(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep, user_id: uuid.UUID
) -> UserCreated:
    """Give the user a generated one-time password (in this response only); their sessions end
    and they must choose their own at the next sign-in."""
    return service.reset_password(session, user_id=user_id, actor=principal, settings=settings)


@users_router.delete("/{user_id}", name="deactivate", response_model=UserRead)
def deactivate_user(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep, user_id: uuid.UUID
) -> UserRead:
    """Deactivate (users are never deleted: the audit trail names them). Ends their sessions;
    their tokens stop working."""
    return service.update_user(
        session, user_id=user_id, spec=UserUpdate(active=False), actor=principal,
        settings=settings,
    )  # fmt: skip


@teams_router.get("", name="list", response_model=list[TeamRead])
def list_teams(session: SessionDep) -> list[TeamRead]:
    return service.list_teams(session)


@teams_router.post("", name="create", status_code=201, response_model=TeamRead)
def create_team(session: SessionDep, principal: PrincipalDep, body: TeamCreate) -> TeamRead:
    return service.create_team(session, name=body.name, actor=principal)


@teams_router.put("/{team}/members/{username}", name="add_member", response_model=TeamRead)
def add_member(
    session: SessionDep, principal: PrincipalDep, team: TeamPath, username: UserPath
) -> TeamRead:
    return service.add_member(session, team=team, username=username, actor=principal)


@teams_router.delete("/{team}/members/{username}", name="remove_member", response_model=TeamRead)
def remove_member(
    session: SessionDep, principal: PrincipalDep, team: TeamPath, username: UserPath
) -> TeamRead:
    return service.remove_member(session, team=team, username=username, actor=principal)


@tokens_router.get("", name="list", response_model=list[TokenRead])
def list_tokens(session: SessionDep) -> list[TokenRead]:
    """Every token (never its secret): scopes, assets, expiry, last use, revocation."""
    return service.list_tokens(session)


@tokens_router.post("", name="create", status_code=201, response_model=TokenCreated)
def create_token(session: SessionDep, principal: PrincipalDep, body: TokenCreate) -> TokenCreated:
    """Create an API token for a user; the secret is in this response only."""
    return service.create_token(session, spec=body, actor=principal)


@tokens_router.delete("/{token_id}", name="revoke", response_model=TokenRead)
def revoke_token(session: SessionDep, principal: PrincipalDep, token_id: uuid.UUID) -> TokenRead:
    return service.revoke_token(session, token_id=token_id, actor=principal)
