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
from ..scores import group_codes
from .base import Context, Fit, codes, judge_deviations, project_frame, t_interval


#: rules that leave some totals out of a project's score
DROPPING_RULES = ("trimmed", "median")


def _drop_sides(group: np.ndarray, judge: np.ndarray, x: np.ndarray, method: str, trim: int) -> np.ndarray:
    """Per row: -1 when the rule drops it as a low total, +1 as a high one, 0 kept.
    ``group`` and ``judge`` are dense integer codes (judges numbered in sorted id
    order); see :func:`dropped_mask` for the rule and the tie convention."""
    side = np.zeros(len(x), np.int8)
    if method not in DROPPING_RULES or not len(x):
        return side
    # equal totals (to 1e-9 points) go by judge id: the first ids are the lowest
    order = np.lexsort((judge, np.round(x, 9), group))
    g = group[order]
    n = np.bincount(group)
    pos = np.arange(len(x)) - (np.cumsum(n) - n)[g]
    size = n[g]
    if method == "trimmed":
        full = size >= 2 * trim + 1
        low, high = full & (pos < trim), full & (pos >= size - trim)
    else:  # the median keeps the middle one (odd) or two (even)
        low, high = pos < (size - 1) // 2, pos > size // 2
    side[order] = np.where(low, -1, np.where(high, 1, 0))
    return side


def dropped_mask(totals: pd.DataFrame, method: str, trim: int = 0, *, sides: bool = False) -> np.ndarray:
    """Which judges' totals the contest rule leaves out of each project's score: the
    one rule behind ``evalkit.rank``, the big screen's struck-through totals
    (``evalkit.roadshow``) and the report's marks (``evalkit.report.charts``).

    ``totals``: judge, project, total (and panel: each panel is its own group, as
    ``rank`` aggregates panels apart). ``trimmed`` drops the ``trim`` lowest and
    ``trim`` highest totals of each project that has at least 2 * trim + 1 (fewer:
    nothing; ``rank`` refuses such a project); ``median`` drops all but the middle one
    (odd count) or two (even); any other method drops nothing.

    Ties: equal totals (to 1e-9 points) are ordered by judge id, so among equal lowest
    totals the judge whose id sorts first is dropped, among equal highest the one
    whose id sorts last, on every surface and whatever the row order. The kept
    values, and so the score, do not depend on it.

    Returns a bool array in row order; with ``sides=True`` an int8 array: -1 dropped
    as low, +1 dropped as high, 0 kept.
    """
    keys = [totals["project"]] + ([totals["panel"]] if "panel" in totals.columns else [])
    group = group_codes(keys)[0] if len(totals) else np.zeros(0, np.int64)
    judge = pd.factorize(totals["judge"], sort=True)[0]
    side = _drop_sides(group, judge, totals["total"].to_numpy(float), method, int(trim))
    return side if sides else side != 0


def _kept(totals: pd.DataFrame, trim: int):
    """Per project, the totals the trimmed mean keeps (:func:`dropped_mask`): their
    project codes and values, each project's count and the project ids."""
    jc, _, pc, pid = codes(totals)
    x = totals["total"].to_numpy(float)
    keep = _drop_sides(pc, jc, x, "trimmed", trim) == 0
    return pc[keep], x[keep], np.bincount(pc, minlength=len(pid)), pid


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
    jc, _, pc, pid = codes(totals)
    x = totals["total"].to_numpy(float)
    n = np.bincount(pc, minlength=len(pid))
    if how == "trimmed":
        short = n < 2 * trim + 1
        if short.any():
            bad = ", ".join(f"{p} ({int(c)} judge{'s' if c != 1 else ''})" for p, c in zip(pid[short], n[short]))
            raise DesignError(f"the trimmed mean dropping {trim} highest and {trim} lowest needs at least "
                              f"{2 * trim + 1} judges per project: {bad}",
                              where=ctx.where, key="project", expected=f">= {2 * trim + 1} judges per project",
                              found=bad, zh=f"去掉最高最低分各 {trim} 个，每个项目至少需要 {2 * trim + 1} 位评委评分："
                                            + "、".join(f"{p}（{int(c)} 位评委）" for p, c in zip(pid[short], n[short])))
    keep = _drop_sides(pc, jc, x, how, trim) == 0
    k, mean, sd = _summarise(pc[keep], x[keep], len(pid))
    score = mean
    if how == "median":
        # the mean of the middle one or two is the median; its SE as for the mean of all totals
        k, mean, sd = _summarise(pc, x, len(pid))
    se = sd / np.sqrt(k)
    if how == "sum":
        score, se = mean * k, se * k
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
