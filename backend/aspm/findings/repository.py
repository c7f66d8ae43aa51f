"""SQL for reading findings and their detections."""

import base64
import binascii
import json
import uuid
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnClause,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    Uuid,
    and_,
    bindparam,
    case,
    column,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from aspm.assets.models import Asset
from aspm.audit.models import AuditEvent
from aspm.common.clock import utcnow
from aspm.db.base import UTCDateTime
from aspm.db.bulk import is_postgres
from aspm.db.dialect import ByDialect
from aspm.errors import InvalidInput
from aspm.findings import search_index, sort_keys
from aspm.findings.models import (
    NO_DUE,
    Detection,
    DetectorState,
    Finding,
    RiskExplanation,
    Rule,
    TriageState,
    due_key,
    priority_key,
    risk_key,
)
from aspm.findings.schemas import (
    COUNT_CAP,
    DUE_SOON_DAYS,
    FindingFilter,
    FindingSort,
    PriorityFilter,
    SlaStatus,
    SuppressedFilter,
)
from aspm.findings.states import closed_clause, open_clause
from aspm.ingest.models import IngestRun, IngestScope
from aspm.risk.resource_context import TOXIC_KEY_PREFIX

_OPEN_TRIAGE = (TriageState.NEW, TriageState.CONFIRMED, TriageState.IN_PROGRESS)


def sla_condition(status: SlaStatus, now: datetime) -> ColumnElement[bool]:
    """The SQL form of FindingRead.sla_status (see SlaStatus)."""
    is_open = and_(
        Finding.detector_state == DetectorState.ACTIVE,
        Finding.triage_state.in_(_OPEN_TRIAGE),
        Finding.sla_due_at.is_not(None),
    )
    soon = now + timedelta(days=DUE_SOON_DAYS)
    if status is SlaStatus.OVERDUE:
        return and_(is_open, Finding.sla_due_at < now)
    if status is SlaStatus.DUE_SOON:
        return and_(is_open, Finding.sla_due_at >= now, Finding.sla_due_at <= soon)
    return and_(is_open, Finding.sla_due_at > soon)


def _filtered(
    flt: FindingFilter,
    *,
    now: datetime | None = None,
    asset_name: bool = False,
    team_assets: Sequence[uuid.UUID] | None = None,
) -> Select[Any]:
    """Findings (with their asset's name when asked) that the filter selects. The asset is
    joined only when a condition or the caller needs it: the capped count of the default queue
    took 15 ms through the join and 4 ms without, at 1M findings. `team_assets`, the assets the
    filter's teams own (_team_assets), turns the team condition into index lookups."""
    stmt: Select[Any] = select(Finding, Asset.name) if asset_name else select(Finding)  # type: ignore[assignment]
    by_owner = flt.teams is not None and team_assets is None
    if asset_name or by_owner or flt.environment or flt.asset:
        stmt = stmt.join(Asset, Asset.id == Finding.asset_id)
    if flt.suppressed is SuppressedFilter.EXCLUDE:
        stmt = stmt.where(Finding.suppression_rule_id.is_(None))
    elif flt.suppressed is SuppressedFilter.ONLY:
        stmt = stmt.where(Finding.suppression_rule_id.is_not(None))
    if flt.asset_ids is not None:
        stmt = stmt.where(Finding.asset_id.in_(flt.asset_ids))
    if flt.assignee is not None:
        stmt = stmt.where(Finding.assignee == flt.assignee)
    if flt.teams is not None:
        owned = (
            Asset.owner_team.in_(flt.teams) if by_owner else Finding.asset_id.in_(team_assets or [])
        )
        stmt = stmt.where(or_(Finding.team.in_(flt.teams), and_(Finding.team.is_(None), owned)))
    if flt.priority:
        bands = [p.value for p in flt.priority if p is not PriorityFilter.NONE]
        conds = [Finding.priority.in_(bands)] if bands else []
        if PriorityFilter.NONE in flt.priority:
            conds.append(Finding.priority.is_(None))
        stmt = stmt.where(or_(*conds))
    if flt.environment:
        stmt = stmt.where(Asset.environment.in_([e.value for e in flt.environment]))
    if flt.sla_status:
        at = now or utcnow()
        stmt = stmt.where(or_(*(sla_condition(st, at) for st in flt.sla_status)))
    if flt.asset:
        stmt = stmt.where(Asset.name == flt.asset)
    if flt.severity:
        stmt = stmt.where(Finding.severity.in_([s.value for s in flt.severity]))
    if flt.status:
        stmt = stmt.where(Finding.detector_state.in_([s.value for s in flt.status]))
    if flt.triage:
        stmt = stmt.where(Finding.triage_state.in_([s.value for s in flt.triage]))
    if flt.category:
        stmt = stmt.where(Finding.category == flt.category)
    if flt.tool:
        stmt = stmt.where(
            select(Detection.id)
            .where(Detection.finding_id == Finding.id, Detection.tool == flt.tool)
            .exists()
        )
    if flt.open is True and flt.suppressed is not SuppressedFilter.EXCLUDE:
        # open but for the rule: the `suppressed` filter above decides about suppression rules,
        # so the count of what rules hide in the open view (list_page) is not always 0
        stmt = stmt.where(Finding.detector_state == DetectorState.ACTIVE)
        stmt = stmt.where(Finding.triage_state.in_(_OPEN_TRIAGE), Finding.suppressed == false())
    elif flt.open is not None:
        stmt = stmt.where(open_clause() if flt.open else closed_clause())
    if flt.import_id is not None:
        stmt = stmt.where(_changed_by_import(flt.import_id))
    if flt.toxic is not None:  # the risk key says so (aspm.risk.repository.Signature.key)
        toxic = Finding.risk_key.like(f"{TOXIC_KEY_PREFIX}%")
        stmt = stmt.where(toxic if flt.toxic else or_(~toxic, Finding.risk_key.is_(None)))
    if flt.q:
        stmt = stmt.where(_text_search(flt.q, per_row=flt.suppressed is SuppressedFilter.ONLY))
    return stmt


