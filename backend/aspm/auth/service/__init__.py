"""Users, teams, sign-in, browser sessions and API tokens; who a request's caller is.

By concern: `users`, `teams`, `tokens`, `sessions` (sign-in, sign-out, the caller), `bootstrap`
(the first run), and `common` (what they share). Callers import this package
(`from aspm.auth import service`); the names below are its API.

Every change to a user, team or token writes an audit event, and so do sign-ins, failed sign-ins
of a known user, and sign-outs. Passwords, session ids and tokens are never stored in clear,
logged or returned (a token and a generated password are returned once, to the admin who
created them).
"""

from aspm.auth.service.bootstrap import bootstrap
from aspm.auth.service.common import CLI_ACTOR, ROLE_SCOPES, hash_params
from aspm.auth.service.sessions import (
    Caller,
    SignedIn,
    authenticate_session,
    authenticate_token,
    login,
    logout,
    open_session,
)
from aspm.auth.service.teams import add_member, create_team, list_teams, remove_member
from aspm.auth.service.tokens import create_token, list_tokens, revoke_token
from aspm.auth.service.users import (
    change_own_password,
    check_assignable,
    create_user,
    directory,
    get_user,
    list_users,
    me,
    reset_password,
    set_password,
    update_user,
)

__all__ = [
    "CLI_ACTOR",
    "ROLE_SCOPES",
    "Caller",
    "SignedIn",
    "add_member",
    "authenticate_session",
    "authenticate_token",
    "bootstrap",
    "change_own_password",
    "check_assignable",
    "create_team",
    "create_token",
    "create_user",
    "directory",
    "get_user",
    "hash_params",
    "list_teams",
    "list_tokens",
    "list_users",
    "login",
    "logout",
    "me",
    "open_session",
    "remove_member",
    "reset_password",
    "revoke_token",
    "set_password",
    "update_user",
]
