"""Comments, suppression rules, ownership rules and risk acceptances (DESIGN §7)."""

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, UTCDateTime


class FindingComment(Base):
    """A note on a finding. Comments are never edited or deleted."""

    __tablename__ = "finding_comments"
    __table_args__ = (Index("ix_finding_comments_finding", "finding_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    author: Mapped[str] = mapped_column(String(200))  # the actor: user:alice, token:<id>
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SuppressionRule(Base):
    """Hides matching findings (all given criteria must match). Ended rules stay for history.

    Patterns are globs: `*` matches any run of characters (slashes included), `?` one character,
    everything else itself; matching ignores case.
    """

    __tablename__ = "suppression_rules"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tool: Mapped[str | None] = mapped_column(String(100))  # a detection's tool, exact
    rule: Mapped[str | None] = mapped_column(String(300))  # tool rule id or control id (glob)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    path_glob: Mapped[str | None] = mapped_column(String(1000))
    resource_pattern: Mapped[str | None] = mapped_column(String(1000))
    justification: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    approver: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ended_reason: Mapped[str | None] = mapped_column(String(20))  # removed | expired


class OwnershipRule(Base):
    """CODEOWNERS-like: findings of an asset and/or under a path glob belong to a team. Rules are
    ordered by position and, as in CODEOWNERS, the last matching rule wins."""

    __tablename__ = "ownership_rules"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    position: Mapped[int] = mapped_column(Integer, index=True)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    path_glob: Mapped[str | None] = mapped_column(String(1000))
    resource_pattern: Mapped[str | None] = mapped_column(String(1000))
    team: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RiskAcceptance(Base):
    """One acceptance of a finding's risk: who asked, who approved, why, until when. The open
    one (ended_at null) belongs to a finding in triage state accepted_risk."""

    __tablename__ = "risk_acceptances"
    __table_args__ = (Index("ix_risk_acceptances_open", "ended_at", "expires_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    justification: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    approver: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(20))  # expired | revoked | renewed
