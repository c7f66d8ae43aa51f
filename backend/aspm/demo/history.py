"""The demo's past: the same reports imported through the real pipeline on days spread over the
last N days, so that trends, MTTR, SLA, coverage and the daily snapshots have something true.

Time is moved with `aspm.common.clock.set_clock`, the one clock the pipeline reads (import
times, first/last seen, resolved_at, SLA due dates, audit events all follow it). That clock is
process-wide: run the history from the CLI (its own process), never inside a serving process.

The story (for 90 days; other lengths scale):
- day -90: round 1, the baseline of every asset; re-scanned unchanged on day -69
- day -48: round 2 after a fix sprint (fixes, a few new issues); re-scanned on day -34 and -20
- day -40: a security lead marks one finding a false positive; day -30: accepts one risk for 60 days
- day -12: round 3 (a revert re-opens issues on infra-modules and the prod account)
- day -1: every asset's latest report once more
- before each report's first import its pull request is gated (aspm gate --dry-run, default
  policy, branch main): recorded in gate_evaluations, nothing else stored
Every day from -90 to today gets its snapshot (after that day's imports).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from aspm.auth.principal import Principal, Role
from aspm.common.clock import reset_clock, set_clock, utcnow
from aspm.db.session import unit_of_work
from aspm.findings import service as findings_service
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import FindingFilter
from aspm.gate import policy as gate_policy
from aspm.gate import service as gate_service
from aspm.ingest import service as ingest_service
from aspm.ingest.schemas import IngestResult
from aspm.metrics import service as metrics_service
from aspm.triage import service as triage_service
from aspm.triage.schemas import TriageRequest

# the demo's security lead, as `aspm users bootstrap --demo` creates them: the audit trail names
# a user people can sign in as
LEAD = Principal(kind="user", id=None, name="lead", role=Role.SECURITY_LEAD)


@dataclass(frozen=True, slots=True)
class Planned:
    path: Path
    asset: str
    round: int


@dataclass(slots=True)
class History:
    story: list[IngestResult]  # the first import of each report, in order
    rescans: int = 0  # imports of reports that had been imported before
    snapshots: int = 0
    triaged: int = 0
    gated: int = 0  # pull requests gated (dry run) before a report's first import
    blocked: int = 0  # of which the gate failed


def _day_of(days: int, fraction: float) -> int:
    """The day (as days before today) a fraction of the way into the history."""
    return -max(1, round(days * fraction))


@contextmanager
def _clock_at(moment: Callable[[], datetime]) -> Iterator[None]:
    set_clock(moment)
    try:
        yield
    finally:
        reset_clock()


def _schedule(reports: Sequence[Planned], days: int) -> dict[int, list[Planned]]:
    """Which reports each day imports: rounds and re-scans of each scan's latest round."""
    rounds = sorted({r.round for r in reports})
    by_round = {n: [r for r in reports if r.round == n] for n in rounds}
    # each scan (asset + file name) -> its reports by round
    scans: dict[tuple[str, str], dict[int, Planned]] = {}
    for r in reports:
        scans.setdefault((r.asset, r.path.name), {})[r.round] = r

    def latest(upto: int) -> list[Planned]:
        out = []
        for per_round in scans.values():
            done = [n for n in per_round if n <= upto]
            if done:
                out.append(per_round[max(done)])
        return out

    plan: dict[int, list[Planned]] = {}
    starts = {1: 1.0, 2: 0.53, 3: 0.13}
    order = {key: i for i, key in enumerate(scans)}
    for n in rounds:
        day = _day_of(days, starts.get(n, 0.1))
        for r in by_round[n]:
            # teams fix at different speeds: a scan's later rounds land 0-12 days after the
            # round's first day (in import order within a day)
            lag = 0 if n == 1 else min(-day - 2, (order[(r.asset, r.path.name)] % 5) * 3)
            plan.setdefault(day + lag, []).append(r)
    for fraction, upto in ((0.77, 1), (0.38, 2), (0.22, 2)):
        plan.setdefault(_day_of(days, fraction), []).extend(latest(upto))
    plan.setdefault(-1, []).extend(latest(max(rounds)))
    return plan


def _triage_story(session: Session, *, now: datetime, accept: bool) -> int:
    """Day -40: a lead marks a low secret-scanner finding a false positive; day -30: accepts the
    risk of a medium finding for 60 days (the public load balancer rule is by design)."""
    wanted = TriageState.ACCEPTED_RISK if accept else TriageState.FALSE_POSITIVE
    flt = FindingFilter(
        status=[DetectorState.ACTIVE],
        triage=[TriageState.NEW],
        q="alb" if accept else None,
        category=None if accept else "secret",
        limit=1,
    )
    found = findings_service.list_findings(session, flt).items
    if not found:
        return 0
    finding = found[0]
    request = TriageRequest(
        state=wanted,
        reason="public ALB by design: internet-facing load balancer, reviewed with the team"
        if accept
        else "test fixture value in a sample config, not a credential",
        expires_at=now + timedelta(days=60) if accept else None,
        approver="ciso@acme.example" if accept else None,
        version=finding.version,
    )
    triage_service.triage(session, finding_id=finding.id, request=request, principal=LEAD)
    return 1


def replay(
    factory: sessionmaker[Session],
    reports: Sequence[Planned],
    *,
    days: int,
    hmac_key: bytes,
    batch_size: int,
    actor: str,
) -> History:
    """Import `reports` along the story over the last `days` days, with a snapshot per day."""
    today = utcnow().date()
    plan = _schedule(reports, days)
    history = History(story=[])
    seen: set[Path] = set()
    triage_days = {_day_of(days, 0.44): False, _day_of(days, 0.33): True}
    for offset in range(-days, 1):
        day = today + timedelta(days=offset)
        base = datetime.combine(day, time(9), tzinfo=UTC)
        step = [0]  # minutes after 09:00: each import a minute later

        def moment(base: datetime = base, step: list[int] = step) -> datetime:
            return base + timedelta(minutes=step[0])

        # today runs on the real clock; past days on a clock set to that day
        with _clock_at(moment) if offset < 0 else _noop():
            for planned in plan.get(offset, []):
                step[0] += 1
                if planned.path not in seen:  # its pull request was gated first (a dry run)
                    gate = gate_service.evaluate_files(
                        factory, [planned.path], loaded=gate_policy.load(),
                        options=gate_service.GateOptions(asset=planned.asset, branch="main",
                                                         dry_run=True),
                        hmac_key=hmac_key, batch_size=batch_size, actor=actor,
                    )  # fmt: skip
                    history.gated += 1
                    history.blocked += not gate.passed
                with planned.path.open("rb") as fh:
                    result = ingest_service.run_import(
                        factory,
                        source=fh,
                        filename=str(planned.path),
                        options=ingest_service.IngestOptions(asset=planned.asset, actor=actor),
                        hmac_key=hmac_key,
                        batch_size=batch_size,
                    )
                if planned.path in seen:
                    history.rescans += 1
                else:
                    seen.add(planned.path)
                    history.story.append(result)
            if offset in triage_days:
                step[0] += 1
                with unit_of_work(factory) as session:
                    history.triaged += _triage_story(
                        session, now=utcnow(), accept=triage_days[offset]
                    )
            step[0] = 11 * 60  # the day's snapshot at 20:00
            with unit_of_work(factory) as session:
                metrics_service.take_snapshot(session)
            history.snapshots += 1
    return history


@contextmanager
def _noop() -> Iterator[None]:
    yield
