"""Single sign-on: users from an OpenID Connect provider, their role and teams from its claims,
and the switch that turns password sign-in off (but for the break-glass admins).

A person is found again by the provider's issuer and subject (`user_identities`), never by a
username or e-mail claim (which would let an account at the provider named "admin" become the
local admin). A new person becomes a user at their first sign-in. At every sign-in their role is
set from the mapping (see `oidc_mapping`) and so are their memberships of the teams the mapping
names; other memberships are left alone. A person whose groups map to no role gets the
mapping's `default_role` (viewer unless configured), or is refused when it is null.

The session opened is the platform's ordinary browser session (same cookies, same CSRF rule).
"""

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from aspm.audit import service as audit
from aspm.auth import credentials, oidc_client, oidc_repository, repository
from aspm.auth import service as auth_service
from aspm.auth.models import User, UserIdentity
from aspm.auth.oidc_client import Flow, Identity, SsoError
from aspm.auth.oidc_mapping import (
    ClaimMapping,
    Grant,
    MappingError,
    grant_for,
    load_mapping,
    username_candidates,
)
from aspm.auth.principal import Role
from aspm.auth.schemas import UserUpdate
from aspm.common.clock import utcnow
from aspm.db.session import unit_of_work
from aspm.errors import Conflict, NotFound, PermissionDenied
from aspm.settings import Settings

log = logging.getLogger(__name__)

SSO_ACTOR = "system:sso"
CALLBACK_PATH = "/api/v1/auth/oidc/callback"


@dataclass(frozen=True, slots=True)
class SignInOptions:
    local_login: bool
    sso_name: str | None  # None: single sign-on is not configured
    sso_login_url: str | None


def sign_in_options(settings: Settings) -> SignInOptions:
    if not settings.oidc_enabled:
        return SignInOptions(local_login=settings.local_login, sso_name=None, sso_login_url=None)
    return SignInOptions(
        local_login=settings.local_login,
        sso_name=settings.oidc_provider_name,
        sso_login_url="/api/v1/auth/oidc/login",
    )


def check_password_sign_in(session: Session, *, username: str, settings: Settings) -> None:
    """With ASPM_LOCAL_LOGIN=false only the break-glass admins (ASPM_BREAK_GLASS_ADMINS, active
    users with the admin role) may sign in with a password; everyone else is told to use single
    sign-on. Checked before the password, with one answer for every other name."""
    if settings.local_login:
        return
    if username in settings.break_glass_admin_list():
        user = repository.get_user_by_name(session, username)
        if user is not None and user.active and user.role == Role.ADMIN:
            log.warning("break-glass password sign-in attempt for %s", username)
            return
    raise PermissionDenied("password sign-in is switched off here: sign in with single sign-on")


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path of this site only (never `//host` or a URL)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if path.startswith(("/login", "/api/")):
        return "/"
    return path


def start(settings: Settings, *, base_url: str, next_path: str | None) -> tuple[str, str]:
    """The provider's authorization URL and the sealed flow for the browser's cookie."""
    if not settings.oidc_enabled:
        raise NotFound("single sign-on is not configured (ASPM_OIDC_ISSUER)")
    redirect_uri = (settings.public_url or base_url.rstrip("/")) + CALLBACK_PATH
    url, flow = oidc_client.authorization_url(
        settings, redirect_uri=redirect_uri, next_path=safe_next(next_path)
    )
    return url, oidc_client.seal_flow(flow, settings)


@dataclass(frozen=True, slots=True)
class SsoSignedIn:
    user_id: uuid.UUID
    username: str
    session_id: str  # the cookie value; only its digest is stored
    next_path: str


def finish(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    sealed_flow: str | None,
    state: str | None,
    code: str | None,
    error: str | None,
    client_ip: str,
) -> SsoSignedIn:
    """The provider sent the browser back: check state against the flow cookie, exchange the
    code, check the ID token, then find or create the user, set role and teams and open a
    session. `SsoError` (with a code for the login page) on any failure, which is logged and,
    when a user is known, audited."""
    if not settings.oidc_enabled:
        raise SsoError("not_configured", "single sign-on is not configured")
    flow = oidc_client.open_flow(sealed_flow, settings)
    if not state or not credentials.same(state, flow.state):
        raise SsoError("state_mismatch", "the answer's state is not this browser's sign-in")
    if error:
        raise SsoError("provider_refused", f"the provider answered {error[:60]!r}")
    if not code:
        raise SsoError("provider_refused", "the provider sent no code")
    identity = oidc_client.complete(settings, flow=flow, code=code)  # no transaction held
    try:
        mapping = load_mapping(settings.oidc_mapping_file)
    except MappingError as exc:
        log.error("SSO: %s", exc)
        raise SsoError("not_configured", "the SSO mapping file is not valid") from exc
    grant = grant_for(mapping, identity.claims)
    try:
        with unit_of_work(factory) as session:
            signed_in = _sign_in(session, identity, grant, mapping, flow, settings, client_ip)
    except Conflict as exc:  # e.g. the groups would demote the last active admin
        raise SsoError("conflict", str(exc)) from exc
    log.info("signed in through SSO: %s from %s", signed_in.username, client_ip)
    return signed_in


