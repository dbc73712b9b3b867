"""The package's layout (issue 16.3): no import cycle among evalkit's modules, the
core free of widget and server code, and the moved modules still importable by
their old paths.

Imports are read from the source with ast, every one of them: top-level,
function-level (lazy) and ``if TYPE_CHECKING:`` ones, since a lazy import that
closes a cycle still ties the two modules together.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from importgraph import cycles, import_graph, imports, module_files, owner

PACKAGE = ROOT / "evalkit"
#: widget, notebook and web-server packages the core must not import
UI_PACKAGES = {"ipywidgets", "IPython", "voila", "tornado"}
#: what is not core: the widgets, the CLI and its commands, the phones' server
NOT_CORE = ("evalkit.ui", "evalkit.commands", "evalkit.cli", "evalkit.live.server")

MODULES = module_files(ROOT)
GRAPH = import_graph(ROOT)


def _edges() -> set[tuple[str, str]]:
    return {(a, b) for a, targets in GRAPH.items() for b in targets}


def _cycles(edges) -> list[list[str]]:
    graph: dict[str, set[str]] = {n: set() for n in MODULES}
    for a, b in edges:
        graph[a].add(b)
    return cycles(graph)


def test_the_import_reader_sees_lazy_and_type_checking_imports():
    # decision.replay imports contest inside replay(), ui.allocation imports the
    # robustness inside a method: both count as edges (they close cycles as any import does)
    edges = _edges()
    assert ("evalkit.decision.replay", "evalkit.contest") in edges
    assert ("evalkit.ui.allocation", "evalkit.allocate.robustness") in edges
    # a cycle planted in the graph is found
    assert _cycles(edges | {("evalkit.errors", "evalkit.decision.record")})


def test_no_import_cycle_among_evalkit_modules():
    found = _cycles(_edges())
    assert not found, f"import cycles: {found}"


def test_submodules_do_not_import_their_own_package():
    # a submodule importing its package's __init__ (or evalkit's) runs into the half-made
    # package when the package imports it first: siblings import siblings
    own = sorted(f"{a} -> {b}" for a, b in _edges() if a.startswith(b + "."))
    assert not own, own


def _core(name: str) -> bool:
    return not any(name == p or name.startswith(p + ".") for p in NOT_CORE)


def test_the_core_imports_no_widget_notebook_or_server_code():
    offenders = []
    for name, path in sorted(MODULES.items()):
        if not _core(name):
            continue
        for target, line in imports(name, path, MODULES):
            mod = owner(target, MODULES)
            if target.split(".")[0] in UI_PACKAGES or (mod and not _core(mod)):
                offenders.append(f"{name} line {line}: {target}")
    assert not offenders, offenders
    assert not _core("evalkit.live.server") and _core("evalkit.live.board") and not _core("evalkit.ui.live")


#: old import path -> (new module, a name both must give as the same object)
MOVED = {
    "evalkit.robustness": ("evalkit.allocate.robustness", "robustness"),
    "evalkit.assign": ("evalkit.design", "assign"),
    "evalkit.aggregate.design": ("evalkit.design", "connectivity"),
    "evalkit.plotting": ("evalkit.report.plotting", "configure_matplotlib"),
    "evalkit.replay": ("evalkit.decision.replay", "replay"),
    "evalkit.create": ("evalkit.io.contest_folder", "create_contest"),
    "evalkit.research.synthetic": ("evalkit.simulate.contests", "simulate_contests"),
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_import_paths_give_the_moved_objects(old):
    new, attr = MOVED[old]
    assert getattr(importlib.import_module(old), attr) is getattr(importlib.import_module(new), attr)
    assert len((PACKAGE.parent / (old.replace(".", "/") + ".py")).read_text("utf-8").splitlines()) <= 5


def test_public_names_survive_the_moves():
    import evalkit as ek
    import evalkit.decision as d
    from evalkit.decision.record import decide
    assert ek.simulate.panel is importlib.import_module("evalkit.simulate.panels").panel
    assert ek.research.simulate_contests is ek.simulate.simulate_contests
    assert d.decide is decide and d.decision.__module__ == "evalkit.decision.record"
    from evalkit.live.ranking import live_ranking
    from evalkit.roadshow import min_judges
    from evalkit.aggregate.ready import live_ranking as ready_ranking, min_judges as ready_min
    assert live_ranking is ready_ranking and min_judges is ready_min


@pytest.mark.parametrize("first", ["evalkit.robustness", "evalkit.assign", "evalkit.simulate", "evalkit.decision",
                                   "evalkit.replay", "evalkit.research", "evalkit.live.views", "evalkit.store"])
def test_each_module_imports_first_in_a_fresh_interpreter(first):
    # an import cycle through a package's __init__ only shows when that module is
    # imported first; and an old path imported by name must not replace ek.assign /
    # ek.robustness (functions) with the module
    code = (f"import {first}, evalkit as ek; assert callable(ek.assign) and callable(ek.robustness); "
            "import evalkit.decision.replay, evalkit.simulate.contests, evalkit.research")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
