"""The CI policy gate: import the reports through the real pipeline (or, for a dry run, inside a
SAVEPOINT that is rolled back), collect the findings they list, decide pass/fail with the policy
(aspm.gate.policy), and record the evaluation (table `gate_evaluations`).

Which findings "the reports list": a full import does not rewrite detections it already has
unchanged (and a detection stays in the scope that first saw it), so after the real (full) import
the gate imports the same reports once more as a *partial* import inside a SAVEPOINT: a partial
import writes every detection it sees, so its import id marks exactly the listed detections.
The probe is rolled back after the decision; the gate costs two imports of each report.
Reports are imported into scope target `branch` (or the default scope when no branch is given), so
a pull request's scan never retires the main branch's detections.
A finding is new when this evaluation's imports created it (first seen now), or, with a baseline,
when no active detection of the baseline's scope target (e.g. `main`) has it.

Dry run: only the probe runs (in its SAVEPOINT, rolled back before the evaluation is recorded), so
nothing but the gate_evaluations row is kept (and not even that with record=False).
A dry run's new findings have no id (theirs was rolled back); they are shown as new without one.
"""

import shutil
import tempfile
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.auth.principal import SYSTEM, Principal, Role, Scope
from aspm.common.clock import utcnow
from aspm.common.paging import Page
from aspm.common.severity import Severity
from aspm.db.session import unit_of_work
from aspm.errors import InvalidInput, NotFound, PermissionDenied
from aspm.exports import service as exports_service
from aspm.exports.sarif import SarifFinding, build_log
from aspm.findings import service as findings_service
from aspm.gate import policy as gate_policy
from aspm.gate import queries, repository
from aspm.gate.models import EvaluationStatus, GateEvaluation
from aspm.gate.policy import Candidate, Decision, GateScope, LoadedPolicy
from aspm.gate.schemas import (
    EXIT_FAIL,
    EXIT_PASS,
    FailingFinding,
    GateEvaluationDetail,
    GateEvaluationRead,
    GateResult,
    IgnoredFinding,
    PolicyRef,
    RuleResult,
)
from aspm.ingest import service as ingest_service
from aspm.ingest.schemas import IngestResult
from aspm.integrations import service as integrations_service
from aspm.integrations.schemas import GateFailedData

SPOOL_BYTES = 32 * 1024 * 1024
MAX_LISTED = 1000  # failing/ignored findings listed in a result (counts are always complete)


@dataclass(frozen=True, slots=True)
class GateOptions:
    asset: str | None = None
    branch: str | None = None
    commit: str | None = None
    baseline: str | None = None  # compare with this scope target's findings (forces scope new)
    new_only: bool = False  # gate only findings first seen now (forces scope new)
    dry_run: bool = False
    record: bool = True
    format: str | None = None  # report format, instead of detecting it
    with_sarif: bool = False
    risk_policy: Path | None = None


@dataclass(frozen=True, slots=True)
class Report:
    filename: str
    source: BinaryIO


def authorize(principal: Principal) -> None:
    """Gating imports reports: a token needs the ingest scope, a person more than read-only."""
    if principal.kind == "token" and Scope.INGEST not in principal.scopes:
        raise PermissionDenied("this token lacks the `ingest` scope needed to run the gate")
    if principal.kind == "user" and principal.role is Role.VIEWER:
        raise PermissionDenied("viewers may not run the gate (it imports reports)")


def check_request(principal: Principal, options: GateOptions, *, reports: int) -> None:
    """What the gate refuses before reading a report (a queued evaluation: before queuing)."""
    authorize(principal)
    if not reports:
        raise InvalidInput("give at least one report to gate")
    if options.new_only and options.baseline:
        raise InvalidInput("--new-only and --baseline exclude each other: give one")


@dataclass(slots=True)
class _Outcome:
    """What the evaluation found, as plain values (a dry run's rows are gone afterwards)."""

    imports: list[IngestResult]
    decision: Decision
    scope: GateScope
    baseline: str | None
    created: set[str]  # keys of findings this evaluation's imports created
    assets: dict[str, uuid.UUID]  # name -> id of the assets the reports landed on
    details: dict[str, SarifFinding]  # failing findings
    titles: dict[str, str]  # ignored findings
    sarif: dict[str, Any] | None


def _accept_hint(finding_id: str) -> str:
    """The triage command a security lead runs to accept the risk (or POST
    /api/v1/findings/{id}/triage with the same fields)."""
    return (
        f"aspm triage set {finding_id} --state accepted_risk --reason '<why>' "
        "--expires <YYYY-MM-DD> --approver <security lead>"
    )


def _where(detail: SarifFinding) -> str:
    for w in detail.locations:
        if w.path:
            line = f":{w.start_line}" if w.start_line else ""
            return f"{w.path}{line}" + (f" ({w.resource})" if w.resource else "")
    return next((w.resource for w in detail.locations if w.resource), None) or detail.asset


