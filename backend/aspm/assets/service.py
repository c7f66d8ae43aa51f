"""Assets: lookup and creation on first sight, declared context (assets.yaml / API), and the
match rules that attach incoming detections to assets."""

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aspm.assets import repository
from aspm.assets.matching import Matcher, Record
from aspm.assets.models import UNASSIGNED_ASSET, Asset, AssetKind
from aspm.assets.schemas import (
    NAME_MAX,
    NAME_PATTERN,
    ApplyResult,
    AssetContext,
    AssetFile,
    AssetRead,
    AssetSpec,
    AssetWrite,
    MatchRule,
)
from aspm.common import yamlfile
from aspm.common.clock import utcnow
from aspm.errors import InvalidInput, NotFound
from aspm.findings import service as findings_service
from aspm.ingest.contract import RawFinding

_CLOUD_PREFIXES = ("aws:", "azure:", "gcp:", "kubernetes:")
_NAME_OK = re.compile(NAME_PATTERN)
_NAME_RULE = "1-200 letters, digits and . _ - @ : / + (and inner spaces), no '.' or '..' segment"
MAX_KEY = 500  # assets.external_key
# what risk scores depend on: a change re-scores the asset's findings
CONTEXT_FIELDS = ("environment", "exposure", "data_sensitivity", "data_tags", "criticality")

ContextChange = tuple[uuid.UUID, dict[str, object], dict[str, object]]
"""An asset whose context changed: its id, its context before and after."""

Rescore = Callable[[Session, list[ContextChange]], int]
"""Re-scores the findings of assets whose context changed and returns how many changed. The
caller passes it in (aspm.risk.service.context_rescorer): risk and metrics build on assets, so
assets cannot call them."""


def kind_for_key(key: str) -> AssetKind:
    if key.startswith(_CLOUD_PREFIXES):
        return AssetKind.CLOUD_ACCOUNT
    return AssetKind.REPOSITORY


def name_for_key(key: str) -> str:
    """A readable asset name for a report's key: `org/repo` for a repository URL."""
    if key.startswith(_CLOUD_PREFIXES):
        return key
    trimmed = re.sub(r"^(https?://|ssh://|git@)", "", key).removesuffix(".git").rstrip("/")
    trimmed = trimmed.replace(":", "/")
    parts = [p for p in trimmed.split("/") if p]
    return "/".join(parts[-2:]) if len(parts) >= 2 else trimmed or key


def check_name(name: str, *, origin: str = "") -> None:
    """The one rule for asset names, wherever they come from (`?asset=`, `--asset`, the API,
    assets.yaml, a name derived from a report's repository URL or account): InvalidInput
    otherwise. `origin` says where a name that is not the caller's own came from."""
    if (
        len(name) > NAME_MAX
        or not _NAME_OK.fullmatch(name)
        or any(part in (".", "..") for part in name.split("/"))
    ):
        raise InvalidInput(f"invalid asset name {name!r}{origin}: {_NAME_RULE}")


def get_or_create(session: Session, *, name: str, owner_team: str | None = None) -> Asset:
    """The asset of this name; created on first sight (with `owner_team`, if given)."""
    check_name(name)
    asset = repository.get_by_name(session, name)
    if asset is None:
        kind = AssetKind.UNASSIGNED if name == UNASSIGNED_ASSET else kind_for_key(name)
        owner = None if kind == AssetKind.UNASSIGNED else owner_team
        asset = _add_or_get(session, Asset(name=name, kind=kind, owner_team=owner))
    return asset


def _add_or_get(session: Session, asset: Asset) -> Asset:
    """Insert a new asset; when a concurrent transaction inserted the same name (or external key)
    first, take that row instead of failing the whole import."""
    try:
        with session.begin_nested():
            return repository.add(session, asset, now=utcnow())
    except IntegrityError:
        found = repository.get_by_name(session, asset.name)
        if found is None and asset.external_key is not None:
            found = repository.get_by_external_key(session, asset.external_key)
        if found is None:
            raise
        return found


