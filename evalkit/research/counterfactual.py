"""Counterfactuals: rerun every contest under other aggregation methods and allocation
rules, and count the funding decisions that change and the money that moves."""
from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from .._params import Boolean, Column, Frame, InstanceOf, Interval, ListOf, NoneOr, Options, parameter_error, validate_params
from ..allocate.core import RULES
from ..errors import DataError
from ..scores import require_columns
from ._common import SCORES, _methods, _progress, judge_totals, project_scores

COLUMNS = ["contest", "method", "rule", "n_projects", "n_funded", "n_changed", "n_gained", "n_lost",
           "money_moved", "budget", "share_moved"]
SUMMARY = ["method", "rule", "n_contests", "contests_changed", "n_changed", "money_moved", "share_moved"]


def _budgets(budget, contests, ids, contest) -> pd.Series:
    if isinstance(budget, (int, float)) and not isinstance(budget, bool):
        return pd.Series(float(budget), index=ids)
    if isinstance(budget, dict):
        b = pd.Series(budget, dtype=float)
    elif isinstance(budget, pd.Series):
        b = budget.astype(float)
    elif isinstance(budget, str) and contests is not None:
        require_columns(contests, (contest, budget), where="contests")
        b = pd.Series(pd.to_numeric(contests[budget], errors="coerce").to_numpy(float),
                      index=contests[contest].astype(str))
    else:   # a column name without contests=
        raise parameter_error("counterfactual", "budget", "a column of contests (pass contests=)",
                              "contests 中的列名（请给出 contests=）", budget)
    missing = [c for c in ids if c not in b.index or not np.isfinite(b.get(c, np.nan))]
    if missing:
        raise DataError("no budget for some contests", where="contests", key="budget",
                        expected="a budget for every contest", found=missing[:10],
                        zh=f"以下大赛缺少资金总额：{'、'.join(map(str, missing[:10]))}")
    return b.reindex(ids)


def _amounts(ps: pd.DataFrame, req: pd.DataFrame, budgets: pd.Series, rule: str, options: dict) -> pd.Series:
    """Every contest's allocation under ``rule``: amounts indexed by (contest, project)."""
    from ..allocate import allocate
    df = ps.merge(req, on=["contest", "project"])
    out = []
    for cid, g in df.groupby("contest", sort=True):
        opts = {"compare_optimal": False} if rule.startswith("greedy") else {}
        a = allocate(g[["project", "score", "requested"]], budgets[cid], rule=rule, **opts, **options)
        t = a.table
        out.append(pd.Series(t["amount"].to_numpy(float),
                             index=pd.MultiIndex.from_arrays([np.full(len(t), cid), t["project"].to_numpy()])))
    return pd.concat(out)


@validate_params({**SCORES, "projects": Frame(), "requested": Column("projects"), "rules": ListOf(Options(RULES)),
                  "budget": [Interval(Real, 0, None),
                             InstanceOf((dict, pd.Series, str), "a dict or Series by contest, or a column of contests",
                                        "按大赛的字典或 Series，或 contests 中的列名")],
                  "contests": NoneOr(Frame()), "summary": Boolean()})
