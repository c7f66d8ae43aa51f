"""Pagination envelope shared by every list endpoint."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 500
MAX_OFFSET = 2**31  # larger offsets overflow SQLite's INTEGER and mean nothing


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="rows matching the filters")
    limit: int
    offset: int
