"""What "open" means, once: the queue's default view, the assets' open counts, the posture metrics
and the CLI all read it from here (DESIGN.md section 8).

A finding is open when the detector still reports it (`detector_state = active`), neither the
tool (in its report) nor a suppression rule hides it, and its triage state is new, confirmed or
in_progress: accepted risks, false positives and won't-fix are decided, so not open.
"""

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, not_

from aspm.findings.models import DetectorState, Finding, TriageState

OPEN_TRIAGE = (TriageState.NEW, TriageState.CONFIRMED, TriageState.IN_PROGRESS)


def undecided() -> ColumnElement[bool]:
    """Open apart from the detector state (metrics reconstruct past days, when a finding that is
    fixed now was still active): triage undecided, hidden by neither the tool nor a rule."""
    return and_(
        Finding.triage_state.in_(OPEN_TRIAGE),
        Finding.suppressed == false(),
        Finding.suppression_rule_id.is_(None),
    )


def open_clause() -> ColumnElement[bool]:
    """The SQL condition of an open finding."""
    return and_(Finding.detector_state == DetectorState.ACTIVE, undecided())


def closed_clause() -> ColumnElement[bool]:
    """Every finding that is not open: fixed, decided, or hidden."""
    return not_(open_clause())


def created_by_import(
    import_id: uuid.UUID, asset_ids: Sequence[uuid.UUID] | None = None
) -> ColumnElement[bool]:
    """The findings an import created. With the import's `asset_ids`, the condition names them
    too, so that the database reads those assets' index range: created_import_id has no index
    (it would cost every import an index insert per finding), and without the assets each
    statement read every finding (risk scoring and ownership rules at import)."""
    created = Finding.created_import_id == import_id
    return created if asset_ids is None else and_(Finding.asset_id.in_(asset_ids), created)
