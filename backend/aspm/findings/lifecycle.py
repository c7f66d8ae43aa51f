"""A finding's two states, as plain enums (no SQLAlchemy): the detector's (is the tool still
reporting it?) and triage's (what people decided). Pure modules such as the triage state machine
(aspm.triage.transitions) import them from here; aspm.findings.models stores them."""

from enum import StrEnum


class DetectorState(StrEnum):
    ACTIVE = "active"
    FIXED = "fixed"


class TriageState(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    FALSE_POSITIVE = "false_positive"
    ACCEPTED_RISK = "accepted_risk"
    WONT_FIX = "wont_fix"
