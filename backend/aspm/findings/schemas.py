"""Findings as clients see them."""

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from aspm.assets.models import Environment
from aspm.common.paging import MAX_OFFSET, Page
from aspm.common.severity import Severity
from aspm.findings.models import DetectorState, TriageState


class FindingSort(StrEnum):
    RISK = "risk"
    SEVERITY = "severity"
    FIRST_SEEN = "first_seen"
    LAST_SEEN = "last_seen"
    TITLE = "title"
    PRIORITY = "priority"  # P1 first, then the earliest SLA due date, then risk


class SlaStatus(StrEnum):
    """Of an open finding with a due date (active, triage new/confirmed/in_progress): overdue
    past its due date; due_soon within DUE_SOON_DAYS of it; on_track otherwise."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


DUE_SOON_DAYS = 7


class PriorityFilter(StrEnum):
    """A risk priority band, or `none` (not scored, or below every band)."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    NONE = "none"


class SuppressedFilter(StrEnum):
    """Findings hidden by a suppression rule: left out (default), included, or only them."""

    EXCLUDE = "exclude"
    INCLUDE = "include"
    ONLY = "only"


class FindingQuery(BaseModel):
    """Which findings: the one filter of GET /findings, GET /exports/findings, the bulk action's
    `filter` and the CLI's server mode (aspm.client). A new filter is one field here (and its
    clause in repository.py, through FindingFilter); tests/findings/test_one_filter.py fails when
    a caller does not take it. Unknown names are refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")

    asset: str | None = Field(None, max_length=200)
    severity: list[Severity] = Field(default_factory=list)
    status: list[DetectorState] = Field(default_factory=list)
    triage: list[TriageState] = Field(default_factory=list)
    tool: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=20)
    q: str | None = Field(
        None,
        max_length=200,
        description="text search in title, control id, and each detection's rule id (CVE ids "
        "included), resource address or ARN, and path",
    )
    assignee: str | None = Field(None, max_length=200, description="a user name, or `me`")
    team: str | None = Field(
        None, max_length=200, description="a team name, or `mine` (any of your teams)"
    )
    sla_status: list[SlaStatus] = Field(default_factory=list)
    priority: list[PriorityFilter] = Field(default_factory=list)
    environment: list[Environment] = Field(default_factory=list, description="the asset's")
    suppressed: SuppressedFilter = Field(
        SuppressedFilter.EXCLUDE,
        description="findings hidden by suppression rules: exclude, include or only",
    )
    open: bool | None = Field(
        None,
        description="true: open findings only (active, not decided by triage, not hidden); "
        "false: every other one; absent: all",
    )
    import_id: uuid.UUID | None = Field(
        None, description="the findings one import created, resolved or reopened"
    )
    toxic: bool | None = Field(
        None, description="true: findings in a toxic combination; false: the others"
    )

    def params(self) -> tuple[tuple[str, str], ...]:
        """As query parameters (what differs from the defaults; lists repeated): the CLI's
        server mode sends exactly these."""
        return tuple(
            (name, str(item).lower() if isinstance(item, bool) else str(item))
            for name, value in self.model_dump(mode="json", exclude_defaults=True).items()
            for item in (value if isinstance(value, list) else [value])
        )


class FindingOrderQuery(FindingQuery):
    """The filter, sorted (exports)."""

    sort: FindingSort | None = Field(
        None, description="default: priority with assignee/team filters, else severity"
    )
    descending: bool = True


class FindingListQuery(FindingOrderQuery):
    """The filter, sorted and paged (GET /findings)."""

    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description="rows to skip; prefer `after` past the first pages"
    )
    after: str | None = Field(
        None,
        max_length=1000,
        description="keyset cursor: the page after the previous page's `next_cursor` (same sort "
        "and direction; 422 if it is not one)",
    )


class FindingFilter(BaseModel):
    """What the repository selects: a FindingQuery with `me`/`mine` resolved to names, a token's
    assets, and the order and page (findings.service.query_filter builds it)."""

    model_config = ConfigDict(extra="forbid")  # a FindingQuery field it lacks fails loudly

    asset: str | None = None
    severity: list[Severity] = Field(default_factory=list)
    status: list[DetectorState] = Field(default_factory=list)
    triage: list[TriageState] = Field(default_factory=list)
    tool: str | None = None
    category: str | None = None
    q: str | None = Field(
        None,
        description="text search in title, control id, and each detection's rule id (CVE ids "
        "included), resource address or ARN, and path",
    )
    sort: FindingSort = FindingSort.SEVERITY
    descending: bool = True
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)
    after: str | None = Field(
        None, description="keyset cursor: the page after it (`next_cursor` of the previous page)"
    )
    assignee: str | None = Field(None, description="user name (the API resolves `me`)")
    teams: list[str] | None = Field(
        None, description="finding team or asset owner team in these (the API resolves `mine`)"
    )
    sla_status: list[SlaStatus] = Field(default_factory=list)
    priority: list[PriorityFilter] = Field(default_factory=list)
    environment: list[Environment] = Field(default_factory=list, description="of the asset")
    suppressed: SuppressedFilter = SuppressedFilter.EXCLUDE
    asset_ids: list[uuid.UUID] | None = Field(None, description="restrict to these assets")
    open: bool | None = Field(
        None, description="true: open findings only (aspm.findings.states); false: the others"
    )
    import_id: uuid.UUID | None = Field(
        None, description="what one import changed: the findings it created, resolved or reopened"
    )
    toxic: bool | None = Field(
        None, description="true: findings in a toxic combination (a path over the inventory)"
    )


class DetectionRead(BaseModel):
    id: uuid.UUID
    tool: str
    rule_id: str
    title: str
    severity: Severity
    raw_severity: str | None
    category: str
    path: str | None
    start_line: int | None
    end_line: int | None
    resource: str | None
    resource_type: str | None
    cloud_provider: str | None
    account_id: str | None
    region: str | None
    snippet: str | None
    secret_preview: str | None
    secret_verified: bool | None
    suppressed: bool
    active: bool
    first_seen_at: datetime
    last_seen_at: datetime
    commit: str | None = Field(None, description="the commit the report found it in, if it says")
    code_url: str | None = Field(
        None,
        description="its file and lines in the repository's web view (GitHub, GitLab, Bitbucket "
        "Cloud), at the commit the import names, else the asset's default branch; null when the "
        "asset has no repository URL on a known host or the detection no path",
    )
    rule_url: str | None = Field(
        None, description="the rule's documentation page, as the report names it or by its id"
    )

    model_config = {"from_attributes": True}


class FindingRead(BaseModel):
    id: uuid.UUID
    title: str
    severity: Severity
    category: str
    control_id: str
    asset: str
    asset_id: uuid.UUID
    status: DetectorState = Field(description="detector state: active or fixed")
    triage_state: TriageState
    resource: str | None
    path: str | None
    cloud_provider: str | None
    account_id: str | None
    region: str | None
    tools: list[str]
    detections: int = Field(description="number of detections (all tools, active or not)")
    suppressed: bool = Field(description="suppressed by the tool itself (in the report)")
    assignee: str | None
    team: str | None = None
    suppression_rule_id: uuid.UUID | None = Field(
        None, description="the suppression rule hiding this finding, if any"
    )
    sla_status: SlaStatus | None = Field(None, description="open findings with a due date only")
    version: int = Field(1, description="send it back with a change (409 if it moved on)")
    risk_score: int | None
    priority: str | None
    toxic: bool = Field(
        False, description="its risk explanation has a toxic combination (as `toxic=true`)"
    )
    sla_due_at: datetime | None = None
    risk_policy_version: str | None = None
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    reopen_count: int


COUNT_CAP = 10_000


class FindingPage(Page[FindingRead]):
    """A page of findings. `total` and `suppressed_total` are exact up to 10,000; past that they
    say 10,000 and their `_capped` flag is true ("10,000+"): an exact count of a million rows
    costs more than the page. Page on with `after=next_cursor` (keyset: as fast on page 1,000 as
    on page 1, and no row is skipped or repeated when rows are added between pages)."""

    total_capped: bool = Field(
        False, description="more than `total` (10,000) findings match: show it as 10,000+"
    )
    suppressed_total: int = Field(
        0, description="findings matching the other filters that suppression rules hide"
    )
    suppressed_total_capped: bool = Field(False, description="more than `suppressed_total` do")
    next_cursor: str | None = Field(
        None, description="pass as `after` for the next page; null on the last page"
    )


class FindingLinks(BaseModel):
    comments: str
    history: str


class RiskFactorRead(BaseModel):
    factor: str
    value: str
    multiplier: float
    source: str
    text: str = Field(description="the same, in words")


class LinkedResourceRead(BaseModel):
    """The inventory resource a finding is about (GET /api/v1/resources/{id} has the rest)."""

    id: uuid.UUID
    asset: str
    asset_id: uuid.UUID
    provider: str
    type: str
    address: str | None = Field(description="IaC address (module path and instance key)")
    cloud_id: str | None = Field(description="ARN or provider id")
    account_id: str | None
    region: str | None
    managed: bool = Field(description="false: no Terraform state holds it (created by hand)")
    active: bool = Field(description="false once a complete snapshot of its scope dropped it")


class CodeLocationRead(BaseModel):
    """Where code defines the resource: an IaC detection naming its address."""

    path: str
    start_line: int | None
    tool: str = Field(description="the IaC scanner that reported it")
    asset: str = Field(description="the asset (repository) of that detection")
    asset_id: uuid.UUID


class CloudLocationRead(BaseModel):
    cloud_id: str
    account_id: str | None
    region: str | None


class DriftBriefRead(BaseModel):
    id: uuid.UUID
    title: str
    severity: Severity
    first_seen_at: datetime


class CodeToCloudRead(BaseModel):
    """A finding's resource in code and in the cloud, and what drifted on it."""

    resource: LinkedResourceRead
    via: str = Field(description="what linked the finding to it: cloud_id or address")
    in_code: CodeLocationRead | None = Field(
        description="file and line from an IaC detection of the resource's address; null when "
        "no IaC scan reported it (or the resource has no IaC address)"
    )
    in_cloud: CloudLocationRead | None = Field(
        description="null when the resource has no cloud id (e.g. planned, not yet deployed)"
    )
    drift: list[DriftBriefRead] = Field(
        description="drift findings of the resource that the detector still reports"
    )


