"""The ingestion pipeline (DESIGN §2): detect, parse (streaming), normalize, redact, fingerprint,
stage in batches, merge set-based, apply the lifecycle. One transaction per import.
"""

import dataclasses
import gc
import hashlib
import io
import logging
import queue
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum, StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sqlalchemy import Connection, event
from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.assets.models import Asset, AssetKind
from aspm.auth.principal import SYSTEM, Principal, Role
from aspm.common.clock import utcnow
from aspm.common.hashing import redact, secret_hmac, secret_preview
from aspm.common.iac import block_address, common_suffix_segments
from aspm.common.paging import Page
from aspm.common.paths import normalize_path
from aspm.common.severity import Severity
from aspm.db.bulk import datetime_value, is_postgres, uuid_value
from aspm.db.session import is_transaction_conflict, unit_of_work
from aspm.errors import IngestError, InvalidInput, NotFound, PermissionDenied, internal_error
from aspm.findings.code_links import is_commit
from aspm.findings.controls import Control, load_control_map
from aspm.findings.fingerprint import (
    FINDING_KEY_VERSION,
    FINGERPRINT_VERSION,
    control_for,
    correlated_key,
    detection_digest,
    finding_key,
    occurrence,
    stable_location,
)
from aspm.findings.models import DetectorState, TriageState
from aspm.ingest import repository
from aspm.ingest.contract import Category, ParseContext, RawFinding
from aspm.ingest.models import FINAL_STATUSES, IngestRun, IngestScope, IngestStatus
from aspm.ingest.reading import open_report, parse_all
from aspm.ingest.repository import (
    Batch,
    DetectionRow,
    DetectionUpdate,
    FindingRow,
    new_detection_row,
    new_detection_update,
    new_finding_row,
)
from aspm.ingest.schemas import IngestResult, IngestRunRead
from aspm.integrations import service as integrations_service
from aspm.integrations import tickets_service
from aspm.metrics import service as metrics_service
from aspm.resources import service as resources_service
from aspm.risk import service as risk_service
from aspm.risk.inline import InlineScorer
from aspm.triage import service as triage_service

log = logging.getLogger(__name__)

MAX_WARNINGS = 200
MAX_SNIPPET = 4000
MAX_TITLE = 1000
# detections.start_line / end_line are INTEGER columns (32-bit on PostgreSQL)
LINE_RANGE = range(-(2**31), 2**31)
NUL = "\x00"  # PostgreSQL text cannot hold it; SQLite could, and must not differ
REPLACEMENT = "\ufffd"


class _Found(Enum):
    """How `_Import._finding_id` found the finding of a key."""

    EXISTING = "existing"  # already in the database
    CREATED = "created"  # created by this call: the caller writes its row
    CREATED_BEFORE = "created_before"  # created by an earlier record of this import


# Enum members the per-record path reads, as module globals: on Python 3.11 reading a member off
# its class costs ~90 ns, a global ~10 ns, and a new finding's record read five of them
_CREATED, _EXISTING, _CREATED_BEFORE = _Found.CREATED, _Found.EXISTING, _Found.CREATED_BEFORE
_DETECTOR_ACTIVE = DetectorState.ACTIVE
_TRIAGE_NEW, _TRIAGE_FALSE_POSITIVE = TriageState.NEW, TriageState.FALSE_POSITIVE


# The per-import map of known detections (`_Target.known`): fingerprint digest -> one int per
# detection, not an object (a large re-import holds a million of them). Its low bits are flags;
# above them, the content hash stored with the detection, replaced by the line the record was
# at once this import has seen it (`_SEEN`).
_ACTIVE = 1  # the detection is active
_IN_SCOPE = 2  # it belongs to this import's scope: a full import retires it if unseen
_SEEN = 4  # this import has seen it
_FLAGS = _ACTIVE | _IN_SCOPE | _SEEN
# Plain ints, not an IntFlag: `entry & flag` with an IntFlag runs Flag.__rand__ in Python, 50 times
# the cost of the int operation (timeit: 3.4 us against 0.06 us), and every record tests these.
_FLAG_BITS = 3


def _known(value: int, flags: int) -> int:
    """A known-map entry: `value` (a content hash, or a line once seen) above the flags."""
    return (value << _FLAG_BITS) | flags


def _known_value(entry: int) -> int:
    """The content hash of a known-map entry, or its line once this import has seen it."""
    return entry >> _FLAG_BITS


# The per-asset map of finding keys (`_AssetFindings.ids`): 64-bit key prefix -> the finding's
# id (a 128-bit int) above one bit saying that this import created it.
def _finding_entry(finding_id: int, *, created: bool) -> int:
    return (finding_id << 1) | created


def _entry_finding_id(entry: int) -> int:
    return entry >> 1


def _entry_created(entry: int) -> bool:
    return bool(entry & 1)


@dataclass(frozen=True, slots=True)
class IngestOptions:
    asset: str | None = None  # put every record on this asset (created if missing)
    scope: str = ""  # target within (asset, tool): branch, account/region, ...
    partial: bool = False  # a partial import never retires detections
    format: str | None = None  # override content detection
    actor: str = "cli"
    risk_policy: Path | None = None  # ASPM_RISK_POLICY: the policy file to score with
    # who imports, for the asset check (`_Import.authorize`); SYSTEM (the CLI, the demo) may
    # import anywhere
    principal: Principal = SYSTEM


class _HashingReader(io.RawIOBase):
    """Pass-through reader that hashes (SHA-256) and counts what it reads."""

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._progress = progress
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(b))
        if not data:
            return 0
        n = len(data)
        memoryview(b).cast("B")[:n] = data
        self.sha256.update(data)
        self.size += n
        if self._progress is not None:
            self._progress(n)
        return n

    def drain(self) -> None:
        """Read what the parser left unread, so the hash covers the whole file."""
        while self.read(1 << 20):
            pass


class SessionInUseError(RuntimeError):
    """The import's session was used while its writer thread owned it: a bug, never the user's."""


