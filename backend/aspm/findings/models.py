"""Detections (one tool's sighting), findings (the de-duplicated issue) and the rule catalog."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from aspm.common.priority import Priority
from aspm.common.severity import Severity
from aspm.db.base import Base, JSONType, StrEnumType, UTCDateTime

# stored here, defined (pure) in aspm.findings.lifecycle; imported from here as before
from aspm.findings.lifecycle import DetectorState as DetectorState
from aspm.findings.lifecycle import TriageState as TriageState
from aspm.ingest.contract import Category

# Bulk tables (findings, detections) carry no foreign-key constraints: their parent ids come from
# the same transaction's own rows (set-based INSERT ... SELECT ... JOIN), nothing deletes parents,
# and the per-row constraint triggers doubled the cost of a 100k-row import on PostgreSQL
# (measured: 5.5 s vs 2.8 s). Indexes are the ones current queries use; each costs every import.


# A finding's risk result (risk_score, priority, sla_due_at, risk_policy_version) is rewritten on
# every policy change. No index holds those columns, and on PostgreSQL the table keeps half of each
# page free (fillfactor 50, set by the migration), so that rewrite is a HOT update: the new row
# version goes into the same page and no index is touched. Measured on 1M findings: 3.6 s for
# every row, against 19-25 s when each of the five indexes took a new entry per row. The
# explanation, the same for every finding of one asset with one scoring input, is stored once per
# (asset_id, risk_key) in risk_explanations, which keeps the findings rows narrow.


# the columns of the open view and the suppression filter (aspm.findings.states)
_QUEUE_INCLUDE = ["suppression_rule_id", "detector_state", "triage_state", "suppressed"]


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("asset_id", "finding_key"),
        # the queue's default order, with the id that breaks ties (one import's findings share
        # their first_seen_at), so that a keyset page is one index range
        Index("ix_findings_severity", "severity_rank", "first_seen_at", "id"),
        # a team's queue (aspm.findings.repository._team_merge): the findings of each asset it
        # owns, and those whose own team it is, in the default order, one index range each;
        # PostgreSQL also keeps the columns of the team and open conditions in the index, so the
        # capped count and the open view read no table row. None of them is rewritten by a
        # re-score (HOT); detector_state and triage_state are already in ix_findings_resolved_at.
        # An engineer's queue (assignee=me) is ix_findings_assignee below
        Index(
            "ix_findings_asset_queue",
            "asset_id",
            "severity_rank",
            "first_seen_at",
            "id",
            postgresql_include=[*_QUEUE_INCLUDE, "team"],
        ),
        Index(
            "ix_findings_team_queue",
            "team",
            "severity_rank",
            "first_seen_at",
            "id",
            postgresql_include=_QUEUE_INCLUDE,
            postgresql_where=text("team IS NOT NULL"),
            sqlite_where=text("team IS NOT NULL"),
        ),
        Index(
            "ix_findings_suppression_rule_id",
            "suppression_rule_id",
            postgresql_where=text("suppression_rule_id IS NOT NULL"),
            sqlite_where=text("suppression_rule_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    finding_key: Mapped[str] = mapped_column(String(64))
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    control_id: Mapped[str] = mapped_column(String(200))  # canonical or tool:rule
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 20))
    severity: Mapped[Severity] = mapped_column(StrEnumType(Severity, 10))
    severity_rank: Mapped[int] = mapped_column(Integer)  # 4 critical .. 0 info, for sorting
    resource: Mapped[str | None] = mapped_column(Text)  # IaC address / ARN shown to people
    path: Mapped[str | None] = mapped_column(Text)
    cloud_provider: Mapped[str | None] = mapped_column(String(20))
    account_id: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")
    remediation: Mapped[str] = mapped_column(Text, default="")
    references: Mapped[list[str]] = mapped_column(JSONType, default=list)
    cwe_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    compliance: Mapped[list[list[str]]] = mapped_column(JSONType, default=list)
    detector_state: Mapped[DetectorState] = mapped_column(
        StrEnumType(DetectorState, 10), default=DetectorState.ACTIVE
    )
    triage_state: Mapped[TriageState] = mapped_column(
        StrEnumType(TriageState, 20), default=TriageState.NEW
    )
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)  # by the tool itself
    # the suppression rule (aspm.triage) hiding it; distinct from the tool's own flag above
    suppression_rule_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    assignee: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    risk_score: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[Priority | None] = mapped_column(StrEnumType(Priority, 4))
    risk_policy_version: Mapped[str | None] = mapped_column(String(50))
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the scoring input the stored score came from (aspm.risk.repository.Signature.key)
    risk_key: Mapped[str | None] = mapped_column(Text)
    # what the report says about the resource: JSON [[key, value], ...] (aspm.risk.context)
    context: Mapped[str | None] = mapped_column(Text)
    secret_verified: Mapped[bool | None] = mapped_column(Boolean)
    cvss: Mapped[float | None] = mapped_column(Float)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    created_import_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic concurrency for triage


# The queue's sort keys that hold the risk result (aspm.findings.repository._keys): never NULL,
# and spelled with inline constants so that PostgreSQL matches these index expressions to the
# query's under generic plans. They make the queue sorted by risk or priority an index range at
# any depth (a sort of 1M rows took 0.2-0.4 s), at a price: a re-score that changes a finding's
# risk result is no longer a HOT update (benchmarks/README.md, "Queue", has the figures).
# NO_PRIORITY sorts after P1..P4 (unscored, or below every band); NO_DUE is a timestamptz on
# PostgreSQL and, as SQLite's text, after every date
NO_RISK: ColumnElement[Any] = literal_column("-1")
NO_PRIORITY: ColumnElement[Any] = literal_column("'P9'")
NO_DUE: ColumnElement[Any] = literal_column("'infinity'")


def risk_key() -> ColumnElement[int]:
    return func.coalesce(Finding.risk_score, NO_RISK)


def priority_key() -> ColumnElement[str]:
    # text, not a Priority: NO_PRIORITY is no member of it
    return func.coalesce(Finding.priority, NO_PRIORITY, type_=String(4))


def due_key() -> ColumnElement[datetime]:
    return func.coalesce(Finding.sla_due_at, NO_DUE)


# No index holds the risk result (risk_score, priority, sla_due_at): a re-score rewrites those
# in place (a HOT update on PostgreSQL, fillfactor 50). Indexes on the risk and priority sort
# keys made re-scoring 1M findings five times slower (9.5-10 s without, 47-75 s with, same
# machine): the risk and priority orders sort the rows a filter selects instead.
Index(
    "ix_findings_assignee",
    Finding.assignee,
    postgresql_where=text("assignee IS NOT NULL"),
    sqlite_where=text("assignee IS NOT NULL"),
)


class RiskExplanation(Base):
    """The explanation of a risk result: the (factor, value, multiplier, source) list that
    produced the score of every finding of `asset_id` whose scoring input is `risk_key`
    (findings.risk_key). Written by aspm.risk with the scores, under the same policy."""

    __tablename__ = "risk_explanations"

    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    risk_key: Mapped[str] = mapped_column(Text, primary_key=True)
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)


class Detection(Base):
    __tablename__ = "detections"
    __table_args__ = (
        # unique per asset; (asset, tool) first so loading one tool's detections uses it too
        UniqueConstraint("asset_id", "tool", "fingerprint"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    scope_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    fingerprint: Mapped[str] = mapped_column(String(64))
    fingerprint_version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(32))  # of the display fields, to skip no-ops
    tool: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[Severity] = mapped_column(StrEnumType(Severity, 10))
    raw_severity: Mapped[str | None] = mapped_column(String(50))
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 20))
    path: Mapped[str | None] = mapped_column(Text)
    start_line: Mapped[int | None] = mapped_column(Integer)
    end_line: Mapped[int | None] = mapped_column(Integer)
    resource: Mapped[str | None] = mapped_column(Text)
    resource_type: Mapped[str | None] = mapped_column(String(200))
    cloud_provider: Mapped[str | None] = mapped_column(String(20))
    account_id: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(50))
    snippet: Mapped[str | None] = mapped_column(Text)  # redacted
    secret_preview: Mapped[str | None] = mapped_column(String(60))
    # the commit the report found it in (a secret scanner's own), for links to the code
    commit: Mapped[str | None] = mapped_column(String(64))
    secret_hash: Mapped[str | None] = mapped_column(String(64))  # HMAC under the instance key
    secret_verified: Mapped[bool | None] = mapped_column(Boolean)
    tool_fingerprint: Mapped[str | None] = mapped_column(Text)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    cvss: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # last time an import wrote this row; while active, the scope's last full import also saw it
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_import_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    last_import_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class Rule(Base):
    """Rule catalog: what each tool rule means; filled from report metadata as it arrives."""

    __tablename__ = "rules"
    __table_args__ = (UniqueConstraint("tool", "rule_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tool: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    remediation: Mapped[str] = mapped_column(Text, default="")
    help_uri: Mapped[str | None] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column(JSONType, default=list)
    cwe_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    default_severity: Mapped[Severity | None] = mapped_column(StrEnumType(Severity, 10))
    control_id: Mapped[str | None] = mapped_column(String(200))
    compliance: Mapped[list[list[str]]] = mapped_column(JSONType, default=list)