def _text_search(q: str, *, per_row: bool = False) -> ColumnElement[bool]:
    """Case-insensitive substring search over what people paste into a search box: the title,
    the control id, and each detection's rule id (a CVE id for vulnerability scanners), resource
    (IaC address or ARN) and path; a match lies within one field. On PostgreSQL the trigram
    index of finding_search (aspm.findings.search_index) answers for every asset but those
    whose rows a job has yet to refresh, whose tables are read. The findings that match are a
    UNION of ids (each side one index scan), not an OR with an EXISTS, which made PostgreSQL
    read both tables whole (5 s at 1M findings)."""
    term = q.lower()
    like = f"%{_escape_like(term)}%"

    def has(col: Any) -> ColumnElement[bool]:
        return func.lower(col).like(like, escape="\\")

    def by_finding(f: Any) -> ColumnElement[bool]:
        return or_(has(f.title), has(f.control_id), has(f.resource), has(f.path))

    by_detection = or_(has(Detection.rule_id), has(Detection.resource), has(Detection.path))
    if per_row:
        # the few findings suppression rules hide (a partial index) are tested one by one: the
        # UNION below costs its whole match set (120-200 ms for 6,728 matches at 1M findings)
        per_detection = select(Detection.id).where(Detection.finding_id == Finding.id, by_detection)
        return or_(by_finding(Finding), per_detection.exists())
    own = aliased(Finding, name="searched")
    read = union(
        select(own.id).where(by_finding(own)), select(Detection.finding_id).where(by_detection)
    )
    if not search_index.usable(term):
        return Finding.id.in_(read)
    indexed = union(
        select(search_index.finding_search.c.finding_id).where(
            search_index.indexed_matches(term, like)
        ),
        select(own.id).where(search_index.in_pending(own.asset_id), by_finding(own)),
        select(Detection.finding_id).where(
            search_index.in_pending(Detection.asset_id), by_detection
        ),
    )
    return ByDialect(postgresql=Finding.id.in_(indexed), other=Finding.id.in_(read))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# what an import did to a finding, as the import's lifecycle audit events record it
_IMPORT_ACTIONS = ("auto_resolved", "reopened")


def _changed_by_import(import_id: uuid.UUID) -> ColumnElement[bool]:
    """Created by the import, or resolved or reopened by it (its lifecycle audit events)."""
    lifecycle = (
        select(AuditEvent.object_id)
        .where(
            AuditEvent.object_type == "finding",
            AuditEvent.action.in_(_IMPORT_ACTIONS),
            AuditEvent.details["import_id"].as_string() == str(import_id),
        )
        .scalar_subquery()
    )
    return or_(Finding.created_import_id == import_id, Finding.id.in_(lifecycle))


# Every sort is a tuple of expressions that are never NULL (findings.models: risk_key ...), all in
# one direction, ending with the id: the page after a row is then one row-value comparison,
# `(k1, k2, id) < (v1, v2, v3)`, which PostgreSQL answers as a range scan of the index on the same
# expressions (keyset paging).
class _Key(NamedTuple):
    selected: SQLColumnExpression[Any]  # what a cursor carries (the key, or its NULLable column)
    order: SQLColumnExpression[Any]  # what the rows are sorted by; never NULL
    kind: type  # how a cursor value decodes: int, str, datetime or uuid.UUID
    if_null: ColumnElement[Any] | None = None  # the key when `selected` is NULL


def _one(column: SQLColumnExpression[Any], kind: type) -> _Key:
    return _Key(column, column, kind)


def _keys(sort: FindingSort) -> list[_Key]:
    """The sort's key, most significant first, ascending (a descending page reverses it). For
    priority, ascending is the most urgent first: P1, the earliest due date (none last), then
    the highest risk."""
    if sort is FindingSort.PRIORITY:
        keys = [
            _one(priority_key(), str),
            _Key(Finding.sla_due_at, due_key(), datetime, NO_DUE),
            _one(-risk_key(), int),
        ]
    elif sort is FindingSort.RISK:
        keys = [_one(risk_key(), int), _one(Finding.severity_rank, int)]
    elif sort is FindingSort.SEVERITY:
        keys = [_one(Finding.severity_rank, int), _one(Finding.first_seen_at, datetime)]
    elif sort is FindingSort.FIRST_SEEN:
        keys = [_one(Finding.first_seen_at, datetime)]
    elif sort is FindingSort.LAST_SEEN:
        keys = [_one(Finding.last_seen_at, datetime)]
    else:
        keys = [_one(Finding.title, str)]
    return [*keys, _one(Finding.id, uuid.UUID)]