class _Writer:
    """An import's only way to its Session while the report streams: `submit` a batch to be
    written, `session()` for anything else.

    On PostgreSQL a thread writes the batches, so that the server's work on one batch overlaps
    the parsing of the next. The thread owns the session from `submit` until `session()` has
    waited for every batch submitted to be written, and then hands it back. `_Import` keeps no
    reference to the session, and while the thread owns it a statement on its connection from
    any other thread (an ORM lazy load included) raises SessionInUseError at once: a query that
    skips the hand-over fails the first PostgreSQL test that reaches it instead of racing in
    production. On SQLite the caller's thread writes each batch when it is submitted.
    """

    def __init__(
        self, session: Session, apply: Callable[[Session, Batch], None], *, threaded: bool
    ) -> None:
        self._session = session
        self._apply = apply
        self._error: BaseException | None = None
        self._queue: queue.Queue[Batch | None] | None = None
        self._thread: threading.Thread | None = None
        self._guarded: Connection | None = None
        self._owned = False  # by the thread: from `submit` until `session()` has waited for it
        if threaded:
            self._guarded = session.connection()
            event.listen(self._guarded, "before_cursor_execute", self._guard)
            self._queue = queue.Queue(maxsize=2)
            self._thread = threading.Thread(target=self._run, name="aspm-ingest-writer")
            self._thread.start()

    def _guard(self, *_: object) -> None:
        if self._owned and threading.current_thread() is not self._thread:
            raise SessionInUseError(
                "an import used its session while the writer thread owned it; "
                "get the session from _Writer.session()"
            )

    def _run(self) -> None:
        assert self._queue is not None  # noqa: S101 - only started with a queue
        while True:
            batch = self._queue.get()
            try:
                if batch is None:
                    return
                if self._error is None:
                    self._apply(self._session, batch)
            except BaseException as exc:  # re-raised in the caller's thread
                self._error = exc
            finally:
                self._queue.task_done()

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, batch: Batch) -> None:
        self._check()
        if self._queue is None:
            self._apply(self._session, batch)
        else:
            self._owned = True
            self._queue.put(batch)

    def session(self) -> Session:
        """The session, once every batch submitted so far is written (a failed batch raises)."""
        if self._queue is not None:
            self._queue.join()
            self._owned = False
        self._check()
        return self._session

    def close(self) -> None:
        """Stop the thread (before the transaction ends): the session is the caller's again."""
        if self._queue is not None and self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._owned = False
        if self._guarded is not None:
            event.remove(self._guarded, "before_cursor_execute", self._guard)
            self._guarded = None


def _initial_triage(hint: str | None) -> str:
    """Triage state of a new finding: "new", unless the report carries a human decision (a
    detect-secrets audit marking it not a secret). Later imports never change triage state."""
    return _TRIAGE_FALSE_POSITIVE if hint == _TRIAGE_FALSE_POSITIVE else _TRIAGE_NEW


@lru_cache(maxsize=4096)
def _merged_compliance(
    mapped: tuple[tuple[str, str], ...], reported: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys((*mapped, *reported)))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing allocates millions of short-lived acyclic objects; the cyclic collector only
    slows that down (it was the largest single cost in measurements). Reference counting still
    frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Warnings:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.dropped = 0

    def add(self, message: str) -> None:
        if len(self.items) < MAX_WARNINGS:
            self.items.append(message[:500].replace(NUL, REPLACEMENT))  # warnings quote reports
        else:
            self.dropped += 1

    def as_list(self) -> list[str]:
        extra = [f"... and {self.dropped} more warnings"] if self.dropped else []
        return self.items + extra


@dataclass(slots=True)
class _AssetFindings:
    """Finding keys of one asset (64-bit prefix -> `_finding_entry`: id, created by this
    import), and its IaC findings of mapped controls by (control, block address): [(path, key
    prefix)], where another tool's detection of the same control on the same block may join."""

    ids: dict[int, int] = field(default_factory=dict)
    iac: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)
    loaded: bool = False


class _TimeOrderedIds:
    """UUIDv7-style ids (RFC 9562): millisecond time, then a random start and a counter, so one
    import's rows land at the end of the primary-key index instead of at random places in it."""

    def __init__(self) -> None:
        unix_ms = time.time_ns() // 1_000_000
        self._high = ((unix_ms & (2**48 - 1)) << 16 | 0x7000 | secrets.randbits(12)) << 64
        self._low = (0b10 << 62) | secrets.randbits(30) << 32
        self._count = 0

    def next(self) -> int:
        self._count += 1
        return self._high | self._low | self._count


@dataclass(slots=True)
class _Target:
    """Where one (asset, tool) pair of this import lands, and what it already has there."""

    asset: Asset
    scope: IngestScope
    asset_db_id: Any
    scope_db_id: Any
    asset_key: str  # the asset's identity in fingerprints
    findings: _AssetFindings
    known: dict[bytes, int] = field(default_factory=dict)


@lru_cache(maxsize=65536)
def _norm_path(path: str | None) -> str:
    return normalize_path(path)


# A record's severity and category as plain str, per record: a dict lookup (no Python call),
# where str() of the member cost 0.08 s per 100k records (profile) and `.value` is slower still.
_TEXT: dict[StrEnum, str] = {m: m.value for e in (Severity, Category) for m in e}