def get_or_create_for_key(session: Session, *, key: str, owner_team: str | None = None) -> Asset:
    """The asset a report names (repository URL, cloud account), created on first sight (with
    `owner_team`, if given). InvalidInput when the key, or the name it gives, is not valid."""
    if len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput(
            f"the report names its asset {key[:100]!r}{'...' if len(key) > 100 else ''}: not a "
            f"valid asset key (at most {MAX_KEY} printable characters); name the asset with "
            "?asset= (aspm ingest --asset) instead"
        )
    asset = repository.get_by_external_key(session, key)
    if asset is not None:
        return asset
    origin = f" (from the report's asset key {key!r}; name the asset with ?asset= instead)"
    name = name_for_key(key)
    check_name(name, origin=origin)
    existing = repository.get_by_name(session, name)
    if existing is not None and existing.external_key is None:
        existing.external_key = key
        return existing
    if existing is not None:
        name = key[:200]
        check_name(name, origin=origin)
    asset = Asset(name=name, kind=kind_for_key(key), external_key=key, owner_team=owner_team)
    return _add_or_get(session, asset)


def unassigned(session: Session) -> Asset:
    return get_or_create(session, name=UNASSIGNED_ASSET)


def list_assets(session: Session) -> Sequence[Asset]:
    return repository.list_all(session)


def get_many(session: Session, ids: Iterable[uuid.UUID]) -> Sequence[Asset]:
    return repository.get_many(session, list(ids))


# --- resolving incoming detections -----------------------------------------------------------


class AssetResolver:
    """Which asset each detection of one import lands on: the most specific match rule, else the
    asset the report names (asset_key), else "unassigned".

    `key(raw)` is the memo key: only the fields some rule looks at, so that without path rules
    the key is the asset_key alone and a 100k-record report resolves a handful of times.
    """

    def __init__(self, session: Session, *, owner_team: str | None = None) -> None:
        self._owner_team = owner_team  # of the assets it creates
        declared = [
            (a, a.name, (a.match_rules or {}).get("match", []))
            for a in repository.list_with_rules(session)
        ]
        self._matcher = Matcher(declared)
        fields = self._matcher.fields
        self._path = "path" in fields
        self._resource = "resource" in fields
        self._cloud = bool({"account", "region"} & fields)
        self._tags = "tags" in fields
        self._by_key: dict[str | None, Asset] = {}

    def key(self, asset_key: str | None, raw: RawFinding | None) -> Any:
        if raw is None or not self._matcher:
            return asset_key
        loc = raw.location
        return (
            asset_key,
            loc.path if self._path else None,
            loc.resource if self._resource else None,
            (loc.account_id, loc.region) if self._cloud else None,
            raw.context if self._tags else None,
        )

    def resolve(
        self, session: Callable[[], Session], asset_key: str | None, raw: RawFinding | None
    ) -> Asset:
        """`session()` gives the session when this needs the database (an import's writer
        thread hands it back then, see ingest.service._Writer)."""
        if raw is not None and self._matcher:
            loc = raw.location
            hit = self._matcher.best(
                Record(
                    key=asset_key,
                    path=loc.path,
                    resource=loc.resource,
                    account=loc.account_id,
                    region=loc.region,
                    tags=raw.context,
                )
            )
            if hit is not None:
                asset: Asset = hit
                return asset
        cached = self._by_key.get(asset_key)
        if cached is not None:
            return cached
        db = session()
        found = (
            get_or_create_for_key(db, key=asset_key, owner_team=self._owner_team)
            if asset_key
            else unassigned(db)
        )
        self._by_key[asset_key] = found
        return found


def resolver(session: Session, *, owner_team: str | None = None) -> AssetResolver:
    """Resolves one import's detections to assets; the assets it creates get `owner_team`."""
    return AssetResolver(session, owner_team=owner_team)


# --- declaring assets ----------------------------------------------------------------------


def _context_of(asset: Asset) -> dict[str, object]:
    return {f: getattr(asset, f) for f in CONTEXT_FIELDS}


def to_read(asset: Asset, open_findings: int = 0) -> AssetRead:
    return AssetRead(
        id=asset.id,
        name=asset.name,
        kind=asset.kind,
        key=asset.external_key,
        environment=asset.environment,
        exposure=asset.exposure,
        data_sensitivity=asset.data_sensitivity,
        data_tags=list(asset.data_tags or []),
        criticality=asset.criticality,
        owner_team=asset.owner_team,
        match=[MatchRule.model_validate(r) for r in (asset.match_rules or {}).get("match", [])],
        repository_url=asset.repository_url,
        default_branch=asset.default_branch,
        findings=open_findings,
        created_at=asset.created_at,
        updated_at=asset.updated_at,
    )


