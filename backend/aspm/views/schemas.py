"""Request and response models of saved views."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ViewName = Annotated[str, Field(min_length=1, max_length=100)]
ViewQuery = Annotated[
    str,
    Field(
        max_length=2000,
        description="the triage queue's URL search string without the leading `?` "
        "(e.g. `severity=critical,high&team=mine`); empty for the default queue",
    ),
]


class SavedViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ViewName
    query: ViewQuery = ""
    replace: bool = Field(
        False, description="overwrite your view of the same name (else 409 when it exists)"
    )


class SavedViewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ViewName | None = None
    query: ViewQuery | None = None


class SavedViewRead(BaseModel):
    id: uuid.UUID
    name: str
    query: str
    created_at: datetime
    updated_at: datetime
