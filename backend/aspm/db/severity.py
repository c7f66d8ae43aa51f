"""Severity ranking in SQL, from the one definition (aspm.common.severity): every statement that
ranks severities or turns a rank back into a label builds it here."""

from typing import Any

from sqlalchemy import case, literal
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.expression import ColumnElement

from aspm.common.severity import SEVERITY_BY_RANK, Severity


def _inline(value: object) -> BindParameter[Any]:
    """A constant written into the statement (not a parameter), as hand-written SQL would."""
    return literal(value, literal_execute=True)


def severity_rank(severity: ColumnElement[Any]) -> ColumnElement[int]:
    """CASE severity WHEN 'critical' THEN 4 ... ELSE 0 END (Severity.rank; unknown labels 0)."""
    return case(
        {_inline(s.value): _inline(s.rank) for s in Severity}, value=severity, else_=_inline(0)
    )


def severity_of_rank(rank: ColumnElement[Any]) -> ColumnElement[str]:
    """CASE rank WHEN 4 THEN 'critical' ... ELSE 'info' END: the label of a rank."""
    return case(
        {_inline(r): _inline(s.value) for r, s in sorted(SEVERITY_BY_RANK.items())},
        value=rank,
        else_=_inline(Severity.INFO.value),
    )
