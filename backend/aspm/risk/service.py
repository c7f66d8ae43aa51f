"""Risk: keep every finding's score, priority, SLA due date and explanation current (DESIGN §6).

- After each import, the findings it created or touched are scored (plus the findings on any
  resource it showed public or no longer public).
- A new policy, or a changed asset context, re-scores the affected findings in one set-based pass
  and writes an audit event. Triage state is never read or written here.

The policy in force is the newest row of `risk_policies`. Reads never change it: a policy file
(ASPM_RISK_POLICY, else the shipped default) is put in force by an explicit command
(`aspm risk apply`), at start-up (`sync_file`, called by `aspm serve` and `aspm demo`: a changed
file replaces a file policy, never one set through the API), or through the API (PUT/DELETE
/risk/policy, audited under the signed-in person). Only when no policy was ever recorded (or the
recorded one no longer validates after an upgrade) does the first scoring call record the file.

A finding's `risk_policy_version` is the version that produced its stored result. A new policy
re-evaluates every finding but rewrites only those whose result (score, priority, SLA due date,
explanation) changes: the others already hold exactly what the new policy gives, and keep the
version that first gave it. Rewriting a million unchanged rows only to stamp a version was most
of the cost of a policy change (benchmarks/rescore.py).

Every scoring pass also stores each finding's `risk_key`: its whole scoring input but the asset
(severity, CVSS, tools, verified secret, the finding showing its resource public, the report's
context facts). A policy change then groups findings by (asset, key), scores those few distinct
inputs under both policies, and rewrites the findings of the inputs whose result changed, with no
pass over detections. This relies on every input change re-scoring what it touches (imports,
asset context changes); a triage decision that makes a public-showing finding a false positive is
picked up by the next import or asset change of that asset, not by a policy change.

Report context (aspm.risk.context): what a report says about a resource (tags, ASFF Criticality,
OCSF data classification, KEV, EPSS) is stored with the finding when it is created, and supplies
environment, sensitivity and criticality where the asset declares none (named as the source).
"""

import json
import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from aspm.assets import service as assets_service
from aspm.assets.models import Asset
from aspm.audit import service as audit_service
from aspm.common.clock import utcnow
from aspm.errors import NotFound
from aspm.findings import service as findings_service
from aspm.metrics import service as metrics_service
from aspm.resources import exposure as resource_exposure
from aspm.risk import policy as risk_policy
from aspm.risk import repository
from aspm.risk.context import decode as decode_context
from aspm.risk.models import RiskPolicyRecord
from aspm.risk.policy import RiskPolicy
from aspm.risk.repository import ScoredSignature, Signature
from aspm.risk.resource_context import decode as decode_resource
from aspm.risk.resource_context import encode as encode_resource
from aspm.risk.schemas import (
    ExplanationItem,
    RescoreResult,
    RiskExplanation,
    RiskPolicyRead,
)
from aspm.risk.scoring import (
    UNKNOWN,
    Explanation,
    Inputs,
    Score,
    describe,
    factors,
    score,
    undeclared,
)

log = logging.getLogger(__name__)

API_SOURCE = "api"
DEFAULT_SOURCE = "default"


# --- the policy in force -------------------------------------------------------------------


def _record(session: Session, pol: RiskPolicy, *, source: str, actor: str) -> RiskPolicyRecord:
    return repository.add_policy(
        session,
        RiskPolicyRecord(
            id=uuid.uuid4(),
            version=pol.version,
            digest=pol.digest(),
            source=source[:500],
            body=pol.model_dump(mode="json"),
            applied_at=utcnow(),
            applied_by=actor[:200],
        ),
    )


