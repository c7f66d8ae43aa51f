"""Configuration from ASPM_* environment variables (and an optional .env file)."""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-key-change-me"  # noqa: S105 - refused in prod by the validator
DEFAULT_DATABASE_URL = "sqlite:///./data/aspm.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASPM_", env_file=".env", extra="ignore")

    environment: Literal["dev", "test", "prod"] = "dev"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    ingest_batch_size: int = 5000
    max_upload_bytes: int = 2 * 1024**3
    host: str = "127.0.0.1"
    port: int = 8000
    risk_policy: Path | None = None  # a risk-policy.yaml replacing the shipped default
    # triage: accepting a risk needs an approver other than the requester
    risk_acceptance_requires_approver: bool = False
    # authentication (aspm.auth): cookies, session lifetime, login rate limit, password hashing
    cookie_secure: bool = True  # Secure cookies; browsers accept them from http://127.0.0.1 too
    session_hours: int = 12  # absolute lifetime of a browser session
    session_idle_minutes: int = 120  # a session unused this long has expired
    login_max_failures: int = 5  # per username within the window, then 429
    login_max_failures_per_ip: int = 20  # per client address within the window
    login_window_minutes: int = 15
    # argon2 checks running at once in one server process (each takes argon2_memory_kib of
    # memory); a sign-in or password change beyond them gets 429 with Retry-After
    password_hash_concurrency: int = Field(default=4, ge=1)
    # reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated
    # addresses or CIDRs); empty: none, the client address is the connection's peer
    trusted_proxies: str = ""
    argon2_time_cost: int = 3  # argon2-cffi's defaults (RFC 9106 low-memory profile)
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # imports as jobs (aspm.jobs): "auto" queues uploads to the server when the database is
    # PostgreSQL (workers: `aspm worker`) and imports them inside the request on SQLite
    import_mode: Literal["auto", "inline", "queue"] = "auto"
    # where queued uploads wait for a worker (created 0700, files 0600, deleted when the job
    # ends); API processes and workers must share it
    spool_dir: Path = Path("data/spool")
    # a worker silent this long (no heartbeat) is dead, and its job runs again on another
    job_lease_seconds: float = Field(default=30.0, gt=0)
    # single sign-on (aspm.auth.oidc_*; README "Single sign-on"): OpenID Connect authorization
    # code flow with PKCE. Enabled when oidc_issuer and oidc_client_id are set.
    oidc_issuer: str = ""  # e.g. https://login.example.com/realms/acme (discovery below it)
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")  # empty: a public client (PKCE only)
    oidc_provider_name: str = "single sign-on"  # the button says "Sign in with <name>"
    oidc_scopes: str = "openid profile email"
    # role and team mappings from claims (YAML, read again at every sign-in); none: everyone
    # who signs in is a viewer of no team
    oidc_mapping_file: Path | None = None
    # how far the provider's clock may be off ours when checking exp/iat (bounded: 5 minutes)
    oidc_clock_skew_seconds: int = Field(default=60, ge=0, le=300)
    oidc_http_timeout_seconds: float = Field(default=10.0, gt=0)
    # the dashboard's public address (https://aspm.example.com) for the redirect URI that the
    # provider is told; empty: taken from the request (fine without a reverse proxy)
    public_url: str = ""
    # password sign-in; false leaves it only to the break-glass admins below
    local_login: bool = True
    # usernames (comma-separated) that may still sign in with a password when local_login is
    # false, if they are active admins; empty: nobody (recovery is then `aspm users` on the host)
    break_glass_admins: str = "admin"
    # tickets in Jira and GitHub Issues (aspm.integrations.tickets_*; README "Tickets"): the
    # trackers and project mapping (YAML, read on each use); none: tickets are off
    tickets_file: Path | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(
                    f"ASPM_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR"
                ) from exc
        return value

    @field_validator("oidc_issuer", "public_url")
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        if value and not _https_or_loopback(value):
            raise ValueError(
                f"{value!r} must be an https:// URL (http:// only on a loopback address)"
            )
        return value.rstrip("/")

    @model_validator(mode="after")
    def _oidc_complete(self) -> "Settings":
        if bool(self.oidc_issuer) != bool(self.oidc_client_id):
            raise ValueError("single sign-on needs both ASPM_OIDC_ISSUER and ASPM_OIDC_CLIENT_ID")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def break_glass_admin_list(self) -> list[str]:
        return _split(self.break_glass_admins)

    @model_validator(mode="after")
    def _no_dev_secret_in_prod(self) -> "Settings":
        if self.environment == "prod" and self.secret_key.get_secret_value() == DEV_SECRET:
            raise ValueError(
                "ASPM_SECRET_KEY must be set to a real secret when ASPM_ENVIRONMENT=prod"
            )
        return self

    @property
    def secret_hmac_key(self) -> bytes:
        """Instance key for secret HMACs (DESIGN §5)."""
        return self.secret_key.get_secret_value().encode()

    @property
    def queue_imports(self) -> bool:
        """Uploads go to the job queue (202) rather than being imported in the request."""
        if self.import_mode == "auto":
            return self.database_url.startswith("postgresql")
        return self.import_mode == "queue"

    def trusted_proxy_list(self) -> list[str]:
        return _split(self.trusted_proxies)

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite://":
            return Path(self.database_url[len(prefix) :])
        return None


def _https_or_loopback(url: str) -> bool:
    parsed = urlsplit(url)
    if parsed.scheme == "https" and parsed.hostname:
        return True
    if parsed.scheme != "http" or not parsed.hostname:
        return False
    if parsed.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parsed.hostname).is_loopback
    except ValueError:
        return False


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
