"""The OpenID Connect relying party: discovery, the authorization request (code flow + PKCE),
the code exchange and the ID token check. No SQL, no FastAPI.

Authlib speaks OAuth 2.0 (authorization URL with the S256 code challenge, token request with the
client's authentication); joserfc checks the ID token (signature against the provider's JWKS,
`iss`, `aud`, `azp`, `exp`, `iat`, `nonce`) and seals the short-lived flow cookie. Nothing here
parses or signs a JWT by hand.

Provider metadata and keys are cached per process (they are public and the provider's to
change): metadata for an hour, keys until a token names a key id the cache lacks, when the JWKS
is fetched again (key rotation), at most once every few seconds.
"""

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwe, jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from aspm.common.clock import utcnow
from aspm.errors import AspmError
from aspm.settings import Settings

log = logging.getLogger(__name__)

METADATA_TTL = 3600.0  # seconds
JWKS_TTL = 3600.0
JWKS_MIN_REFETCH = 5.0  # an unknown key id fetches the JWKS again at most this often
FLOW_SECONDS = 600  # the time a person has at the provider's sign-in page
# asymmetric algorithms only: never `none`, never HS* (the client secret is no signing key here)
ALLOWED_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
                "EdDSA")  # fmt: skip


class SsoError(AspmError):
    """A sign-in through the provider failed. `code` is what the login page is told (a fixed
    word); the message is for the log and the audit trail, never with a token in it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    signing_algs: tuple[str, ...]


@dataclass(slots=True)
class _Cached:
    metadata: ProviderMetadata | None = None
    metadata_at: float = 0.0
    keys: KeySet | None = None
    keys_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def _entry(issuer: str) -> _Cached:
    with _cache_lock:
        return _cache.setdefault(issuer, _Cached())


def forget_providers() -> None:
    """Tests only: drop cached metadata and keys."""
    with _cache_lock:
        _cache.clear()


def _http(settings: Settings) -> Any:
    """Authlib's OAuth 2.0 client (an httpx client) for this provider and client."""
    from authlib.integrations.httpx_client import OAuth2Client

    secret = settings.oidc_client_secret.get_secret_value()
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=secret or None,
        token_endpoint_auth_method="client_secret_basic" if secret else "none",
        scope=settings.oidc_scopes,
        code_challenge_method="S256",
        timeout=settings.oidc_http_timeout_seconds,
        follow_redirects=False,
        trust_env=False,
    )


