"""Many contests with known truth, for testing the research analyses: streets x
years, a pool of recurring judges with a lasting severity, and the funded projects'
later outcomes driven by their true quality.

Built on :func:`evalkit.simulate.panel` (one call per contest): each pool judge's
severity of that year is the panel model's judge severity (``severity=``), so
"severity 1" means one SD of true project quality and every score is made by the
one generator. Outcomes of funded projects (``link`` is the planted predictive link):

* monthly evaluation, ten-point scale, months 1..12:
  clip(round(7 + link * q + u_p + e_pm, 1), 0, 10), u_p ~ N(0, 0.5), e_pm ~ N(0, 0.7)
* end-of-year rating, 1..5 stars: clip(round(3 + link * q + N(0, 0.6)), 1, 5)

Awards: each contest's rubric rule ranks the projects; the fund (``budget_share`` of the
total requested, rounded down to 10,000) goes down the ranking in full requests
(``evalkit.allocate`` rule "greedy").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..io.contests import ContestSet
from .._params import SEED, Boolean, count, validate_params
from .panels import panel

__all__ = ["STREETS", "CATEGORIES", "Truth", "simulate_contests"]

STREETS = (("huaihe", "淮河街道"), ("xinan", "新安街道"), ("zhoubian", "洲边街道"), ("qiaotou", "桥头街道"),
           ("yunxiu", "云秀街道"), ("wenfeng", "文锋街道"), ("yuegui", "月桂街道"), ("kanghua", "康华街道"))
CATEGORIES = ("敬老孝老", "关爱青少年", "关爱特殊群体", "社区公共服务")


@dataclass
class Truth:
    projects: pd.DataFrame   # contest, project, quality
    judges: pd.DataFrame     # judge, year, severity (that year's)
    params: dict


@validate_params({"n_streets": count(1), "n_years": count(1), "pool": count(2), "regulars": count(0),
                  "outcomes": Boolean(), "seed": SEED, "progress": Boolean()})
def simulate_contests(n_streets: int = 5, n_years: int = 5, *, first_year: int = 2021, rubric=None,
                      n_projects=(15, 30), n_judges=(5, 9), pool: int = 24, regulars: int = 4,
                      severe: dict | None = None, severity_sd: float = 0.4, drift_sd: float = 0.1,
                      link: float = 0.8, budget_share: float = 0.55, outcomes: bool = True, seed=None,
                      progress: bool = False) -> tuple[ContestSet, Truth]:
    """Simulate ``n_streets * n_years`` contests (see the module docstring).

    n_projects, n_judges : (low, high) inclusive ranges drawn per contest.
    pool : size of the judge pool (ids JR01..); each street has ``regulars`` judges of
        its own who sit on most of its panels, the rest are drawn from the whole pool.
    severe : {judge id: severity} planted on top of N(0, severity_sd) draws.
    drift_sd : yearly random-walk step of each judge's severity (stability over time).
    link : effect of one SD of true quality on the outcomes.

    Returns (ContestSet with scores, projects, outcomes, contests and the rubric; Truth).
    """
    from ..allocate import allocate
    # the many-contest totals and rules of the research analyses (lazy: evalkit.research imports this module)
    from ..research._common import _progress, judge_totals, project_scores
    from ..rubric import load_rubric
    from ..contest import RUBRICS_DIR
    rubric = rubric or load_rubric(RUBRICS_DIR / "gongyi-chuangtou.yaml")
    rng = np.random.default_rng(seed)
    width = max(2, len(str(pool)))
    jids = np.array([f"JR{i + 1:0{width}d}" for i in range(pool)])
    base = rng.normal(0, severity_sd, pool)
    for j, s in (severe or {}).items():
        base[np.flatnonzero(jids == j)] = s
    steps = rng.normal(0, drift_sd, (n_years, pool))
    steps[0] = 0
    sev_year = base[None, :] + np.cumsum(steps, axis=0)           # years x pool
    street_ids = [STREETS[i % len(STREETS)][0] + ("" if i < len(STREETS) else str(i // len(STREETS)))
                  for i in range(n_streets)]
    own = {s: rng.choice(pool, size=min(regulars, pool), replace=False) for s in street_ids}
    scores, projects, contests, truth_p = [], [], [], []
    plan = [(y, s) for y in range(n_years) for s in street_ids]
    for y, street in _progress(plan, progress, "simulate", len(plan)):
        year = first_year + y
        cid = f"{street}-{year}"
        n_p = int(rng.integers(n_projects[0], n_projects[1] + 1))
        n_j = int(rng.integers(n_judges[0], n_judges[1] + 1))
        regular = [j for j in own[street] if rng.random() < 0.8][:n_j]
        others = rng.permutation(np.setdiff1d(np.arange(pool), regular))[:n_j - len(regular)]
        panel_j = np.concatenate([np.array(regular, int), others]).astype(int)
        sim = panel(n_p, len(panel_j), rubric=rubric, severity=sev_year[y, panel_j], seed=int(rng.integers(2 ** 32)))
        s = sim.scores
        jpos = sim.judges.index.get_indexer(s["judge"])
        s = pd.DataFrame({"contest": cid, "judge": jids[panel_j[jpos]],
                          "project": s["project"].to_numpy(),
                          "criterion": s["criterion"].to_numpy(),
                          "score": s["score"].to_numpy()})
        scores.append(s)
        pids = sim.truth.index.to_numpy()
        requested = np.round(rng.uniform(10_000, 50_000, n_p), -3)
        budget = float(np.floor(budget_share * requested.sum() / 10_000) * 10_000)
        projects.append(pd.DataFrame({"contest": cid, "project": pids, "street": street, "year": year,
                                      "category": rng.choice(CATEGORIES, n_p), "requested": requested}))
        contests.append({"contest": cid, "street": street, "year": year, "budget": budget,
                         "n_projects": n_p, "n_judges": len(panel_j)})
        truth_p.append(pd.DataFrame({"contest": cid, "project": pids, "quality": sim.truth.to_numpy()}))
    scores = pd.concat(scores, ignore_index=True)
    projects = pd.concat(projects, ignore_index=True)
    contests = pd.DataFrame(contests)
    contests["rubric"] = f"{rubric.id}.yaml"
    truth_p = pd.concat(truth_p, ignore_index=True)
    # awards: the contest rule, then the fund down the ranking in full requests
    rule = rubric.rule.method if rubric.rule.method in ("mean", "trimmed", "median") else "mean"
    ranked = project_scores(judge_totals(scores, rubric), rule, trim=rubric.rule.trim or 1)
    projects = projects.merge(ranked[["contest", "project", "score"]], on=["contest", "project"])
    awarded = []
    budgets = contests.set_index("contest")["budget"]
    for cid, g in projects.groupby("contest", sort=False):
        a = allocate(g[["project", "score", "requested"]], budgets[cid], rule="greedy", compare_optimal=False)
        awarded.append(pd.Series(a.table.set_index("project")["amount"].reindex(g["project"]).to_numpy(float),
                                 index=g.index))
    projects["awarded"] = pd.concat(awarded).reindex(projects.index)
    projects = projects.drop(columns="score")
    out = None
    if outcomes:
        out = _outcomes(projects[projects["awarded"] > 0], truth_p, link, rng)
    judges_truth = pd.DataFrame({"judge": np.repeat(jids[None, :], n_years, 0).ravel(),
                                 "year": np.repeat(np.arange(first_year, first_year + n_years), pool),
                                 "severity": sev_year.ravel()})
    cs = ContestSet(scores, projects, out, contests, rubric)
    return cs, Truth(truth_p, judges_truth, {"link": link, "severity_sd": severity_sd, "drift_sd": drift_sd,
                                             "severe": dict(severe or {}), "seed": seed})


def _outcomes(funded: pd.DataFrame, truth: pd.DataFrame, link: float, rng) -> pd.DataFrame:
    q = funded[["contest", "project"]].merge(truth, on=["contest", "project"])["quality"].to_numpy()
    n = len(q)
    u = rng.normal(0, 0.5, n)
    monthly = np.clip(np.round(7 + link * q[:, None] + u[:, None] + rng.normal(0, 0.7, (n, 12)), 1), 0, 10)
    stars = np.clip(np.round(3 + link * q + rng.normal(0, 0.6, n)), 1, 5)
    keys = funded[["contest", "project"]].to_numpy()
    m = pd.DataFrame({"contest": np.repeat(keys[:, 0], 12), "project": np.repeat(keys[:, 1], 12),
                      "outcome": "monthly", "period": np.tile(np.arange(1, 13), n), "value": monthly.ravel()})
    e = pd.DataFrame({"contest": keys[:, 0], "project": keys[:, 1], "outcome": "year_end", "period": 12,
                      "value": stars})
    return pd.concat([m, e], ignore_index=True).sort_values(["contest", "project", "outcome", "period"],
                                                            ignore_index=True)
