"""Ownership rules give a new finding its team before it is written (triage.service
NewFindingTeams, matched in Python): Python and SQL (`repository.criteria`) agree on which rule
takes a finding, the insert carries the team (no UPDATE of `team`, finding_sort_keys right), SQL
decides where PostgreSQL may fold case otherwise, and rules that change during an import are
applied as they are at its end."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.audit.models import AuditEvent
from aspm.auth.principal import SYSTEM
from aspm.db.bulk import is_postgres
from aspm.findings.models import Finding
from aspm.triage import repository
from aspm.triage import service as triage_service
from aspm.triage.models import OwnershipRule
from aspm.triage.schemas import OwnershipRuleCreate, SuppressionRuleCreate
from tests.factories import gitleaks_leak, gitleaks_report, ingest_bytes
from tests.triage.helpers import secret

T0 = datetime(2026, 11, 1, tzinfo=UTC)

# values a rule may see: case, `/` in and around wildcards, classes, LIKE's characters, dots,
# spaces, newlines (`**` is `.*`), empty and missing values, and letters PostgreSQL and Python
# fold differently (long s, dotted and dotless i, Kelvin sign) or alike (accents)
PATHS = [
    "services/payments/a.env", "SERVICES/Payments/A.ENV", "services/payments/legacy/b.env",
    "services", "main.tf", "a/main.tf", "pages/[id].tsx", "pages/i.tsx", "100%_done.env",
    "100x_done.env", "dir with space/x.env", "a\nb/c.env", "line\nbreak.env", "", None,
    ".hidden/x.tf", "x/.env", "deep/a/b/c/d/e/f.py", "src/test_a.py", "src/x/y/test_b.py",
    "[z-a]", "z.tf", "_.tf", "src/\u017fecret.env", "\u0130nfra/main.tf", "infra/main.tf",
    "\u0131nfra/main.tf", "\u00dcn\u00efcode/\u00e9.env", "\u00fcn\u00efcode/\u00c9.env",
    "x/\u212a.env", "x/k.env",
]  # fmt: skip
RESOURCES = [
    None, "", "arn:aws:s3:::logs/a", "arn:aws:s3:::logs/a/b", "ARN:AWS:S3:::LOGS/x",
    "aws_s3_bucket.B1", "aws_s3_bucket.b1.extra", "module.m[\"k\"].aws_s3_bucket.b",
]  # fmt: skip
GLOBS = [
    "services/payments/*", "services/**", "SERVICES/**", "**/*.tf", "*.tf", "**", "*",
    "pages/[id].tsx", "pages/\\[id\\].tsx", "100%_done.env", "?.tf", "[!a-y].tf", "[Z-a]*",
    "src/**/test_*.py", "*/.env", "infra/**", "INFRA/*", "src/s*", "x/k.env", "x/K.env",
    "line?break.env", "a*b/**", "**/*.env", "\u00fcn\u00efcode/**", "**/\u00e9.env",
    "dir with space/*",
]  # fmt: skip
RESOURCE_GLOBS = ["arn:aws:s3:::logs/*", "arn:aws:s3:::logs/**", "aws_s3_bucket.*", "*", "**"]


def _rule(
    *,
    asset_id: uuid.UUID | None = None,
    path_glob: str | None = None,
    resource_pattern: str | None = None,
    team: str = "t",
) -> OwnershipRule:
    return OwnershipRule(
        id=uuid.uuid4(), position=0, asset_id=asset_id, path_glob=path_glob,
        resource_pattern=resource_pattern, team=team, author="test", created_at=T0,
    )  # fmt: skip


def _seed(session: Session, import_id: uuid.UUID) -> tuple[list[uuid.UUID], list[dict[str, Any]]]:
    """Two assets (one with an owner team) and a finding per (asset, path) and per resource."""
    assets = [
        assets_service.get_or_create(session, name="acme/tricky", owner_team="asset-team").id,
        assets_service.get_or_create(session, name="acme/other").id,
    ]
    values: list[tuple[uuid.UUID, str | None, str | None]]
    values = [(a, p, None) for a in assets for p in PATHS]
    values += [(assets[0], "main.tf", r) for r in RESOURCES]
    rows = [
        {
            "id": uuid.uuid4(), "asset_id": asset_id, "finding_key": f"k{n}", "control_id": "c",
            "title": "t", "category": "iac", "severity": "high", "severity_rank": 3,
            "path": path, "resource": resource, "created_import_id": import_id,
            "first_seen_at": T0, "last_seen_at": T0,
        }
        for n, (asset_id, path, resource) in enumerate(values)
    ]  # fmt: skip
    session.execute(insert(Finding), rows)
    return assets, rows


def _sure(postgres: bool, *values: str | None) -> bool:
    """Whether Python must decide: always on SQLite, for ASCII on PostgreSQL."""
    return not postgres or all((v or "").isascii() for v in values)


def test_python_and_sql_agree_on_which_findings_a_rule_takes(session: Session) -> None:
    postgres = is_postgres(session)
    assets, rows = _seed(session, uuid.uuid4())
    rules = [_rule(path_glob=g) for g in GLOBS]
    rules += [_rule(resource_pattern=g) for g in RESOURCE_GLOBS]
    rules += [_rule(asset_id=assets[0]), _rule(asset_id=assets[1], path_glob="**/*.env")]
    rules += [_rule(path_glob="*.tf", resource_pattern="aws_s3_bucket.*")]
    rules += [_rule(path_glob=""), _rule()]  # no criteria: matches nothing, never everything
    decided = 0
    for rule in rules:
        where = repository.criteria(
            asset_id=rule.asset_id, path_glob=rule.path_glob, resource_pattern=rule.resource_pattern
        )
        in_sql = set(session.scalars(select(Finding.id).where(*where)))
        teams = triage_service.NewFindingTeams([rule], sql_is_python=not postgres)
        for row in rows:
            before = teams.undecided
            team = teams.team(row["asset_id"], row["path"], row["resource"])
            if teams.undecided > before:  # left to SQL: only where PostgreSQL may fold otherwise
                assert not _sure(
                    postgres, rule.path_glob, rule.resource_pattern, row["path"], row["resource"]
                )
                continue
            decided += 1
            assert (team is not None) is (row["id"] in in_sql), (
                rule.asset_id, rule.path_glob, rule.resource_pattern, row["path"], row["resource"]
            )  # fmt: skip
    assert decided > (0.8 if postgres else 1) * len(rules) * len(rows) - 1


def test_the_last_matching_rule_wins_in_python_as_in_sql(session: Session) -> None:
    """All the rules at once, in order: each finding's team and each rule's count, Python's (what
    `NewFindingTeams` gives) against SQL's (`apply_at_import`)."""
    postgres = is_postgres(session)
    import_id = uuid.uuid4()
    assets, rows = _seed(session, import_id)
    # globs that are not ASCII first (matched last): on PostgreSQL, SQL decides what reaches them
    ordered = sorted(GLOBS, key=str.isascii)
    rules = [_rule(path_glob=g, team=f"g{i}") for i, g in enumerate(ordered)]
    rules.insert(3, _rule(asset_id=assets[1], team="other"))
    rules.append(_rule(path_glob="*.tf", resource_pattern="arn:aws:s3:::logs/**", team="tf-arn"))
    teams = triage_service.NewFindingTeams(rules, sql_is_python=not postgres)
    in_python: dict[uuid.UUID, str | None] = {}
    for row in rows:
        before = teams.undecided
        team = teams.team(row["asset_id"], row["path"], row["resource"])
        if teams.undecided == before:
            in_python[row["id"]] = team
    last_first = [
        (repository.criteria(asset_id=r.asset_id, path_glob=r.path_glob,
                             resource_pattern=r.resource_pattern), r.team)
        for r in reversed(rules)
    ]  # fmt: skip
    counts = repository.apply_at_import(session, import_id, teams=last_first, suppressions=[])
    in_sql = {r.id: r.team for r in session.execute(select(Finding.id, Finding.team))}
    assert in_python == {i: in_sql[i] for i in in_python}
    assert len(in_python) > (0.6 if postgres else 1) * len(rows) - 1
    assert sum(teams.taken) > len(rows) // 2
    if not postgres:
        assert [counts.get(("ownership_rule", i), 0) for i in range(len(rules))] == teams.taken


