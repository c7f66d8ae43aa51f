"""Risk policy and explanations as clients see them."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ExplanationItem(BaseModel):
    factor: str
    value: str
    multiplier: float
    source: str
    text: str = Field(description="the same, in words")


class RiskExplanation(BaseModel):
    finding_id: uuid.UUID
    title: str
    risk_score: int | None
    priority: str | None
    sla_due_at: datetime | None
    policy_version: str | None
    factors: list[ExplanationItem]
    summary: list[str] = Field(description="the explanation as sentences, in order")


class RiskPolicyRead(BaseModel):
    version: str
    digest: str
    source: str
    applied_at: datetime | None
    applied_by: str | None
    policy: dict[str, Any]


class RiskPolicyWrite(BaseModel):
    yaml: str = Field(min_length=1, max_length=200_000, description="a risk-policy.yaml document")


class RescoreResult(BaseModel):
    policy_version: str
    selected: int = Field(description="findings evaluated")
    distinct_inputs: int = Field(description="distinct scoring inputs among them")
    updated: int = Field(
        description="findings whose score, priority, SLA due date or explanation changed; the "
        "others already hold exactly what this policy gives and are not rewritten"
    )
    duration_ms: int
