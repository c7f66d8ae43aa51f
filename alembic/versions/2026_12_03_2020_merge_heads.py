"""Merge the five branches made in parallel from the risk-policies revision.

Auth, triage/audit, gate evaluations, metric snapshots and finding risk keys each branched
from 7ad1cbb0dd5f; none depends on another. This revision joins them so the schema has one head.

Revision ID: 0b8d2e6f4c11
Revises: a7c3e91f5b20, fe5413aa1ca4, 3c9e41d7a2b8, f1b5f07abb73, 5e2b7c94d1a3
Create Date: 2026-12-03 20:20:00
"""

from collections.abc import Sequence

revision: str = "0b8d2e6f4c11"
down_revision: str | Sequence[str] | None = (
    "a7c3e91f5b20",
    "fe5413aa1ca4",
    "3c9e41d7a2b8",
    "f1b5f07abb73",
    "5e2b7c94d1a3",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
