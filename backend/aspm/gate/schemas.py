"""Gate results as clients (CLI --format json, REST) see them."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from aspm.gate.models import EvaluationStatus
from aspm.ingest.schemas import IngestResult

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_ERROR = 2


class PolicyRef(BaseModel):
    name: str
    digest: str = Field(description="sha256 of the normalized policy")
    source: str


class RuleResult(BaseModel):
    rule_id: str
    description: str
    asset: str
    max: int = Field(description="most findings allowed; more fail the rule")
    enabled: bool
    matched: int
    failed: bool
    finding_ids: list[str] = Field(description="matched findings (`new:N` for a dry run's new one)")


class FailingFinding(BaseModel):
    id: str | None = Field(description="finding id; null for a dry run's new finding")
    new: bool
    title: str
    severity: str
    priority: str | None
    risk_score: int | None
    category: str
    asset: str
    tools: list[str]
    where: str = Field(description="path:line, or the resource")
    failed_rules: list[str]
    remediation: str
    fix: list[str] = Field(description="what the failed rules advise")
    accept: str | None = Field(description="how to accept the risk (null for a dry run's new one)")


class IgnoredFinding(BaseModel):
    id: str | None
    title: str
    reason: str = Field(description="accepted_risk, false_positive, wont_fix, suppressed, not new")


class GateResult(BaseModel):
    evaluation_id: uuid.UUID | None = Field(description="the recorded evaluation (null: not kept)")
    passed: bool
    exit_code: int = Field(description="0 pass, 1 policy failure")
    evaluated_at: datetime
    policy: PolicyRef
    asset: str | None
    branch: str | None
    commit: str | None
    scope: str = Field(description="new or all (after --new-only / --baseline)")
    baseline: str | None
    dry_run: bool
    evaluated: int = Field(description="findings the rules looked at")
    failed: int = Field(description="distinct findings that failed a rule")
    imports: list[IngestResult]
    rules: list[RuleResult]
    failing: list[FailingFinding]
    ignored: list[IgnoredFinding]
    sarif: dict[str, Any] | None = Field(
        None, description="SARIF 2.1.0 of the failing findings, when asked for"
    )


class GateEvaluationRead(BaseModel):
    id: uuid.UUID
    status: EvaluationStatus = Field(
        description="queued or running (a worker evaluates it: PostgreSQL server), done (the "
        "verdict is in) or error (`error` says why; nothing of it was stored)"
    )
    error: str | None
    attempts: int = Field(description="worker runs so far (more than 1: a dead worker's retried)")
    evaluated_at: datetime = Field(description="when queued, until done or error: when it ended")
    actor: str
    asset_id: uuid.UUID | None
    asset_name: str | None
    branch: str | None
    commit: str | None
    passed: bool | None = Field(description="null until done")
    failed_count: int
    evaluated_count: int
    ignored_count: int
    finding_ids: list[str]
    failed_rules: list[str]
    policy_name: str
    policy_digest: str
    scope: str | None = Field(description="new or all; null until done")
    baseline: str | None
    dry_run: bool
    import_ids: list[str]

    model_config = {"from_attributes": True}


class GateEvaluationDetail(GateEvaluationRead):
    """One evaluation; once done, with the whole answer the gate gave (as POST answers inline)."""

    result: GateResult | None = Field(
        description="the gate's answer once done (null before, on error, and for evaluations "
        "recorded before results were kept)"
    )