def _evaluate(
    session: Session,
    *,
    reports: Sequence[Report],
    loaded: LoadedPolicy,
    options: GateOptions,
    actor: str,
    principal: Principal,
    hmac_key: bytes,
    batch_size: int,
    imported: list[IngestResult],
) -> _Outcome:
    """Inside the caller's SAVEPOINT: the probe imports, the decision, the failing findings'
    details (the probe is rolled back afterwards, so everything is returned as plain values)."""
    probes = _import_all(
        session, reports, options, actor=f"gate-probe:{actor}", principal=principal,
        partial=True, hmac_key=hmac_key, batch_size=batch_size,
    )  # fmt: skip
    imports = imported or probes
    rows = queries.reported(session, [i.import_id for i in probes if i.import_id is not None])
    assets = {r.asset: r.asset_id for r in rows}
    if principal.asset_ids is not None and not set(assets.values()) <= principal.asset_ids:
        outside = sorted(n for n, i in assets.items() if i not in principal.asset_ids)
        raise PermissionDenied(f"this token may not import into asset(s) {', '.join(outside)}")
    policy = loaded.policy
    forced = GateScope.NEW if (options.new_only or options.baseline) else None
    runs = {i.import_id for i in imports}
    created = {str(r.id) for r in rows if r.created_import_id in runs}
    candidates: list[Candidate] = []
    baselines: set[str | None] = set()
    for asset in sorted(assets):
        group = [r for r in rows if r.asset == asset]
        eff = gate_policy.effective(policy, asset=asset, branch=options.branch)
        base = options.baseline or (None if options.new_only else eff.baseline)
        baselines.add(base)
        known = (
            queries.in_baseline(session, [r.id for r in group], target=base)
            if base is not None
            else set()
        )
        for r in group:
            candidates.append(
                Candidate(
                    key=str(r.id), asset=r.asset, severity=Severity(r.severity),
                    priority=r.priority, risk_score=r.risk_score, category=r.category,
                    secret_verified=r.secret_verified, tools=tuple(sorted(r.tools)),
                    control_id=r.control_id, triage_state=r.triage_state,
                    suppressed=r.suppressed,
                    new=(r.id not in known) if base is not None else str(r.id) in created,
                )
            )  # fmt: skip
    decision = gate_policy.decide(policy, candidates, branch=options.branch, scope=forced)
    failing = decision.failing_keys
    rules_of: dict[str, list[str]] = {}
    for outcome in decision.outcomes:
        if outcome.failed:
            for key in outcome.matched:
                rules_of.setdefault(key, []).append(outcome.rule.id)
    notes = {
        uuid.UUID(k): f"Fails gate rule(s) {', '.join(dict.fromkeys(rules_of[k]))}."
        for k in failing
    }
    listed = [uuid.UUID(k) for k in failing[:MAX_LISTED]]
    details_list = exports_service.sarif_findings(session, listed, notes=notes)
    details = {d.id: d for d in details_list}
    ignored_ids = [uuid.UUID(k) for k in list(decision.ignored)[:MAX_LISTED]]
    titles = {str(k): v for k, v in findings_service.titles(session, ignored_ids).items()}
    sarif = None
    if options.with_sarif:
        if options.dry_run:  # rolled-back ids mean nothing to anyone
            details_list = [
                d if d.id not in created else _without_id(d) for d in details_list
            ]  # fmt: skip
        sarif = build_log(
            details_list,
            tool_version=exports_service.tool_version(),
            run_properties={
                "gate": {"policy": policy.name, "policyDigest": loaded.digest,
                         "branch": options.branch, "commit": options.commit,
                         "passed": decision.passed}
            },
        )  # fmt: skip
    scope = forced or (
        next(iter(decision.effective.values())).scope
        if len(decision.effective) == 1
        else policy.scope
    )
    baseline = options.baseline or (next(iter(baselines)) if len(baselines) == 1 else None)
    return _Outcome(imports, decision, scope, baseline, created, assets, details, titles, sarif)


def _rewindable(report: Report) -> Report:
    """The report, readable twice (uploads are spooled files already; pipes are copied)."""
    if report.source.seekable():
        return report
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - GC closes it
    shutil.copyfileobj(report.source, spool)
    spool.seek(0)
    return Report(report.filename, spool)  # type: ignore[arg-type]


