"""The policy's public controls select findings in SQL as the one glob dialect matches them in
Python (aspm.common.globs): `*` stays within a `/`-separated segment, case is ignored."""

from typing import Any, cast

import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from aspm.common import globs
from aspm.findings.models import Finding
from aspm.risk.repository import PublicControls, _public_controls
from tests.metrics.helpers import make_asset, make_finding

CONTROLS = [
    "aws/s3_public_read",
    "aws/s3/public_read",
    "AWS/S3_PUBLIC_WRITE",
    "aws/s3%public",
    "gcp/storage_public",
    "aws/s3_private",
]


def _public(session: Session, controls: PublicControls) -> set[str]:
    f: Any = cast(Table, Finding.__table__).c
    rows = session.scalars(select(f.control_id).where(_public_controls(controls, f.control_id)))
    return set(rows)


@pytest.mark.parametrize(
    ("include", "exclude"),
    [
        (["aws/*"], []),
        (["aws/**"], []),
        (["aws/s3_public_*"], []),
        (["*/*public*"], ["gcp/*"]),
        (["aws/s3?public*"], []),
        (["aws/*"], ["aws/s3_private"]),
    ],
)
def test_sql_selects_the_controls_the_glob_matches(
    session: Session, include: list[str], exclude: list[str]
) -> None:
    asset = make_asset(session, "acme/infra")
    for control in CONTROLS:
        make_finding(session, asset, control_id=control, resource=f"res:{control}")
    expected = {
        c
        for c in CONTROLS
        if any(globs.matches(p, c) for p in include)
        and not any(globs.matches(p, c) for p in exclude)
    }
    assert _public(session, PublicControls(include, exclude)) == expected


def test_a_star_does_not_cross_a_slash(session: Session) -> None:
    asset = make_asset(session, "acme/infra")
    for control in CONTROLS:
        make_finding(session, asset, control_id=control, resource=f"res:{control}")
    got = _public(session, PublicControls(["aws/*"]))
    assert got == {"aws/s3_public_read", "AWS/S3_PUBLIC_WRITE", "aws/s3%public", "aws/s3_private"}
    assert "aws/s3/public_read" not in got  # LIKE's `%` would have crossed the `/`
    # `_` and `%` are literal characters of the glob, not LIKE's wildcards
    assert _public(session, PublicControls(["aws/s3%public"])) == {"aws/s3%public"}
    assert _public(session, PublicControls(["aws/s3_public_*"])) == {
        "aws/s3_public_read",
        "AWS/S3_PUBLIC_WRITE",
    }
