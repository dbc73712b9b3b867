"""The package's import graph, read from the source with ast (for tests/test_layout.py
and tests/test_store_layout.py). Every import counts: top-level, inside a function,
under ``if TYPE_CHECKING:``, since a lazy import that closes a cycle still ties the
two modules together."""
from __future__ import annotations

import ast
from pathlib import Path


def module_files(root: Path, package: str = "evalkit") -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` under ``root``."""
    out = {}
    for path in (root / package).rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(name: str, path: Path, modules) -> list[tuple[str, int]]:
    """(imported name, line) for every import in module ``name``, as absolute names;
    ``from a import b`` imports a.b when that is a module, else a."""
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - (node.level - 1)] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            out += [(f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod, node.lineno) for a in node.names]
    return out


def owner(target: str, modules) -> str | None:
    """The module of ``modules`` an imported name lands in (None outside them)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def import_graph(root: Path, package: str = "evalkit") -> dict[str, set[str]]:
    """module -> the package's modules it imports anywhere in its source."""
    modules = module_files(root, package)
    graph = {}
    for name, path in modules.items():
        targets = (owner(t, modules) for t, _ in imports(name, path, modules))
        graph[name] = {t for t in targets if t and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively), sorted."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def enter(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        return node, iter(sorted(graph.get(node, ())))

    for root in sorted(graph):
        if root in index:
            continue
        work = [enter(root)]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    work.append(enter(child))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    group.append(m)
                    if m == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)
