"""SQL for gate evaluations."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from aspm.gate.models import FINAL_STATUSES, EvaluationStatus, GateEvaluation


def add(session: Session, evaluation: GateEvaluation) -> GateEvaluation:
    session.add(evaluation)
    session.flush()
    return evaluation


def get(session: Session, evaluation_id: uuid.UUID) -> GateEvaluation | None:
    return session.get(GateEvaluation, evaluation_id)


def get_for_update(session: Session, evaluation_id: uuid.UUID) -> GateEvaluation | None:
    return session.scalar(
        select(GateEvaluation).where(GateEvaluation.id == evaluation_id).with_for_update()
    )


def fail(session: Session, *, evaluation_id: uuid.UUID, error: str, now: datetime) -> None:
    """Error, with why, unless it already ended."""
    session.execute(
        update(GateEvaluation)
        .where(
            GateEvaluation.id == evaluation_id,
            GateEvaluation.status.not_in(list(FINAL_STATUSES)),
        )
        .values(status=EvaluationStatus.ERROR, error=error, evaluated_at=now)
    )


def pending_ids(session: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these evaluations are still queued or running."""
    if not ids:
        return set()
    rows = session.scalars(
        select(GateEvaluation.id).where(
            GateEvaluation.id.in_(ids), GateEvaluation.status.not_in(list(FINAL_STATUSES))
        )
    )
    return set(rows)


def list_page(
    session: Session,
    *,
    limit: int,
    offset: int,
    asset_id: uuid.UUID | None = None,
    passed: bool | None = None,
) -> tuple[Sequence[GateEvaluation], int]:
    stmt = select(GateEvaluation)
    if asset_id is not None:
        stmt = stmt.where(GateEvaluation.asset_id == asset_id)
    if passed is not None:
        stmt = stmt.where(GateEvaluation.passed.is_(passed))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(GateEvaluation.evaluated_at.desc(), GateEvaluation.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total
