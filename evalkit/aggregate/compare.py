"""Several aggregation methods side by side: who moves, who changes funding status."""
from __future__ import annotations

from numbers import Real

import pandas as pd

from .._params import Frame, InstanceOf, Interval, ListOf, NoneOr, Options, validate_params
from ..errors import DataError
from .ranking import RANK_PARAMS, rank
from .registry import METHODS


def _requested(scores, projects, requested: str, project: str) -> pd.Series:
    if projects is not None:
        frame = projects.set_index("id") if "id" in projects.columns else projects
        if requested not in frame.columns:
            raise DataError(f"the projects table has no '{requested}' column", where="projects", key=requested,
                            expected=f"a column {requested}", found=list(frame.columns),
                            zh=f"项目表没有 '{requested}' 列（申请金额）")
        s = frame[requested]
    elif requested in scores.columns:
        s = scores.groupby(project)[requested].first()
    else:
        raise DataError("a budget needs each project's requested amount", key=requested,
                        expected=f"a '{requested}' column in projects or scores", found=None,
                        zh=f"按资金比较需要各项目的申请金额（项目表或评分表的 '{requested}' 列）")
    s.index = s.index.astype(str)
    return pd.to_numeric(s, errors="coerce")


def funded_in_order(ranking_projects: pd.DataFrame, requested: pd.Series, budget: float) -> pd.Index:
    """The projects funded in rank order until the first that does not fit: exactly
    ``ek.allocate(..., rule="greedy_stop")`` on the ranking (its score, its exclusions
    — vetoed projects are passed over — and its tie-break), the one implementation of
    that rule. ``ranking_projects`` is a ``Ranking.projects`` frame (index project)."""
    from ..allocate import allocate
    frame = pd.DataFrame({"project": ranking_projects.index.astype(str),
                          "score": ranking_projects["score"].to_numpy(float),
                          "excluded": ranking_projects["excluded"].to_numpy(object),
                          "requested": requested.reindex(ranking_projects.index.astype(str)).to_numpy(float)})
    alloc = allocate(frame, budget, rule="greedy_stop", compare_optimal=False)
    return pd.Index(alloc.funded)


@validate_params({**RANK_PARAMS, "budget": NoneOr(Interval(Real, 0, None)), "projects": NoneOr(Frame()),
                  "requested": InstanceOf(str, "a column name", "列名"), "methods": ListOf(Options(METHODS))})
def compare(scores: pd.DataFrame, rubric=None, methods=("trimmed", "zscore", "additive", "bayes"), *,
            budget: float | None = None, projects: pd.DataFrame | None = None, requested: str = "requested",
            judge: str = "judge", project: str = "project", value: str = "score", **options) -> pd.DataFrame:
    """Rank the same scores by several methods and show where they disagree.

    Returns one row per project: ``score_<m>`` and ``rank_<m>`` for each method,
    ``moves`` (largest minus smallest rank across methods), ``changes`` (the rank
    differs between methods); with a ``budget`` and requested amounts (column
    ``requested`` of ``projects`` — indexed by project id or with an ``id`` column —
    or of ``scores``), ``funded_<m>`` (``ek.allocate(rule="greedy_stop")`` on that
    method's ranking: funded in rank order until the first that does not fit, vetoed
    projects passed over) and ``funding_changes``. Options common to every method
    (confidence, decimals, panel, criterion) are passed on. Sorted by the first method.
    Each method's notes (ties broken, judges left out ...): ``ek.rank(...).notes``.

    Example
    -------
    >>> ek.compare(contest.scores, contest.rubric, methods=["trimmed", "additive"],
    ...            budget=contest.budget, projects=contest.projects)   # doctest: +SKIP
    """
    rankings = {m: rank(scores, rubric, method=m, judge=judge, project=project, value=value, **options)
                for m in methods}
    out = pd.DataFrame(index=rankings[methods[0]].projects.index)
    for m, r in rankings.items():
        out[f"score_{m}"] = r.projects["score"].reindex(out.index)
        out[f"rank_{m}"] = r.projects["rank"].reindex(out.index)
    ranks = out[[f"rank_{m}" for m in methods]].astype("float")
    out["moves"] = (ranks.max(axis=1) - ranks.min(axis=1)).astype("Int64")
    out["changes"] = out["moves"].fillna(0) > 0
    if budget is not None:
        req = _requested(scores, projects, requested, project)
        for m, r in rankings.items():
            out[f"funded_{m}"] = out.index.isin(funded_in_order(r.projects, req, float(budget)))
        funded = out[[f"funded_{m}" for m in methods]]
        out["funding_changes"] = funded.any(axis=1) & ~funded.all(axis=1)
    return out
