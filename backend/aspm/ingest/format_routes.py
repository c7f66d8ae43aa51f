"""HTTP: the report formats the platform reads, from the ingest registry (the upload's list and
its format picker come from here, never from a copy in the dashboard)."""

from fastapi import APIRouter
from pydantic import BaseModel

from aspm.api.deps import ReadAccess
from aspm.ingest import registry

# mounted before the imports router: /imports/formats is not an import id
router = APIRouter(prefix="/imports", tags=["imports"])


class FormatRead(BaseModel):
    """A report format the platform reads (what `--format` and `?format=` take)."""

    name: str
    title: str


@router.get("/formats", name="formats", response_model=list[FormatRead], dependencies=[ReadAccess])
def list_formats() -> list[FormatRead]:
    """Every format of the ingest registry, by name: what an upload reads, and what to choose
    when a file's format is not detected."""
    return sorted(
        (FormatRead(name=f.name, title=f.title) for f in registry.FORMATS), key=lambda f: f.name
    )