@pytest.fixture
def team_writes(connection: Connection) -> Any:
    """On PostgreSQL, the ids of the findings each UPDATE naming `team` wrote (a trigger of the
    test's transaction, rolled back with it)."""
    connection.execute(text("CREATE TABLE test_team_writes (finding_id uuid)"))
    connection.execute(
        text(
            "CREATE FUNCTION test_team_written() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN INSERT INTO test_team_writes VALUES (NEW.id); RETURN NULL; END $$"
        )
    )
    connection.execute(
        text(
            "CREATE TRIGGER test_team_written AFTER UPDATE OF team ON findings"
            " FOR EACH ROW EXECUTE FUNCTION test_team_written()"
        )
    )
    return lambda: set(
        connection.execute(text("SELECT finding_id FROM test_team_writes")).scalars()
    )


def _own(session: Session, team: str, **criteria: str) -> uuid.UUID:
    rule = triage_service.create_ownership_rule(
        session, request=OwnershipRuleCreate(team=team, **criteria), principal=SYSTEM
    )
    return rule.id


def _applied(session: Session, import_id: uuid.UUID | None) -> dict[uuid.UUID, str | None]:
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "applied_at_import", AuditEvent.object_type == "ownership_rule"
        )
    ).all()
    mine = [e for e in events if import_id is None or e.details["import_id"] == str(import_id)]
    assert all(e.details["findings"] == int(e.to_value or 0) for e in mine)
    return {uuid.UUID(str(e.object_id)): e.to_value for e in mine}


