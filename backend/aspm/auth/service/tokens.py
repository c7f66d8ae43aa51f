"""API tokens: created for a user (scopes capped by the user's role, optionally bound to assets),
listed, revoked (aspm.api.deps checks what a token bound to assets may reach)."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from aspm.assets import service as assets_service
from aspm.audit import service as audit
from aspm.auth import credentials, repository
from aspm.auth.models import ApiToken
from aspm.auth.principal import Principal, Role, Scope
from aspm.auth.schemas import TokenCreate, TokenCreated, TokenRead
from aspm.auth.service.common import ROLE_SCOPES, actor_name, user_by_name_or_raise, user_or_raise
from aspm.common.clock import utcnow
from aspm.errors import InvalidInput, NotFound


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
    user = user_by_name_or_raise(session, spec.user)
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
        created_by=actor_name(actor),
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
    user = user_or_raise(session, token.user_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "token_revoked", "token", token.id,
                     details={"name": token.name, "user": user.username})  # fmt: skip
    return _token_read(token, user.username, utcnow())
