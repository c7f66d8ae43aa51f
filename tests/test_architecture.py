"""No import cycle among the modules of `aspm`.

The import-linter contracts (pyproject.toml) say which way imports may point between domains and
layers; they leave out the imports that are allowed both ways inside a layer. This test closes the
gap: no chain of imports returns to the module it started from. grimp counts an import inside a
function like any other, so moving an import into a function does not hide a cycle from it."""

from collections.abc import Iterator

import grimp
from grimp import ImportGraph


def import_cycles(graph: ImportGraph) -> list[list[str]]:
    """One import chain for each group of modules that import each other (a strongly connected
    component, found by Tarjan's algorithm without recursion), as [m, ..., m], sorted."""
    modules = sorted(graph.modules)
    successors = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(successors[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            nxt = next(pending, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(successors[nxt])))
                elif nxt in on_stack:
                    low[module] = min(low[module], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(_one_cycle(graph, group) for group in groups)


def _one_cycle(graph: ImportGraph, group: list[str]) -> list[str]:
    start = group[0]
    members = set(group)
    following = min(m for m in graph.find_modules_directly_imported_by(start) if m in members)
    back = graph.find_shortest_chain(importer=following, imported=start)
    assert back is not None  # both are in one strongly connected component
    return [start, *back]


def test_cycle_finder_reports_a_cycle_through_a_function_level_import() -> None:
    graph = ImportGraph()
    graph.add_import(importer="pkg.a", imported="pkg.b", line_number=3, line_contents="import b")
    graph.add_import(
        importer="pkg.b", imported="pkg.c", line_number=9, line_contents="    from pkg import c"
    )
    graph.add_import(importer="pkg.c", imported="pkg.a", line_number=2, line_contents="import a")
    graph.add_import(importer="pkg.c", imported="pkg.d", line_number=4, line_contents="import d")
    graph.add_import(importer="pkg.d", imported="pkg.e", line_number=1, line_contents="import e")
    graph.add_import(importer="pkg.e", imported="pkg.d", line_number=1, line_contents="import d")

    assert import_cycles(graph) == [
        ["pkg.a", "pkg.b", "pkg.c", "pkg.a"],
        ["pkg.d", "pkg.e", "pkg.d"],
    ]


def test_cycle_finder_accepts_imports_that_only_point_down() -> None:
    graph = ImportGraph()
    graph.add_import(importer="pkg.a", imported="pkg.b", line_number=1, line_contents="import b")
    graph.add_import(importer="pkg.a", imported="pkg.c", line_number=2, line_contents="import c")
    graph.add_import(importer="pkg.b", imported="pkg.c", line_number=1, line_contents="import c")

    assert import_cycles(graph) == []


def test_no_import_cycle_among_modules() -> None:
    graph = grimp.build_graph("aspm", cache_dir=None)

    cycles = import_cycles(graph)

    assert not cycles, "modules that import each other:\n" + "\n".join(
        " -> ".join(cycle) for cycle in cycles
    )