def _walked_keys(sort: FindingSort, walked: Any) -> list[_Key] | None:
    """The sort's keys over `walked` (finding_sort_keys, or a subquery of its columns), or None
    when the table keeps no index for the sort. They are the values _keys gives (the priority
    order's due date is NULL again in what a cursor carries), so a cursor from either way of
    reading a page continues in the other."""
    c = walked.c
    if sort is FindingSort.RISK:
        keys = [_one(c.risk, int), _one(c.severity_rank, int)]
    elif sort is FindingSort.PRIORITY:
        due = func.nullif(c.due, NO_DUE)
        keys = [_one(c.priority, str), _Key(due, c.due, datetime, NO_DUE), _one(-c.risk, int)]
    else:
        return None
    return [*keys, _one(c.finding_id, uuid.UUID)]


def _downward(flt: FindingFilter) -> bool:
    """Whether pages run from the largest key down: `descending`, except for priority, whose
    ascending key is already the most urgent first (and `descending`, the default, means that)."""
    return flt.descending != (flt.sort is FindingSort.PRIORITY)


def _order(flt: FindingFilter, keys: Sequence[_Key] | None = None) -> list[Any]:
    down = _downward(flt)
    return [k.order.desc() if down else k.order.asc() for k in keys or _keys(flt.sort)]