def _apply(
    session: Session,
    pol: RiskPolicy,
    *,
    source: str,
    actor: str,
    previous: RiskPolicyRecord | None,
    reason: str,
    first_use: bool = False,
) -> RescoreResult:
    """Record `pol` as the policy in force, re-score every finding, audit it, and recompute
    today's metrics when a result changed. On `first_use` (inside the scoring that needs a
    policy, e.g. an import, which recomputes its own metrics after) the metrics are left."""
    record = _record(session, pol, source=source, actor=actor)
    # every finding holds what the previous policy gave: only changed results are written
    before = None
    if previous is not None:
        try:
            before = risk_policy.from_dict(previous.body)
        except ValueError:  # an older policy this code no longer reads: compare row by row
            log.warning("risk policy %s no longer validates; comparing stored scores", previous.id)
    result = _rescore(session, pol, everything=True, previous=before)
    audit_service.record(
        session, actor, "risk_policy_applied", "risk_policy", record.id,
        from_value=previous.version if previous else None, to_value=pol.version, reason=reason,
        details={
            "source": source,
            "digest": record.digest,
            "previous_digest": previous.digest if previous else None,
            "rescored": result.updated,
            "duration_ms": result.duration_ms,
        },
        at=record.applied_at,
    )  # fmt: skip
    log.info("risk policy %s applied from %s: %d findings re-scored in %d ms",
             pol.version, source, result.updated, result.duration_ms)  # fmt: skip
    if result.updated and not first_use:  # priorities changed: today's posture and flows
        metrics_service.refresh_after_change(session, asset_ids=None)
    return result


def _recorded(latest: RiskPolicyRecord | None) -> RiskPolicy | None:
    if latest is None:
        return None
    try:
        return risk_policy.from_dict(latest.body)
    except ValueError:  # recorded by an older version of this code: the file replaces it
        log.warning("risk policy %s no longer validates; the policy file replaces it", latest.id)
        return None


def current_policy(
    session: Session, *, path: Path | None = None, actor: str = "system"
) -> tuple[RiskPolicy, bool]:
    """The policy in force, and whether it was just applied (every finding re-scored): only
    when none was recorded yet (or the recorded one no longer validates) is `path` (else the
    shipped default) recorded and applied. For scoring, which writes anyway; reads use
    `get_policy`, which never writes."""
    latest = repository.latest_policy(session)
    found = _recorded(latest)
    if found is not None:
        return found, False
    wanted = risk_policy.load_file(path)
    _apply(
        session,
        wanted,
        source=str(path) if path else DEFAULT_SOURCE,
        actor=actor,
        previous=latest,
        reason="first use of the risk policy" if latest is None else "recorded policy outdated",
        first_use=True,
    )
    return wanted, True


def sync_file(session: Session, *, path: Path | None, actor: str = "system:startup") -> bool:
    """At start-up: put the policy file in force when it differs from the file policy in force
    (a policy set through the API stays until it is reset). Returns whether it applied one."""
    latest = repository.latest_policy(session)
    found = _recorded(latest)
    if latest is not None and found is not None and latest.source == API_SOURCE:
        return False
    wanted = risk_policy.load_file(path)
    if found is not None and latest is not None and latest.digest == wanted.digest():
        return False
    reason = "policy file changed" if latest else "first use of the risk policy"
    source = str(path) if path else DEFAULT_SOURCE
    _apply(session, wanted, source=source, actor=actor, previous=latest, reason=reason)
    return True


def get_policy(session: Session, *, path: Path | None = None) -> RiskPolicyRead:
    """The policy in force (read only: nothing is recorded or re-scored here); before any was
    recorded, the file that the first import will put in force."""
    latest = repository.latest_policy(session)
    pol = _recorded(latest)
    if pol is None or latest is None:
        pol = risk_policy.load_file(path)
        return RiskPolicyRead(version=pol.version, digest=pol.digest(),
                              source=str(path) if path else DEFAULT_SOURCE, applied_at=None,
                              applied_by=None, policy=pol.model_dump(mode="json"))  # fmt: skip
    return RiskPolicyRead(
        version=pol.version,
        digest=pol.digest(),
        source=latest.source,
        applied_at=latest.applied_at,
        applied_by=latest.applied_by,
        policy=pol.model_dump(mode="json"),
    )


def set_policy(session: Session, *, yaml_text: str, actor: str) -> RescoreResult:
    """Put a policy in force through the API (it stays until reset). Raises InvalidInput."""
    pol = risk_policy.parse(yaml_text, source="risk policy")
    latest = repository.latest_policy(session)
    return _apply(session, pol, source=API_SOURCE, actor=actor, previous=latest,
                  reason="policy set through the API")  # fmt: skip


