"""Tables for the CLI that fit the terminal: columns are chosen by width, long cells fold.

Each column has a rank (0: always shown, higher: dropped first). A folding column (titles, paths)
has the narrowest width at which it is still readable; any other column keeps its cells whole, so
its narrowest width is its widest cell. `fit_table` keeps, in rank order, every column that still
fits the console and sets each width itself, so Rich only folds text: it never cuts an id or
pushes a line past the edge. `--json` output is unaffected: it always carries every field.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

# a rounded/heavy box table: one border per column plus one, and one space each side of a cell
_BORDER_AND_PADDING = 3


@dataclass(frozen=True, slots=True)
class Col:
    header: str
    rank: int = 0  # 0: always shown; the highest ranks go first when the terminal is narrow
    min_width: int | None = None  # a folding column: its readable minimum (default: header)
    fold: bool = False  # long text folds across lines; other columns keep their cells whole
    justify: Literal["left", "right"] = "left"


def chosen(widths: Sequence[tuple[int, int]], width: int) -> list[int]:
    """Indexes (in display order) of the columns, given as (rank, narrowest), that fit `width`
    characters: by rank, each column that still fits (rank 0 always)."""
    keep: set[int] = set()
    used = 1  # the left border
    for index in sorted(range(len(widths)), key=lambda i: (widths[i][0], i)):
        rank, narrowest = widths[index]
        need = narrowest + _BORDER_AND_PADDING
        if rank == 0 or used + need <= width:
            keep.add(index)
            used += need
    return sorted(keep)


def _share(room: int, mins: list[int], wants: list[int]) -> list[int]:
    """Widths for the folding columns: each its minimum (or what it needs, if less), then the
    room left shared out evenly among those that could use more."""
    widths = [min(lo, want) for lo, want in zip(mins, wants, strict=True)]
    room -= sum(widths)
    while room > 0:
        hungry = [i for i, w in enumerate(widths) if w < wants[i]]
        if not hungry:
            break
        step = max(1, room // len(hungry))
        for i in hungry:
            give = min(step, wants[i] - widths[i], room)
            widths[i] += give
            room -= give
    return widths


def _cell_width(cell: str | Text) -> int:
    text = Text.from_markup(cell) if isinstance(cell, str) else cell
    return max(len(line) for line in text.plain.split("\n"))


def fit_table(
    console: Console,
    columns: Sequence[Col],
    rows: Sequence[Sequence[str | Text]],
    *,
    title: str | None = None,
) -> Table:
    """A table of the columns that fit `console.width`; a caption names the hidden ones. String
    cells are Rich markup (escape what comes from data)."""
    cells = [[r[i] for r in rows] or [""] for i in range(len(columns))]
    wants = [max(len(c.header), *(_cell_width(x) for x in cells[i])) for i, c in enumerate(columns)]
    narrowest = [wants[i] if not c.fold else max(c.min_width or 0, len(c.header))
                 for i, c in enumerate(columns)]  # fmt: skip
    keep = chosen([(c.rank, narrowest[i]) for i, c in enumerate(columns)], console.width)
    folding = [i for i in keep if columns[i].fold]
    room = console.width - 1 - _BORDER_AND_PADDING * len(keep)
    room -= sum(narrowest[i] for i in keep if not columns[i].fold)
    shared = dict(zip(folding, _share(room, [narrowest[i] for i in folding],
                                      [wants[i] for i in folding]), strict=True))  # fmt: skip
    hidden = [c.header for i, c in enumerate(columns) if i not in keep]
    caption = (
        f"hidden at this width: {', '.join(hidden)} (--json has every field)" if hidden else None
    )
    table = Table(title=title, caption=caption)
    for i in keep:
        col = columns[i]
        table.add_column(
            col.header,
            justify=col.justify,
            no_wrap=not col.fold,
            width=shared.get(i, narrowest[i]),
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    return table
