"""The rating design: which judge scores which project, as a judge-project
bipartite graph — whether it is connected, and a connected assignment.

Calibration methods compare two projects through the judges they share (directly
or by a chain of judges and projects). When the graph of judges and projects falls
apart into pieces, scores from different pieces cannot be put on one scale:
:func:`connectivity` finds the pieces, :func:`require_connected` refuses them.

Judge assignment for large preliminary rounds (初评分组): ``assign`` gives each
project ``per_project`` judges, balancing the judges' load, never assigning a
conflicted judge (回避), and keeps the design connected so that
the calibration methods (``ek.rank(..., method="additive")`` and friends) can put
every pair of projects on one scale.

Connectivity by construction: projects are placed one by one, and every project
after the first takes at least one judge who already has a project; so each new
judge joins the group through a project shared with it, and the judges who have
projects always form one connected group. Among the allowed judges the least
loaded are chosen, ties broken at random (``seed``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import DesignError
from .text import term

__all__ = ["Connectivity", "connectivity", "require_connected", "Assignment", "assign"]


@dataclass(frozen=True)
class Connectivity:
    n_components: int
    judge_component: pd.Series     # judge id -> component label (0 = the largest)
    project_component: pd.Series   # project id -> component label

    @property
    def connected(self) -> bool:
        return self.n_components <= 1

    def outside_judges(self) -> list[str]:
        """Judges outside the largest component, in id order."""
        return sorted(map(str, self.judge_component.index[self.judge_component.to_numpy() != 0]))

    def message(self) -> str:
        """Both languages in one line (for notes)."""
        return f"{self.text('zh')} ({self.text('en')})"

    def text(self, lang: str) -> str:
        """The judges cut off from the rest, in Chinese ("zh") or English."""
        judges = self.outside_judges()
        shown = ", ".join(judges[:20]) + (" …" if len(judges) > 20 else "")
        if lang == "zh":
            return f"评委 {shown.replace(', ', '、')} 与其他评委没有共同评审的项目，其项目无法比较"
        return (f"judges {shown} share no project with the rest: their projects are not comparable; "
                f"{self.n_components} separate groups")


def connectivity(pairs: pd.DataFrame, *, judge: str = "judge", project: str = "project") -> Connectivity:
    """Connected components of the judge-project graph (scipy.sparse.csgraph).

    ``pairs`` holds one row per scored (judge, project); components are numbered by
    size, largest first, so component 0 is "the rest".
    """
    from scipy.sparse import coo_matrix            # here: `import evalkit` imports this module eagerly
    from scipy.sparse.csgraph import connected_components
    j_codes, j_ids = pd.factorize(pairs[judge], sort=True)
    p_codes, p_ids = pd.factorize(pairs[project], sort=True)
    nj, np_ = len(j_ids), len(p_ids)
    graph = coo_matrix((np.ones(len(pairs)), (j_codes, nj + p_codes)), shape=(nj + np_, nj + np_))
    n, labels = connected_components(graph, directed=False)
    # relabel by size (largest first), ties by first appearance, so messages are stable
    sizes = np.bincount(labels, minlength=n)
    order = np.lexsort((np.arange(n), -sizes))
    relabel = np.empty(n, dtype=int)
    relabel[order] = np.arange(n)
    labels = relabel[labels]
    return Connectivity(n, pd.Series(labels[:nj], index=j_ids.astype(str)),
                        pd.Series(labels[nj:], index=p_ids.astype(str)))


def require_connected(pairs: pd.DataFrame, method: str, *, judge: str = "judge", project: str = "project") -> None:
    """Raise DesignError naming the judges cut off from the rest."""
    conn = connectivity(pairs, judge=judge, project=project)
    if not conn.connected:
        raise DesignError(conn.text("en") + f"; method '{method}' needs a connected design",
                          where="score table", key="judge", expected="a connected judge-project design",
                          found=f"{conn.n_components} separate groups",
                          zh=conn.text("zh") + f"（共 {conn.n_components} 组）；方法 '{method}' 需要连通的评审设计")


# --- a connected assignment ------------------------------------------------------

@dataclass
class Assignment:
    table: pd.DataFrame        # project, judge: one row per assignment
    load: pd.Series            # judge -> number of projects
    connected: bool
    n_components: int
    notes: list[str] = field(default_factory=list)


def _ids(x, what: str) -> list[str]:
    if isinstance(x, pd.DataFrame):
        if "id" not in x.columns:
            raise DesignError(f"the {what} table needs an 'id' column", key="id", expected="column id",
                              found=list(x.columns), zh=f"{term(what)}表缺少 'id' 列")
        x = x["id"]
    if isinstance(x, (int, np.integer)):
        return [f"{what[0].upper()}{i + 1}" for i in range(int(x))]
    ids = [str(v) for v in x]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise DesignError(f"{what} ids repeat", key=what, expected="unique ids", found=ids,
                          zh=f"{term(what)}编号重复：{'、'.join(dup[:5])}")
    return ids


def _conflict_test(conflicts):
    """conflicts as a callable (judge, project) -> bool, a frame with judge and
    project columns, a mapping judge -> projects, or an iterable of pairs."""
    if conflicts is None:
        return lambda j, p: False
    if callable(conflicts):
        return lambda j, p: bool(conflicts(j, p))
    if isinstance(conflicts, pd.DataFrame):
        pairs = set(zip(conflicts["judge"].astype(str), conflicts["project"].astype(str)))
    elif isinstance(conflicts, dict):
        pairs = {(str(j), str(p)) for j, ps in conflicts.items() for p in ([ps] if isinstance(ps, str) else ps)}
    else:
        pairs = {(str(j), str(p)) for j, p in conflicts}
    return lambda j, p: (j, p) in pairs


def assign(projects, judges, per_project: int = 3, conflicts=None, seed=None) -> Assignment:
    """Assign ``per_project`` judges to every project, load-balanced, conflict-free
    and connected.

    Parameters
    ----------
    projects, judges : ids (list-like), a frame with an ``id`` column, or a count.
    per_project : judges per project (>= 2 whenever more than one judge is used:
        with one judge per project no two judges share a project).
    conflicts : pairs (judge, project) that must not be assigned — a callable
        ``f(judge, project) -> bool`` (e.g. ``contest.is_conflicted``), a frame
        with judge and project columns, a mapping judge -> projects, or pairs.
    seed : random seed for the tie-breaks.

    Raises DesignError when a project has fewer allowed judges than
    ``per_project`` or when no connected design exists.

    Example
    -------
    >>> a = ek.assign(200, 30, per_project=4, seed=1)   # doctest: +SKIP
    >>> a.load.max() - a.load.min(), a.connected         # doctest: +SKIP
    (1, True)
    """
    pids, jids = _ids(projects, "projects"), _ids(judges, "judges")
    if isinstance(per_project, bool) or not isinstance(per_project, (int, np.integer)) or per_project < 1:
        raise DesignError("per_project must be a whole number >= 1", key="per_project", expected=">= 1",
                          found=per_project, zh=f"每个项目的评委人数 per_project 须为不小于 1 的整数：{per_project!r}")
    k = int(per_project)
    if k > len(jids):
        raise DesignError(f"each project needs {k} judges but there are only {len(jids)}", key="per_project",
                          expected=f"<= {len(jids)}", found=k, zh=f"每个项目需要 {k} 位评委，但只有 {len(jids)} 位")
    if k == 1 and len(jids) > 1 and len(pids) > 1:
        raise DesignError("with one judge per project no two judges share a project: the design cannot be "
                          "connected; use per_project >= 2", key="per_project", expected=">= 2", found=1,
                          zh="每个项目只有一位评委时，评委之间没有共同项目，设计不连通；请设 per_project >= 2")
    is_conflicted = _conflict_test(conflicts)
    allowed = np.array([[not is_conflicted(j, p) for j in jids] for p in pids], dtype=bool)
    short = allowed.sum(axis=1) < k
    if short.any():
        bad = ", ".join(f"{p} ({int(n)} allowed)" for p, n in zip(np.array(pids)[short], allowed.sum(axis=1)[short]))
        bad_zh = "、".join(f"{p}（可用 {int(n)} 位）" for p, n in zip(np.array(pids)[short], allowed.sum(axis=1)[short]))
        raise DesignError(f"fewer than {k} judges without a conflict: {bad}",
                          key="conflicts", expected=f">= {k} allowed judges per project", found=bad,
                          zh=f"回避后可用评委不足 {k} 位：{bad_zh}")
    rng = np.random.default_rng(seed)
    load = np.zeros(len(jids), dtype=int)
    used = np.zeros(len(jids), dtype=bool)
    # most constrained projects first, the rest in random order
    queue = list(np.lexsort((rng.permutation(len(pids)), allowed.sum(axis=1))))
    rows, deferred = [], 0
    while queue:
        p = queue.pop(0)
        cand = np.flatnonzero(allowed[p])
        anchor = cand[used[cand]] if used.any() else cand
        if len(anchor) == 0:
            if deferred > len(queue):   # every waiting project lacks a judge from the group
                left = ", ".join(pids[q] for q in [p] + queue)
                raise DesignError(f"no connected design: the allowed judges of {left} share no project with "
                                  f"the others", key="conflicts", expected="a connected design", found=left,
                                  zh=f"无法得到连通设计：项目 {left.replace(', ', '、')} 的可用评委都不与其他项目相连")
            queue.append(p)
            deferred += 1
            continue
        deferred = 0
        tie = rng.random(len(jids))
        first = anchor[np.lexsort((tie[anchor], load[anchor]))[0]]
        rest = cand[cand != first]
        pick = [first] + list(rest[np.lexsort((tie[rest], load[rest]))[:k - 1]])
        for j in pick:
            rows.append((pids[p], jids[j]))
            load[j] += 1
            used[j] = True
    table = pd.DataFrame(rows, columns=["project", "judge"]).sort_values(["project", "judge"], ignore_index=True)
    conn = connectivity(table)
    notes = []
    if (~used).any():
        idle = ", ".join(np.array(jids)[~used])
        notes.append(f"评委 {idle} 未分配项目 (judges {idle} got no project)")
    return Assignment(table, pd.Series(load, index=pd.Index(jids, name="judge"), name="load"), conn.connected,
                      conn.n_components, notes)