def _import_all(
    session: Session,
    reports: Sequence[Report],
    options: GateOptions,
    *,
    actor: str,
    principal: Principal,
    partial: bool,
    hmac_key: bytes,
    batch_size: int,
) -> list[IngestResult]:
    """The reports' imports, as `principal` (who may import only where ingest allows it)."""
    ingest_options = ingest_service.IngestOptions(
        asset=options.asset, scope=options.branch or "", partial=partial, format=options.format,
        actor=actor, risk_policy=options.risk_policy, principal=principal,
    )  # fmt: skip
    return [
        ingest_service.ingest(
            session,
            source=r.source,
            filename=r.filename,
            options=ingest_options,
            hmac_key=hmac_key,
            batch_size=batch_size,
        )
        for r in reports
    ]


def _without_id(detail: SarifFinding) -> SarifFinding:
    return replace(detail, id="new", extra={**detail.extra, "dryRun": True})


def evaluate(
    session: Session,
    *,
    reports: Sequence[Report],
    loaded: LoadedPolicy,
    options: GateOptions,
    hmac_key: bytes,
    batch_size: int = 5000,
    principal: Principal = SYSTEM,
    actor: str | None = None,
    evaluation_id: uuid.UUID | None = None,
) -> GateResult:
    """Run the gate inside the caller's transaction (see the module docstring). Raises
    IngestError for an unreadable report and InvalidInput for bad options; then nothing of the
    evaluation is kept (the caller rolls back). `evaluation_id`: the row of a queued evaluation
    (aspm.gate.queued), which receives the verdict instead of a new row."""
    check_request(principal, options, reports=len(reports))
    who = actor or principal.actor
    now = utcnow()
    reports = [_rewindable(r) for r in reports]
    imported: list[IngestResult] = []
    if not options.dry_run:  # the real imports: full, so they retire what the scope no longer has
        imported = _import_all(
            session, reports, options, actor=f"gate:{who}", principal=principal, partial=False,
            hmac_key=hmac_key, batch_size=batch_size,
        )  # fmt: skip
        for r in reports:
            r.source.seek(0)
    savepoint = session.begin_nested()
    try:
        out = _evaluate(
            session, reports=reports, loaded=loaded, options=options, actor=who,
            principal=principal, hmac_key=hmac_key, batch_size=batch_size, imported=imported,
        )  # fmt: skip
    finally:
        if savepoint.is_active:
            savepoint.rollback()
    return _result(
        session, out, loaded=loaded, options=options, actor=who, now=now,
        evaluation_id=evaluation_id,
    )  # fmt: skip


def _shown_id(key: str, out: _Outcome, options: GateOptions) -> str | None:
    return None if options.dry_run and key in out.created else key


