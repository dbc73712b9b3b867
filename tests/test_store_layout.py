"""The store package's place in the import graph: no import cycle among
evalkit.contest, evalkit.scores and evalkit.store* (every import counts: top-level,
inside a function, under TYPE_CHECKING), and the store depends on the contest model,
never the reverse at import time.

The graph is read from the source with ast, so a lazy or type-only import that would
close a cycle is caught too. ``CYCLE_FREE`` names the modules (or packages, by
prefix) that must not share a cycle; widening it to ``("evalkit",)`` checks the whole
package."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CYCLE_FREE = ("evalkit.contest", "evalkit.scores", "evalkit.store")


def module_files(root: Path, package: str = "evalkit") -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` under ``root``."""
    out = {}
    for path in (root / package).rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _owner(name: str, modules) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(root: Path, package: str = "evalkit") -> dict[str, set[str]]:
    """module -> the package's modules it imports anywhere in its source (``from a
    import b`` counts as importing a.b when that is a module, else a)."""
    modules = module_files(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else (node.module or "")
                targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names)
        graph[name] = {t for t in (_owner(t, modules) for t in targets) if t and t != name}
    return graph


def strong_components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components with more than one module (the cycles)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def in_scope(module: str, scope) -> bool:
    return any(module == p or module.startswith(p + ".") for p in scope)


def cycles_within(graph, scope) -> list[list[str]]:
    """The cycles (through any module) that hold two or more modules of ``scope``."""
    return [sorted(c) for c in strong_components(graph) if sum(in_scope(m, scope) for m in c) > 1]


def test_graph_sees_lazy_and_type_only_imports(tmp_path):
    # a package whose only cycle runs through a function-level and a TYPE_CHECKING
    # import, and one through a relative import from a sub-package's __init__
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import f\n")
    (pkg / "sub" / "__init__.py").write_text("from .c import x\n")
    (pkg / "sub" / "c.py").write_text("from .. import d\n")
    (pkg / "d.py").write_text("from pkg import sub\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.a"}
    assert graph["pkg.sub"] == {"pkg.sub.c"} and graph["pkg.sub.c"] == {"pkg.d"}
    assert cycles_within(graph, ("pkg.a", "pkg.b")) == [["pkg.a", "pkg.b"]]
    assert cycles_within(graph, ("pkg.sub", "pkg.d")) == [["pkg.d", "pkg.sub", "pkg.sub.c"]]
    assert cycles_within(graph, ("pkg.a",)) == []  # one module of the scope is no cycle among them


@pytest.fixture(scope="module")
def graph():
    return import_graph(ROOT)


def test_no_cycle_among_contest_scores_store(graph):
    assert {"evalkit.contest", "evalkit.scores", "evalkit.store", "evalkit.store.core"} <= set(graph)
    assert cycles_within(graph, CYCLE_FREE) == []


def test_store_does_not_import_the_contest_model(graph):
    # the store takes a contest object; it never imports evalkit.contest (so the
    # contest's open_store convenience cannot close a cycle through the store)
    store = {m for m in graph if in_scope(m, ("evalkit.store",))}
    assert len(store) > 1
    assert {m: graph[m] & {"evalkit.contest"} for m in store if "evalkit.contest" in graph[m]} == {}
    assert "evalkit.contest" not in graph["evalkit.scores"]


def test_store_names_keep_their_import_path():
    # names other modules, tests and the CLI import from evalkit.store, and the old
    # homes of moved names
    import evalkit.access
    import evalkit.contest
    import evalkit.store as store
    from evalkit.io.scores import read_scores_csv
    for name in ("Store", "JudgeSession", "event_hash", "verify_chain", "verify_file", "read_log", "backup_file",
                 "restore_file", "check_backup_file", "check_digest_rows", "check_receipt_log", "_insert_chained",
                 "_stamp", "ACCESS_CHAINED", "CHAINED_FIELDS", "EVENT_FIELDS", "PIN_HIDDEN"):
        assert hasattr(store, name), name
    assert evalkit.contest.read_scores_csv is read_scores_csv
    assert evalkit.access.PinGuard is store.PinGuard and evalkit.access.require_secretary is store.require_secretary
