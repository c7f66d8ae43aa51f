"""Who is acting: a signed-in user, an API token, or the system itself. Pure; no FastAPI, no SQL."""

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    ADMIN = "admin"
    SECURITY_LEAD = "security_lead"
    ENGINEER = "engineer"
    VIEWER = "viewer"


class Scope(StrEnum):
    """What an API token may do; a signed-in user has every scope its role allows."""

    INGEST = "ingest"
    READ = "read"
    TRIAGE = "triage"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Literal["user", "token", "system"]
    id: uuid.UUID | None
    name: str
    role: Role
    team_names: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[Scope] = field(default_factory=lambda: frozenset(Scope))
    asset_ids: frozenset[uuid.UUID] | None = None  # a token bound to these assets only

    @property
    def actor(self) -> str:
        """How audit events name this principal: `user:alice`, `token:<id>`, `system:ingest`."""
        return f"{self.kind}:{self.id if self.kind == 'token' else self.name}"


SYSTEM = Principal(kind="system", id=None, name="ingest", role=Role.ADMIN)
