"""Ownership and suppression rules applied to the findings an import creates."""

import re
import uuid
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy.orm import Session

from aspm.audit import service as audit_service
from aspm.common import globs
from aspm.common.clock import utcnow
from aspm.db.bulk import is_postgres
from aspm.triage import repository
from aspm.triage.models import OwnershipRule
from aspm.triage.schemas import RulesApplied
from aspm.triage.service.expiry import expire_due
from aspm.triage.service.rules import OWNERSHIP_ACTOR, SUPPRESSION_ACTOR

_RuleKey = tuple[tuple[object, ...], ...]


def _key(last_first: Sequence[OwnershipRule]) -> _RuleKey:
    return tuple((r.id, r.asset_id, r.path_glob, r.resource_pattern, r.team) for r in last_first)


def _pattern(glob: str | None, *, unsure: bool) -> tuple[re.Pattern[str] | None, bool]:
    """(the glob's expression, whether SQL may disagree with it) of a criterion; no expression for
    an empty glob, which `repository.criteria` leaves out."""
    if not glob:
        return None, False
    return globs.compile_one(glob), unsure and not glob.isascii()


class _Owner(NamedTuple):
    """One ownership rule as `team` matches it (place: its index, last first)."""

    place: int
    asset_id: uuid.UUID | None
    path: re.Pattern[str] | None
    path_unsure: bool  # SQL may not match the glob as Python does
    resource: re.Pattern[str] | None
    resource_unsure: bool
    team: str


class NewFindingTeams:
    """The team each finding an import creates is born with: the ownership rules, read once when
    the import starts, matched in Python (aspm.common.globs' expressions, the very ones
    `repository.criteria` hands to SQL) as `apply_at_import` matches them in SQL, so that the
    finding's insert carries its team and no UPDATE moves it between finding_sort_keys' partial
    indexes afterwards (benchmarks/README.md, "Giving 100k new findings a team").

    Where the two could differ, SQL decides, as it did before: PostgreSQL's case-insensitive
    expressions fold a letter only to its upper and lower case in the database's locale, Python
    folds a few more (the long s is `s`, the dotless and the dotted i are `i`, the final sigma is
    the sigma), so on PostgreSQL a criterion whose value or glob is not ASCII leaves the finding
    `undecided`: no team at insert, and `apply_rules_to_import` gives it its team in SQL. On
    SQLite, REGEXP is Python's `re` with the same expression: Python decides everything.

    `taken[i]` counts the findings the i-th rule, last first, gave their team."""

    def __init__(self, rules: Sequence[OwnershipRule], *, sql_is_python: bool) -> None:
        last_first = list(reversed(rules))  # the last match wins, as in CODEOWNERS
        self.key = _key(last_first)  # plain values: the writer thread may own the session
        self.taken = [0] * len(last_first)
        self.undecided = 0
        unsure = not sql_is_python
        self._unsure = unsure
        self._rules: list[_Owner] = []
        for index, rule in enumerate(last_first):
            path, path_unsure = _pattern(rule.path_glob, unsure=unsure)
            resource, resource_unsure = _pattern(rule.resource_pattern, unsure=unsure)
            if rule.asset_id is None and path is None and resource is None:
                continue  # no criteria match nothing, never everything (repository.criteria)
            self._rules.append(
                _Owner(
                    index, rule.asset_id, path, path_unsure, resource, resource_unsure, rule.team
                )
            )

    def team(self, asset_id: uuid.UUID, path: str | None, resource: str | None) -> str | None:
        """The team of a new finding of this asset, path and resource, counted in `taken`; None
        for no rule, or for a finding SQL decides (`undecided`)."""
        # SQL matches coalesce(column, '')
        path, resource = path or "", resource or ""
        path_unsure = self._unsure and not path.isascii()
        resource_unsure = self._unsure and not resource.isascii()
        for place, rule_asset, path_re, p_unsure, resource_re, r_unsure, team in self._rules:
            if rule_asset is not None and rule_asset != asset_id:
                continue
            unsure = False
            if path_re is not None:
                if p_unsure or path_unsure:
                    unsure = True
                elif path_re.match(path) is None:
                    continue
            if resource_re is not None:
                if r_unsure or resource_unsure:
                    unsure = True
                elif resource_re.match(resource) is None:
                    continue
            if unsure:  # this rule may take it or not, and it comes before every later match
                self.undecided += 1
                return None
            self.taken[place] += 1
            return team
        return None