def _put(
    session: Session, name: str, spec: AssetContext
) -> tuple[Asset, str, dict[str, object] | None, dict[str, object]]:
    """Create or update one asset. (asset, created|updated|unchanged, context before, after)."""
    check_name(name)
    asset = repository.get_by_name(session, name)
    if spec.key:
        holder = repository.get_by_external_key(session, spec.key)
        if holder is not None and holder.name != name:
            raise InvalidInput(f"asset {name}: key {spec.key!r} already belongs to {holder.name}")
    values: dict[str, Any] = {
        "kind": spec.kind.value,
        "environment": spec.environment.value,
        "exposure": spec.exposure.value,
        "data_sensitivity": spec.data_sensitivity.value,
        "data_tags": list(spec.data_tags),
        "criticality": spec.criticality,
        "owner_team": spec.owner_team,
        "match_rules": {"match": [r.model_dump(exclude_defaults=True) for r in spec.match]},
        "repository_url": spec.repository_url,
        "default_branch": spec.default_branch,
    }
    if spec.key:
        values["external_key"] = spec.key
    now = utcnow()
    if asset is None:
        asset = repository.add(session, Asset(name=name, **values), now=now)
        return asset, "created", None, _context_of(asset)
    before = _context_of(asset)
    changed = False
    for field, value in values.items():
        if getattr(asset, field) != value:
            setattr(asset, field, value)
            changed = True
    if changed:
        asset.updated_at = now
        session.flush()
    return asset, "updated" if changed else "unchanged", before, _context_of(asset)


def apply(session: Session, *, yaml_text: str, source: str, rescore: Rescore) -> ApplyResult:
    """Declare the assets of an assets.yaml document (idempotent: applying it twice changes
    nothing the second time). Assets the file does not list are left alone. Errors name the
    file's line (InvalidInput); nothing is changed then.

    Match rules apply to detections imported from now on: the asset is part of a detection's
    identity, so existing findings stay where they are. The assets whose context changed go to
    `rescore` in one call (aspm.risk.service.context_rescorer re-scores their findings, audits
    the change and refreshes their metrics)."""
    doc = yamlfile.load(yaml_text, AssetFile, source=source)
    seen: dict[str, int] = {}
    for index, spec in enumerate(doc.assets):
        if spec.name in seen:
            line = yamlfile.line_of(yaml_text, ["assets", index, "name"])
            raise InvalidInput(f"{source}:{line}: assets.{index}.name: {spec.name!r} is declared "
                               f"twice (first at assets.{seen[spec.name]})")  # fmt: skip
        seen[spec.name] = index
    keys: dict[str, int] = {}
    for index, spec in enumerate(doc.assets):
        if spec.key and spec.key in keys:
            line = yamlfile.line_of(yaml_text, ["assets", index, "key"])
            raise InvalidInput(f"{source}:{line}: assets.{index}.key: {spec.key!r} is already the "
                               f"key of assets.{keys[spec.key]}")  # fmt: skip
        if spec.key:
            keys[spec.key] = index
    result = ApplyResult(created=[], updated=[], unchanged=[], rescored=0)
    changes: list[ContextChange] = []
    for spec in doc.assets:
        asset, outcome, before, after = _put(session, spec.name, spec)
        getattr(result, outcome).append(spec.name)
        if before is not None and before != after:
            changes.append((asset.id, before, after))
    result.rescored = rescore(session, changes) if changes else 0
    return result


def put(
    session: Session,
    *,
    name: str,
    spec: AssetWrite,
    rescore: Rescore,
) -> AssetRead:
    """Create or update one asset; a context change goes to `rescore` (as in `apply`)."""
    asset, _, before, after = _put(session, name, spec)
    if before is not None and before != after:
        rescore(session, [(asset.id, before, after)])
    return to_read(asset, findings_service.open_counts(session, [asset.id]).get(asset.id, 0))


def list_read(session: Session) -> list[AssetRead]:
    assets = repository.list_all(session)
    counts = findings_service.open_counts(session, [a.id for a in assets])
    return [to_read(a, counts.get(a.id, 0)) for a in assets]


def get_read(session: Session, *, name: str) -> AssetRead:
    asset = repository.get_by_name(session, name)
    if asset is None:
        raise NotFound(f"no asset named {name!r}")
    return to_read(asset, findings_service.open_counts(session, [asset.id]).get(asset.id, 0))


def to_yaml_spec(asset: Asset) -> AssetSpec:
    read = to_read(asset)
    return AssetSpec(
        name=read.name,
        kind=AssetKind(read.kind),
        key=read.key,
        environment=read.environment,
        exposure=read.exposure,
        data_sensitivity=read.data_sensitivity,
        data_tags=read.data_tags,
        criticality=read.criticality,
        owner_team=read.owner_team,
        match=read.match,
        repository_url=read.repository_url,
        default_branch=read.default_branch,
    )
