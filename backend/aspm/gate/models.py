"""Gate evaluations: one row per `aspm gate` run (or POST /api/v1/gate/evaluations).

On a server with the job queue (PostgreSQL) the row exists from the request on: `status` queued,
then running (a worker took it; `attempts` counts the runs, more than 1 when a dead worker's job
ran again), then done (the verdict columns below and `result` filled in one transaction with the
reports' imports) or error (`error` says why; nothing of the evaluation was kept). An inline
evaluation is written once, done. `passed` and `scope` are NULL until done.

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
- `result`: the whole answer (aspm.gate.schemas.GateResult as JSON, SARIF included when asked),
  what GET /gate/evaluations/{id} returns once done
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime
from aspm.gate.policy import GateScope


class EvaluationStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"


FINAL_STATUSES = (EvaluationStatus.DONE, EvaluationStatus.ERROR)


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
    passed: Mapped[bool | None] = mapped_column(Boolean)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    evaluated_count: Mapped[int] = mapped_column(Integer, default=0)
    ignored_count: Mapped[int] = mapped_column(Integer, default=0)
    finding_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    failed_rules: Mapped[list[str]] = mapped_column(JSONType, default=list)
    policy_name: Mapped[str] = mapped_column(String(100))
    policy_digest: Mapped[str] = mapped_column(String(64))
    scope: Mapped[GateScope | None] = mapped_column(StrEnumType(GateScope, 10))
    baseline: Mapped[str | None] = mapped_column(String(300))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    import_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[EvaluationStatus] = mapped_column(
        StrEnumType(EvaluationStatus, 10), default=EvaluationStatus.DONE, server_default="done"
    )
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