def _get_json(settings: Settings, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
    try:
        with _http(settings) as client:
            response = client.request("GET", url, withhold_token=True, **kwargs)
    except Exception as exc:  # network errors of any kind: the provider is unreachable
        raise SsoError("provider_unreachable", f"{what}: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise SsoError("provider_error", f"{what}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise SsoError("provider_error", f"{what}: not JSON") from exc
    if not isinstance(data, dict):
        raise SsoError("provider_error", f"{what}: not a JSON object")
    return data


def metadata(settings: Settings) -> ProviderMetadata:
    """The provider's discovery document (cached), checked to name the configured issuer."""
    entry = _entry(settings.oidc_issuer)
    with entry.lock:
        if entry.metadata is not None and time.monotonic() - entry.metadata_at < METADATA_TTL:
            return entry.metadata
        url = f"{settings.oidc_issuer}/.well-known/openid-configuration"
        doc = _get_json(settings, url, "discovery document")
        issuer = str(doc.get("issuer", "")).rstrip("/")
        if issuer != settings.oidc_issuer:
            raise SsoError("provider_error", f"discovery names issuer {issuer!r}, not ours")
        try:
            meta = ProviderMetadata(
                issuer=str(doc["issuer"]),
                authorization_endpoint=str(doc["authorization_endpoint"]),
                token_endpoint=str(doc["token_endpoint"]),
                jwks_uri=str(doc["jwks_uri"]),
                userinfo_endpoint=doc.get("userinfo_endpoint"),
                end_session_endpoint=doc.get("end_session_endpoint"),
                signing_algs=tuple(
                    a
                    for a in doc.get("id_token_signing_alg_values_supported", ["RS256"])
                    if a in ALLOWED_ALGS
                ),
            )
        except KeyError as exc:
            raise SsoError("provider_error", f"discovery lacks {exc.args[0]}") from exc
        entry.metadata, entry.metadata_at = meta, time.monotonic()
        return meta


def _keys(
    settings: Settings, meta: ProviderMetadata, kid: str | None, *, force: bool = False
) -> KeySet:
    """The provider's signing keys; fetched again when `kid` is not among them (rotation) or
    with `force`, but not more often than every JWKS_MIN_REFETCH seconds."""
    entry = _entry(settings.oidc_issuer)
    with entry.lock:
        now = time.monotonic()
        keys = entry.keys
        known = keys is not None and (kid is None or any(k.kid == kid for k in keys.keys))
        fresh = now - entry.keys_at < JWKS_TTL
        if keys is not None and known and fresh and not force:
            return keys
        if keys is not None and now - entry.keys_at < JWKS_MIN_REFETCH:
            return keys  # fetched a moment ago: an unknown key id stays unknown
        doc = _get_json(settings, meta.jwks_uri, "JWKS")
        try:
            keys = KeySet.import_key_set(doc)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise SsoError("provider_error", f"JWKS not readable: {exc}") from exc
        entry.keys, entry.keys_at = keys, now
        log.info("SSO: fetched %d signing key(s) of %s", len(keys.keys), settings.oidc_issuer)
        return keys


# --- the flow cookie --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flow:
    """What the callback must find again: bound to this browser by an encrypted cookie."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str
    expires: int  # unix time


def _flow_key(settings: Settings) -> OctKey:
    raw = hmac.new(settings.secret_hmac_key, b"aspm-oidc-flow-cookie", hashlib.sha256).digest()
    return OctKey.import_key(raw)


def seal_flow(flow: Flow, settings: Settings) -> str:
    """The flow as a JWE (dir + A256GCM) under a key derived from the instance secret: the
    browser keeps it, cannot read (the PKCE verifier) or change it."""
    payload = json.dumps(
        {
            "s": flow.state,
            "n": flow.nonce,
            "v": flow.code_verifier,
            "r": flow.redirect_uri,
            "p": flow.next_path,
            "e": flow.expires,
        }
    ).encode()
    return jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, payload, _flow_key(settings))


def open_flow(sealed: str | None, settings: Settings) -> Flow:
    if not sealed:
        raise SsoError("no_flow", "the sign-in cookie is missing (expired, or another browser)")
    try:
        plain = jwe.decrypt_compact(sealed, _flow_key(settings)).plaintext
        data = json.loads(plain or b"")
        flow = Flow(
            state=str(data["s"]), nonce=str(data["n"]), code_verifier=str(data["v"]),
            redirect_uri=str(data["r"]), next_path=str(data["p"]), expires=int(data["e"]),
        )  # fmt: skip
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SsoError("no_flow", "the sign-in cookie is not valid") from exc
    if flow.expires <= int(utcnow().timestamp()):
        raise SsoError("no_flow", "the sign-in took too long; start again")
    return flow


# --- the protocol -----------------------------------------------------------------------------


def authorization_url(settings: Settings, *, redirect_uri: str, next_path: str) -> tuple[str, Flow]:
    """Where to send the browser, and the flow to keep in its cookie. `state` binds the answer
    to this browser, `nonce` binds the ID token to this request, and the PKCE verifier binds
    the code to this client."""
    meta = metadata(settings)
    flow = Flow(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),  # 86 characters (RFC 7636: 43-128)
        redirect_uri=redirect_uri,
        next_path=next_path,
        expires=int(utcnow().timestamp()) + FLOW_SECONDS,
    )
    with _http(settings) as client:
        url, _ = client.create_authorization_url(
            meta.authorization_endpoint,
            redirect_uri=redirect_uri,
            state=flow.state,
            nonce=flow.nonce,
            code_verifier=flow.code_verifier,
        )
    return str(url), flow


@dataclass(frozen=True, slots=True)
class Identity:
    issuer: str
    subject: str
    claims: Mapping[str, object]  # the ID token's claims, plus userinfo's where it lacks them


def complete(settings: Settings, *, flow: Flow, code: str) -> Identity:
    """Exchange the code (with the PKCE verifier) and check the ID token; `SsoError` when
    anything is off. The caller has checked `state` against the flow already."""
    from authlib.integrations.base_client import OAuthError

    meta = metadata(settings)
    try:
        with _http(settings) as client:
            token = client.fetch_token(
                meta.token_endpoint,
                grant_type="authorization_code",
                code=code,
                redirect_uri=flow.redirect_uri,
                code_verifier=flow.code_verifier,
            )
    except OAuthError as exc:
        raise SsoError("token_refused", f"token endpoint: {exc.error}") from exc
    except Exception as exc:  # network errors, non-JSON answers
        raise SsoError("provider_unreachable", f"token endpoint: {type(exc).__name__}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoError("token_refused", "the token response holds no ID token")
    claims = verify_id_token(settings, meta, id_token, nonce=flow.nonce)
    subject = str(claims["sub"])
    access_token = token.get("access_token")
    if meta.userinfo_endpoint and isinstance(access_token, str):
        claims = _with_userinfo(settings, meta.userinfo_endpoint, access_token, subject, claims)
    return Identity(issuer=settings.oidc_issuer, subject=subject, claims=claims)


def verify_id_token(
    settings: Settings,
    meta: ProviderMetadata,
    id_token: str,
    *,
    nonce: str,
    now: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """The ID token's claims after checking signature, issuer, audience, authorized party,
    expiry and issue time (within the configured clock skew) and nonce."""
    algs = list(meta.signing_algs) or ["RS256"]
    try:
        kid = jws.extract_compact(id_token.encode()).headers().get("kid")
    except (JoseError, ValueError) as exc:
        raise SsoError("bad_token", "the ID token is not a compact JWS") from exc
    kid = kid if isinstance(kid, str) else None
    try:
        token = jwt.decode(id_token, _keys(settings, meta, kid), algorithms=algs)
    except JoseError:
        # perhaps signed with a key published since (rotation without a key id): fetch again
        try:
            token = jwt.decode(id_token, _keys(settings, meta, kid, force=True), algorithms=algs)
        except JoseError as exc:
            raise SsoError("bad_token", f"ID token signature: {exc.error}") from exc
    clock = now or (lambda: int(utcnow().timestamp()))
    registry = jwt.JWTClaimsRegistry(
        now=clock,
        leeway=settings.oidc_clock_skew_seconds,
        iss={"essential": True, "value": meta.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": settings.oidc_client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        code = "expired_token" if "exp" in str(exc.description or exc.error) else "bad_token"
        raise SsoError(code, f"ID token claims: {exc.error}: {exc.description}") from exc
    claims = dict(token.claims)
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise SsoError("bad_token", "ID token for several audiences without our azp")
    if "azp" in claims and claims["azp"] != settings.oidc_client_id:
        raise SsoError("bad_token", "ID token authorized for another client")
    iat = claims.get("iat")
    if isinstance(iat, int | float) and iat > clock() + settings.oidc_clock_skew_seconds:
        raise SsoError("bad_token", "ID token issued in the future")
    return claims


def _with_userinfo(
    settings: Settings, url: str, access_token: str, subject: str, claims: dict[str, Any]
) -> dict[str, Any]:
    """Claims the ID token lacks (many providers put groups only in userinfo); userinfo must
    be about the same subject (OpenID Connect Core 5.3.2)."""
    info = _get_json(settings, url, "userinfo", headers={"Authorization": f"Bearer {access_token}"})
    if info.get("sub") != subject:
        raise SsoError("bad_token", "userinfo is about another subject")
    return {**info, **claims}


def end_session_url(settings: Settings, *, post_logout_redirect_uri: str) -> str | None:
    """RP-initiated logout at the provider, when it offers it (the cached discovery answer;
    an unreachable provider means no redirect, the local session has ended anyway)."""
    try:
        meta = metadata(settings)
    except SsoError:
        log.warning("SSO: provider unreachable at sign-out; local session ended only")
        return None
    if not meta.end_session_endpoint:
        return None
    from authlib.common.urls import add_params_to_uri

    return str(
        add_params_to_uri(
            meta.end_session_endpoint,
            [
                ("client_id", settings.oidc_client_id),
                ("post_logout_redirect_uri", post_logout_redirect_uri),
            ],
        )
    )