def _content_hash(raw: RawFinding, title: str, snippet: str | None, path: str) -> int:
    """Hash of what a detection shows (not its identity): a re-import skips rows it matches.
    repr() of a tuple of str/int/float/bool/None is stable across processes."""
    loc = raw.location
    text = _TEXT
    shown = (
        title, text[raw.severity], raw.raw_severity, loc.start_line, loc.end_line, snippet,
        raw.suppressed, loc.resource, loc.resource_type, loc.region, loc.account_id,
        raw.secret_verified, raw.cvss, path, text[raw.category], loc.cloud_provider,
    )  # fmt: skip
    digest = hashlib.blake2b(repr(shown).encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


# Text of a record that PostgreSQL must store: free text (NULs become U+FFFD, with a warning) and
# what identifies or places the record (a NUL there refuses the report: skipping the record would
# let a full import resolve its finding). The secret is never stored, but its redacted preview is,
# and the free text is redacted with it, so it is cleaned like free text.
_FREE_TEXT = ("title", "description", "remediation", "raw_severity", "help_uri", "secret")
_IDENTITY = ("tool", "rule_id", "tool_fingerprint")  # asset_key: assets_service checks it
_PLACE = ("path", "resource", "resource_type", "cloud_provider", "account_id", "region")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class _NulSeen(Protocol):
    nul_seen: bool


class _AlwaysLook:
    nul_seen = True


_ALWAYS_LOOK = _AlwaysLook()


def _has_nul(raw: RawFinding) -> bool:
    """Whether any text of the record holds a NUL (0.8 µs per record, measured)."""
    loc = raw.location
    return (
        NUL in raw.title or NUL in raw.rule_id or NUL in raw.tool or NUL in raw.description
        or NUL in raw.remediation
        or (raw.raw_severity is not None and NUL in raw.raw_severity)
        or (raw.tool_fingerprint is not None and NUL in raw.tool_fingerprint)
        or (raw.help_uri is not None and NUL in raw.help_uri)
        or (raw.secret is not None and NUL in raw.secret)
        or (loc.path is not None and NUL in loc.path)
        or (loc.resource is not None and NUL in loc.resource)
        or (loc.resource_type is not None and NUL in loc.resource_type)
        or (loc.snippet is not None and NUL in loc.snippet)
        or (loc.account_id is not None and NUL in loc.account_id)
        or (loc.region is not None and NUL in loc.region)
        or (loc.cloud_provider is not None and NUL in loc.cloud_provider)
        or any(NUL in r for r in raw.references)
        or any(NUL in a or NUL in b for a, b in raw.compliance)
        or any(NUL in a or NUL in b for a, b in raw.context)
    )  # fmt: skip


def _without_nul(raw: RawFinding, number: int, warn: Callable[[str], None]) -> RawFinding:
    """The record with NULs in its free text replaced by U+FFFD (and a warning); IngestError
    naming the record when one is in what identifies or places it."""
    loc = raw.location
    bad = [f for f in _IDENTITY if NUL in (getattr(raw, f) or "")]
    bad += [f for f in _PLACE if NUL in (getattr(loc, f) or "")]
    bad += [
        f
        for f in ("compliance", "context")
        if any(NUL in a or NUL in b for a, b in getattr(raw, f))
    ]
    if bad:
        raise IngestError(
            f"finding {number} of the report (rule {raw.rule_id!r}) holds a NUL character in "
            f"{', '.join(bad)}, which the database cannot store and which identifies the "
            "finding; nothing was stored"
        )
    changes: dict[str, Any] = {
        f: getattr(raw, f).replace(NUL, REPLACEMENT)
        for f in _FREE_TEXT
        if NUL in (getattr(raw, f) or "")
    }
    if any(NUL in r for r in raw.references):
        changes["references"] = tuple(r.replace(NUL, REPLACEMENT) for r in raw.references)
    if loc.snippet is not None and NUL in loc.snippet:
        changes["location"] = replace(loc, snippet=loc.snippet.replace(NUL, REPLACEMENT))
    fields = ", ".join("snippet" if f == "location" else f for f in changes)
    warn(f"finding {number} (rule {raw.rule_id!r}): NUL characters in {fields} replaced by U+FFFD")
    return replace(raw, **changes)


def _lines_in_range(raw: RawFinding, number: int, warn: Callable[[str], None]) -> RawFinding:
    """The record without line numbers that its INTEGER columns cannot hold (with a warning)."""
    loc = raw.location
    start = loc.start_line if loc.start_line in LINE_RANGE else None
    end = loc.end_line if loc.end_line in LINE_RANGE else None
    warn(
        f"finding {number} (rule {raw.rule_id!r}): line numbers {loc.start_line}-{loc.end_line} "
        "are out of range; dropped"
    )
    return replace(raw, location=replace(loc, start_line=start, end_line=end))


def check_request(filename: str, options: IngestOptions) -> None:
    """What the caller names for an import (not the report): InvalidInput for control characters
    (a NUL, which no database column may hold, included), before anything is stored."""
    for what, value in (
        ("file name", filename), ("scope", options.scope), ("format", options.format or ""),
    ):  # fmt: skip
        if _CONTROL.search(value):
            raise InvalidInput(f"the {what} {value!r} holds a control character (such as NUL)")


def _new_asset_team(principal: Principal) -> str | None:
    """The owner team of the assets an import creates: an engineer's team when they are in
    exactly one (with several or none, their import into a new asset is refused: no guessing
    which team owns it); None for everyone else, as before."""
    if principal.role is Role.ENGINEER and len(principal.team_names) == 1:
        return next(iter(principal.team_names))
    return None


def _refusal(principal: Principal, asset: Asset) -> str:
    teams = ", ".join(sorted(principal.team_names)) or "none"
    if asset.kind == AssetKind.UNASSIGNED:
        return (
            f"records that name no asset land on {asset.name!r}, which belongs to no team; "
            "name the asset with ?asset= (aspm ingest --asset)"
        )
    owner = f"team {asset.owner_team!r}" if asset.owner_team else "no team"
    hint = (
        ""
        if len(principal.team_names) == 1
        else ("; a new asset is given its importer's team only when they are in exactly one team")
    )
    return (
        f"asset {asset.name!r} belongs to {owner}: an engineer imports only into assets of their "
        f"teams (yours: {teams}){hint}; ask a security lead to set its owner team or to import it"
    )


class _Import:
    """State of one import while its report streams through."""

    def __init__(
        self,
        session: Session,
        *,
        run: IngestRun,
        options: IngestOptions,
        hmac_key: bytes,
        batch_size: int,
        warn: Callable[[str], None],
    ) -> None:
        self.postgres = is_postgres(session)  # the session itself: self.db.session()
        self.run = run
        self.options = options
        self.warn = warn
        self.hmac_key = hmac_key
        self.batch_size = batch_size
        self.targets: dict[tuple[str | None, str], _Target] = {}
        self._asset_findings: dict[uuid.UUID, _AssetFindings] = {}
        self.new_findings: list[FindingRow] = []
        self.new_detections: list[DetectionRow] = []
        self.updates: list[DetectionUpdate] = []
        self.affected: set[int] = set()  # ids of pre-existing findings it adds detections to
        self.ids = _TimeOrderedIds()
        self.scorer = InlineScorer(
            session, policy_path=options.risk_policy, actor=f"system:ingest:{options.actor}"
        )
        self.controls = load_control_map()
        self.now = run.started_at  # a plain attribute: the ORM one is slower per record
        self.nul_possible: _NulSeen = _ALWAYS_LOOK  # the report's shape guard, once it is open
        self.now_db = datetime_value(run.started_at, postgres=self.postgres)
        self._due_db: dict[datetime, Any] = {}  # SLA due dates repeat: convert each once
        self.run_db = format(run.id.int, "032x")
        self.rules: dict[tuple[str, str], dict[str, Any]] = {}
        # (asset id, tool, fingerprint, commit) of records naming their own commit (secrets)
        self.commits: list[tuple[uuid.UUID, str, str, str]] = []
        self.row_no = 0
        self.findings = self.suppressed = self.duplicates = 0
        self.occurrences: dict[bytes, dict[int, int]] = {}  # see _occurrence
        self.new = self.unchanged = self.reopened = self.resolved = 0
        self._allowed: set[uuid.UUID] = set()  # assets the principal may import into
        owner = _new_asset_team(options.principal)
        self.forced_asset: Asset | None = None
        if options.asset:
            self.forced_asset = assets_service.get_or_create(
                session, name=options.asset, owner_team=owner
            )
            self.authorize(self.forced_asset)
        self.assets = (
            assets_service.resolver(session, owner_team=owner)
            if self.forced_asset is None
            else None
        )
        self._by_asset: dict[tuple[uuid.UUID, str], _Target] = {}
        self.merged = repository.MergeCounts()
        # it changed findings of assets it did not import into (see _store_inventory): today's
        # metrics are then recomputed for every asset
        self.beyond_assets = False
        # the ownership rules, once: a new finding is written with its team (None: no rules)
        self.teams = triage_service.teams_for_new_findings(session)
        # from here on, the session only through the writer (see _Writer)
        self.db = _Writer(session, self._apply, threaded=self.postgres)

    def authorize(self, asset: Asset) -> None:
        """Importing into an asset acts on it (a full import resolves what the report no longer
        lists), so the principal needs the asset, however it was chosen (`?asset=`, a match rule,
        the report's repository URL or account): an asset-bound token its assets, everyone else
        team access as triage defines it (admins and security leads everywhere, an engineer on
        their teams' assets, including those this import creates for their team)."""
        if asset.id in self._allowed:
            return
        principal = self.options.principal
        if principal.asset_ids is not None:
            if asset.id not in principal.asset_ids:
                raise PermissionDenied(
                    f"this token is bound to other assets; it may not import into {asset.name!r}"
                )
        elif not triage_service.acts_for_team(principal, asset.owner_team):
            raise PermissionDenied(_refusal(principal, asset))
        self._allowed.add(asset.id)

    def asset_ids(self) -> list[uuid.UUID]:
        """The assets the import has written to so far, each once, sorted (the inventory's
        fallback target may add one after the findings)."""
        return sorted({t.asset.id for t in self.targets.values()})

    def _apply(self, session: Session, batch: Batch) -> None:
        repository.merge_batch(
            session, batch, self.merged, run_id=self.run.id, now=self.run.started_at
        )

    def _target(self, asset_key: str | None, tool: str, raw: RawFinding | None = None) -> _Target:
        # memo key: only what the asset match rules look at (just asset_key without rules)
        key = (self.assets.key(asset_key, raw) if self.assets else None, tool)
        target = self.targets.get(key)
        if target is not None:
            return target
        # match rules, else the asset the report names, else "unassigned" (the resolver asks
        # the writer for the session only when it needs the database)
        asset = self.forced_asset or self.assets.resolve(  # type: ignore[union-attr]
            self.db.session, asset_key, raw
        )
        self.authorize(asset)
        other = self._by_asset.get((asset.id, tool))
        if other is not None:  # two keys may resolve to one asset
            self.targets[key] = other
            return other
        session = self.db.session()
        scope = repository.get_or_create_scope(
            session, asset_id=asset.id, tool=tool, target=self.options.scope
        )
        target = _Target(
            asset=asset,
            scope=scope,
            asset_db_id=uuid_value(asset.id, postgres=self.postgres),
            scope_db_id=uuid_value(scope.id, postgres=self.postgres),
            asset_key=str(asset.id),
            findings=self._asset_findings.setdefault(asset.id, _AssetFindings()),
        )
        for fp, chash, active, in_scope in repository.load_known_detections(
            session, asset_id=asset.id, tool=tool, scope_id=scope.id
        ):
            flags = (_ACTIVE if active else 0) | (_IN_SCOPE if in_scope else 0)
            target.known[bytes.fromhex(fp)] = _known(int(chash, 16), flags)
        self.targets[key] = self._by_asset[(asset.id, tool)] = target
        return target

    def _finding_id(self, target: _Target, key: str | None) -> tuple[int, _Found]:
        """(id, state) of the finding of a mapped control with this key on the target's asset:
        a `_Found`. With key None, only loads the asset's findings."""
        findings = target.findings
        if not findings.loaded:  # only imports that create detections need the asset's findings
            for (
                fkey,
                existing,
                control_id,
                resource,
                fpath,
                category,
            ) in repository.load_finding_keys(self.db.session(), asset_id=target.asset.id):
                short = int(fkey[:16], 16)
                findings.ids[short] = _finding_entry(existing.int, created=False)
                if resource and category == Category.IAC and self.controls.get(control_id):
                    block = (control_id, block_address(resource))
                    findings.iac.setdefault(block, []).append((fpath or "", short))
            findings.loaded = True
        if key is None:
            return 0, _EXISTING
        short = int(key[:16], 16)
        entry = findings.ids.get(short)
        if entry is not None:
            return _entry_finding_id(entry), (
                _CREATED_BEFORE if _entry_created(entry) else _EXISTING
            )
        fid = self.ids.next()
        findings.ids[short] = _finding_entry(fid, created=True)
        return fid, _CREATED

    def _correlated_key(
        self, target: _Target, control: Control, raw: RawFinding, path: str
    ) -> str | None:
        """Cross-tool finding key of a mapped control on a named resource (DESIGN §4), or None.

        Cloud resources are keyed on their id (ARNs and resource ids are global). IaC blocks are
        keyed on the block address; tools that scanned from different roots or printed absolute
        paths name the same file by different paths, so an existing finding of the same control
        and block joins when its path and this one share the longest common suffix.
        """
        loc = raw.location
        if not loc.resource:
            return None
        if raw.category is not Category.IAC:  # a deployed resource: ARN, Azure/GCP resource id
            resource = loc.resource.lower() if loc.cloud_provider == "azure" else loc.resource
            return correlated_key(control.id, "cloud", resource)
        self._finding_id(target, None)  # make sure the asset's findings are loaded
        block = block_address(loc.resource)
        candidates = target.findings.iac.setdefault((control.id, block), [])
        best, best_len = None, 0
        for other_path, short in candidates:
            shared = common_suffix_segments(other_path, path) if other_path and path else 0
            if shared > best_len or (not other_path and not path and best is None):
                best, best_len = short, shared
        if best is not None:
            return format(best, "016x")  # a key prefix the ids map already holds
        key = correlated_key(control.id, "iac", block, path)
        candidates.append((path, int(key[:16], 16)))
        return key

    def add(self, raw: RawFinding) -> None:
        self.findings += 1
        if self.nul_possible.nul_seen and _has_nul(raw):
            raw = _without_nul(raw, self.findings, self.warn)
        loc = raw.location
        if (loc.start_line is not None and loc.start_line not in LINE_RANGE) or (
            loc.end_line is not None and loc.end_line not in LINE_RANGE
        ):
            raw = _lines_in_range(raw, self.findings, self.warn)
        if raw.suppressed:
            self.suppressed += 1
        target = self._target(raw.asset_key, raw.tool, raw)
        loc = raw.location
        path = _norm_path(loc.path)
        title = raw.title[:MAX_TITLE]
        description, snippet = raw.description, loc.snippet
        if snippet and len(snippet) > MAX_SNIPPET:
            snippet = snippet[:MAX_SNIPPET]
        secret_hash = preview = None
        if raw.secret:
            secret_hash = secret_hmac(raw.secret, key=self.hmac_key)
            stand_in = "[digest]" if raw.secret_is_digest else secret_preview(raw.secret)
            preview = None if raw.secret_is_digest else stand_in
            title = redact(title, raw.secret, stand_in) or ""
            description = redact(description, raw.secret, stand_in) or ""
            snippet = redact(loc.snippet, raw.secret, stand_in)
            if snippet and len(snippet) > MAX_SNIPPET:
                snippet = snippet[:MAX_SNIPPET]
        where = stable_location(raw, path=path, secret_hash=secret_hash)
        fp_key = detection_digest(
            raw, asset_key=target.asset_key, path=path, secret_hash=secret_hash, where=where
        )
        chash = _content_hash(raw, title, snippet, path)
        known = target.known.get(fp_key)
        # a record seen in this import keeps its line where the content hash was. The known-map
        # entries are spelled out here, not through _known / _known_value: per record, the calls
        # cost 0.3-0.5 us (50 ms of a 100k SARIF re-import's 2.7 s)
        line = loc.start_line if loc.start_line is not None and loc.start_line > 0 else 0
        if (
            known is not None and known & _SEEN and known >> _FLAG_BITS != line
            and where[0] != "secret"
        ):  # fmt: skip
            where, fp_key = self._occurrence(target, raw, where, fp_key, line, path, secret_hash)
            known = target.known.get(fp_key)
        # the commit a record names (a secret's own): its link to the code shows that commit
        if loc.commit is not None and not (known and known & _SEEN) and is_commit(loc.commit):
            self.commits.append((target.asset.id, raw.tool, fp_key.hex(), loc.commit.lower()))
        if known is None:
            target.known[fp_key] = (line << _FLAG_BITS) | _SEEN | _ACTIVE
            self.new += 1
        elif known & _SEEN:
            self.duplicates += 1
            return
        else:
            target.known[fp_key] = (line << _FLAG_BITS) | (known & _FLAGS) | _SEEN
            if not known & _ACTIVE:
                self.reopened += 1
            else:
                self.unchanged += 1
                if known >> _FLAG_BITS == chash and not self.options.partial:
                    return  # seen again, nothing to write
        fp = fp_key.hex()
        control = self.controls.control_for(raw.tool, raw.rule_id)
        severity, category = _TEXT[raw.severity], _TEXT[raw.category]
        control_id = control.id if control is not None else control_for(raw)
        # repository.SHOWN_COLUMNS, in order: spliced into a DetectionUpdate or a DetectionRow
        shown = (
            raw.tool, raw.rule_id, title, severity, raw.raw_severity,
            category, path or None, loc.start_line, loc.end_line, loc.resource,
            loc.resource_type, loc.cloud_provider, loc.account_id, loc.region, snippet, preview,
            secret_hash, raw.secret_verified, raw.tool_fingerprint, raw.suppressed, raw.cvss,
        )  # fmt: skip
        if known is not None:  # an existing detection: changed, reappeared, or a partial import
            self.row_no += 1
            self.updates.append(
                new_detection_update(
                    self.row_no, target.asset_db_id, fp, format(chash, "016x"), *shown
                )
            )
        else:
            key = (
                self._correlated_key(target, control, raw, path) if control is not None else None
            ) or finding_key(
                raw, control_id=control_id, path=path, secret_hash=secret_hash, where=where
            )
            if control is None:
                # an unmapped rule's finding key follows from the detection's identity, so a new
                # detection means a new finding: no lookup, and no memory per finding
                fid, state = self.ids.next(), _CREATED
            else:
                fid, state = self._finding_id(target, key)
            fid_db = format(fid, "032x")
            if state is _CREATED:
                risk, priority, due_at, risk_key, context = self.scorer.score(
                    target.asset,
                    severity=severity,
                    cvss=raw.cvss,
                    verified=bool(raw.secret_verified),
                    now=self.now,
                    context=raw.context,
                )
                due = None
                if due_at is not None:
                    due = self._due_db.get(due_at)
                    if due is None:
                        due = self._due_db[due_at] = datetime_value(due_at, postgres=self.postgres)
                compliance = (
                    _merged_compliance(control.compliance, raw.compliance)
                    if control is not None
                    else raw.compliance
                )
                team = (
                    None
                    if self.teams is None
                    else self.teams.team(target.asset.id, path, loc.resource)
                )
                # positional, in FindingRow's order (see repository.new_finding_row)
                self.new_findings.append(
                    new_finding_row(
                        fid_db, target.asset_db_id, key, FINDING_KEY_VERSION, control_id,
                        control.title if control is not None else title,  # title
                        category, severity, raw.severity.rank, loc.resource, path or None,
                        loc.cloud_provider, loc.account_id, loc.region, description,
                        raw.remediation, repository.to_json(raw.references),
                        repository.to_json(raw.cwe_ids), repository.to_json(compliance),
                        _DETECTOR_ACTIVE, _initial_triage(raw.triage_hint),  # states
                        raw.suppressed, raw.secret_verified, raw.cvss,
                        self.now_db, self.now_db, 0, self.run_db, 1,  # seen at, reopen, import
                        risk, priority, due, self.scorer.version, risk_key, context, team,
                    )
                )  # fmt: skip
            elif state is _EXISTING:
                self.affected.add(fid)
            self.new_detections.append(
                new_detection_row(
                    format(self.ids.next(), "032x"), target.asset_db_id, fid_db,
                    target.scope_db_id, fp, FINGERPRINT_VERSION, format(chash, "016x"), *shown,
                    True, self.now_db, self.now_db, self.run_db, self.run_db,  # active, seen, ids
                )
            )  # fmt: skip
        rule_key = (raw.tool, raw.rule_id)
        if rule_key not in self.rules:
            self.rules[rule_key] = {
                "tool": raw.tool,
                "rule_id": raw.rule_id,
                "title": title,
                "description": description,
                "remediation": raw.remediation,
                "help_uri": raw.help_uri,
                "references": list(raw.references),
                "cwe_ids": list(raw.cwe_ids),
                "default_severity": raw.severity.value,
                "control_id": control_id,
                "compliance": [list(c) for c in raw.compliance],
            }
        if len(self.new_detections) + len(self.updates) >= self.batch_size:
            self.flush()

    def _occurrence(
        self,
        target: _Target,
        raw: RawFinding,
        where: list[str],
        first: bytes,
        line: int,
        path: str,
        secret_hash: str | None,
    ) -> tuple[list[str], bytes]:
        """(stable location, digest) of a record whose identity an earlier record of this import
        has at another line: the same rule in the same place with nothing but the line between
        them, so they are told apart by order of occurrence (fingerprint.occurrence). Memory only
        for such groups: {line: n} per first digest."""
        lines = self.occurrences.get(first)
        if lines is None:
            lines = self.occurrences[first] = {_known_value(target.known[first]): 0}
        n = lines.setdefault(line, len(lines))
        if n:
            where = occurrence(where, n)
        digest = detection_digest(
            raw, asset_key=target.asset_key, path=path, secret_hash=secret_hash, where=where
        )
        return where, digest

    def flush(self) -> None:
        if self.new_detections or self.updates:
            self.db.submit(Batch(self.new_findings, self.new_detections, self.updates))
            self.new_findings, self.new_detections, self.updates = [], [], []

    def cover_empty_scopes(self, tools: set[str]) -> None:
        """A report with no records still speaks for its scopes when the asset is given."""
        if any(NUL in tool for tool in tools):
            raise IngestError("the report's tool name holds a NUL character; nothing was stored")
        if self.forced_asset is not None:
            for tool in sorted(tools):
                self._target(None, tool)

    def retire_unseen(self) -> None:
        """Detections of each scope that this full import no longer reports."""
        session = self.db.session()
        gone: list[tuple[Any, str, str]] = []
        for target in {id(t): t for t in self.targets.values()}.values():
            for fp_key, known in target.known.items():
                if known & _FLAGS == _ACTIVE | _IN_SCOPE:
                    gone.append((target.asset_db_id, target.scope.tool, fp_key.hex()))
                    if len(gone) >= self.batch_size:
                        repository.stage_gone(session, gone)
                        gone = []
        repository.stage_gone(session, gone)


def _store_inventory(
    session: Session, state: _Import, ctx: ParseContext, *, fallback_tool: str
) -> str | None:
    """After the findings: the resources the report showed (`ctx.resources`), on the asset the
    import names (`--asset`), else the one asset its findings landed on, else the unassigned
    one; their scope is (asset, tool family, --scope). Then the findings' links to resources,
    set-based: every finding of the organisation when resources arrived (a new state can name
    what older findings are about), else only the findings of this import. Then an IaC finding
    and a cloud finding of one control on one linked resource become one finding
    (resources.service.merge_code_and_cloud), and the survivors are re-scored. Returns what risk
    scoring must look at again: "resources", "links" or None (no inventory)."""
    now, run = state.now, state.run
    counts = None
    if ctx.resources or (ctx.inventory_complete and not state.options.partial):
        tool = sorted(ctx.tools)[0] if ctx.tools else fallback_tool
        assets = {t.asset.id: t.asset for t in state.targets.values()}
        if state.forced_asset is None and len(assets) == 1:
            asset = next(iter(assets.values()))
            scope = repository.get_or_create_scope(
                session, asset_id=asset.id, tool=tool, target=state.options.scope
            )
            repository.touch_scope(
                session, scope, run_id=run.id, now=now, partial=state.options.partial
            )
        else:
            target = state._target(None, tool)  # --asset, else unassigned; touched with the rest
            asset, scope = target.asset, target.scope
        counts = resources_service.store_snapshot(
            session,
            records=ctx.resources,
            complete=ctx.inventory_complete and not state.options.partial,
            asset_id=asset.id,
            scope_id=scope.id,
            run_id=run.id,
            now=now,
            warn=state.warn,
        )
    asset_ids = state.asset_ids()
    linked = resources_service.link_findings(
        session, now=now, run_id=None if ctx.resources else run.id, asset_ids=asset_ids
    )
    # one finding per control failing in code and in the cloud on one resource: only new links
    # can make a pair (a re-import that linked nothing costs nothing), and a state looks at
    # every linked finding (pairs linked before the merge existed included)
    merged = kept_apart = 0
    if linked or ctx.resources:
        actor = f"system:ingest:{state.options.actor}"
        merge = resources_service.merge_code_and_cloud(
            session,
            now=now,
            actor=actor,
            run_id=None if ctx.resources else run.id,
            asset_ids=asset_ids,
        )
        merged, kept_apart = merge.merged, merge.kept_apart
        if merge.survivors:  # their detections now come from more tools
            risk_service.rescore_findings(
                session, merge.survivors, policy_path=state.options.risk_policy, actor=actor
            )
    # stored resources re-score the linked findings of every asset; a pair's other finding
    # may lie in another asset (merged away, or re-scored as the survivor)
    state.beyond_assets = counts is not None or merged > 0
    if counts is not None or linked or kept_apart:
        run.details = {
            **(run.details or {}),
            "resources": {
                **({} if counts is None else dataclasses.asdict(counts)),
                "linked": linked,
                "merged": merged,
                "kept_apart": kept_apart,  # IaC + cloud pairs where both carry decisions
            },
        }
    if counts is not None:
        return "resources"  # every linked finding's resource context may have changed
    return "links" if resources_service.inventory_exists(session) else None


def ingest(
    session: Session,
    *,
    source: BinaryIO,
    filename: str,
    options: IngestOptions,
    hmac_key: bytes,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    run_id: uuid.UUID | None = None,
) -> IngestResult:
    """Import one report inside the caller's transaction. Raises IngestError if unreadable.
    With `run_id` (a queued import, aspm.ingest.queued) the import row exists already and gets
    the result only at the end, so the row is not locked while the report is read."""
    check_request(filename, options)
    started = time.perf_counter()
    now = utcnow()
    reader = _HashingReader(source, progress)
    opened = open_report(io.BufferedReader(reader, 1 << 16), filename, options.format)
    warnings = _Warnings()
    ctx = ParseContext(warn=warnings.add)
    run = IngestRun(
        id=run_id or uuid.uuid4(),
        filename=filename[:500],
        format=opened.ingestor.name,
        scope_target=options.scope,
        partial=options.partial,
        uploaded_by=options.actor,
        status=IngestStatus.OK,
        started_at=now,
    )
    if run_id is None:
        repository.add_run(session, run)
    repository.create_temp_tables(session)
    state = _Import(
        session,
        run=run,
        options=options,
        hmac_key=hmac_key,
        batch_size=batch_size,
        warn=warnings.add,
    )
    state.nul_possible = opened.shape  # a record can hold a NUL only once the bytes have one
    try:
        with _gc_paused():
            for raw in parse_all(opened, ctx, filename):
                state.add(raw)
            state.flush()
            state.db.session()  # every batch written
    finally:
        state.db.close()  # before the caller commits or rolls back the session
    reader.drain()
    repository.set_detection_commits(session, state.commits)
    run.commit = ctx.commit.lower() if ctx.commit and is_commit(ctx.commit) else None
    if not options.partial:
        state.cover_empty_scopes(ctx.tools)
        state.retire_unseen()
    merged = state.merged
    repository.retire_and_recompute(
        session,
        merged,
        affected=[uuid.UUID(int=fid) for fid in state.affected],
        run_id=run.id,
        now=now,
        actor=f"system:ingest:{options.actor}",
    )
    ruled = triage_service.apply_rules_to_import(  # ownership + suppression rules
        session, run.id, asset_ids=state.asset_ids(), teams=state.teams
    )
    # resources and links first: scoring reads what the inventory says about each resource
    inventory = _store_inventory(session, state, ctx, fallback_tool=opened.ingestor.name)
    state.scorer.store_explanations(session)
    risk_service.score_import(
        session,
        run_id=run.id,
        affected=repository.affected_finding_ids(session),
        policy_path=options.risk_policy,
        actor=f"system:ingest:{options.actor}",
        created_scored=True,
        inventory=inventory,
        asset_ids=state.asset_ids(),
    )
    repository.upsert_rules(session, state.rules.values())
    targets = list({id(t): t for t in state.targets.values()}.values())
    for target in targets:
        repository.touch_scope(
            session, target.scope, run_id=run.id, now=now, partial=options.partial
        )
    repository.drop_temp_tables(session)

    assets = {t.asset.id: t.asset for t in targets}
    changed = bool(
        merged.new_detections or merged.updated_detections or merged.resolved_detections
        or merged.new_findings or merged.reopened_findings or merged.resolved_findings
        or ruled.owned or ruled.suppressed
    )  # fmt: skip
    # today's posture, SQL only; an import that changed nothing leaves it as it is
    metrics_service.snapshot_after_import(
        session, asset_ids=assets, changed=changed, everywhere=state.beyond_assets
    )
    tools = sorted({t.scope.tool for t in targets})
    result = IngestResult(
        import_id=run.id,
        file=filename,
        format=opened.ingestor.name,
        tool=",".join(tools) or ctx.tool_name,
        tool_version=ctx.tool_version and ctx.tool_version.replace(NUL, REPLACEMENT),
        asset=(
            next(iter(assets.values())).name
            if len(assets) == 1
            else (options.asset or (f"{len(assets)} assets" if assets else None))
        ),
        status=IngestStatus.OK,
        records=state.findings + ctx.passed + ctx.skipped + ctx.manual,
        findings=state.findings,
        passed=ctx.passed,
        skipped=ctx.skipped,
        duplicates=state.duplicates,
        suppressed=state.suppressed,
        new=merged.new_detections,
        unchanged=state.unchanged,
        reopened=state.reopened,
        resolved=merged.resolved_detections,
        new_findings=merged.new_findings,
        reopened_findings=merged.reopened_findings,
        resolved_findings=merged.resolved_findings,
        partial=options.partial,
        sha256=reader.sha256.hexdigest(),
        duration_ms=int((time.perf_counter() - started) * 1000),
        warnings=warnings.as_list(),
    )
    run.sha256 = result.sha256
    run.size_bytes = reader.size
    run.tool = (result.tool or "").replace(NUL, REPLACEMENT)[:100] or None
    run.tool_version = (result.tool_version or "")[:100] or None
    run.asset_id = next(iter(assets)) if len(assets) == 1 else None
    run.finished_at = utcnow()
    run.duration_ms = result.duration_ms
    run.counts = result.model_dump(
        include={
            "records", "findings", "passed", "skipped", "duplicates", "suppressed", "new",
            "unchanged", "reopened", "resolved", "new_findings", "reopened_findings",
            "resolved_findings",
        }
    )  # fmt: skip
    run.warnings = result.warnings
    if run_id is not None:
        run.progress_bytes = None
        session.merge(run)  # onto the queued row: its status, counts and times
    integrations_service.after_import(session, import_id=run.id)  # webhooks: new P1, drift
    tickets_service.after_import(session)  # tickets whose findings are all fixed: close them
    log.info(
        "import %s: %s %s records=%d new=%d resolved=%d in %d ms",
        run.id, result.format, result.tool, result.records, result.new, result.resolved,
        result.duration_ms,
    )  # fmt: skip
    return result


IMPORT_ATTEMPTS = 5


def _ingest_retrying(
    factory: sessionmaker[Session],
    *,
    source: BinaryIO,
    filename: str,
    options: IngestOptions,
    hmac_key: bytes,
    batch_size: int,
    progress: Callable[[int], None] | None,
    run_id: uuid.UUID | None = None,
) -> IngestResult:
    """`ingest` in a transaction of its own, run again from the report's start (up to
    IMPORT_ATTEMPTS times in all, after a random pause) when the database fails the transaction
    to break a deadlock with another one: imports of several assets lock them in the order the
    report names them, so two such imports can each hold an asset the other waits for. A
    report that cannot be read again (not seekable) is not retried."""
    start = source.tell() if source.seekable() else None
    for attempt in range(1, IMPORT_ATTEMPTS + 1):
        try:
            with unit_of_work(factory) as session:
                return ingest(
                    session,
                    source=source,
                    filename=filename,
                    options=options,
                    hmac_key=hmac_key,
                    batch_size=batch_size,
                    progress=progress,
                    run_id=run_id,
                )
        except Exception as exc:
            if start is None or attempt == IMPORT_ATTEMPTS or not is_transaction_conflict(exc):
                raise
            log.warning("import of %s: transaction conflict (attempt %d); again", filename, attempt)
            # a random pause, growing: imports that deadlocked do not start in step again
            time.sleep(secrets.randbelow(50 << attempt) / 1000)
            source.seek(start)
    raise AssertionError("unreachable")  # pragma: no cover - the last attempt returns or raises


def run_import(
    factory: sessionmaker[Session],
    *,
    source: BinaryIO,
    filename: str,
    options: IngestOptions,
    hmac_key: bytes,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    run_id: uuid.UUID | None = None,
) -> IngestResult:
    """The boundary of one import: its own transaction; on failure nothing is kept but an
    import row that says why. A refusal (PermissionDenied, InvalidInput for what the caller
    named) is raised before or instead of that: it is no import. A queued import (`run_id`)
    has no caller to refuse: its row says why instead."""
    check_request(filename, options)
    started = time.perf_counter()
    try:
        return _ingest_retrying(
            factory,
            source=source,
            filename=filename,
            options=options,
            hmac_key=hmac_key,
            batch_size=batch_size,
            progress=progress,
            run_id=run_id,
        )
    except PermissionDenied as exc:
        if run_id is None:
            raise  # 403: the caller may not import there; nothing is recorded
        error = f"permission denied: {exc}"
    except (IngestError, InvalidInput) as exc:  # e.g. an invalid asset name the report gives
        error = str(exc)
    except Exception:  # a bug (a reader's included), not the user's file: an id to find it
        bug = internal_error(log, f"import of {filename}", doing="importing", log_name="server")
        error = f"{filename}: {bug}; nothing was stored"
    with unit_of_work(factory) as session:
        run = record_failure(
            session, error=error, run_id=run_id, filename=filename, options=options,
            duration_ms=int((time.perf_counter() - started) * 1000),
        )  # fmt: skip
    return IngestResult(
        import_id=run.id if run is not None else run_id,
        file=filename,
        format=options.format,
        status=IngestStatus.ERROR,
        error=error,
        partial=options.partial,
    )


def record_failure(
    session: Session,
    *,
    error: str,
    run_id: uuid.UUID | None = None,
    filename: str = "",
    options: IngestOptions | None = None,
    duration_ms: int | None = None,
) -> IngestRun | None:
    """The record of an import that failed (the one place it is written): its row in state
    error saying why, finished now, and the `import.failed` webhook event. The row is the queued
    import's (`run_id`; None when it is gone or finished already: nothing to record) or, for an
    inline import, a new one described by `filename` and `options`."""
    now = utcnow()
    run = None if run_id is None else repository.get_run(session, run_id, for_update=True)
    if run is None:
        if options is None:
            return None
        run = repository.add_run(
            session,
            IngestRun(
                id=run_id or uuid.uuid4(), filename=filename[:500], format=options.format,
                scope_target=options.scope, partial=options.partial, uploaded_by=options.actor,
                status=IngestStatus.ERROR, started_at=now,
            ),
        )  # fmt: skip
    elif run.status in FINAL_STATUSES:
        return None
    run.status = IngestStatus.ERROR
    run.error = error
    run.finished_at = now
    run.progress_bytes = None
    if duration_ms is not None:
        run.duration_ms = duration_ms
    session.flush()
    integrations_service.import_failed(
        session, import_id=run.id, file=run.filename, format=run.format, error=error
    )
    return run


def list_runs(
    session: Session,
    *,
    limit: int,
    offset: int,
    status: str | None = None,
    asset: str | None = None,
    tool: str | None = None,
) -> Page[IngestRunRead]:
    rows, total = repository.list_runs(
        session, limit=limit, offset=offset, status=status, asset=asset, tool=tool
    )
    return Page[IngestRunRead](
        items=[_run_read(run, name) for run, name in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def _run_read(run: IngestRun, asset: str | None) -> IngestRunRead:
    return IngestRunRead.model_validate(run).model_copy(update={"asset": asset})


def get_run(session: Session, run_id: uuid.UUID) -> IngestRunRead:
    run = repository.get_run(session, run_id)
    if run is None:
        raise NotFound(f"no import with id {run_id}")
    return _run_read(run, repository.asset_name(session, run.asset_id))
