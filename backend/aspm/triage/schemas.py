"""Triage requests and responses: decisions, assignment, comments, rules, bulk actions."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from aspm.common.severity import Severity
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import FindingQuery

MAX_BULK = 5000  # findings one bulk action may change (all or nothing, in one transaction)
MAX_VERSION = 2**31 - 1


class ErrorRead(BaseModel):
    """The error envelope (api/errors.py): `detail` is a message, or a list of field errors."""

    error: str
    detail: Any


class TriageRequest(BaseModel):
    state: TriageState
    reason: str | None = Field(None, max_length=4000, description="required for closing moves")
    expires_at: AwareDatetime | None = Field(None, description="accepted_risk: until when")
    approver: str | None = Field(None, max_length=200, description="accepted_risk: who approved")
    version: int = Field(
        ge=0, le=MAX_VERSION, description="the finding version the client saw (409 if it changed)"
    )


class AssignRequest(BaseModel):
    assignee: str | None = Field(None, max_length=200, description="user name; null unassigns")
    team: str | None = Field(None, max_length=200, description="team name; null clears")
    reason: str | None = Field(None, max_length=4000)
    version: int = Field(ge=0, le=MAX_VERSION)


class TriageResult(BaseModel):
    id: uuid.UUID
    triage_state: TriageState
    assignee: str | None
    team: str | None
    version: int


class CommentCreate(BaseModel):
    body: str = Field(min_length=1, max_length=20000)


class CommentRead(BaseModel):
    id: uuid.UUID
    finding_id: uuid.UUID
    author: str
    body: str
    created_at: datetime

    model_config = {"from_attributes": True}


class BulkAction(StrEnum):
    TRIAGE = "triage"
    ASSIGN = "assign"


class BulkRequest(BaseModel):
    ids: list[uuid.UUID] | None = Field(None, max_length=MAX_BULK)
    filter: FindingQuery | None = Field(
        None, description="the findings list's filter (default: not rule-suppressed)"
    )
    action: BulkAction
    reason: str = Field(min_length=1, max_length=4000, description="one justification for all")
    state: TriageState | None = None
    expires_at: AwareDatetime | None = None
    approver: str | None = Field(None, max_length=200)
    assignee: str | None = Field(None, max_length=200)
    team: str | None = Field(None, max_length=200)
    versions: dict[uuid.UUID, int] | None = Field(
        None, description="optional: the version the client saw per id (409 if any changed)"
    )


class BulkResult(BaseModel):
    action: BulkAction
    changed: int
    ids: list[uuid.UUID]


class SuppressionCriteria(BaseModel):
    """What a suppression rule matches (every criterion given must hold)."""

    tool: str | None = Field(None, max_length=100, description="a detection's tool, exact")
    rule: str | None = Field(None, max_length=300, description="rule id or control id (glob)")
    asset: str | None = Field(None, max_length=200, description="asset name, exact")
    path_glob: str | None = Field(None, max_length=1000)
    resource_pattern: str | None = Field(None, max_length=1000)


class SuppressionRuleCreate(SuppressionCriteria):
    justification: str = Field(min_length=1, max_length=4000)
    approver: str | None = Field(None, max_length=200)
    expires_at: AwareDatetime | None = None


class SuppressionRuleRead(BaseModel):
    id: uuid.UUID
    tool: str | None
    rule: str | None
    asset: str | None
    path_glob: str | None
    resource_pattern: str | None
    justification: str
    author: str
    approver: str | None
    expires_at: datetime | None
    created_at: datetime
    ended_at: datetime | None
    ended_reason: str | None
    findings: int = Field(description="findings this rule suppresses now")


class SuppressedFindingRead(BaseModel):
    """A finding as a suppression preview or a rule's list shows it."""

    id: uuid.UUID
    title: str
    severity: Severity
    priority: str | None
    risk_score: int | None
    asset: str
    path: str | None
    resource: str | None
    detector_state: DetectorState
    triage_state: TriageState
    open: bool = Field(description="open work now (active, undecided, not hidden)")


class SuppressionPreview(BaseModel):
    """What a rule with these criteria would hide if it were saved now."""

    findings: int = Field(description="findings it would hide (not hidden by another rule yet)")
    open: int = Field(description="of those, open work (they leave the queue)")
    already_suppressed: int = Field(description="matching findings another rule hides already")
    items: list[SuppressedFindingRead] = Field(
        description="the findings it would hide, highest risk first (at most `limit`)"
    )


class OwnershipRuleCreate(BaseModel):
    asset: str | None = Field(None, max_length=200, description="asset name, exact")
    path_glob: str | None = Field(None, max_length=1000)
    resource_pattern: str | None = Field(None, max_length=1000)
    team: str = Field(min_length=1, max_length=200)
    position: int | None = Field(None, ge=0, le=100_000, description="default: after the last rule")


class OwnershipRuleRead(BaseModel):
    id: uuid.UUID
    position: int
    asset: str | None
    path_glob: str | None
    resource_pattern: str | None
    team: str
    author: str
    created_at: datetime


class RiskAcceptanceRead(BaseModel):
    id: uuid.UUID
    finding_id: uuid.UUID
    justification: str
    requested_by: str
    approver: str | None
    expires_at: datetime
    created_at: datetime
    ended_at: datetime | None
    ended_reason: str | None

    model_config = {"from_attributes": True}


class ExpiryResult(BaseModel):
    acceptances_expired: int
    rules_expired: int
    findings_restored: int


class RulesApplied(BaseModel):
    owned: int = 0
    suppressed: int = 0