def _sign_in(
    session: Session,
    identity: Identity,
    grant: Grant,
    mapping: ClaimMapping,
    flow: Flow,
    settings: Settings,
    client_ip: str,
) -> SsoSignedIn:
    now = utcnow()
    link = oidc_repository.get_identity(session, issuer=identity.issuer, subject=identity.subject)
    user = None if link is None else repository.get_user(session, link.user_id)
    if user is not None and not user.active:
        audit.record(session, SSO_ACTOR, "sign_in_refused", "user", user.id,
                     details={"reason": "deactivated", "client_ip": client_ip[:64]})  # fmt: skip
        raise SsoError("deactivated", f"user {user.username!r} is deactivated")
    if grant.role is None:
        if user is not None:
            audit.record(session, SSO_ACTOR, "sign_in_refused", "user", user.id,
                         details={"reason": "no role for the groups"})  # fmt: skip
        log.info("SSO sign-in refused: groups map to no role (subject %s)", identity.subject)
        raise SsoError("no_role", "your groups give no role here")
    display = identity.claims.get("name")
    display_name = display[:200] if isinstance(display, str) else None
    if user is None:
        user = _create_user(session, identity, grant.role, mapping, display_name)
        link = UserIdentity(
            user_id=user.id, issuer=identity.issuer, subject=identity.subject, created_at=now,
            last_sign_in_at=now,
        )  # fmt: skip
        oidc_repository.add_identity(session, link)
    assert link is not None  # noqa: S101 - set in both branches
    link.last_sign_in_at = now
    teams = set(repository.team_names_of(session, [user.id]).get(user.id, []))
    wanted = (teams - mapping.managed_teams()) | grant.teams
    auth_service.update_user(
        session,
        user_id=user.id,
        spec=UserUpdate(
            role=grant.role if grant.role != user.role else None,
            teams=sorted(wanted) if wanted != teams else None,
            display_name=display_name
            if display_name and display_name != user.display_name
            else None,
        ),
        actor=SSO_ACTOR,
        settings=settings,
    )
    session_id = auth_service.open_session(
        session, user_id=user.id, client_ip=client_ip, settings=settings, now=now
    )
    audit.record(
        session, f"user:{user.username}", "signed_in", "user", user.id, at=now,
        details={"client_ip": client_ip[:64], "method": "sso", "issuer": identity.issuer,
                 "groups_matched": sorted(grant.matched_groups)},
    )  # fmt: skip
    return SsoSignedIn(
        user_id=user.id, username=user.username, session_id=session_id, next_path=flow.next_path
    )


def _create_user(
    session: Session,
    identity: Identity,
    role: Role,
    mapping: ClaimMapping,
    display_name: str | None,
) -> User:
    """A new user for a first sign-in: no password (they cannot sign in with one), a username
    from the claims that no existing user holds."""
    names = username_candidates(
        mapping, identity.claims, issuer=identity.issuer, subject=identity.subject
    )
    username = next((n for n in names if repository.get_user_by_name(session, n) is None), None)
    if username is None:
        raise SsoError("username_taken", f"usernames {names} are taken")
    user = User(
        id=uuid.uuid4(),
        username=username,
        display_name=display_name or username,
        password_hash=None,
        must_change_password=False,
        role=role.value,
        active=True,
        created_at=utcnow(),
    )
    repository.add(session, user)
    audit.record(
        session, SSO_ACTOR, "user_created", "user", user.id, to_value=role.value,
        details={"username": username, "source": "sso", "issuer": identity.issuer},
    )  # fmt: skip
    log.info("user created through SSO: %s (%s)", username, role.value)
    return user


def sign_out(
    session: Session,
    *,
    session_id: str | None,
    user_id: uuid.UUID | None,
    settings: Settings,
    base_url: str,
) -> str | None:
    """End this browser session; the provider's end-session URL when the user signed in through
    it and it offers one (RP-initiated logout), else None."""
    if session_id is not None:
        auth_service.logout(session, session_id=session_id)
    if not settings.oidc_enabled or user_id is None:
        return None
    if oidc_repository.identity_of(session, user_id=user_id, issuer=settings.oidc_issuer) is None:
        return None
    back = (settings.public_url or base_url.rstrip("/")) + "/login"
    return oidc_client.end_session_url(settings, post_logout_redirect_uri=back)
