"""SQL for gate evaluations."""

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aspm.gate.models import GateEvaluation


def add(session: Session, evaluation: GateEvaluation) -> GateEvaluation:
    session.add(evaluation)
    session.flush()
    return evaluation


def get(session: Session, evaluation_id: uuid.UUID) -> GateEvaluation | None:
    return session.get(GateEvaluation, evaluation_id)


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
