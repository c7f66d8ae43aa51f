"""one glob dialect: rewrite stored patterns whose `*` crossed `/` so they keep their meaning

Suppression and ownership rules (rule, path_glob, resource_pattern) used a dialect where `*`
matched any run of characters, `/` included, and brackets were ordinary characters; asset match
rules' `arns` used fnmatch (`*` crossed `/`, case mattered). Every rule now uses the one dialect of
aspm.common.globs (README "Patterns"), where `*` stays within a `/` segment. Where the old meaning
can be written in the new dialect it is:

- a segment that is only `*` becomes `**` at the end (`services/*` -> `services/**`,
  `arn:aws:s3:::logs/*` -> `arn:aws:s3:::logs/**`) and `*/**` (one or more segments) before it
  (`*/test/*` -> `*/**/test/**`);
- a leading `*` followed by more of its segment is reached at any depth (`*.tf` -> `**/*.tf`);
- in suppression and ownership rules, `[`, `]` and `\\` are escaped (they were literal there).

What cannot be written (a `*` inside a segment that used to cross `/`, as `src/foo*` matching
`src/foo/bar`, and `?` matching `/`) is kept as written and now stays within a segment.

Revision ID: 9c4f2a7e1b60
Revises: 7d2e5b9a4c31
Create Date: 2026-12-07 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9c4f2a7e1b60"
down_revision: str | None = "7d2e5b9a4c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def rewrite(pattern: str, *, literal_brackets: bool) -> str:
    """An old pattern (`*` crossing `/`) in the new dialect, as close to its meaning as it goes."""
    segments = pattern.split("/")
    out = []
    for n, segment in enumerate(segments):
        if literal_brackets:
            segment = "".join("\\" + c if c in "[]\\" else c for c in segment)
        if segment and set(segment) == {"*"}:
            # one or more whole segments (normalized values have no empty segment); at the end,
            # zero or more: `src/*` also matched `src/`
            segment = "**" if n == len(segments) - 1 else "*/**"
        elif n == 0 and segment.startswith("*"):
            segment = "**/" + segment
        out.append(segment)
    return "/".join(out)


_RULE_COLUMNS = {
    "suppression_rules": ("rule", "path_glob", "resource_pattern"),
    "ownership_rules": ("path_glob", "resource_pattern"),
}


def upgrade() -> None:
    bind = op.get_bind()
    for name, columns in _RULE_COLUMNS.items():
        table = sa.table(name, sa.column("id"), *(sa.column(c, sa.String) for c in columns))
        for row in bind.execute(sa.select(table)).mappings().all():
            changes = {
                c: rewrite(row[c], literal_brackets=True)
                for c in columns
                if row[c] and rewrite(row[c], literal_brackets=True) != row[c]
            }
            if changes:
                bind.execute(sa.update(table).where(table.c.id == row["id"]).values(**changes))
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    assets = sa.table("assets", sa.column("id"), sa.column("match_rules", json_type))
    for asset_id, rules in bind.execute(sa.select(assets.c.id, assets.c.match_rules)).all():
        changed = False
        for rule in (rules or {}).get("match", []) if isinstance(rules, dict) else []:
            arns = rule.get("arns") if isinstance(rule, dict) else None
            if arns:
                new = [rewrite(a, literal_brackets=False) for a in arns]
                changed |= new != arns
                rule["arns"] = new
        if changed:
            bind.execute(sa.update(assets).where(assets.c.id == asset_id).values(match_rules=rules))


def downgrade() -> None:
    pass  # the rewritten patterns mean in the new dialect what the old ones meant in the old