def _encode_cursor(flt: FindingFilter, values: Sequence[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
        return str(value) if isinstance(value, uuid.UUID) else value

    body = {"s": flt.sort.value, "d": flt.descending, "k": [plain(v) for v in values]}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# how a cursor value binds: as its column does (SQLite stores naive times and hex uuids)
_TYPES: dict[type, Any] = {
    int: Integer(),
    str: String(),
    datetime: UTCDateTime(),
    uuid.UUID: Uuid(),
}


def _decode_value(key: _Key, value: Any) -> ColumnElement[Any]:
    if value is None and key.if_null is not None:
        return key.if_null
    if key.kind is int and type(value) is int:
        decoded: Any = value
    elif key.kind is str and isinstance(value, str):
        decoded = value
    elif key.kind is datetime and isinstance(value, str):
        decoded = datetime.fromisoformat(value)
        if decoded.tzinfo is None:
            raise ValueError("naive time")
    elif key.kind is uuid.UUID and isinstance(value, str):
        decoded = uuid.UUID(value)
    else:
        raise ValueError(f"not a {key.kind.__name__}")
    return literal(decoded, type_=_TYPES[key.kind])


def _after(
    flt: FindingFilter, cursor: str, keys: Sequence[_Key] | None = None
) -> ColumnElement[bool]:
    """The condition "after the cursor's row" in the filter's order (over `keys`, by default
    _keys). A cursor is opaque to clients (base64 of the sort, the direction and the last row's
    key); one from another sort or direction, or that does not decode, is refused (422)."""
    keys = keys or _keys(flt.sort)
    try:
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if body.get("s") != flt.sort.value or body.get("d") is not flt.descending:
            raise InvalidInput("invalid cursor: it belongs to another sort order; start again")
        values = body["k"]
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("wrong length")
        right = [_decode_value(k, v) for k, v in zip(keys, values, strict=True)]
    except InvalidInput:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
        raise InvalidInput("invalid cursor: pass `next_cursor` of the previous page") from exc
    left = tuple_(*(k.order for k in keys))
    return left < tuple_(*right) if _downward(flt) else left > tuple_(*right)


class ListPage(NamedTuple):
    rows: list[Any]  # (finding, asset name)
    total: int  # at most COUNT_CAP
    total_capped: bool  # more than COUNT_CAP match
    hidden: int  # hidden by suppression rules under the same filters; at most COUNT_CAP
    hidden_capped: bool
    next_cursor: str | None  # None on the last page


def list_page(
    session: Session,
    flt: FindingFilter,
    *,
    walk_from: int = COUNT_CAP,
    walk_limit: int = 20_000,
) -> ListPage:
    """A page of (finding, asset name) in the filter's order, after `flt.after` (a cursor) or
    at `flt.offset`, with how many findings the filter selects and how many of the same
    filters' findings suppression rules hide, both counted up to COUNT_CAP + 1 only: an exact
    count(*) over 1M findings took 150-400 ms a page on PostgreSQL, the page itself under 1 ms.

    The risk and priority orders of more than `walk_from` findings walk finding_sort_keys (at
    most `walk_limit` entries, see _walk) on PostgreSQL; fewer are read and sorted."""
    owned = _team_assets(session, flt)
    keys = _keys(flt.sort)
    counted = None
    if (
        flt.q
        and flt.suppressed is not SuppressedFilter.ONLY
        and not (owned is not None and flt.teams)
    ):
        counted = _counted_page(session, flt, keys)
    if counted is not None:
        found_keys, total, hidden = counted
        return _page(session, flt, found_keys, (total, False, hidden, False))
    if flt.suppressed is SuppressedFilter.ONLY:
        [(hidden, hidden_capped)] = _capped_counts(session, [flt], owned)
        total, total_capped = hidden, hidden_capped
    else:
        only = flt.model_copy(update={"suppressed": SuppressedFilter.ONLY})
        counts = _sort_key_counts(session, flt) if owned is None else None
        if counts is None:
            counts = _capped_counts(session, [flt, only], owned)
        [(total, total_capped), (hidden, hidden_capped)] = counts
    # a team's findings, all sorting low, made the walk give up after 20,000 entries and sort
    # anyway (368 against 236 ms at 1M findings): teams take their own way (_team_merge)
    many = total_capped or total > walk_from
    by_team = owned is not None and bool(flt.teams)
    walked = _walk(session, flt, owned, walk_limit) if many and not by_team else None
    if walked is None:
        walked = _sorted_keys(session, flt, owned, keys, total_capped=total_capped, many=many)
    return _page(session, flt, walked, (total, total_capped, hidden, hidden_capped))


def _page(
    session: Session,
    flt: FindingFilter,
    found_keys: Sequence[Any],
    counts: tuple[int, bool, int, bool],
) -> ListPage:
    """The ListPage of the page's keys (limit + 1 rows: is there a next page?)."""
    total, total_capped, hidden, hidden_capped = counts
    more = len(found_keys) > flt.limit
    found_keys = found_keys[: flt.limit]
    cursor = _encode_cursor(flt, tuple(found_keys[-1])) if more else None
    ids = [row[-1] for row in found_keys]
    if not ids:
        return ListPage([], total, total_capped, hidden, hidden_capped, cursor)
    found = {
        row[0].id: row
        for row in session.execute(
            select(Finding, Asset.name)
            .join(Asset, Asset.id == Finding.asset_id)
            .where(Finding.id.in_(ids))
        )
    }
    rows = [found[i] for i in ids if i in found]
    return ListPage(rows, total, total_capped, hidden, hidden_capped, cursor)


def _counted_page(
    session: Session, flt: FindingFilter, keys: list[_Key]
) -> tuple[Sequence[Any], int, int] | None:
    """The page's keys, the exact total and how many of the same filters' findings suppression
    rules hide, in one statement; None when more than COUNT_CAP findings match with those hidden
    (or the page is empty: nothing carries the counts). For a search, whose match set costs most
    of the request (the index lookups, then reading each match): the counts and the page each
    computed it; here once, into a MATERIALIZED CTE of at most COUNT_CAP + 1 rows, suppressed
    ones included and marked, that the counts and the sorted page read. The filter with
    `suppressed=exclude` (or `only`) selects what it selects with `include` and no rule (or a
    rule), so one match set gives both counts."""
    every = flt.model_copy(update={"suppressed": SuppressedFilter.INCLUDE})
    cols: list[Any] = [k.selected.label(f"s{i}") for i, k in enumerate(keys)]
    cols += [k.order.label(f"o{i}") for i, k in enumerate(keys)]
    cols.append(Finding.suppression_rule_id.is_not(None).label("hidden"))
    matching = (
        _filtered(every).with_only_columns(*cols).limit(COUNT_CAP + 1).cte("matching")
    ).prefix_with("MATERIALIZED")
    over = [
        _Key(matching.c[f"s{i}"], matching.c[f"o{i}"], k.kind, k.if_null)
        for i, k in enumerate(keys)
    ]
    shown = ~matching.c.hidden if flt.suppressed is SuppressedFilter.EXCLUDE else true()

    def counted(*where: ColumnElement[bool]) -> Any:
        return select(func.count()).select_from(matching).where(*where).scalar_subquery()

    page = (
        select(
            *(k.selected for k in over),
            counted(shown).label("total"),
            counted(matching.c.hidden).label("hidden"),
            counted().label("matched"),
        )
        .where(shown)
        .order_by(*_order(flt, over))
    )
    if flt.after is not None:
        page = page.where(_after(flt, flt.after, over))
    elif flt.offset:
        page = page.offset(flt.offset)
    rows = session.execute(page.limit(flt.limit + 1)).all()
    if not rows or rows[0][-1] > COUNT_CAP:
        return None
    return [tuple(row[:-3]) for row in rows], int(rows[0][-3]), int(rows[0][-2])


def _walk(
    session: Session, flt: FindingFilter, owned: Sequence[uuid.UUID] | None, limit: int
) -> Any:
    """The page's keys (limit + 1 rows, after the offset) of a risk or priority order on
    PostgreSQL, by walking finding_sort_keys' index in the order and keeping the findings the
    filter selects; None when the table keeps no index for the order, or when the walk passed
    `limit` entries before it met the page. With more than COUNT_CAP matches among 1M findings,
    a filter that does not follow the order meets its page within a few thousand entries (51 x
    100 at 1%); one that does (P4 by risk: its rows all sort low) would walk most of the index,
    so the walk gives up and the page is sorted as without the table."""
    table_keys = _walked_keys(flt.sort, sort_keys.sort_keys)
    if table_keys is None or not is_postgres(session):
        return None
    walk = select(sort_keys.sort_keys).order_by(*_order(flt, table_keys))
    if flt.after is not None:
        walk = walk.where(_after(flt, flt.after, table_keys))
    walked = walk.limit(limit).subquery("walked")
    keys = _walked_keys(flt.sort, walked) or []
    page = (
        _filtered(flt, team_assets=owned)
        .with_only_columns(*(k.selected for k in keys))
        .where(walked.c.finding_id == Finding.id)
        .order_by(*_order(flt, keys))
        .limit(flt.limit + 1)
    )
    if flt.after is None and flt.offset:
        page = page.offset(flt.offset)
    rows = session.execute(page).all()
    if len(rows) <= flt.limit:
        return None  # the last page, or the walk gave up: sort (each is rare)
    return rows


def _sorted_keys(
    session: Session,
    flt: FindingFilter,
    owned: Sequence[uuid.UUID] | None,
    keys: list[_Key],
    *,
    total_capped: bool,
    many: bool,
) -> Any:
    """The page's keys (limit + 1 rows) read from findings: an index range for the orders an
    index of findings keeps, else the filter's findings sorted. A team filter's page is a merge
    of one range per asset and per team (_team_merge); in the risk and priority orders, when
    `many` findings match, ranges of finding_sort_keys."""
    # the page's keys first (limit + 1: is there a next page?), then the rows of its ids: narrow
    # tuples walk the index; whole rows are read for the page only
    page = _filtered(flt, team_assets=owned).with_only_columns(*(k.selected for k in keys))
    if flt.after is not None:
        page = page.where(_after(flt, flt.after))
    if owned is not None and flt.teams and session.get_bind().dialect.name == "postgresql":
        checked = _team_candidates(session, flt, owned) if many else None
        if checked is not None:
            return checked
        page = _team_merge(flt, owned, few=not total_capped, walk=many)
    elif total_capped:
        page = page.order_by(*_order(flt))
    else:
        # at most COUNT_CAP match: read them (as the count just did) and sort them, rather than
        # walk the sort index hoping to meet them. At 1M findings (load 8) a team filter that
        # matched nothing walked the whole index in 4.5 s; this way 0.5 s, the cost of its count.
        down = _downward(flt)
        sub = page.add_columns(*(k.order.label(f"o{i}") for i, k in enumerate(keys)))
        matching = sub.cte("matching").prefix_with("MATERIALIZED")
        order = [matching.c[f"o{i}"] for i in range(len(keys))]
        page = select(*(matching.c[i] for i in range(len(keys)))).order_by(
            *(c.desc() if down else c.asc() for c in order)
        )
    if flt.after is None and flt.offset:
        page = page.offset(flt.offset)
    return session.execute(page.limit(flt.limit + 1)).all()


_NO_FILTER = FindingFilter()
_PAGING = frozenset({"suppressed", "sort", "descending", "limit", "offset", "after"})


def _selects_only_by(flt: FindingFilter, fields: set[str]) -> bool:
    """Whether the filter selects by nothing but `fields` (and suppression): every other field
    keeps its default, a field added to FindingFilter later included. finding_sort_keys holds
    the asset, team and priority of each finding, not its states or text."""
    return all(
        getattr(flt, name) == getattr(_NO_FILTER, name)
        for name in FindingFilter.model_fields
        if name not in fields and name not in _PAGING
    )


def _team_candidates(
    session: Session, flt: FindingFilter, owned: Sequence[uuid.UUID]
) -> list[Any] | None:
    """The page's keys of a team filter in the risk or priority order when many match, from
    finding_sort_keys alone: the first limit + 1 entries of its merged ranges, whose findings are
    then checked against the filter in one lookup (what suppression rules hide, rarely the
    first entries). None when one of them fails (the page then comes from ranges joined entry by
    entry to their findings, _team_merge), for an offset, when the order has no sort keys, or
    when the filter selects by more than the team: states like the dashboard's `status=active`
    would fail the check whenever a closed finding ranks high, for nothing. For a team of 40
    assets at 1M findings by priority, the joined ranges read 2,040 findings (10 ms of the
    request); this way 51."""
    if (
        flt.offset
        or _walked_keys(flt.sort, sort_keys.sort_keys) is None
        or not _selects_only_by(flt, {"teams"})
    ):
        return None
    page = _team_merge(flt, owned, few=False, walk=True, unchecked=True)
    rows = list(session.execute(page.limit(flt.limit + 1)).all())
    ids = [row[-1] for row in rows]
    if ids:
        rest = flt.model_copy(update={"teams": None})
        kept = _filtered(rest).with_only_columns(Finding.id).where(Finding.id.in_(ids))
        if len(session.scalars(kept).all()) != len(ids):
            return None
    return rows


def _team_merge(
    flt: FindingFilter,
    owned: Sequence[uuid.UUID],
    *,
    few: bool,
    walk: bool = False,
    unchecked: bool = False,
) -> Select[Any]:
    """The page's keys of a team filter (PostgreSQL): the first rows in the filter's order of
    each asset the teams own (findings with no team of their own) and of each of the teams
    (findings whose own team it is), one LATERAL index range each, merged. Walking the whole
    queue's order instead passed 600k findings before meeting a team whose findings all sort low
    (2.7 s at 1M findings). The default (severity) order reads ix_findings_asset_queue and
    ix_findings_team_queue. The risk and priority orders, which no index of findings may hold,
    read the partial indexes of finding_sort_keys led by the asset (team IS NULL) or the team
    when `walk` (many match), each entry joined to its finding for the filter's other
    conditions: for a team of 40,000 findings at 1M by priority, each branch read all of its
    asset's findings and sorted them (the page's statement 120-150 ms, the request 96-106 ms
    p50); this way 40 ranges of 51 entries and their 2,040 findings (5-7 ms, 18 ms). A filter
    whose matches all sort late in each branch (priority=P4 by priority) reads up to every
    finding of the teams, as before, by id. When few match, each branch reads its matches
    (`few`: selected on the index first) and sorts them. `unchecked` (with `walk`): the ranges
    of finding_sort_keys alone, for _team_candidates to check."""
    table_keys = _walked_keys(flt.sort, sort_keys.sort_keys) if walk else None
    keys = table_keys or _keys(flt.sort)
    down = _downward(flt)
    n = flt.offset + flt.limit + 1
    rest = flt.model_copy(update={"teams": None})

    def branch(condition: ColumnElement[bool], walked: ColumnElement[bool]) -> Any:
        cols: list[Any] = [k.selected.label(f"s{i}") for i, k in enumerate(keys)]
        cols += [k.order.label(f"o{i}") for i, k in enumerate(keys)]
        if table_keys is not None and unchecked:
            # finding_sort_keys' range alone: the caller checks the merged page's findings
            stmt = select(*cols).select_from(sort_keys.sort_keys).where(walked)
        elif table_keys is not None:
            # finding_sort_keys' range in the order, each entry joined to its finding
            k = sort_keys.sort_keys.c
            stmt = (
                _filtered(rest)
                .with_only_columns(*cols)
                .join_from(Finding, sort_keys.sort_keys, k.finding_id == Finding.id)
                .where(walked)
            )
        elif flt.sort is FindingSort.SEVERITY or not few:
            stmt = _filtered(rest).with_only_columns(*cols).where(condition)
        else:
            # no index holds these keys and at most COUNT_CAP match: select the matches on the
            # index first (index-only for the open view's columns), then read the table rows of
            # the matches only. The open queue by priority of a team with nothing open read
            # 40,000 table rows (1.4-2.3 s at load 14), now none (0.6 s). When many match, the
            # id lookups cost more than they save (2.0 against 1.8 s): the rows are read directly
            matching = _filtered(rest).with_only_columns(Finding.id).where(condition)
            matching = matching.correlate_except(Finding)
            stmt = select(*cols).where(Finding.id.in_(matching))
        if flt.after is not None:
            stmt = stmt.where(_after(flt, flt.after, keys))
        return stmt.order_by(*_order(flt, keys)).limit(n).lateral()

    assets = _unnest("owned_assets", column("id", Uuid()), list(owned))
    teams = _unnest("teams", column("name", String()), list(flt.teams or []))
    k = sort_keys.sort_keys.c
    by_asset = branch(
        and_(Finding.asset_id == assets.c.id, Finding.team.is_(None)),
        and_(k.asset_id == assets.c.id, k.team.is_(None)),
    )
    by_team = branch(Finding.team == teams.c.name, k.team == teams.c.name)
    parts = [select(by_team).select_from(teams.join(by_team, true()))]
    if owned:
        parts.append(select(by_asset).select_from(assets.join(by_asset, true())))
    merged = union_all(*parts).subquery("merged")
    order = [merged.c[f"o{i}"] for i in range(len(keys))]
    return select(*(merged.c[f"s{i}"] for i in range(len(keys)))).order_by(
        *(c.desc() if down else c.asc() for c in order)
    )


def _unnest(name: str, col: ColumnClause[Any], items: list[Any]) -> Any:
    """`unnest(:name) AS name(col)`: the items as one array parameter, where a VALUES list of
    literals made the statement uncacheable (SQLAlchemy compiled it on every request: 6 of
    the 45 ms of a team's queue page at 1M findings)."""
    array = bindparam(name, value=items, type_=ARRAY(col.type))
    return func.unnest(array).table_valued(col).render_derived(name=name)


def _team_assets(session: Session, flt: FindingFilter) -> list[uuid.UUID] | None:
    """The assets the filter's teams own (None without a team filter)."""
    if flt.teams is None:
        return None
    return list(session.scalars(select(Asset.id).where(Asset.owner_team.in_(flt.teams))))


def _capped_counts(
    session: Session, flts: Sequence[FindingFilter], team_assets: Sequence[uuid.UUID] | None
) -> list[tuple[int, bool]]:
    """Per filter: (how many it selects, up to COUNT_CAP; whether more do), all in one statement
    (one round trip: on a loaded machine each cost 10-20 ms). A team filter counts the findings
    of the teams' assets and the findings of the teams apart, each one index range
    (ix_findings_asset_queue, ix_findings_team_queue: index-only, with the open view's columns),
    where their OR made PostgreSQL read both sets from the table at random."""
    counts = []
    for flt in flts:
        if flt.teams and team_assets is not None:
            rest = flt.model_copy(update={"teams": None})
            parts: list[ColumnElement[bool]] = [Finding.team.in_(flt.teams)]
            if team_assets:
                parts.append(and_(Finding.team.is_(None), Finding.asset_id.in_(team_assets)))
        else:
            rest, parts = flt, [true()]
        limited = [
            _filtered(rest, team_assets=team_assets)
            .with_only_columns(Finding.id)
            .where(part)
            .order_by(None)
            .limit(COUNT_CAP + 1)
            .subquery()
            for part in parts
        ]
        ids = limited[0] if len(limited) == 1 else union_all(*(select(q.c.id) for q in limited))
        counted = ids if isinstance(ids, Subquery) else ids.subquery()
        counts.append(select(func.count()).select_from(counted).scalar_subquery())
    row = session.execute(select(*counts)).one()
    return [(min(int(n), COUNT_CAP), int(n) > COUNT_CAP) for n in row]


def _sort_key_counts(session: Session, flt: FindingFilter) -> list[tuple[int, bool]] | None:
    """_capped_counts of [flt, flt with suppressed=only] for a filter that selects by priority
    band (and assets) only and leaves out what suppression rules hide, on PostgreSQL: first how
    many of its findings the rules hide (the index of rule-hidden findings), then how many it
    selects in all, from an index-only range of finding_sort_keys up to COUNT_CAP + 1 + hidden,
    less the hidden ones. Counting on findings read them until 10,001 P1 findings turned up:
    50,000 rows, 18 ms of a 32 ms request at 1M findings; the range takes 2.5 ms. None for any
    other filter, or when the rules hide more than COUNT_CAP of its findings."""
    if (
        flt.suppressed is not SuppressedFilter.EXCLUDE
        or not flt.priority
        or PriorityFilter.NONE in flt.priority
        or not is_postgres(session)
        or not _selects_only_by(flt, {"priority", "asset_ids"})
    ):
        return None
    only = flt.model_copy(update={"suppressed": SuppressedFilter.ONLY})
    [(hidden, hidden_capped)] = _capped_counts(session, [only], None)
    if hidden_capped:
        return None
    k = sort_keys.sort_keys.c
    ranged = select(k.finding_id).where(k.priority.in_([p.value for p in flt.priority]))
    if flt.asset_ids is not None:
        ranged = ranged.where(k.asset_id.in_(flt.asset_ids))
    limited = ranged.limit(COUNT_CAP + 1 + hidden).subquery()
    total = session.execute(select(func.count()).select_from(limited)).scalar_one() - hidden
    return [(min(total, COUNT_CAP), total > COUNT_CAP), (hidden, False)]


def iter_rows(session: Session, flt: FindingFilter, *, batch: int = 2000) -> Iterator[Any]:
    """Every (finding, asset name) the filter selects, in its order (its limit, offset and
    cursor ignored): keyset batches, so each batch is an index range however deep (an export of
    1M findings; offset paging re-read every earlier row for every batch)."""
    keys = _keys(flt.sort)
    step = flt.model_copy(update={"limit": batch, "offset": 0, "after": None})
    owned = _team_assets(session, flt)
    while True:
        stmt = _filtered(step, asset_name=True, team_assets=owned)
        stmt = stmt.add_columns(*(k.selected for k in keys))
        stmt = stmt.order_by(*_order(step))
        if step.after is not None:
            stmt = stmt.where(_after(step, step.after))
        rows = session.execute(stmt.limit(batch)).all()
        for row in rows:
            yield row[0], row[1]
        if len(rows) < batch:
            return
        step.after = _encode_cursor(step, tuple(rows[-1][2:]))


def iter_batches(
    session: Session,
    flt: FindingFilter,
    columns: Sequence[SQLColumnExpression[Any]],
    *,
    batch: int = 2000,
) -> Iterator[Sequence[Any]]:
    """Batches of rows of `columns` (over findings joined to their asset) that the filter
    selects, in its order (its limit, offset and cursor ignored), as iter_rows reads them but
    without loading entities: an export needs a few columns of 1M findings (Core rows ~10x
    faster than ORM entities there). Each row ends with the sort's keys after `columns`."""
    keys = _keys(flt.sort)
    step = flt.model_copy(update={"limit": batch, "offset": 0, "after": None})
    owned = _team_assets(session, flt)
    width = len(columns)
    while True:
        stmt = _filtered(step, asset_name=True, team_assets=owned)
        stmt = stmt.with_only_columns(*columns, *(k.selected for k in keys))
        stmt = stmt.order_by(*_order(step))
        if step.after is not None:
            stmt = stmt.where(_after(step, step.after))
        rows = session.connection().execute(stmt.limit(batch)).all()  # no ORM row loading
        if rows:
            yield rows
        if len(rows) < batch:
            return
        step.after = _encode_cursor(step, tuple(rows[-1][width:]))


def select_ids(session: Session, flt: FindingFilter, *, cap: int) -> list[uuid.UUID]:
    stmt = _filtered(flt).with_only_columns(Finding.id).order_by(Finding.id).limit(cap)
    return list(session.scalars(stmt).all())


def get_with_asset(session: Session, finding_id: uuid.UUID) -> Any | None:
    return session.execute(
        select(Finding, Asset.name)
        .join(Asset, Asset.id == Finding.asset_id)
        .where(Finding.id == finding_id)
    ).one_or_none()


def explanation(session: Session, asset_id: uuid.UUID, risk_key: str) -> list[dict[str, Any]]:
    stored = session.scalar(
        select(RiskExplanation.explanation).where(
            RiskExplanation.asset_id == asset_id, RiskExplanation.risk_key == risk_key
        )
    )
    return list(stored or [])


def get(session: Session, finding_id: uuid.UUID) -> Finding | None:
    return session.get(Finding, finding_id)


def find_by_prefix(session: Session, prefix: str) -> Sequence[uuid.UUID]:
    """Finding ids whose text form starts with `prefix` (CLI convenience), at most 2."""
    hexed = prefix.replace("-", "").lower()
    col = func.lower(func.replace(func.cast(Finding.id, String), "-", ""))
    return session.scalars(select(Finding.id).where(col.like(f"{hexed}%")).limit(2)).all()


def find_by_suffix(session: Session, suffix: str) -> Sequence[uuid.UUID]:
    """Finding ids whose text form ends with `suffix` (hex digits only), at most 2."""
    hexed = suffix.replace("-", "").lower()
    col = func.lower(func.replace(func.cast(Finding.id, String), "-", ""))
    return session.scalars(select(Finding.id).where(col.like(f"%{hexed}")).limit(2)).all()


def detection_summary(
    session: Session, finding_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[list[str], int, datetime | None]]:
    """Per finding: its tools, detection count and effective last-seen time.

    An active detection was seen by the last full import of its scope, which does not rewrite it.
    """
    if not finding_ids:
        return {}
    seen = case(
        (
            Detection.active & (IngestScope.last_full_import_at > Detection.last_seen_at),
            IngestScope.last_full_import_at,
        ),
        else_=Detection.last_seen_at,
    )
    rows = session.execute(
        select(Detection.finding_id, Detection.tool, func.count(), func.max(seen))
        .join(IngestScope, IngestScope.id == Detection.scope_id)
        .where(Detection.finding_id.in_(finding_ids))
        .group_by(Detection.finding_id, Detection.tool)
    ).all()
    out: dict[uuid.UUID, tuple[list[str], int, datetime | None]] = {}
    for fid, tool, n, last in rows:
        tools, count, latest = out.get(fid, ([], 0, None))
        tools.append(tool)
        if isinstance(last, str):
            last = datetime.fromisoformat(last)
        latest = last if latest is None or (last is not None and last > latest) else latest
        out[fid] = (sorted(tools), count + n, latest)
    return out


def detections_of(session: Session, finding_id: uuid.UUID) -> Sequence[Detection]:
    return session.scalars(
        select(Detection)
        .where(Detection.finding_id == finding_id)
        .order_by(Detection.active.desc(), Detection.tool, Detection.path, Detection.start_line)
    ).all()


def open_counts(session: Session, asset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not asset_ids:
        return {}
    rows = session.execute(
        select(Finding.asset_id, func.count())
        .where(Finding.asset_id.in_(asset_ids), open_clause())
        .group_by(Finding.asset_id)
    ).all()
    return dict(rows)


def titles(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(select(Finding.id, Finding.title).where(Finding.id.in_(ids))).all()
    return {row[0]: row[1] for row in rows}


def briefs(session: Session, ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, str, str, str]]:
    """(id, title, severity, detector state) of some findings, worst first."""
    if not ids:
        return []
    rows = session.execute(
        select(Finding.id, Finding.title, Finding.severity, Finding.detector_state)
        .where(Finding.id.in_(ids))
        .order_by(Finding.severity_rank.desc(), Finding.title, Finding.id)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


# --- links of a finding's detections (aspm.findings.code_links) --------------------------------


def repositories_of(
    session: Session, asset_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[str | None, str | None, str | None]]:
    """(repository URL, key, default branch) of each asset."""
    if not asset_ids:
        return {}
    rows = session.execute(
        select(Asset.id, Asset.repository_url, Asset.external_key, Asset.default_branch).where(
            Asset.id.in_(list(asset_ids))
        )
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def last_full_imports(
    session: Session, scope_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The last import of each scope, where it was a full one (it saw every active detection)."""
    if not scope_ids:
        return {}
    rows = session.execute(
        select(IngestScope.id, IngestScope.last_import_id).where(
            IngestScope.id.in_(list(scope_ids)),
            IngestScope.last_import_id.is_not(None),
            IngestScope.last_import_at == IngestScope.last_full_import_at,
        )
    )
    return {r[0]: r[1] for r in rows if r[1] is not None}


def import_commits(session: Session, import_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The commit each of these imports names (those that name one)."""
    if not import_ids:
        return {}
    rows = session.execute(
        select(IngestRun.id, IngestRun.commit).where(
            IngestRun.id.in_(list(import_ids)), IngestRun.commit.is_not(None)
        )
    )
    return {r[0]: r[1] for r in rows if r[1] is not None}


def rule_help_uris(
    session: Session, rules: Collection[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The documentation URL the reports name for each (tool, rule id), where they name one."""
    if not rules:
        return {}
    rows = session.execute(
        select(Rule.tool, Rule.rule_id, Rule.help_uri).where(
            Rule.tool.in_({t for t, _ in rules}),
            Rule.rule_id.in_({r for _, r in rules}),
            Rule.help_uri.is_not(None),
        )
    )
    return {(r[0], r[1]): r[2] for r in rows if (r[0], r[1]) in rules and r[2] is not None}


def ordered_select(
    session: Session, flt: FindingFilter, columns: Sequence[SQLColumnExpression[Any]]
) -> Select[Any]:
    """One statement of `columns` (over findings joined to their asset) for every finding the
    filter selects, in its order (its limit, offset and cursor ignored): what iter_batches
    reads in batches, for a caller that streams the whole of it at once (the CSV export's COPY
    on PostgreSQL, aspm.exports.pg_csv)."""
    owned = _team_assets(session, flt)
    stmt = _filtered(flt, asset_name=True, team_assets=owned).with_only_columns(*columns)
    return stmt.order_by(*_order(flt))