def counterfactual(scores: pd.DataFrame, projects: pd.DataFrame, rubric=None, *,
                   methods=("trimmed", "mean", "zscore", "additive"), rules=("greedy", "optimal"),
                   baseline=None, budget="budget", contests: pd.DataFrame | None = None,
                   contest: str = "contest", judge: str = "judge", project: str = "project",
                   criterion: str = "criterion", value: str = "score", requested: str = "requested",
                   summary: bool = False, progress: bool = False, **options) -> pd.DataFrame:
    """Which funding decisions change when every contest is rerun under other rules.

    Parameters
    ----------
    projects : contest, project, ``requested`` (and ``awarded`` for baseline="awarded").
    methods, rules : aggregation methods (:func:`evalkit.rank`) and allocation rules
        (:func:`evalkit.allocate`); every pair is run on every contest.
    baseline : what the alternatives are compared with: ``"awarded"`` (the amounts
        actually awarded, column ``awarded`` of ``projects``) or a (method, rule) pair;
        default ("awarded" when the column exists, else the rubric's rule with "greedy").
    budget : a number for every contest, a dict/Series by contest, or a column of
        ``contests``.
    options : passed to :func:`evalkit.allocate` (e.g. min_fraction).

    Returns a tidy frame, a row per (contest, method, rule): n_projects, n_funded,
    n_changed (projects funded under one and not the other), n_gained, n_lost,
    money_moved (half the summed absolute change of the amounts: the money that goes
    to other projects), budget, share_moved (money_moved / budget), baseline ("awarded"
    or "method+rule"). ``summary=True``: a row per (method, rule) with n_contests,
    contests_changed, n_changed, money_moved, share_moved (of all budgets) and baseline.

    Example
    -------
    >>> cs = ek.io.read_contests("data/research-multi")                                     # doctest: +SKIP
    >>> ek.research.counterfactual(cs.scores, cs.projects, cs.rubric, contests=cs.contests,
    ...                            summary=True)                                           # doctest: +SKIP
    """
    require_columns(projects, (contest, project), where="projects")
    t = judge_totals(scores, rubric, contest=contest, judge=judge, project=project, criterion=criterion, value=value)
    req = pd.DataFrame({"contest": projects[contest].astype(str).to_numpy(),
                        "project": projects[project].astype(str).to_numpy(),
                        "requested": pd.to_numeric(projects[requested], errors="coerce").to_numpy()})
    ids = sorted(t["contest"].unique())
    budgets = _budgets(budget, contests, ids, contest)
    trim = (rubric.rule.trim if rubric is not None and rubric.rule.method == "trimmed" else 1) or 1
    if baseline is None:
        baseline = "awarded" if "awarded" in projects else (
            rubric.rule.method if rubric is not None and rubric.rule.method in ("mean", "trimmed", "median")
            else "trimmed", "greedy")
    scored = {m: project_scores(t, m, trim=trim, progress=progress) for m in _progress(methods, progress, "methods")}
    if not (baseline == "awarded" or (isinstance(baseline, (tuple, list)) and len(baseline) == 2
                                      and baseline[0] in _methods() and baseline[1] in RULES)):
        raise parameter_error("counterfactual", "baseline", "'awarded' or a (method, rule) pair",
                              "'awarded' 或 (方法, 分配规则) 对", baseline)
    if baseline == "awarded":
        base = pd.Series(pd.to_numeric(projects["awarded"], errors="coerce").to_numpy(float),
                         index=pd.MultiIndex.from_arrays([req["contest"], req["project"]]))
    else:
        bm, br = baseline
        ps = scored.get(bm)
        if ps is None:
            ps = project_scores(t, bm, trim=trim)
        base = _amounts(ps, req, budgets, br, options)
    rows = []
    for m in methods:
        for r in _progress(rules, progress, f"rules ({m})"):
            alt = _amounts(scored[m], req, budgets, r, options)
            both = pd.concat({"a": base, "b": alt}, axis=1).dropna()
            fa, fb = both["a"] > 0, both["b"] > 0
            d = pd.DataFrame({"contest": both.index.get_level_values(0), "changed": fa != fb,
                              "gained": ~fa & fb, "lost": fa & ~fb, "funded": fb,
                              "moved": (both["b"] - both["a"]).abs() / 2})
            g = d.groupby("contest", sort=True)
            part = pd.DataFrame({"contest": g.size().index, "method": m, "rule": r,
                                 "n_projects": g.size().to_numpy(), "n_funded": g["funded"].sum().to_numpy(),
                                 "n_changed": g["changed"].sum().to_numpy(), "n_gained": g["gained"].sum().to_numpy(),
                                 "n_lost": g["lost"].sum().to_numpy(), "money_moved": g["moved"].sum().to_numpy()})
            part["budget"] = budgets.reindex(part["contest"]).to_numpy()
            part["share_moved"] = part["money_moved"] / part["budget"]
            rows.append(part)
    shown = baseline if baseline == "awarded" else "+".join(baseline)
    out = pd.concat(rows, ignore_index=True)[COLUMNS].assign(baseline=shown)
    if not summary:
        return out
    g = out.groupby(["method", "rule"], sort=False)
    s = pd.DataFrame({"n_contests": g.size(), "contests_changed": g["n_changed"].apply(lambda x: int((x > 0).sum())),
                      "n_changed": g["n_changed"].sum(), "money_moved": g["money_moved"].sum(),
                      "share_moved": g["money_moved"].sum() / g["budget"].sum()}).reset_index()
    return s[SUMMARY].assign(baseline=shown)