def apply_file(session: Session, *, path: Path | None, actor: str) -> RescoreResult:
    """Put the file's policy (or the shipped default) in force, replacing an API policy."""
    pol = risk_policy.load_file(path)
    latest = repository.latest_policy(session)
    return _apply(session, pol, source=str(path) if path else DEFAULT_SOURCE, actor=actor,
                  previous=latest, reason="policy applied from a file")  # fmt: skip


# --- scoring -------------------------------------------------------------------------------


def _tier(pol: RiskPolicy, criticality: str) -> int | None:
    rc = pol.report_context
    if rc is None:
        return None
    value = float(criticality)
    return 1 if value >= rc.criticality_tier_1 else 2 if value >= rc.criticality_tier_2 else 3


def asset_context(asset: Asset | None) -> dict[str, Any]:
    """An asset's declared context as Inputs fields (read once per asset, not per input)."""
    if asset is None:
        return {}
    return {
        "asset": asset.name,
        "exposure": asset.exposure,
        "environment": asset.environment,
        "data_sensitivity": asset.data_sensitivity,
        "data_tags": tuple(asset.data_tags or ()),
        "criticality": asset.criticality,
    }


def _inputs(
    pol: RiskPolicy,
    sig: Signature,
    asset: Asset | dict[str, Any] | None,
    titles: dict[uuid.UUID, str],
) -> Inputs:
    """What `sig` is scored on: the asset's declared context, and where the asset declares
    nothing, the context the report carries (named as the source)."""
    fields = dict(asset if isinstance(asset, dict) else asset_context(asset))
    fields.update(
        severity=sig.severity,
        cvss=sig.cvss,
        secret_verified=sig.verified,
        tools=sig.tools,
        public_via=str(sig.public_via) if sig.public_via else None,
        public_via_title=titles.get(sig.public_via, "") if sig.public_via else "",
    )
    if sig.resource:
        exposure, sensitivity, combos = decode_resource(sig.resource)
        fields.update(
            resource_exposure=exposure, resource_sensitivity=sensitivity, combinations=combos
        )
    if sig.context:
        facts = decode_context(sig.context)
        if facts.kev is not None:
            fields.update(kev=True, kev_source=facts.kev.source)
        if facts.epss is not None:
            fields.update(epss=float(facts.epss.value), epss_source=facts.epss.source)
        if facts.exploit is not None:
            fields["public_exploit"] = facts.exploit.source
        if pol.report_context is not None:
            if facts.environment is not None and fields.get("environment", UNKNOWN) == UNKNOWN:
                fields.update(
                    environment=facts.environment.value,
                    environment_source=facts.environment.source,
                )
            if facts.data_sensitivity is not None and (
                fields.get("data_sensitivity", UNKNOWN) == UNKNOWN
            ):
                fields.update(
                    data_sensitivity=facts.data_sensitivity.value,
                    sensitivity_source=facts.data_sensitivity.source,
                )
            if facts.data_tags and not fields.get("data_tags"):
                fields["report_tags"] = tuple((t.value, t.source) for t in facts.data_tags)
            if facts.criticality is not None and fields.get("criticality") is None:
                fields.update(
                    criticality=_tier(pol, facts.criticality.value),
                    criticality_source=facts.criticality.source,
                )
    return Inputs(**fields)


_Result = tuple[int, str | None, int | None, str]  # score, priority, SLA days, explanation


