"""Reading findings: the unified, de-duplicated backlog."""

import uuid
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from aspm.auth.principal import Principal
from aspm.common.clock import utcnow
from aspm.errors import InvalidInput, NotFound
from aspm.findings import code_links, control_service, repository
from aspm.findings.models import Detection, DetectorState, Finding, TriageState
from aspm.findings.schemas import (
    DUE_SOON_DAYS,
    CloudLocationRead,
    CodeLocationRead,
    CodeToCloudRead,
    ControlRead,
    DetectionRead,
    DriftBriefRead,
    FindingDetail,
    FindingFilter,
    FindingLinks,
    FindingPage,
    FindingQuery,
    FindingRead,
    FindingSort,
    LinkedResourceRead,
    RiskFactorRead,
    SlaStatus,
)
from aspm.resources import queries as resource_queries
from aspm.risk.resource_context import TOXIC_KEY_PREFIX
from aspm.risk.scoring import describe


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


_OPEN_TRIAGE = {TriageState.NEW, TriageState.CONFIRMED, TriageState.IN_PROGRESS}


def sla_status(finding: Finding, now: datetime) -> SlaStatus | None:
    """On track, due soon (within DUE_SOON_DAYS of the due date) or overdue; None for findings
    that are fixed, closed by triage, or have no due date."""
    due = _utc(finding.sla_due_at)
    if (
        due is None
        or finding.detector_state != DetectorState.ACTIVE
        or finding.triage_state not in _OPEN_TRIAGE
    ):
        return None
    if due < now:
        return SlaStatus.OVERDUE
    if due <= now + timedelta(days=DUE_SOON_DAYS):
        return SlaStatus.DUE_SOON
    return SlaStatus.ON_TRACK


