"""Assets: lookup and creation on first sight. Context and match rules grow in the risk engine."""

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from aspm.assets import repository
from aspm.assets.models import UNASSIGNED_ASSET, Asset, AssetKind
from aspm.common.clock import utcnow
from aspm.errors import InvalidInput

_CLOUD_PREFIXES = ("aws:", "azure:", "gcp:", "kubernetes:")
_NAME_OK = re.compile(r"^[\w.@:/+-][\w .@:/+-]{0,199}$")


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


def get_or_create(session: Session, *, name: str) -> Asset:
    if not _NAME_OK.match(name):
        raise InvalidInput(f"invalid asset name {name!r}: 1-200 letters, digits and . _ - @ : / +")
    asset = repository.get_by_name(session, name)
    if asset is None:
        kind = AssetKind.UNASSIGNED if name == UNASSIGNED_ASSET else kind_for_key(name)
        asset = repository.add(session, Asset(name=name, kind=kind), now=utcnow())
    return asset


def get_or_create_for_key(session: Session, *, key: str) -> Asset:
    """The asset a report names (repository URL, cloud account), created on first sight."""
    asset = repository.get_by_external_key(session, key)
    if asset is not None:
        return asset
    name = name_for_key(key)
    existing = repository.get_by_name(session, name)
    if existing is not None and existing.external_key is None:
        existing.external_key = key
        return existing
    if existing is not None:
        name = key[:200]
    return repository.add(
        session, Asset(name=name, kind=kind_for_key(key), external_key=key), now=utcnow()
    )


def unassigned(session: Session) -> Asset:
    return get_or_create(session, name=UNASSIGNED_ASSET)


def list_assets(session: Session) -> Sequence[Asset]:
    return repository.list_all(session)
