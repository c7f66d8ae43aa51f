"""Assets as declared (assets.yaml, PUT) and as clients see them."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aspm.assets.models import AssetKind, DataSensitivity, Environment, Exposure

# the length limit is max_length, not a counted repetition: pydantic-core's regex engine compiles
# `[\w ...]{0,199}` (Unicode classes, 199 copies) into an automaton that took 0.1-0.5 s to build,
# at the start of every `aspm` process
NAME_PATTERN = r"^[\w.@:/+-][\w .@:/+-]*$"
NAME_MAX = 200


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
    findings: int = Field(0, description="open findings")
    created_at: datetime
    updated_at: datetime


class ApplyResult(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    rescored: int = Field(description="findings re-scored because an asset's context changed")
