"""The rating design as a judge-project bipartite graph: is it connected?

Calibration methods compare two projects through the judges they share (directly
or by a chain of judges and projects). When the graph of judges and projects falls
apart into pieces, scores from different pieces cannot be put on one scale.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import DesignError


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
        judges = self.outside_judges()
        shown = ", ".join(judges[:20]) + (" …" if len(judges) > 20 else "")
        return (f"评委 {shown} 与其他评委没有共同评审的项目，其项目无法比较 "
                f"(judges {shown} share no project with the rest: their projects are not comparable; "
                f"{self.n_components} separate groups)")


def connectivity(pairs: pd.DataFrame, *, judge: str = "judge", project: str = "project") -> Connectivity:
    """Connected components of the judge-project graph (scipy.sparse.csgraph).

    ``pairs`` holds one row per scored (judge, project); components are numbered by
    size, largest first, so component 0 is "the rest".
    """
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
        raise DesignError(conn.message() + f"; method '{method}' needs a connected design",
                          where="score table", key="judge", expected="a connected judge-project design",
                          found=f"{conn.n_components} separate groups")
