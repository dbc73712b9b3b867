"""The contest's own rules: sum, mean, trimmed mean, median of the judges' totals.

A judge who did not score a project is left out of that project's rule (DESIGN.md:
"judges who did not score are left out"). Uncertainty: the SD of the totals the rule
keeps divided by sqrt(n kept), with a t-interval on n kept - 1 df (for ``sum`` the SE
of n times the mean).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DesignError
from .base import Context, Fit, codes, judge_deviations, project_frame, t_interval


def _kept(totals: pd.DataFrame, trim: int):
    """Per project, which totals the trimmed mean keeps: sort within project and
    drop the ``trim`` lowest and highest positions (equal totals are interchangeable)."""
    jc, _, pc, pid = codes(totals)
    x = totals["total"].to_numpy(float)
    order = np.lexsort((x, pc))
    pcs = pc[order]
    n = np.bincount(pc, minlength=len(pid))
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    pos = np.arange(len(x)) - start[pcs]
    keep = (pos >= trim) & (pos < n[pcs] - trim)
    return pcs[keep], x[order][keep], n, pid


def _summarise(pc, x, n_proj: int):
    k = np.bincount(pc, minlength=n_proj).astype(float)
    s = np.bincount(pc, weights=x, minlength=n_proj)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / k
        ss = np.bincount(pc, weights=(x - mean[pc]) ** 2, minlength=n_proj)
        sd = np.sqrt(ss / (k - 1))
    return k, mean, sd


def _rule(totals: pd.DataFrame, ctx: Context, how: str) -> Fit:
    trim = int(ctx.options.get("trim", 0)) if how == "trimmed" else 0
    pc_keep, x_keep, n, pid = _kept(totals, trim)
    if how == "trimmed":
        short = n < 2 * trim + 1
        if short.any():
            bad = ", ".join(f"{p} ({int(c)} judge{'s' if c != 1 else ''})" for p, c in zip(pid[short], n[short]))
            raise DesignError(f"去掉最高最低分各 {trim} 个至少需要 {2 * trim + 1} 位评委评分 "
                              f"(the trimmed mean dropping {trim} highest and {trim} lowest needs at least "
                              f"{2 * trim + 1} judges per project): {bad}",
                              where=ctx.where, key="project", expected=f">= {2 * trim + 1} judges per project",
                              found=bad)
    k, mean, sd = _summarise(pc_keep, x_keep, len(pid))
    se = sd / np.sqrt(k)
    score = mean
    if how == "sum":
        score, se = mean * k, se * k
    elif how == "median":
        # the middle one or two of each project's sorted totals (_kept sorted them, trim 0)
        start = np.cumsum(n) - n
        score = (x_keep[start + n // 2] + x_keep[start + (n - 1) // 2]) / 2
    proj = project_frame(pid, score, se, n, t_interval(score, se, k - 1, ctx.level))
    notes = []
    if how == "sum" and len(np.unique(n)) > 1:
        notes.append("各项目评委人数不同，总分不可直接比较 (projects were scored by different numbers of judges: "
                     "sums are not comparable; consider mean or trimmed)")
    # descriptive judge severity against the per-project mean (the sum's scale is not a judge's)
    ref = pd.Series(mean if how != "median" else score, index=pid)
    return Fit(proj, judge_deviations(totals, ref), notes)


def fit_sum(totals, ctx):
    """Sum of the judges' totals."""
    return _rule(totals, ctx, "sum")


def fit_mean(totals, ctx):
    """Mean of the judges' totals."""
    return _rule(totals, ctx, "mean")


def fit_trimmed(totals, ctx):
    """Mean after dropping the ``trim`` highest and lowest totals (去掉最高分、最低分)."""
    return _rule(totals, ctx, "trimmed")


def fit_median(totals, ctx):
    """Median of the judges' totals; SE as for the mean of all totals."""
    return _rule(totals, ctx, "median")
