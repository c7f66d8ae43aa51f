"""From an OpenID Connect provider's claims to a user: username, role and teams. Pure, except
`load_mapping`, which reads the YAML file named by ASPM_OIDC_MAPPING_FILE.

```yaml
claim: groups                      # the claim listing the person's groups (a list or a string)
username_claims: [preferred_username, email]   # the first one present names a new user
roles:                             # group -> role; several matches: the highest role wins
  aspm-admins: admin
  security-leads: security_lead
  developers: engineer
teams:                             # group -> team (created when missing)
  team-payments: payments
default_role: viewer               # groups that map to no role; null refuses the sign-in
```
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aspm.auth.principal import Role

ROLE_RANK: dict[Role, int] = {
    Role.VIEWER: 0,
    Role.ENGINEER: 1,
    Role.SECURITY_LEAD: 2,
    Role.ADMIN: 3,
}
_NOT_NAME_CHARS = re.compile(r"[^A-Za-z0-9._@-]+")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")  # schemas.NAME_PATTERN


class MappingError(ValueError):
    """The mapping file cannot be read or is not valid."""


class ClaimMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str = "groups"
    username_claims: tuple[str, ...] = ("preferred_username", "email")
    roles: dict[str, Role] = Field(default_factory=dict)
    teams: dict[str, str] = Field(default_factory=dict)
    default_role: Role | None = Role.VIEWER

    def managed_teams(self) -> frozenset[str]:
        """Teams that sign-in sets from the groups; other memberships are left to admins."""
        return frozenset(self.teams.values())


DEFAULT_MAPPING = ClaimMapping()


def load_mapping(path: Path | None) -> ClaimMapping:
    """The mapping in `path` (read on each call, so that an edit counts at the next sign-in);
    without a file: no group maps to anything and everyone gets `default_role` (viewer)."""
    if path is None:
        return DEFAULT_MAPPING
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"cannot read the SSO mapping file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"the SSO mapping file {path} must hold a mapping")
    try:
        mapping = ClaimMapping.model_validate(data)
    except ValidationError as exc:
        raise MappingError(f"the SSO mapping file {path} is not valid: {exc}") from exc
    bad = sorted(t for t in mapping.teams.values() if not _NAME.match(t))
    if bad:
        raise MappingError(f"the SSO mapping file {path} names invalid teams: {bad}")
    return mapping


def groups_of(claims: Mapping[str, object], claim: str) -> frozenset[str]:
    """The groups listed in `claim`: a list of strings, or one string (space-separated)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list | tuple):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role | None  # None: the groups map to no role and there is no default role
    teams: frozenset[str]
    matched_groups: frozenset[str]


def grant_for(mapping: ClaimMapping, claims: Mapping[str, object]) -> Grant:
    groups = groups_of(claims, mapping.claim)
    roles = [mapping.roles[g] for g in groups if g in mapping.roles]
    role = max(roles, key=ROLE_RANK.__getitem__) if roles else mapping.default_role
    teams = frozenset(mapping.teams[g] for g in groups if g in mapping.teams)
    matched = frozenset(g for g in groups if g in mapping.roles or g in mapping.teams)
    return Grant(role=role, teams=teams, matched_groups=matched)


def username_candidates(
    mapping: ClaimMapping, claims: Mapping[str, object], *, issuer: str, subject: str
) -> list[str]:
    """Usernames to try for a new user, best first: the first username claim present (cleaned
    to the characters usernames allow), then the same with a suffix derived from the issuer and
    subject, which no other person shares."""
    base = ""
    for name in mapping.username_claims:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            base = _NOT_NAME_CHARS.sub("-", value.strip()).strip("-._@")[:80]
            if base:
                break
    suffix = hashlib.sha256(f"{issuer}\x1f{subject}".encode()).hexdigest()[:8]
    if not base or not _NAME.match(base):
        return [f"sso-{suffix}"]
    return [base, f"{base}-{suffix}"]
