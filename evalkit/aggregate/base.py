"""What every aggregation method receives and returns.

A method is a function ``fit(totals, ctx) -> Fit``: ``totals`` has one row per
(judge, project) with the judge's total on the rubric's scale; ``ctx`` carries the
rubric, the criterion-level scores (for methods that model criteria), the
confidence level and the method's own options.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..rubric import Rubric

PROJECT_COLUMNS = ["score", "se", "ci_low", "ci_high", "n_judges"]
JUDGE_COLUMNS = ["severity", "scale", "se", "infit", "outfit", "n_projects"]


@dataclass
class Context:
    rubric: Rubric | None
    level: float = 0.95
    options: dict = field(default_factory=dict)
    criteria: pd.DataFrame | None = None   # judge, project, criterion, score (criterion items only)
    where: str = "score table"


@dataclass
class Fit:
    projects: pd.DataFrame     # index project: score, se, ci_low, ci_high, n_judges (+ method extras)
    judges: pd.DataFrame       # index judge: severity, scale, se, infit, outfit, n_projects
    notes: list[str] = field(default_factory=list)


def normal_interval(score, se, level: float):
    """score ± z·se (model-based methods, and panels combined)."""
    z = stats.norm.ppf(0.5 + level / 2)
    score, se = np.asarray(score, float), np.asarray(se, float)
    return score - z * se, score + z * se


def t_interval(score, se, df, level: float):
    """score ± t_{df}·se; NaN where df < 1 (a single kept judge gives no interval)."""
    df = np.asarray(df, float)
    with np.errstate(invalid="ignore"):
        t = np.where(df >= 1, stats.t.ppf(0.5 + level / 2, np.maximum(df, 1)), np.nan)
    score, se = np.asarray(score, float), np.asarray(se, float)
    return score - t * se, score + t * se


def project_frame(index, score, se, n_judges, ci=None, **extra) -> pd.DataFrame:
    df = pd.DataFrame({"score": np.asarray(score, float), "se": np.asarray(se, float)},
                      index=pd.Index(index, name="project"))
    lo, hi = ci
    df["ci_low"], df["ci_high"] = np.asarray(lo, float), np.asarray(hi, float)
    df["n_judges"] = np.asarray(n_judges, int)
    for k, v in extra.items():
        df[k] = np.asarray(v, float)
    return df


def judge_frame(index, severity, se=np.nan, scale=np.nan, infit=np.nan, outfit=np.nan, n_projects=0,
                **extra) -> pd.DataFrame:
    n = len(index)
    df = pd.DataFrame({"severity": np.broadcast_to(np.asarray(severity, float), (n,)),
                       "scale": np.broadcast_to(np.asarray(scale, float), (n,)),
                       "se": np.broadcast_to(np.asarray(se, float), (n,)),
                       "infit": np.broadcast_to(np.asarray(infit, float), (n,)),
                       "outfit": np.broadcast_to(np.asarray(outfit, float), (n,)),
                       "n_projects": np.broadcast_to(np.asarray(n_projects, int), (n,))},
                      index=pd.Index(index, name="judge"))
    for k, v in extra.items():
        df[k] = np.asarray(v, float)
    return df


def judge_deviations(totals: pd.DataFrame, project_score: pd.Series) -> pd.DataFrame:
    """Descriptive severity: how many points a judge gives below the projects'
    aggregated scores, on average (positive = harsh), with its SE."""
    dev = project_score.reindex(totals["project"]).to_numpy() - totals["total"].to_numpy()
    jc, jid = pd.factorize(totals["judge"], sort=True)
    g = pd.Series(dev).groupby(jc, sort=True)  # integer codes: no string hashing per call
    mean, sd, n = g.mean(), g.std(ddof=1), g.count()
    return judge_frame(jid, mean.to_numpy(), (sd / np.sqrt(n)).to_numpy(), n_projects=n.to_numpy())


def codes(totals: pd.DataFrame):
    """Integer codes for judges and projects (sorted ids) of a totals frame."""
    jc, jid = pd.factorize(totals["judge"], sort=True)
    pc, pid = pd.factorize(totals["project"], sort=True)
    return jc, pd.Index(jid.astype(str)), pc, pd.Index(pid.astype(str))