def _read(
    finding: Finding,
    asset_name: str,
    summary: tuple[list[str], int, datetime | None] | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    tools, count, last_seen = summary or ([], 0, None)
    last = _utc(last_seen)
    return {
        "id": finding.id,
        "title": finding.title,
        "severity": finding.severity,
        "category": finding.category,
        "control_id": finding.control_id,
        "asset": asset_name,
        "asset_id": finding.asset_id,
        "status": finding.detector_state,
        "triage_state": finding.triage_state,
        "resource": finding.resource,
        "path": finding.path,
        "cloud_provider": finding.cloud_provider,
        "account_id": finding.account_id,
        "region": finding.region,
        "tools": tools,
        "detections": count,
        "suppressed": finding.suppressed,
        "assignee": finding.assignee,
        "team": finding.team,
        "suppression_rule_id": finding.suppression_rule_id,
        "sla_status": sla_status(finding, now or utcnow()),
        "version": finding.version,
        "risk_score": finding.risk_score,
        "priority": finding.priority,
        "toxic": (finding.risk_key or "").startswith(TOXIC_KEY_PREFIX),
        "sla_due_at": finding.sla_due_at,
        "risk_policy_version": finding.risk_policy_version,
        "first_seen_at": finding.first_seen_at,
        "last_seen_at": max(finding.last_seen_at, last) if last else finding.last_seen_at,
        "resolved_at": finding.resolved_at,
        "reopen_count": finding.reopen_count,
    }


def people(
    principal: Principal, *, assignee: str | None, team: str | None
) -> tuple[str | None, list[str] | None]:
    """The `assignee` and `teams` of a FindingFilter from the request's words: `me` is the
    signed-in user, `mine` the user's teams; other values are names."""
    teams = None if team is None else sorted(principal.team_names) if team == "mine" else [team]
    return (principal.name if assignee == "me" else assignee), teams


def query_filter(principal: Principal, query: FindingQuery, **view: Any) -> FindingFilter:
    """The repository's filter from a request's (GET /findings, exports, the CLI): `me` and
    `mine` resolved for the principal, a token bound to assets kept to them, the default sort
    (priority when an assignee or team is asked for, else severity)."""
    who, teams = people(principal, assignee=query.assignee, team=query.team)
    fields = {**query.model_dump(exclude={"assignee", "team"}), **view}
    if "sort" in fields and fields["sort"] is None:
        mine = query.assignee is not None or query.team is not None
        fields["sort"] = FindingSort.PRIORITY if mine else FindingSort.SEVERITY
    asset_ids = None if principal.asset_ids is None else sorted(principal.asset_ids)
    return FindingFilter(**fields, assignee=who, teams=teams, asset_ids=asset_ids)


def list_findings(session: Session, flt: FindingFilter) -> FindingPage:
    """A page of findings; `suppressed_total` counts what suppression rules hide from the same
    filters (when they are hidden)."""
    page = repository.list_page(session, flt)
    return FindingPage(
        items=_reads(session, page.rows),
        total=page.total,
        total_capped=page.total_capped,
        limit=flt.limit,
        offset=flt.offset,
        suppressed_total=page.hidden,
        suppressed_total_capped=page.hidden_capped,
        next_cursor=page.next_cursor,
    )


def _reads(session: Session, rows: Sequence[tuple[Finding, str]]) -> list[FindingRead]:
    summaries = repository.detection_summary(session, [f.id for f, _ in rows])
    now = utcnow()
    return [FindingRead(**_read(f, name, summaries.get(f.id), now)) for f, name in rows]


def iter_findings(
    session: Session, flt: FindingFilter, *, batch: int = 2000
) -> Iterator[FindingRead]:
    """Every finding the filter selects, in its order, as the list shows them (exports): keyset
    batches, never offsets, so memory stays flat and each batch costs the same however deep."""
    rows: list[tuple[Finding, str]] = []  # (finding, asset name)
    for row in repository.iter_rows(session, flt, batch=batch):
        rows.append(row)
        if len(rows) == batch:
            yield from _reads(session, rows)
            rows = []
    yield from _reads(session, rows)


def select_ids(
    session: Session, flt: FindingFilter, *, principal: Principal | None = None, cap: int
) -> list[uuid.UUID]:
    """Ids of the findings a filter selects (at most `cap`; bulk actions), limited to a token's
    assets when the principal is a token bound to assets."""
    if principal is not None and principal.asset_ids is not None:
        flt = flt.model_copy(update={"asset_ids": sorted(principal.asset_ids)})
    return repository.select_ids(session, flt, cap=cap)


def select_many(
    session: Session,
    *,
    ids: Sequence[uuid.UUID] | None,
    query: FindingQuery | None,
    principal: Principal,
    cap: int,
) -> list[uuid.UUID]:
    """The findings a bulk request names (bulk triage, tickets): its explicit `ids` (duplicates
    dropped, in order) or what its `query` selects for the principal (as GET /findings reads
    it), at most `cap`: a filter that selects more is refused, never cut short. Exactly one of
    the two is given."""
    if (ids is None) == (query is None):
        raise InvalidInput("give either ids or filter (not both)")
    if ids is not None:
        return list(dict.fromkeys(ids))
    assert query is not None  # noqa: S101
    found = select_ids(session, query_filter(principal, query, limit=500), cap=cap + 1)
    if len(found) > cap:
        raise InvalidInput(
            f"the filter selects more than {cap} findings; narrow it (a bulk request is all "
            "or nothing)"
        )
    return found


def resolve_id(session: Session, ref: str) -> uuid.UUID:
    """A full finding id, or a unique prefix or suffix of at least 6 hex digits. Finding ids are
    time-ordered (one import's share their first characters), so the CLI prints their ends."""
    try:
        return uuid.UUID(ref)
    except ValueError:
        pass
    hexed = ref.replace("-", "").lower()
    if len(hexed) < 6 or any(c not in "0123456789abcdef" for c in hexed):
        raise InvalidInput(f"finding id {ref!r}: give the full id or at least 6 of its hex digits")
    ids = repository.find_by_prefix(session, hexed)
    if len(ids) != 1:
        by_end = repository.find_by_suffix(session, hexed)
        ids = by_end if len(by_end) == 1 or not ids else ids
    if not ids:
        raise NotFound(f"no finding with id {ref!r}")
    if len(ids) > 1:
        raise InvalidInput(f"finding id {ref!r} is ambiguous; give more characters")
    return ids[0]


def _control_of(control_id: str) -> ControlRead | None:
    try:
        return control_service.get_control(control_id)
    except NotFound:
        return None  # an unmapped rule stands alone as tool:rule_id


def code_to_cloud(
    session: Session, finding_id: uuid.UUID, *, asset_ids: Collection[uuid.UUID] | None = None
) -> CodeToCloudRead | None:
    """The finding's resource in code and in the cloud (see resources.queries); `asset_ids`
    limits what a caller bound to assets sees to those assets."""
    c2c = resource_queries.code_to_cloud(session, finding_id, asset_ids=asset_ids)
    if c2c is None:
        return None
    r = c2c.resource
    return CodeToCloudRead(
        resource=LinkedResourceRead(
            id=r.id,
            asset=c2c.asset,
            asset_id=r.asset_id,
            provider=r.provider,
            type=r.type,
            address=r.address,
            cloud_id=r.cloud_id,
            account_id=r.account_id,
            region=r.region,
            managed=r.managed,
            active=r.active,
        ),
        via=c2c.via,
        in_code=None
        if c2c.in_code is None
        else CodeLocationRead(
            path=c2c.in_code.path,
            start_line=c2c.in_code.start_line,
            tool=c2c.in_code.tool,
            asset=c2c.in_code.asset,
            asset_id=c2c.in_code.asset_id,
        ),
        in_cloud=None
        if not r.cloud_id
        else CloudLocationRead(cloud_id=r.cloud_id, account_id=r.account_id, region=r.region),
        drift=[
            DriftBriefRead(
                id=d.id, title=d.title, severity=d.severity, first_seen_at=d.first_seen_at
            )
            for d in c2c.drift
        ],
    )


def _web(url: str | None) -> str | None:
    """`url` if it is a web address: a report's own URLs are shown as links only then."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _with_links(
    session: Session, rows: Sequence[Detection], control: ControlRead | None
) -> list[DetectionRead]:
    """Each detection with its link to the code (aspm.findings.code_links: the asset's repository
    URL, else its key when that is one) and to its rule's documentation (the URL the reports
    name, else the control map's page for the rule).

    The import commit of a detection: that of its scope's last import when it was a full one and
    the detection is still active (that import saw it, at the lines stored: a re-import that
    changes nothing writes nothing), else that of the import that last wrote it."""
    repos = repository.repositories_of(session, {d.asset_id for d in rows})
    with_path = [d for d in rows if d.path]
    latest = repository.last_full_imports(session, {d.scope_id for d in with_path if d.active})
    commits = repository.import_commits(
        session, {d.last_import_id for d in with_path} | set(latest.values())
    )
    helps = repository.rule_help_uris(session, {(d.tool, d.rule_id) for d in rows})
    docs = {(doc.tool, doc.rule_id): doc.url for doc in control.docs} if control else {}
    reads = []
    for d in rows:
        read = DetectionRead.model_validate(d)
        repository_url, key, branch = repos.get(d.asset_id, (None, None, None))
        seen_by = latest.get(d.scope_id) if d.active else None
        import_commit = commits.get(seen_by) if seen_by else None
        ref = code_links.pick_ref(
            commit=d.commit,
            import_commit=import_commit or commits.get(d.last_import_id),
            default_branch=branch,
        )
        read.code_url = code_links.code_url(
            repository_url or key, ref=ref, path=d.path, start_line=d.start_line,
            end_line=d.end_line,
        )  # fmt: skip
        read.rule_url = _web(helps.get((d.tool, d.rule_id))) or docs.get((d.tool, d.rule_id))
        reads.append(read)
    return reads


def get_finding(
    session: Session, finding_id: uuid.UUID, *, asset_ids: Collection[uuid.UUID] | None = None
) -> FindingDetail:
    """One finding with its detections, control, risk explanation and code-to-cloud summary;
    `asset_ids` (a caller bound to assets) keeps resources and code of other assets out."""
    row = repository.get_with_asset(session, finding_id)
    if row is None:
        raise NotFound(f"no finding with id {finding_id}")
    finding, asset_name = row
    summary = repository.detection_summary(session, [finding.id]).get(finding.id)
    control = _control_of(finding.control_id)
    detections = _with_links(session, repository.detections_of(session, finding.id), control)
    return FindingDetail(
        **_read(finding, asset_name, summary),
        description=finding.description,
        remediation=finding.remediation,
        references=finding.references,
        cwe_ids=finding.cwe_ids,
        compliance=finding.compliance,
        detection_list=detections,
        control=control,
        links=FindingLinks(
            comments=f"/api/v1/findings/{finding.id}/comments",
            history=f"/api/v1/findings/{finding.id}/history",
        ),
        code_to_cloud=code_to_cloud(session, finding.id, asset_ids=asset_ids),
        risk_explanation=[
            RiskFactorRead(
                factor=str(e.get("factor")),
                value=str(e.get("value")),
                multiplier=float(e.get("multiplier", 1.0)),
                source=str(e.get("source")),
                text=describe(e),
            )
            for e in explanation_of(session, finding)
        ],
    )


def get_risk_fields(session: Session, finding_id: uuid.UUID) -> Finding | None:
    """The finding row itself (risk reads its score; explanation_of its explanation)."""
    return repository.get(session, finding_id)


def explanation_of(session: Session, finding: Finding) -> list[dict[str, Any]]:
    """The (factor, value, multiplier, source) items of a finding's stored score; [] when it is
    not scored."""
    if finding.risk_key is None or finding.risk_score is None:
        return []
    return [dict(e) for e in repository.explanation(session, finding.asset_id, finding.risk_key)]


def open_counts(session: Session, asset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Active findings per asset."""
    return repository.open_counts(session, asset_ids)


def titles(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Titles of a few findings (explanations name the finding that exposes a resource)."""
    return repository.titles(session, ids)


def briefs(session: Session, ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, str, str, str]]:
    """(id, title, severity, detector state) of some findings, worst first (a resource's)."""
    return repository.briefs(session, ids)