class _Scorer:
    """Scores distinct inputs under one policy. Inputs that differ only in which finding
    exposes the resource share one computation; only the source in the explanation differs."""

    def __init__(
        self, pol: RiskPolicy, assets: dict[uuid.UUID, Asset], titles: dict[uuid.UUID, str]
    ) -> None:
        self._pol = pol
        self._assets = {asset_id: asset_context(a) for asset_id, a in assets.items()}
        self._titles = titles
        self._cache: dict[tuple[object, ...], Score] = {}
        self._texts: dict[tuple[object, ...], str] = {}
        self._factors: dict[tuple[object, ...], list[Explanation]] = {}

    def _key(self, sig: Signature) -> tuple[object, ...]:
        return (sig.asset_id, sig.severity, sig.cvss, sig.tools, sig.verified,
                sig.public_via is not None, sig.context, sig.resource)  # fmt: skip

    def _computed(self, key: tuple[object, ...], sig: Signature) -> Score:
        hit = self._cache.get(key)
        if hit is None:
            inputs = _inputs(self._pol, sig, self._assets.get(sig.asset_id), {})
            # the context factors do not depend on severity or CVSS: shared across them
            fkey = (sig.asset_id, sig.tools, sig.verified, sig.public_via is not None, sig.context,
                    sig.resource)  # fmt: skip
            found = self._factors.get(fkey)
            if found is None:
                found = self._factors[fkey] = factors(self._pol, inputs)
            hit = self._cache[key] = score(self._pol, inputs, found)
        return hit

    def same_as(self, other: "_Scorer", sig: Signature) -> bool:
        """Whether both policies give `sig` the same result (the named source aside, which
        both derive alike)."""
        key = self._key(sig)
        mine, theirs = self._computed(key, sig), other._computed(key, sig)
        return (
            mine.score == theirs.score
            and mine.priority == theirs.priority
            and mine.sla_days == theirs.sla_days
            and mine.explanation == theirs.explanation
        )

    def result(self, sig: Signature) -> _Result:
        key = self._key(sig)
        result = self._computed(key, sig)
        priority = result.priority.value if result.priority else None
        if sig.public_via is None:
            text = self._texts.get(key)
            if text is None:
                text = self._texts[key] = json.dumps([e.as_dict() for e in result.explanation])
            return result.score, priority, result.sla_days, text
        title = self._titles.get(sig.public_via, "")
        source = f"finding {sig.public_via}" + (f" ({title[:120]})" if title else "")
        explanation = [
            {**e.as_dict(), "source": source} if e.factor == "exposure" else e.as_dict()
            for e in result.explanation
        ]
        return result.score, priority, result.sla_days, json.dumps(explanation)


Scorer = _Scorer  # for aspm.risk.inline, which scores an import's new findings as they are written


def _score_all(
    session: Session,
    pol: RiskPolicy,
    signatures: Sequence[Signature],
    *,
    previous: RiskPolicy | None = None,
    only_changed: bool = False,
) -> list[ScoredSignature]:
    """Score each distinct input; with `previous`, also say whether its result changed.
    `only_changed`: the unchanged ones are not returned (nor their explanation built)."""
    assets = {a.id: a for a in assets_service.get_many(session, {s.asset_id for s in signatures})}
    new = _Scorer(pol, assets, {})
    old = _Scorer(previous, assets, {}) if previous is not None else None
    kept = []
    for sig in signatures:
        changed = old is None or not new.same_as(old, sig)
        if changed or not only_changed:
            kept.append((sig, changed))
    new._titles = findings_service.titles(
        session, list({s.public_via for s, _ in kept if s.public_via is not None})
    )
    out = []
    for sig, changed in kept:
        result = new.result(sig)
        out.append(
            ScoredSignature(
                signature=sig,
                score=result[0],
                priority=result[1],
                sla_days=result[2],
                explanation=result[3],
                changed=changed,
            )
        )
    return out


def _public(pol: RiskPolicy) -> repository.PublicControls:
    return repository.PublicControls(pol.public_controls, pol.not_public_controls)


def _load_resource_contexts(session: Session, pol: RiskPolicy, *, everything: bool) -> None:
    """What the inventory says about the selected findings' resources (all findings when
    `everything`): exposure, data sensitivity and toxic combinations (aspm.resources.exposure)."""
    found = resource_exposure.finding_contexts(
        session,
        selection=None if everything else repository.SEL,
        sensitivity_tags=pol.resource_context.sensitivity_tags,
        public_controls=pol.public_controls,
        not_public_controls=pol.not_public_controls,
        data_tags={tag: level.value for tag, level in pol.data_tags.items()},
    )
    rows = [(fid, text) for fid, ctx in found.items() if (text := encode_resource(ctx))]
    repository.load_resource_contexts(session, rows)


