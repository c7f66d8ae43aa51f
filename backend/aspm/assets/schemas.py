"""Assets as declared (assets.yaml, PUT) and as clients see them."""

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aspm.assets.models import AssetKind, DataSensitivity, Environment, Exposure

# the length limit is max_length, not a counted repetition: pydantic-core's regex engine compiles
# `[\w ...]{0,199}` (Unicode classes, 199 copies) into an automaton that took 0.1-0.5 s to build,
# at the start of every `aspm` process
NAME_PATTERN = r"^[\w.@:/+-][\w .@:/+-]*$"
NAME_MAX = 200

# a repository as git or a browser names it: https://host/o/r(.git), ssh://git@host/o/r.git,
# git@host:o/r.git (aspm.findings.code_links reads it; an unknown host is kept, it only links
# nowhere)
_REPOSITORY_URL = re.compile(r"^(?:(?:https?|ssh|git)://[^\s/]+/\S*|[\w.+-]+@[\w.-]+:\S+)$")
# git's rules for a branch name (git check-ref-format), as far as a link needs them
_BRANCH_BAD = re.compile(r"[\s~^:?*\[\\\x00-\x1f\x7f]|\.\.|//|@\{|^[-/.]|[/.]$|\.lock$")


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class MatchRule(BaseModel):
    """Which detections belong to the asset. Every criterion given must match (AND); within a
    criterion, any listed value may (OR). Patterns: the one glob dialect (README "Patterns")."""

    model_config = ConfigDict(extra="forbid")

    repositories: list[str] = Field(default_factory=list, description="repo name or URL")
    paths: list[str] = Field(default_factory=list, description="path globs, e.g. services/pay/**")
    accounts: list[str] = Field(default_factory=list, description="cloud account / subscription")
    regions: list[str] = Field(default_factory=list, description="cloud regions, e.g. eu-*")
    tags: dict[str, str] = Field(default_factory=dict, description="resource tags, e.g. env: prod")
    arns: list[str] = Field(default_factory=list, description="resource id / ARN patterns")

    @model_validator(mode="after")
    def _not_empty(self) -> "MatchRule":
        if not (self.repositories or self.paths or self.accounts or self.regions or self.tags
                or self.arns):  # fmt: skip
            raise ValueError(
                "a match rule needs at least one of repositories, paths, accounts, regions, "
                "tags, arns"
            )
        for pattern in (*self.repositories, *self.paths, *self.accounts, *self.regions,
                        *self.arns, *self.tags.values()):  # fmt: skip
            if not pattern.strip() or set(pattern) <= {"*", "/", "?"}:
                raise ValueError(f"pattern {pattern!r} would match everything")
        return self


class AssetContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AssetKind = AssetKind.REPOSITORY
    key: str | None = Field(None, max_length=500, description="repo URL, aws:<account>, ...")
    environment: Environment = Environment.UNKNOWN
    exposure: Exposure = Exposure.UNKNOWN
    data_sensitivity: DataSensitivity = DataSensitivity.UNKNOWN
    data_tags: list[str] = Field(default_factory=list, description="pii, pci, phi, ...")
    criticality: int | None = Field(None, ge=1, le=3, description="tier 1 (most critical) to 3")
    owner_team: str | None = Field(None, max_length=200)
    match: list[MatchRule] = Field(default_factory=list)
    repository_url: str | None = Field(
        None,
        max_length=500,
        description="its repository, as a web or clone URL (https://github.com/o/r, "
        "git@gitlab.com:g/p.git): detections link to their lines on GitHub, GitLab or Bitbucket",
    )
    default_branch: str | None = Field(
        None, max_length=200, description="what links show when an import names no commit: main"
    )

    @field_validator("repository_url", mode="before")
    @classmethod
    def _repository_url(cls, value: object) -> object:
        value = _blank_to_none(value)
        if isinstance(value, str) and not (value.isprintable() and _REPOSITORY_URL.match(value)):
            raise ValueError(
                "a repository URL: https://host/owner/repo, ssh://git@host/owner/repo.git or "
                "git@host:owner/repo.git"
            )
        return value

    @field_validator("default_branch", mode="before")
    @classmethod
    def _branch(cls, value: object) -> object:
        value = _blank_to_none(value)
        if isinstance(value, str) and _BRANCH_BAD.search(value):
            raise ValueError(f"{value!r} is not a valid git branch name")
        return value

    @field_validator("match", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

    @field_validator("data_tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return sorted({t.strip().lower() for t in value if t.strip()})


class AssetWrite(AssetContext):
    pass


class AssetSpec(AssetContext):
    name: str = Field(pattern=NAME_PATTERN, max_length=NAME_MAX)


class AssetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assets: list[AssetSpec]


class AssetRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    key: str | None
    environment: str
    exposure: str
    data_sensitivity: str
    data_tags: list[str]
    criticality: int | None
    owner_team: str | None
    match: list[MatchRule]
    repository_url: str | None = None
    default_branch: str | None = None
    findings: int = Field(0, description="open findings")
    created_at: datetime
    updated_at: datetime


class ApplyResult(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    rescored: int = Field(description="findings re-scored because an asset's context changed")