@pytest.mark.postgres
def test_a_new_finding_is_written_with_its_team(
    sessions: sessionmaker[Session], session: Session, team_writes: Any
) -> None:
    assets_service.get_or_create(session, name="acme/born", owner_team="asset-team")
    seed = ingest_bytes(
        sessions, gitleaks_report(gitleaks_leak(secret(0), file="old.env")), asset="acme/born"
    )
    assert seed.status == "ok"
    platform = _own(session, "platform", asset="acme/born")
    payments = _own(session, "payments", path_glob="services/payments/**")
    legacy = _own(session, "legacy", path_glob="services/payments/legacy/*")
    triage_service.create_suppression_rule(
        session,
        request=SuppressionRuleCreate(path_glob="**/fixtures/*", justification="test data"),
        principal=SYSTEM,
    )
    files = {
        "old.env": None,  # seen before: a re-import leaves it alone
        "web/a.env": "platform",  # the asset's owner team does not stop a rule, as before
        "services/payments/a.env": "payments",
        "services/payments/fixtures/k.env": "payments",  # and suppressed
        "services/payments/legacy/b.env": "legacy",
    }
    report = gitleaks_report(*(gitleaks_leak(secret(i), file=f) for i, f in enumerate(files)))
    result = ingest_bytes(sessions, report, asset="acme/born")
    assert result.new_findings == 4
    session.expire_all()

    def findings() -> dict[str, tuple[uuid.UUID, str | None, uuid.UUID | None]]:
        rows = session.execute(
            select(Finding.path, Finding.id, Finding.team, Finding.suppression_rule_id)
        ).all()
        return {r.path: (r.id, r.team, r.suppression_rule_id) for r in rows}

    def sort_keys() -> dict[uuid.UUID, str | None]:
        rows = session.execute(text("SELECT finding_id, team FROM finding_sort_keys"))
        return {r.finding_id: r.team for r in rows}

    now = findings()
    assert {p: team for p, (_, team, _) in now.items()} == files
    assert [p for p, (_, _, hidden) in now.items() if hidden] == [
        "services/payments/fixtures/k.env"
    ]
    # the insert carried each team: the UPDATE (of the suppressed one) did not name `team`
    assert team_writes() == set()
    assert {p: sort_keys()[i] for p, (i, _, _) in now.items()} == files
    assert _applied(session, result.import_id) == {platform: "1", payments: "2", legacy: "1"}

    # a path that is not ASCII: PostgreSQL may fold its case otherwise, so SQL gives its team
    report = gitleaks_report(gitleaks_leak(secret(9), file="services/payments/\u00fcber.env"))
    again = ingest_bytes(sessions, report, asset="acme/born")
    session.expire_all()
    fid, team, _ = findings()["services/payments/\u00fcber.env"]
    assert (team, sort_keys()[fid]) == ("payments", "payments")
    assert team_writes() == {fid}
    assert _applied(session, again.import_id) == {payments: "1"}


def test_rules_that_change_during_an_import_apply_as_they_are_at_its_end(
    sessions: sessionmaker[Session], session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule added and one removed while the import runs (here: right after it read them): the
    teams the findings were born with are taken back, and today's rules decide in SQL."""
    gone = _own(session, "gone", path_glob="**/*.env")
    read = triage_service.teams_for_new_findings

    def read_then_change(s: Session) -> triage_service.NewFindingTeams | None:
        teams = read(s)
        triage_service.remove_ownership_rule(s, rule_id=gone, principal=SYSTEM)
        later.append(_own(s, "later", path_glob="b/*"))
        return teams

    later: list[uuid.UUID] = []
    monkeypatch.setattr(triage_service, "teams_for_new_findings", read_then_change)
    files = ["a/x.env", "b/y.env"]
    report = gitleaks_report(*(gitleaks_leak(secret(i), file=f) for i, f in enumerate(files)))
    result = ingest_bytes(sessions, report, asset="acme/changed")
    session.expire_all()
    teams = {r.path: r.team for r in session.execute(select(Finding.path, Finding.team))}
    assert teams == {"a/x.env": None, "b/y.env": "later"}
    assert _applied(session, result.import_id) == {later[0]: "1"}


def test_an_import_without_ownership_rules_gives_no_team(
    sessions: sessionmaker[Session], session: Session
) -> None:
    assert triage_service.teams_for_new_findings(session) is None
    report = gitleaks_report(gitleaks_leak(secret(1), file="a.env"))
    assert ingest_bytes(sessions, report, asset="acme/none").new_findings == 1
    assert session.scalars(select(Finding.team)).all() == [None]
