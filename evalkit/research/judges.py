"""Recurring judges' severity estimated jointly across contests, and its stability over years.

Model (additive, Linacre's "judge severity" on the raw scale; Wind & Peterson 2018):

    total_jp = alpha_p + beta_j + e_jp,    e ~ (0, sigma^2)

alpha_p is the project's level (projects are nested in contests, so alpha_p also absorbs
each contest's level), beta_j the judge's leniency, the same in every contest the judge
sits on. Least squares by alternating projections (Gauss-Seidel / backfitting on
np.bincount sums, linear in the number of ratings), identified by mean(beta) = 0 over
judges; severity = -beta (positive = harsh, in points of the rubric total). SE:
sigma / sqrt(n_j) with sigma^2 = RSS / (N - P - J + 1) (the projects' uncertainty ignored,
a slight understatement). Stability: the same model fitted year by year, and the
Pearson and Spearman correlations of judges' severities between years (a test-retest
reliability of severity; Myford & Wolfe 2009).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._params import CONFIDENCE, Frame, InstanceOf, NoneOr, count, validate_params
from ..errors import DataError
from ._common import SCORES, judge_totals

COLUMNS = ["judge", "period", "severity", "se", "ci_low", "ci_high", "n_ratings", "n_contests"]


def _fit(t: pd.DataFrame, max_iter: int = 500, tol: float = 1e-9):
    jc, jid = pd.factorize(t["judge"], sort=True)
    pc, _ = pd.factorize(t["contest"] + "\x1f" + t["project"])
    y = t["total"].to_numpy(float)
    n_j, n_p = np.bincount(jc), np.bincount(pc)
    beta = np.zeros(len(jid))
    for _ in range(max_iter):
        alpha = np.bincount(pc, y - beta[jc]) / n_p
        new = np.bincount(jc, y - alpha[pc]) / n_j
        new -= new.mean()
        done = np.max(np.abs(new - beta)) < tol
        beta = new
        if done:
            break
    alpha = np.bincount(pc, y - beta[jc]) / n_p
    rss = float(((y - alpha[pc] - beta[jc]) ** 2).sum())
    dof = max(len(y) - len(n_p) - len(jid) + 1, 1)
    se = np.sqrt(rss / dof / n_j)
    n_c = t.groupby("judge", sort=True)["contest"].nunique().reindex(jid).to_numpy()
    return pd.DataFrame({"judge": jid.astype(str), "severity": -beta, "se": se, "n_ratings": n_j,
                         "n_contests": n_c})


@validate_params({**SCORES, "year": NoneOr(InstanceOf(str, "a column name", "列名")), "contests": NoneOr(Frame()),
                  "confidence": CONFIDENCE, "min_ratings": count(1)})
def judge_effects(scores: pd.DataFrame, rubric=None, *, contest: str = "contest", judge: str = "judge",
                  project: str = "project", criterion: str = "criterion", value: str = "score",
                  year: str | None = "year", contests: pd.DataFrame | None = None, confidence: float = 0.95,
                  min_ratings: int = 5) -> pd.DataFrame:
    """Judges' severity across many contests, overall and per year.

    Parameters
    ----------
    scores : long frame of many contests (criterion scores with ``rubric``, else one
        total per contest, judge and project in ``value``).
    year : column of ``scores`` (or of ``contests``, joined on ``contest``) giving each
        contest's year; None or absent: overall estimates only.
    min_ratings : judges with fewer ratings in a period are left out of that period.

    Returns a tidy frame, a row per (judge, period): judge, period ("all" or the year),
    severity (points of the rubric total below the other judges for the same
    projects; positive = harsh), se, ci_low, ci_high (``confidence``; ``level`` is
    accepted too), n_ratings, n_contests. :func:`judge_stability` of the result: how
    the severities of judges present in two years correlate.

    Sources: Wind, S. A. & Peterson, M. E. (2018) A systematic review of methods for
    evaluating rating quality, Assessing Writing 37; Myford, C. M. & Wolfe, E. W. (2009)
    Monitoring rater performance over time, J Educ Meas 46(4), 371-389.

    Example
    -------
    >>> cs = ek.io.read_contests("data/research-multi")                                # doctest: +SKIP
    >>> je = ek.research.judge_effects(cs.scores, cs.rubric, contests=cs.contests)    # doctest: +SKIP
    >>> je[je.period == "all"].sort_values("severity").tail(3)                        # doctest: +SKIP
    """
    t = judge_totals(scores, rubric, contest=contest, judge=judge, project=project, criterion=criterion,
                     value=value)
    years = _years(scores, contests, contest, year)
    z = stats.norm.ppf(0.5 + confidence / 2)
    frames = [_fit(t).assign(period="all")]
    if years is not None:
        t = t.assign(_year=t["contest"].map(years))
        for y, g in t.groupby("_year", sort=True):
            keep = g.groupby("judge")["total"].transform("size") >= min_ratings
            if g[keep]["judge"].nunique() >= 2:
                frames.append(_fit(g[keep].drop(columns="_year")).assign(period=str(y)))
    out = pd.concat(frames, ignore_index=True)
    out = out[(out["period"] == "all") | (out["n_ratings"] >= min_ratings)]
    out["ci_low"], out["ci_high"] = out["severity"] - z * out["se"], out["severity"] + z * out["se"]
    return out[COLUMNS].reset_index(drop=True)


@validate_params({"effects": Frame()})
def judge_stability(effects: pd.DataFrame) -> pd.DataFrame:
    """Correlations of per-year severities between every pair of years (judges in both):
    a row per pair (year_a, year_b, n_judges, pearson, spearman), from the frame
    :func:`judge_effects` returns."""
    per = effects[effects["period"] != "all"].pivot(index="judge", columns="period", values="severity")
    rows = []
    cols = list(per.columns)
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            both = per[[a, b]].dropna()
            r = rho = np.nan
            if len(both) >= 3:
                r = float(np.corrcoef(both[a], both[b])[0, 1])
                rho = float(stats.spearmanr(both[a], both[b]).statistic)
            rows.append({"year_a": a, "year_b": b, "n_judges": len(both), "pearson": r, "spearman": rho})
    return pd.DataFrame(rows, columns=["year_a", "year_b", "n_judges", "pearson", "spearman"])


def _years(scores, contests, contest, year):
    if year is None:
        return None
    if year in scores.columns:
        return scores.groupby(scores[contest].astype(str))[year].first()
    if contests is not None:
        if contest not in contests or year not in contests:
            raise DataError("the contests table needs the contest and year columns", where="contests",
                            key=year, expected=f"columns {contest}, {year}", found=list(contests.columns),
                            zh=f"大赛表需要 '{contest}' 与 '{year}' 两列（大赛与年份）")
        return contests.set_index(contests[contest].astype(str))[year]
    return None