def _result(
    session: Session,
    out: _Outcome,
    *,
    loaded: LoadedPolicy,
    options: GateOptions,
    actor: str,
    now: Any,
    evaluation_id: uuid.UUID | None = None,
) -> GateResult:
    decision = out.decision
    failing = decision.failing_keys
    fixes: dict[str, list[str]] = {}
    for outcome in decision.outcomes:
        if outcome.failed:
            for key in outcome.matched:
                advice = outcome.rule.fix or outcome.rule.description or outcome.rule.id
                fixes.setdefault(key, [])
                if outcome.rule.id not in fixes[key]:
                    fixes[key].append(outcome.rule.id)
                    fixes[key].append(advice)
    items: list[FailingFinding] = []
    for key in failing[:MAX_LISTED]:
        detail = out.details.get(key)
        if detail is None:
            continue
        shown = _shown_id(key, out, options)
        pairs = fixes.get(key, [])
        items.append(
            FailingFinding(
                id=shown, new=key in out.created, title=detail.title, severity=detail.severity,
                priority=detail.priority, risk_score=detail.risk_score, category=detail.category,
                asset=detail.asset, tools=sorted({w.tool for w in detail.locations}),
                where=_where(detail), failed_rules=pairs[0::2], remediation=detail.remediation,
                fix=[a for a in pairs[1::2] if a], accept=_accept_hint(shown) if shown else None,
            )
        )  # fmt: skip
    rules = [
        RuleResult(
            rule_id=o.rule.id, description=o.rule.description, asset=o.asset, max=o.rule.max,
            enabled=o.rule.enabled, matched=len(o.matched), failed=o.failed,
            finding_ids=[_shown_id(k, out, options) or f"new:{n}" for n, k in
                         enumerate(o.matched[:MAX_LISTED], start=1)],
        )
        for o in decision.outcomes
    ]  # fmt: skip
    ignored = [
        IgnoredFinding(id=_shown_id(k, out, options), title=out.titles.get(k, ""), reason=why)
        for k, why in list(decision.ignored.items())[:MAX_LISTED]
    ]
    asset_name = options.asset or (
        next(iter(out.assets)) if len(out.assets) == 1 else None
    )  # fmt: skip
    asset_id = out.assets.get(asset_name) if asset_name else None
    if (
        asset_id is not None
        and options.dry_run
        and not assets_service.get_many(session, [asset_id])
    ):
        asset_id = None  # created by the dry run, so rolled back
    row: GateEvaluation | None = None
    if options.record:
        values = {
            "evaluated_at": now, "actor": actor[:200], "asset_id": asset_id,
            "asset_name": asset_name or (f"{len(out.assets)} assets" if out.assets else None),
            "branch": options.branch, "commit": options.commit, "passed": decision.passed,
            "failed_count": len(failing), "evaluated_count": len(decision.gated),
            "ignored_count": len(decision.ignored),
            "finding_ids": [k for k in failing if _shown_id(k, out, options) is not None],
            "failed_rules": sorted({o.rule.id for o in decision.outcomes if o.failed}),
            "policy_name": loaded.policy.name, "policy_digest": loaded.digest,
            "scope": out.scope, "baseline": out.baseline, "dry_run": options.dry_run,
            "import_ids": [] if options.dry_run else [str(i.import_id) for i in out.imports],
            "status": EvaluationStatus.DONE, "error": None,
        }  # fmt: skip
        if evaluation_id is None:
            row = repository.add(session, GateEvaluation(id=uuid.uuid4(), **values))
        else:
            row = repository.get(session, evaluation_id)
            if row is None:
                raise NotFound(f"no gate evaluation with id {evaluation_id}")
            for name, value in values.items():
                setattr(row, name, value)
    result = GateResult(
        evaluation_id=None if row is None else row.id,
        passed=decision.passed,
        exit_code=EXIT_PASS if decision.passed else EXIT_FAIL,
        evaluated_at=now,
        policy=PolicyRef(name=loaded.policy.name, digest=loaded.digest, source=loaded.source),
        asset=asset_name,
        branch=options.branch,
        commit=options.commit,
        scope=out.scope.value,
        baseline=out.baseline,
        dry_run=options.dry_run,
        evaluated=len(decision.gated),
        failed=len(failing),
        imports=[
            i.model_copy(update={"import_id": None}) if options.dry_run else i for i in out.imports
        ],
        rules=rules,
        failing=items,
        ignored=ignored,
        sarif=out.sarif,
    )
    if row is not None:
        row.result = result.model_dump(mode="json")  # GET /gate/evaluations/{id} answers it
        repository.add(session, row)
        if not decision.passed:  # webhooks: gate.failed
            integrations_service.gate_failed(
                session,
                GateFailedData(
                    evaluation_id=row.id, asset=row.asset_name, branch=row.branch,
                    commit=row.commit, policy=row.policy_name, failed=row.failed_count,
                    failed_rules=list(row.failed_rules),
                ),
            )  # fmt: skip
    return result


def evaluate_files(
    factory: sessionmaker[Session],
    paths: Sequence[Path],
    *,
    loaded: LoadedPolicy,
    options: GateOptions,
    hmac_key: bytes,
    batch_size: int,
    actor: str,
) -> GateResult:
    """`evaluate` on report files, in its own transaction (the CLI, the demo's history)."""
    with ExitStack() as files:
        reports = [Report(str(p), files.enter_context(p.open("rb"))) for p in paths]
        return evaluate_reports(
            factory, reports, loaded=loaded, options=options, hmac_key=hmac_key,
            batch_size=batch_size, actor=actor,
        )  # fmt: skip


def evaluate_reports(
    factory: sessionmaker[Session],
    reports: Sequence[Report],
    *,
    loaded: LoadedPolicy,
    options: GateOptions,
    hmac_key: bytes,
    batch_size: int,
    principal: Principal = SYSTEM,
    actor: str | None = None,
    evaluation_id: uuid.UUID | None = None,
) -> GateResult:
    """`evaluate` in its own transaction: committed with its verdict, or rolled back whole."""
    with unit_of_work(factory) as session:
        return evaluate(
            session, reports=reports, loaded=loaded, options=options, hmac_key=hmac_key,
            batch_size=batch_size, principal=principal, actor=actor, evaluation_id=evaluation_id,
        )  # fmt: skip


def list_evaluations(
    session: Session,
    *,
    limit: int,
    offset: int,
    asset: str | None = None,
    passed: bool | None = None,
) -> Page[GateEvaluationRead]:
    asset_id = None
    if asset is not None:
        found = [a for a in assets_service.list_assets(session) if a.name == asset]
        if not found:
            raise NotFound(f"no asset named {asset!r}")
        asset_id = found[0].id
    rows, total = repository.list_page(
        session, limit=limit, offset=offset, asset_id=asset_id, passed=passed
    )
    return Page[GateEvaluationRead](
        items=[GateEvaluationRead.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def get_evaluation(session: Session, evaluation_id: uuid.UUID) -> GateEvaluationDetail:
    row = repository.get(session, evaluation_id)
    if row is None:
        raise NotFound(f"no gate evaluation with id {evaluation_id}")
    return GateEvaluationDetail.model_validate(row)
