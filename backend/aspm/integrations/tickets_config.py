"""The ticket trackers and where each finding's ticket goes: a YAML file named by
ASPM_TICKETS_FILE, validated here (read again on each use, so an edit counts without a restart).
Credentials are not in the file: admins enter them in the dashboard (PUT
/api/v1/tickets/trackers/{name}/credentials), stored sealed with the instance key.

```yaml
trackers:
  jira:
    kind: jira_cloud            # jira_cloud (REST v3, ADF, email + API token),
                                # jira_server (Data Center/Server REST v2, wiki text, bearer PAT),
                                # github (GitHub Issues REST, token)
    url: https://acme.atlassian.net
    email: security-bot@acme.example   # jira_cloud only: the API token's account
    issue_type: Bug
    priorities: {P1: Highest, P2: High, P3: Medium, P4: Low}   # Jira priority names
    done_transition: Done       # the transition that closes (else one into status category done)
    wont_do: ["Won't Do", "Won't Fix"]  # resolutions shown on the finding as "won't do"
  gh:
    kind: github
    url: https://api.github.com
    labels: {P1: "priority: P1"}        # GitHub labels per priority (default: the priority)
default: {tracker: jira, project: SEC}  # Jira: project key; GitHub: owner/repository
teams:
  payments: {tracker: gh, project: acme/payments}
assets:
  acme/web: {tracker: jira, project: WEB}
grouping: finding               # or control_asset: one ticket per control and asset
poll_minutes: 10                # how often open tickets are read back
```
"""

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aspm.errors import InvalidInput

PRIORITIES = ("P1", "P2", "P3", "P4")
DEFAULT_JIRA_PRIORITIES = {"P1": "Highest", "P2": "High", "P3": "Medium", "P4": "Low"}
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_JIRA_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,49}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


class TrackerKind(StrEnum):
    JIRA_CLOUD = "jira_cloud"
    JIRA_SERVER = "jira_server"
    GITHUB = "github"

    @property
    def is_jira(self) -> bool:
        return self is not TrackerKind.GITHUB


class Grouping(StrEnum):
    FINDING = "finding"  # one ticket per finding
    CONTROL_ASSET = "control_asset"  # one ticket per control and asset


class TrackerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TrackerKind
    url: Annotated[str, Field(min_length=1, max_length=500)] = "https://api.github.com"
    email: str | None = Field(None, max_length=200)
    issue_type: str = Field("Bug", max_length=100)
    priorities: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_JIRA_PRIORITIES))
    labels: dict[str, str] = Field(default_factory=dict)
    extra_labels: list[str] = Field(default_factory=lambda: ["aspm"])
    done_transition: str = Field("Done", max_length=100)
    wont_do: list[str] = Field(default_factory=lambda: ["Won't Do", "Won't Fix"])

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"url {value!r} must start with https:// (or http://)")
        return value.rstrip("/")

    @field_validator("priorities", "labels")
    @classmethod
    def _known_priorities(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(PRIORITIES))
        if unknown:
            raise ValueError(f"unknown priorities {unknown}: use {', '.join(PRIORITIES)}")
        return value

    @model_validator(mode="after")
    def _cloud_needs_email(self) -> Self:
        if self.kind is TrackerKind.JIRA_CLOUD and not self.email:
            raise ValueError(
                "a jira_cloud tracker needs `email` (API tokens authenticate as email + token)"
            )
        return self

    def label_of(self, priority: str | None) -> str | None:
        if priority is None:
            return None
        return self.labels.get(priority, priority)

    def jira_priority_of(self, priority: str | None) -> str | None:
        return None if priority is None else self.priorities.get(priority)


class Target(BaseModel):
    """Where a ticket goes: a tracker and its project (Jira key) or repository (owner/name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tracker: str
    project: str = Field(min_length=1, max_length=200)


class TicketsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trackers: dict[str, TrackerConfig] = Field(min_length=1)
    default: Target | None = None
    teams: dict[str, Target] = Field(default_factory=dict)
    assets: dict[str, Target] = Field(default_factory=dict)
    grouping: Grouping = Grouping.FINDING
    poll_minutes: int = Field(10, ge=1, le=1440)

    @field_validator("trackers")
    @classmethod
    def _names(cls, value: dict[str, TrackerConfig]) -> dict[str, TrackerConfig]:
        bad = sorted(n for n in value if not _NAME.match(n))
        if bad:
            raise ValueError(f"tracker names must be lower-case letters, digits, - or _: {bad}")
        return value

    @model_validator(mode="after")
    def _targets_exist(self) -> Self:
        targets = [("default", self.default)] if self.default else []
        targets += [(f"teams.{k}", v) for k, v in self.teams.items()]
        targets += [(f"assets.{k}", v) for k, v in self.assets.items()]
        for where, target in targets:
            assert target is not None  # noqa: S101
            tracker = self.trackers.get(target.tracker)
            if tracker is None:
                raise ValueError(
                    f"{where}: no tracker {target.tracker!r} (trackers: "
                    f"{', '.join(sorted(self.trackers))})"
                )
            if tracker.kind is TrackerKind.GITHUB and not _REPO.match(target.project):
                raise ValueError(f"{where}: a GitHub project is owner/repository, not "
                                 f"{target.project!r}")  # fmt: skip
            if tracker.kind.is_jira and not _JIRA_PROJECT.match(target.project):
                raise ValueError(f"{where}: a Jira project is its key (e.g. SEC), not "
                                 f"{target.project!r}")  # fmt: skip
        return self

    def target_for(self, *, asset: str | None, team: str | None) -> Target | None:
        """The asset's mapping, else its team's, else the default."""
        if asset is not None and asset in self.assets:
            return self.assets[asset]
        if team is not None and team in self.teams:
            return self.teams[team]
        return self.default


def parse(text: str, *, source: str = "the tickets file") -> TicketsConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"{source} must hold a mapping with `trackers:`")
    try:
        return TicketsConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'top level'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(f"{source} is not valid: {problems}") from exc


def load(path: Path | None) -> TicketsConfig | None:
    """The configuration in `path`; None when no file is configured (tickets are off)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the tickets file {path}: {exc.strerror}") from exc
    return parse(text, source=f"the tickets file {path}")


def require(path: Path | None) -> TicketsConfig:
    config = load(path)
    if config is None:
        raise InvalidInput(
            "tickets are not configured: set ASPM_TICKETS_FILE to a trackers file (README "
            '"Tickets (Jira, GitHub Issues)")'
        )
    return config
