"""Request and response models of the auth domain (users, teams, tokens, sign-in)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from aspm.auth.principal import Role, Scope

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"
Username = Annotated[str, Field(pattern=NAME_PATTERN, max_length=100)]
TeamName = Annotated[str, Field(pattern=NAME_PATTERN, max_length=100)]
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=100)]
    password: Password


class UserRead(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    teams: list[str]
    active: bool
    must_change_password: bool
    created_at: datetime


class Me(UserRead):
    """The caller: the signed-in user, or the user an API token acts for."""

    kind: Literal["user", "token"]
    scopes: list[Scope]
    token_id: uuid.UUID | None = None
    asset_ids: list[uuid.UUID] | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password
    new_password: Password


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    role: Role
    display_name: Annotated[str, Field(max_length=200)] = ""
    password: Password | None = Field(
        default=None, description="omit to get a generated one-time password in the response"
    )
    teams: Annotated[list[TeamName], Field(max_length=50)] = []


class UserCreated(UserRead):
    password: str | None = Field(
        default=None, description="the generated one-time password; shown this once only"
    )


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: Annotated[str, Field(max_length=200)] | None = None
    role: Role | None = None
    active: bool | None = None
    password: Password | None = Field(
        default=None, description="a new password the user must change at the next sign-in"
    )
    teams: Annotated[list[TeamName], Field(max_length=50)] | None = None


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TeamName


class PersonRead(BaseModel):
    """An active user as pickers show them (no role, no account details)."""

    username: str
    display_name: str
    teams: list[str]


class Directory(BaseModel):
    """Who a finding may be assigned to: active users and every team."""

    users: list[PersonRead]
    teams: list[str]


class TeamRead(BaseModel):
    id: uuid.UUID
    name: str
    members: list[str]
    created_at: datetime


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: Username = Field(description="the user the token acts for (its role caps the scopes)")
    name: Annotated[str, Field(min_length=1, max_length=100)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=3)]
    assets: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=100)] | None = (
        Field(default=None, description="asset names the token is limited to (default: all)")
    )
    expires_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=90, description="days until the token expires; null for never"
    )


class TokenRead(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    user: str
    scopes: list[Scope]
    asset_ids: list[uuid.UUID] | None
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


class TokenCreated(TokenRead):
    token: str = Field(description="the secret; shown this once only, store it now")


class BootstrapUser(BaseModel):
    username: str
    role: Role
    password: str
    one_time: bool
