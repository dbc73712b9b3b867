"""The store package's place in the import graph: no import cycle among
evalkit.contest, evalkit.scores and evalkit.store* (every import counts: top-level,
inside a function, under TYPE_CHECKING), and the store depends on the contest model,
never the reverse at import time.

The graph is read from the source with ast, so a lazy or type-only import that would
close a cycle is caught too. ``CYCLE_FREE`` names the modules (or packages, by
prefix) that must not share a cycle; widening it to ``("evalkit",)`` checks the whole
package."""
from __future__ import annotations

import pytest
from conftest import ROOT
from importgraph import cycles, import_graph

CYCLE_FREE = ("evalkit.contest", "evalkit.scores", "evalkit.store")


def in_scope(module: str, scope) -> bool:
    return any(module == p or module.startswith(p + ".") for p in scope)


def cycles_within(graph, scope) -> list[list[str]]:
    """The cycles (through any module) that hold two or more modules of ``scope``."""
    return [c for c in cycles(graph) if sum(in_scope(m, scope) for m in c) > 1]


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
