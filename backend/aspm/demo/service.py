"""Load the demo: write every report to a folder, then import each through the real pipeline.

The reports stay on disk so that people can read them and import them again with `aspm ingest`
(the folder's README.txt lists the commands). The boundary is one import, as for `aspm ingest`:
each report is its own transaction.
"""

import tempfile
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from aspm.assets import service as assets_service
from aspm.db.session import unit_of_work
from aspm.demo import history
from aspm.demo.assets import assets_yaml
from aspm.demo.generate import build_reports, readme
from aspm.demo.schemas import DemoSummary
from aspm.errors import InvalidInput
from aspm.findings import service as findings_service
from aspm.findings.models import DetectorState
from aspm.findings.schemas import FindingFilter
from aspm.ingest import service as ingest_service
from aspm.risk.service import context_rescorer

ACTOR = "demo"


def _count(session: Session, *states: DetectorState) -> int:
    return findings_service.list_findings(
        session, FindingFilter(status=list(states), limit=1)
    ).total


def has_findings(factory: sessionmaker[Session]) -> bool:
    with unit_of_work(factory) as session:
        return _count(session) > 0


def write_reports(out_dir: Path) -> list[tuple[Path, str, int]]:
    """Write every report (and a README) below `out_dir`; (path, asset, round) in ingest order."""
    reports = build_reports()
    written: list[tuple[Path, str, int]] = []
    for report in reports:
        path = out_dir / report.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(report.content)
        written.append((path, report.asset, report.round))
    (out_dir / "README.txt").write_text(readme(reports), encoding="utf-8")
    (out_dir / "assets.yaml").write_text(assets_yaml(), encoding="utf-8")
    return written


def run_demo(
    factory: sessionmaker[Session],
    *,
    out_dir: Path | None,
    hmac_key: bytes,
    batch_size: int,
    if_empty: bool = False,
    history_days: int = 0,
) -> DemoSummary:
    """Write the reports to `out_dir` (a new temporary folder when None) and import them in order.

    With `history_days`, the rounds are spread over that many past days (with re-scans, triage
    decisions and a metrics snapshot per day, see aspm.demo.history); without, they are imported
    now, one after the other. With `if_empty`, a database that already has findings is left alone
    and nothing is written. Raises InvalidInput when the folder cannot be written.
    """
    if if_empty and has_findings(factory):
        return DemoSummary(skipped=True)
    try:
        target = out_dir if out_dir is not None else Path(tempfile.mkdtemp(prefix="aspm-demo-"))
        written = write_reports(target)
    except OSError as exc:
        raise InvalidInput(
            f"cannot write the demo reports to {out_dir or 'a temp dir'}: {exc}"
        ) from exc
    with unit_of_work(factory) as session:  # context first: imports are scored with it
        assets_service.apply(session, yaml_text=assets_yaml(), source="assets.yaml",
                             rescore=context_rescorer(actor=ACTOR))  # fmt: skip
    results = []
    rescans = snapshots = 0
    if history_days > 0:
        story = history.replay(
            factory,
            [history.Planned(path=p, asset=a, round=n) for p, a, n in written],
            days=history_days,
            hmac_key=hmac_key,
            batch_size=batch_size,
            actor=ACTOR,
        )
        results, rescans, snapshots = story.story, story.rescans, story.snapshots
    else:
        for path, asset, _ in written:
            with path.open("rb") as fh:
                results.append(
                    ingest_service.run_import(
                        factory,
                        source=fh,
                        filename=str(path),
                        options=ingest_service.IngestOptions(asset=asset, actor=ACTOR),
                        hmac_key=hmac_key,
                        batch_size=batch_size,
                    )
                )
    with unit_of_work(factory) as session:
        total = _count(session)
        active = _count(session, DetectorState.ACTIVE)
        fixed = _count(session, DetectorState.FIXED)
    return DemoSummary(
        skipped=False,
        out_dir=str(target),
        imports=results,
        assets=sorted({asset for _, asset, _ in written}),
        findings=total,
        active=active,
        fixed=fixed,
        reopened=sum(r.reopened_findings for r in results),
        history_days=max(history_days, 0),
        rescans=rescans,
        snapshots=snapshots,
    )
