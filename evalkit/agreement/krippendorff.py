"""Krippendorff's alpha for any number of raters, missing values allowed.

alpha = 1 - D_o / D_e over the *pairable* values (values in units with at least two
ratings), Krippendorff (2011) "Computing Krippendorff's alpha-reliability":

    D_o = (1/n) sum_u sum_{c,k} n_uc n_uk delta2(c,k) / (m_u - 1)
    D_e = 1/(n(n-1)) sum_{c,k} n_c n_k delta2(c,k)

Interval alpha never builds the values x values coincidence matrix: with the squared
difference metric the pair sums collapse to sums of squares,

    sum_{i != j in u} (v_i - v_j)^2 = 2 m_u SS_u,   sum over all pairable pairs = 2 n SS,

so D_o = (2/n) sum_u m_u SS_u / (m_u - 1) and D_e = 2 SS / (n - 1): O(ratings) time
and memory whatever the scale (0..100 with decimals included). Nominal alpha needs
only the diagonal of the coincidence matrix; ordinal and ratio use it over the
distinct observed values.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import DataError
from ._data import Ratings, long_ratings
from ._result import AgreementResult
from .._params import CONFIDENCE, SEED, Column, Frame, Options, count, validate_params
from ._stats import NAN, percentile_ci

LEVELS = ("nominal", "ordinal", "interval", "ratio")
_WHERE = "krippendorff_alpha"


class _Units:
    """Per-unit sufficient statistics of the pairable units; alpha for any unit weights
    (weights = 1 for the estimate, bootstrap counts for a resample)."""

    def __init__(self, r: Ratings, level: str):
        m_all = r.per_unit()
        keep = m_all[r.unit] >= 2
        if not keep.any():
            raise DataError("no unit has two or more ratings, alpha is undefined",
                            where=_WHERE, expected="units with >= 2 ratings", found="none",
                            zh="没有对象获得两个以上评分，alpha 无定义")
        self.n_units = int((m_all >= 2).sum())
        unit, vals = r.unit[keep], r.value[keep]
        unit = (np.cumsum(m_all >= 2) - 1)[unit]  # renumber the pairable units 0..
        self.level = level
        self.m = np.bincount(unit).astype(float)
        if level == "interval":
            vals = vals.astype(float)
            # centre first: sums of squares stay exact for large offsets
            vals = vals - vals.mean()
            s1 = np.bincount(unit, vals)
            s2 = np.bincount(unit, vals * vals)
            self.s1, self.s2 = s1, s2
            ss_u = np.maximum(s2 - s1 * s1 / self.m, 0.0)
            self.do_u = 2.0 * self.m * ss_u / (self.m - 1)
            return
        code, cats = pd.factorize(vals, sort=True)
        self.cats = cats
        counts = sparse.csr_matrix((np.ones(len(code)), (unit, code)), shape=(len(self.m), len(cats)))
        counts.sum_duplicates()
        self.counts = counts
        if level == "nominal":
            # only the diagonal o_cc matters: delta = 1 - [c == k]
            coo = counts.tocoo()
            same = np.bincount(coo.row, coo.data * (coo.data - 1), minlength=len(self.m))
            self.do_u = self.m - same / (self.m - 1)  # = sum_{c != k} n_uc n_uk / (m_u - 1)
            self.delta = None
            return
        self.delta = _delta(level, cats, np.asarray(counts.sum(axis=0)).ravel())
        # per-unit n_u' Delta n_u, in chunks so memory stays bounded on wide scales
        do_u = np.empty(len(self.m))
        step = max(1, 4_000_000 // max(1, len(cats)))
        for a in range(0, len(self.m), step):
            block = counts[a:a + step]
            do_u[a:a + step] = np.asarray(block.multiply(block @ self.delta).sum(axis=1)).ravel()
        self.do_u = do_u / (self.m - 1)

    def alpha(self, w: np.ndarray | None = None) -> float:
        w = np.ones_like(self.m) if w is None else w
        n = float(w @ self.m)
        d_o = float(w @ self.do_u) / n
        if self.level == "interval":
            ss = float(w @ self.s2) - float(w @ self.s1) ** 2 / n
            d_e = 2.0 * ss / (n - 1)
        else:
            n_c = np.asarray(self.counts.T @ w).ravel()
            if self.level == "nominal":
                d_e = (n * n - float(n_c @ n_c)) / (n * (n - 1))
            else:
                d_e = float(n_c @ self.delta @ n_c) / (n * (n - 1))
        if d_e <= 1e-12 * max(1.0, d_o):
            return NAN
        return 1.0 - d_o / d_e


def _delta(level: str, cats: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared difference function delta^2(c, k) of Krippendorff (2011)."""
    c = cats.astype(float)
    if level == "ordinal":
        # (sum_{g=c..k} n_g - (n_c + n_k)/2)^2 with cumulative counts
        cum = np.cumsum(n_c)
        lo = np.minimum.outer(np.arange(len(c)), np.arange(len(c)))
        hi = np.maximum.outer(np.arange(len(c)), np.arange(len(c)))
        between = cum[hi] - cum[lo] + n_c[lo]
        return (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    # ratio: ((c - k) / (c + k))^2, 0 when both are 0
    diff = np.subtract.outer(c, c)
    tot = np.add.outer(c, c)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(tot == 0, 0.0, (diff / tot) ** 2)
    return d


@validate_params({"data": Frame(), "level": Options(LEVELS), "units": Column("data"), "raters": Column("data"),
                  "values": Column("data"), "n_boot": count(0), "confidence": CONFIDENCE, "seed": SEED})
def krippendorff_alpha(data: pd.DataFrame, level: str = "interval", *, units: str, raters: str, values: str,
                       n_boot: int = 0, confidence: float = 0.95, seed=None) -> AgreementResult:
    """Krippendorff's alpha at the nominal, ordinal, interval or ratio level.

    Parameters
    ----------
    data : long DataFrame, one row per (unit, rater); a missing rating is a missing
        row or NaN. Units with a single rating are not pairable and are left out.
    level : "nominal", "ordinal", "interval" (default) or "ratio".
    units, raters, values : column names.
    n_boot : number of bootstrap resamples for ``se`` and a percentile CI (0 = none).
        Units are resampled with replacement (the unit is the independent draw in a
        contest); the ordinal/ratio metric is held at the full-sample values, as in
        Hayes & Krippendorff (2007), who also keep the expected disagreement's
        metric fixed. Without a bootstrap ``se``/``ci_*`` are NaN.

    Returns an AgreementResult (``float()`` = alpha; ``extra['n_pairable']``).
    Alpha is NaN with a RuntimeWarning when the pairable values do not vary (D_e = 0).

    Sources: Krippendorff (2011), Computing Krippendorff's alpha-reliability;
    Hayes & Krippendorff (2007), Communication Methods and Measures 1(1) 77-89.

    Example
    -------
    >>> krippendorff_alpha(df, "interval", units="project", raters="judge", values="total")  # doctest: +SKIP
    """
    r = long_ratings(data, units, raters, values, where=_WHERE, numeric=level != "nominal")
    if level == "ratio" and (r.value < 0).any():
        raise DataError("ratio alpha needs non-negative values", where=_WHERE, key=values,
                        expected="values >= 0", found=float(r.value.min()),
                        zh=f"比率尺度的评分须为非负数（'{values}' 列最小值为 {float(r.value.min()):g}）")
    u = _Units(r, level)
    value = u.alpha()
    if np.isnan(value):
        warnings.warn("the pairable ratings do not vary: alpha is undefined (NaN) / 评分无差异, alpha 无定义",
                      RuntimeWarning, stacklevel=2)
    se = lo = hi = NAN
    if n_boot and not np.isnan(value):
        rng = np.random.default_rng(seed)
        k = len(u.m)
        boot = np.array([u.alpha(np.bincount(rng.integers(0, k, k), minlength=k).astype(float))
                         for _ in range(n_boot)])
        se = float(np.nanstd(boot, ddof=1))
        lo, hi = percentile_ci(boot, confidence)
    return AgreementResult(float(value), se, lo, hi, u.n_units, r.n_raters, f"Krippendorff's alpha ({level})",
                           {"level": level, "n_pairable": int(u.m.sum())})