def _rescore(
    session: Session,
    pol: RiskPolicy,
    *,
    everything: bool = False,
    run_id: uuid.UUID | None = None,
    affected: Sequence[uuid.UUID] = (),
    asset_ids: Sequence[uuid.UUID] = (),
    previous: RiskPolicy | None = None,
    created_scored: bool = False,
    inventory: str | None = None,
) -> RescoreResult:
    """`inventory` (an import's pass): "resources" when the import brought resources, "links"
    when it may have linked its findings to resources: their findings' context is gathered anew.
    `asset_ids`: the assets to score, or with `run_id` the import's assets (what it created is
    read through their index)."""
    started = time.perf_counter()
    session.flush()
    repository.create_temp_tables(session)
    every_finding = everything
    try:
        updated = distinct = keyed = 0
        if everything and previous is not None:
            # a policy change: every scored finding holds what `previous` gave its stored key
            # (scores never go stale), so the distinct keys are re-scored and only the findings
            # whose key's result changes are rewritten; findings without a key are scored in full
            keys, keyed = repository.distinct_keys(session)
            distinct = len(keys)
            updated = repository.write_keyed(
                session,
                _score_all(session, pol, keys, previous=previous, only_changed=True),
                policy_version=pol.version,
            )
            everything = False
            to_score = repository.select_unkeyed(session)
        elif everything:
            to_score = -1  # every finding
        elif run_id is not None:
            to_score = repository.select_import(
                session,
                run_id=run_id,
                affected=affected,
                public_controls=_public(pol),
                created_scored=created_scored,
                asset_ids=asset_ids or None,
            )
            if inventory is not None:
                to_score = repository.select_inventory(
                    session, run_id=run_id, everything_linked=inventory == "resources"
                )
        else:
            to_score = repository.select_assets(session, asset_ids=asset_ids)
        if to_score != 0:
            _load_resource_contexts(session, pol, everything=everything)
            repository.gather_inputs(session, everything=everything, public_controls=_public(pol))
            if everything:
                to_score = repository.count_inputs(session)
            raw_inputs = repository.distinct_inputs(session)
            distinct += len(raw_inputs)
            scored = _score_all(session, pol, [sig for sig, _ in raw_inputs])
            updated += repository.write_scores(
                session,
                [(s, raw) for s, (_, raw) in zip(scored, raw_inputs, strict=True)],
                policy_version=pol.version,
            )
        selected = keyed + max(to_score, 0)
        if every_finding:  # every key in use was just written: the others are unused
            repository.drop_unused_explanations(session)
    finally:
        repository.drop_temp_tables(session)
    session.expire_all()  # ORM copies of findings are stale now
    return RescoreResult(
        policy_version=pol.version,
        selected=selected,
        distinct_inputs=distinct,
        updated=updated,
        duration_ms=int((time.perf_counter() - started) * 1000),
    )


def score_import(
    session: Session,
    *,
    run_id: uuid.UUID,
    affected: Sequence[uuid.UUID],
    policy_path: Path | None = None,
    actor: str = "system:ingest",
    created_scored: bool = False,
    inventory: str | None = None,
    asset_ids: Sequence[uuid.UUID] = (),
) -> RescoreResult:
    """Score what one import created or touched (called by the pipeline before it commits).
    `created_scored`: its new findings were scored as they were written (aspm.risk.inline).
    `inventory`: "resources" (the import stored resources: every linked finding's resource
    context may have changed) or "links" (it linked its findings to resources), else None.
    `asset_ids`: the import's assets, when the caller knows them: what it created is then read
    through the findings' asset index, not by scanning every finding (0.35 s of a 10k-result
    import at 1M findings)."""
    pol, applied = current_policy(session, path=policy_path, actor=actor)
    if applied:  # everything, this import's findings included, was just scored
        return RescoreResult(policy_version=pol.version, selected=0, distinct_inputs=0,
                             updated=0, duration_ms=0)  # fmt: skip
    return _rescore(
        session,
        pol,
        run_id=run_id,
        affected=affected,
        created_scored=created_scored,
        inventory=inventory,
        asset_ids=asset_ids,
    )


def rescore_findings(
    session: Session,
    finding_ids: Sequence[uuid.UUID],
    *,
    policy_path: Path | None = None,
    actor: str = "system",
) -> RescoreResult:
    """Re-score these findings (and those on a resource one of them shows public), e.g. after
    their detections or their resource changed outside an import's own scoring."""
    pol, applied = current_policy(session, path=policy_path, actor=actor)
    if applied or not finding_ids:
        return RescoreResult(policy_version=pol.version, selected=0, distinct_inputs=0,
                             updated=0, duration_ms=0)  # fmt: skip
    # a run id no finding was created by: the selection is `finding_ids` (and what they expose)
    return _rescore(session, pol, run_id=uuid.uuid4(), affected=finding_ids, created_scored=True)


