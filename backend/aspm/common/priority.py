"""The risk priority bands a finding's score decides (aspm.risk.policy's decision table)."""

from enum import StrEnum


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


PRIORITY_ORDER = (Priority.P1, Priority.P2, Priority.P3, Priority.P4)  # most urgent first