class FindingDetail(FindingRead):
    description: str
    remediation: str
    references: list[str]
    cwe_ids: list[int]
    compliance: list[list[str]]
    detection_list: list[DetectionRead]
    risk_explanation: list[RiskFactorRead] = Field(
        default_factory=list, description="why this score: each factor, its value and source"
    )
    control: "ControlRead | None" = Field(
        None, description="the canonical control, when the control map knows the rule"
    )
    links: FindingLinks | None = Field(None, description="its comments and audit history")
    code_to_cloud: CodeToCloudRead | None = Field(
        None, description="its inventory resource in code and in the cloud; null when unlinked"
    )


class ComplianceRef(BaseModel):
    framework: str
    control: str


class ControlRead(BaseModel):
    """A canonical control: equivalent rules of several tools that check one thing."""

    id: str
    title: str
    domain: str
    provider: str
    compliance: list[ComplianceRef]
    rules: dict[str, list[str]] = Field(description="tool family -> rule ids")
    remediation: str | None = Field(None, description="how to fix it, from the control map")
    docs: list["RuleDoc"] = Field(
        default_factory=list, description="each rule's page in its tool's documentation"
    )


class RuleDoc(BaseModel):
    tool: str
    rule_id: str
    url: str


FindingDetail.model_rebuild()
ControlRead.model_rebuild()