def rescore_all(session: Session, *, policy_path: Path | None = None) -> RescoreResult:
    pol, applied = current_policy(session, path=policy_path)
    if applied:
        return RescoreResult(policy_version=pol.version, selected=0, distinct_inputs=0,
                             updated=0, duration_ms=0)  # fmt: skip
    return _rescore(session, pol, everything=True)


def rescore_assets(
    session: Session,
    *,
    changes: Sequence[assets_service.ContextChange],
    actor: str,
    policy_path: Path | None = None,
) -> RescoreResult:
    """Re-score the findings of assets whose context changed; one audit event per asset with
    the context before and after."""
    pol, applied = current_policy(session, path=policy_path, actor=actor)
    ids = [asset_id for asset_id, _, _ in changes]
    result = (
        RescoreResult(policy_version=pol.version, selected=0, distinct_inputs=0, updated=0,
                      duration_ms=0)
        if applied or not ids
        else _rescore(session, pol, asset_ids=ids)
    )  # fmt: skip
    now = utcnow()
    for asset_id, before, after in changes:
        audit_service.record(
            session, actor, "asset_context_changed", "asset", asset_id,
            from_value=_short(before), to_value=_short(after),
            reason="asset context changed: its findings were re-scored",
            details={
                "before": before,
                "after": after,
                "rescored": result.updated,
                "policy_version": pol.version,
            },
            at=now,
        )  # fmt: skip
    return result


def context_rescorer(*, actor: str, policy_path: Path | None = None) -> assets_service.Rescore:
    """What assets_service.apply and put call with the assets whose context changed: re-scores
    their findings (audited as `actor`, as rescore_assets) and refreshes those assets' metrics.
    Returns how many findings were re-scored."""

    def rescore(session: Session, changes: list[assets_service.ContextChange]) -> int:
        updated = rescore_assets(
            session, changes=changes, actor=actor, policy_path=policy_path
        ).updated
        # the posture of these assets (team, environment, priorities) moves with their context
        metrics_service.refresh_after_change(session, asset_ids=[c[0] for c in changes])
        return updated

    return rescore


def _short(context: dict[str, object]) -> str:
    keys = ("environment", "exposure", "data_sensitivity", "criticality")
    return ", ".join(f"{k}={context.get(k)}" for k in keys)[:200]


# --- explanations in words -----------------------------------------------------------------


def explain(session: Session, finding_id: uuid.UUID) -> RiskExplanation:
    finding = findings_service.get_risk_fields(session, finding_id)
    if finding is None:
        raise NotFound(f"no finding with id {finding_id}")
    items = findings_service.explanation_of(session, finding)
    summary = [describe(e) for e in items]
    missing = undeclared(items) if items else []
    if missing:
        assets = assets_service.get_many(session, [finding.asset_id])
        name = assets[0].name if assets else "its asset"
        words = ", ".join(m.replace("_", " ") for m in missing)
        summary.append(
            f"Not known for asset {name}, so neutral (x1.00): {words}. Declare it in "
            "assets.yaml to rank this finding by business context."
        )
    if finding.risk_score is not None:
        summary.append(
            f"Risk {finding.risk_score}/100, priority {finding.priority or 'none'}"
            + (f", fix by {finding.sla_due_at:%Y-%m-%d}" if finding.sla_due_at else "")
            + f" (policy {finding.risk_policy_version})."
        )
    else:
        summary.append("Not scored yet.")
    return RiskExplanation(
        finding_id=finding.id,
        title=finding.title,
        risk_score=finding.risk_score,
        priority=finding.priority,
        sla_due_at=finding.sla_due_at,
        policy_version=finding.risk_policy_version,
        factors=[
            ExplanationItem(
                factor=str(e.get("factor")),
                value=str(e.get("value")),
                multiplier=float(e.get("multiplier", 1.0)),
                source=str(e.get("source")),
                text=text,
            )
            for e, text in zip(items, summary, strict=False)
        ],
        summary=summary,
    )
