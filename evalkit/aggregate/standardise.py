"""Per-judge standardisation: z-scores and percentile ranks.

Each judge's totals are standardised over the projects that judge scored, averaged
per project, and mapped back to the rubric's scale as ``G + S * u`` with G the
grand mean of all totals and S the pooled within-judge SD (root mean of the
judges' variances), so scores read like totals. SE: SD of a project's standardised
values / sqrt(n), t-interval. A judge who scored one project carries no
standardised information and is left out (with a note); one who gave every
project the same total contributes 0 (average) to each.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from .base import Context, Fit, codes, judge_frame, project_frame, t_interval


def _per_judge_stats(jc, x, nj):
    n = np.bincount(jc, minlength=nj).astype(float)
    mean = np.bincount(jc, weights=x, minlength=nj) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.bincount(jc, weights=(x - mean[jc]) ** 2, minlength=nj) / (n - 1))
    return n, mean, sd


def _zscores(jc, x, n, mean, sd):
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x - mean[jc]) / sd[jc]
    return np.where(sd[jc] > 0, z, 0.0)


def _percentile_units(jc, x, n, mean, sd):
    """Percentile rank (average for ties) (r - 0.5)/n, centred and scaled by sqrt(12)
    so a judge's values have about unit SD like z-scores (uniform variance 1/12)."""
    u = np.empty_like(x)
    order = np.argsort(jc, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(jc, minlength=len(n)))])
    for j in range(len(n)):
        idx = order[bounds[j]:bounds[j + 1]]
        if len(idx):
            u[idx] = ((rankdata(x[idx]) - 0.5) / len(idx) - 0.5) * np.sqrt(12)
    return u


def _standardised(totals: pd.DataFrame, ctx: Context, transform, what: str) -> Fit:
    jc, jid, pc, pid = codes(totals)
    x = totals["total"].to_numpy(float)
    n, mean, sd = _per_judge_stats(jc, x, len(jid))
    notes = []
    use = n[jc] >= 2
    if not use.all():
        single = ", ".join(jid[n < 2])
        notes.append(f"评委 {single} 只评了一个项目，{what}中未计入 (judges {single} scored a single project: "
                     f"left out of the {what})")
    u = transform(jc, x, n, mean, sd)[use]
    pcu = pc[use]
    k = np.bincount(pcu, minlength=len(pid)).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ubar = np.bincount(pcu, weights=u, minlength=len(pid)) / k
        usd = np.sqrt(np.bincount(pcu, weights=(u - ubar[pcu]) ** 2, minlength=len(pid)) / (k - 1))
    ok = n >= 2
    grand = x[use].mean()
    pooled = np.sqrt(np.nanmean(sd[ok] ** 2))
    score, se = grand + pooled * ubar, pooled * usd / np.sqrt(k)
    proj = project_frame(pid, score, se, k, t_interval(score, se, k - 1, ctx.level))
    judges = judge_frame(jid, grand - mean, sd / np.sqrt(n), sd / pooled, n_projects=n)
    return Fit(proj, judges, notes)


def fit_zscore(totals: pd.DataFrame, ctx: Context) -> Fit:
    """Mean of per-judge z-scores, mapped back to the rubric scale (G + S·z̄)."""
    return _standardised(totals, ctx, _zscores, "z 分数 (z-scores)")


def fit_rank(totals: pd.DataFrame, ctx: Context) -> Fit:
    """Mean of per-judge percentile ranks (ties averaged), mapped back like z-scores."""
    return _standardised(totals, ctx, _percentile_units, "百分位 (percentile ranks)")
