"""Risk policies as applied: an append-only history, the newest row is the policy in force."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, UTCDateTime


class RiskPolicyRecord(Base):
    __tablename__ = "risk_policies"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    version: Mapped[str] = mapped_column(String(50))
    digest: Mapped[str] = mapped_column(String(16))  # of the content: same version, new numbers
    source: Mapped[str] = mapped_column(String(500))  # "default", a file path, or "api"
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    applied_by: Mapped[str] = mapped_column(String(200))