def teams_for_new_findings(session: Session) -> NewFindingTeams | None:
    """The ownership rules for the findings an import is about to create (one query per import);
    None when there are none, so an import without ownership rules does nothing per finding.
    Hand it back to `apply_rules_to_import`."""
    rules = repository.list_ownership_rules(session)
    if not rules:
        return None
    return NewFindingTeams(rules, sql_is_python=not is_postgres(session))


def apply_rules_to_import(
    session: Session,
    import_id: uuid.UUID,
    *,
    asset_ids: Sequence[uuid.UUID] | None = None,
    teams: NewFindingTeams | None = None,
) -> RulesApplied:
    """Ownership and suppression rules for the findings `import_id` created, set-based: one
    grouped SELECT (what each rule takes) and one UPDATE (each new finding written at most once).
    Costs one query when there are no rules and nothing has expired.

    With `teams` (what `teams_for_new_findings` gave the import's new findings as they were
    written), ownership costs one query to check that the rules are still the ones the import
    started with: then the findings have their team already and the UPDATE leaves it alone (only
    the findings `teams` left undecided are matched in SQL). Rules that changed meanwhile (another
    transaction added or removed one) are applied as they are now: the teams given at insert are
    taken back and SQL decides, as without `teams`.

    A finding is born with its team and suppression, so they are not per-finding changes: each
    rule that took findings gets one audit event (`applied_at_import`, the count, the import id).
    Rules created later, and removals, write one event per finding they change.

    `asset_ids` (the import's assets, when the caller knows them) lets the statements use the
    findings' (asset_id, finding_key) index instead of scanning for `created_import_id`."""
    now = utcnow()
    has_suppression, has_ownership, has_due = repository.pending_work(session, now)
    if has_due:
        expire_due(session, now=now)
    result = RulesApplied()
    given = teams is not None and any(teams.taken)
    if not (has_suppression or has_ownership or given):
        return result
    # CASE takes the first true branch: ownership rules last-first (the last match wins, as in
    # CODEOWNERS), suppression rules oldest first
    owners = list(reversed(repository.list_ownership_rules(session))) if has_ownership else []
    hiders = list(repository.active_suppression_rules(session, now)) if has_suppression else []
    taken: dict[int, int] = {}
    in_sql = owners
    if teams is not None:
        if teams.key == _key(owners):
            taken = {i: n for i, n in enumerate(teams.taken) if n}
            in_sql = owners if teams.undecided else []
        elif given:
            repository.clear_teams_at_import(session, import_id, asset_ids=asset_ids)
    own_when = [
        repository.criteria(
            asset_id=r.asset_id, path_glob=r.path_glob, resource_pattern=r.resource_pattern
        )
        for r in in_sql
    ]
    hide_when = [
        repository.criteria(
            tool=r.tool, rule=r.rule, asset_id=r.asset_id, path_glob=r.path_glob,
            resource_pattern=r.resource_pattern,
        )
        for r in hiders
    ]  # fmt: skip
    counts = (
        repository.apply_at_import(
            session,
            import_id,
            asset_ids=asset_ids,
            teams=[(cond, r.team) for cond, r in zip(own_when, in_sql, strict=True)],
            suppressions=[(cond, r.id) for cond, r in zip(hide_when, hiders, strict=True)],
        )
        if in_sql or hiders
        else {}
    )
    for index, n in taken.items():
        counts[("ownership_rule", index)] = counts.get(("ownership_rule", index), 0) + n
    rule_ids = {
        "ownership_rule": [r.id for r in owners],
        "suppression_rule": [r.id for r in hiders],
    }
    for kind, ids in rule_ids.items():
        for index, rule_id in enumerate(ids):
            n = counts.get((kind, index), 0)
            if not n:
                continue
            if kind == "ownership_rule":
                result.owned += n
            else:
                result.suppressed += n
            audit_service.record(
                session, OWNERSHIP_ACTOR if kind == "ownership_rule" else SUPPRESSION_ACTOR,
                "applied_at_import", kind, rule_id, to_value=str(n),
                details={"import_id": str(import_id), "findings": n}, at=now,
            )  # fmt: skip
    return result
