"""What a demo run reports to the CLI (and to scripts, with --json)."""

from pydantic import BaseModel, Field

from aspm.ingest.schemas import IngestResult


class DemoSummary(BaseModel):
    skipped: bool = Field(description="--if-empty found findings already, so nothing was done")
    out_dir: str | None = Field(None, description="where the reports were written")
    imports: list[IngestResult] = Field(default_factory=list)
    assets: list[str] = Field(default_factory=list)
    findings: int = Field(0, description="findings in the database after the demo")
    active: int = 0
    fixed: int = 0
    reopened: int = Field(0, description="findings the demo's later rounds re-opened")
    history_days: int = Field(0, description="days the imports were spread over (0: all now)")
    rescans: int = Field(0, description="imports of a report imported before (history only)")
    snapshots: int = Field(0, description="daily metric snapshots written (history only)")

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.imports)
