"""Scoring new findings as an import writes them.

A finding an import creates is scored in Python before its row is written (COPY), instead of
written unscored and then rewritten by a set-based UPDATE: on PostgreSQL that UPDATE cost 3.6 s of
a 100k-finding import. Only what depends on other findings (a second tool joining, a resource
another finding shows public) is left to `service.score_import`, which then skips these rows.
"""

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from aspm.assets.models import Asset
from aspm.db.bulk import db_uuid
from aspm.risk import repository, service
from aspm.risk.context import encode, pairs_text
from aspm.risk.policy import RiskPolicy
from aspm.risk.repository import Signature

# score, priority, SLA due, risk key, context (findings.context)
InlineScore = tuple[int, str | None, datetime | None, str, str | None]
_Cached = tuple[int, str | None, int | None, str, str | None]


class InlineScorer:
    """Scores under the policy in force; results are shared by findings with the same inputs."""

    def __init__(self, session: Session, *, policy_path: Path | None, actor: str) -> None:
        self.policy: RiskPolicy = service.current_policy(session, path=policy_path, actor=actor)[0]
        self.version = self.policy.version
        self._scorers: dict[uuid.UUID, service.Scorer] = {}
        self._cache: dict[tuple[uuid.UUID, str, float | None, bool, tuple[tuple[str, str], ...]],
                          _Cached] = {}  # fmt: skip
        self._explanations: dict[tuple[uuid.UUID, str], str] = {}  # (asset id, risk key)

    def score(
        self,
        asset: Asset,
        *,
        severity: str,
        cvss: float | None,
        verified: bool,
        now: datetime,
        context: tuple[tuple[str, str], ...] = (),
    ) -> InlineScore:
        """`context`: RawFinding.context, what the report says about the resource."""
        key = (asset.id, severity, cvss, verified, context)
        hit = self._cache.get(key)
        if hit is None:
            scorer = self._scorers.get(asset.id)
            if scorer is None:
                scorer = self._scorers[asset.id] = service.Scorer(
                    self.policy, {asset.id: asset}, {}
                )
            stored = pairs_text(context)
            sig = Signature(asset.id, severity, cvss, 1, verified, None, encode(stored))
            value, priority, days, explanation = scorer.result(sig)
            risk_key = sig.key()
            hit = self._cache[key] = (value, priority, days, risk_key, stored)
            self._explanations[(asset.id, risk_key)] = explanation
        value, priority, days, risk_key, stored = hit
        due = now + timedelta(days=days) if days is not None else None
        return value, priority, due, risk_key, stored

    def store_explanations(self, session: Session) -> None:
        """Store the explanations of what was scored (once per asset and input), in the import's
        transaction."""
        repository.store_explanations(
            session,
            [
                (db_uuid(session, asset_id), risk_key, explanation)
                for (asset_id, risk_key), explanation in self._explanations.items()
            ],
        )
