"""Gate evaluations: one row per `aspm gate` run (or POST /api/v1/gate/evaluations).

The metrics "violations blocked before deploy" counts rows with `passed = false` and reads their
`finding_ids`. Columns:
- `evaluated_at`, `actor` ("cli", "user:alice", "token:<id>"), `asset_id` (NULL when the reports
  spanned several assets; `asset_name` then says how many), `branch`, `commit`
- `passed`, `failed_count` (distinct findings that failed a rule), `evaluated_count` (findings the
  rules looked at), `ignored_count` (accepted risks, false positives, suppressed, not new)
- `finding_ids`: JSON list of the failing findings' ids. A dry run stores nothing else, so its
  failing findings that were new exist nowhere: only ids of findings already in the database are
  listed, while `failed_count` counts them all.
- `failed_rules`: JSON list of the ids of the rules that failed
- `policy_name`, `policy_digest` (sha256 of the normalized policy), `scope` (new/all),
  `baseline`, `dry_run`, `import_ids` (JSON list; empty for a dry run)
"""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime
from aspm.gate.policy import GateScope


class GateEvaluation(Base):
    __tablename__ = "gate_evaluations"
    __table_args__ = (Index("ix_gate_evaluations_asset", "asset_id", "evaluated_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    asset_name: Mapped[str | None] = mapped_column(String(200))
    branch: Mapped[str | None] = mapped_column(String(300))
    commit: Mapped[str | None] = mapped_column(String(100))
    passed: Mapped[bool] = mapped_column(Boolean)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    evaluated_count: Mapped[int] = mapped_column(Integer, default=0)
    ignored_count: Mapped[int] = mapped_column(Integer, default=0)
    finding_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    failed_rules: Mapped[list[str]] = mapped_column(JSONType, default=list)
    policy_name: Mapped[str] = mapped_column(String(100))
    policy_digest: Mapped[str] = mapped_column(String(64))
    scope: Mapped[GateScope] = mapped_column(StrEnumType(GateScope, 10))
    baseline: Mapped[str | None] = mapped_column(String(300))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    import_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
