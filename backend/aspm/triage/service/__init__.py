"""Triage, by concern: `decisions` (a finding's state and assignment), `comments` (and a finding's
history), `bulk` (one action on many findings), `rules` (suppression and ownership), `expiry`
(accepted risks and rules past their date) and `at_import` (rules applied to what an import
creates); `access` says who may do what. Every change writes an audit event.

Callers import this package (`from aspm.triage import service`); the names below are its API.
"""

from aspm.triage.service.access import acts_for_team, can_act
from aspm.triage.service.at_import import (
    NewFindingTeams,
    apply_rules_to_import,
    teams_for_new_findings,
)
from aspm.triage.service.bulk import bulk
from aspm.triage.service.comments import add_comment, history, list_comments
from aspm.triage.service.decisions import assign, current_acceptance, triage
from aspm.triage.service.expiry import expire_due, expire_now
from aspm.triage.service.rules import (
    create_ownership_rule,
    create_suppression_rule,
    list_ownership_rules,
    list_suppression_rules,
    preview_suppression,
    remove_ownership_rule,
    remove_suppression_rule,
    suppressed_by_rule,
)

__all__ = [
    "NewFindingTeams",
    "acts_for_team",
    "add_comment",
    "apply_rules_to_import",
    "assign",
    "bulk",
    "can_act",
    "create_ownership_rule",
    "create_suppression_rule",
    "current_acceptance",
    "expire_due",
    "expire_now",
    "history",
    "list_comments",
    "list_ownership_rules",
    "list_suppression_rules",
    "preview_suppression",
    "remove_ownership_rule",
    "remove_suppression_rule",
    "suppressed_by_rule",
    "teams_for_new_findings",
    "triage",
]
