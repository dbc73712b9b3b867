"""Kendall's coefficient of concordance W."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ._data import long_ratings
from ._result import AgreementResult
from .._params import Boolean, Column, Frame, validate_params
from ._stats import NAN


@validate_params({"data": Frame(), "items": Column("data"), "raters": Column("data"), "ratings": Column("data"),
                  "correct_ties": Boolean()})
def kendall_w(data: pd.DataFrame, *, items: str, raters: str, ratings: str,
              correct_ties: bool = True) -> AgreementResult:
    """Kendall's W for m raters ranking (or scoring) the same n items.

    Each rater's ratings are turned into ranks (mid-ranks for ties); with R_i the
    rank sum of item i and S = sum_i (R_i - m(n+1)/2)^2,

        W = 12 S / (m^2 (n^3 - n) - m T),   T = sum over raters and tie groups (t^3 - t)

    (T = 0 when ``correct_ties=False``). The test of W = 0 uses
    chi2 = m (n - 1) W on n - 1 degrees of freedom. Every rater must rate every item.
    Sources: Kendall & Babington Smith (1939); Siegel & Castellan (1988) ch. 9.

    Returns an AgreementResult with ``chi2``, ``df``, ``pval`` and ``S``.

    Example
    -------
    >>> kendall_w(totals, items="project", raters="judge", ratings="total")  # doctest: +SKIP
    """
    where = "kendall_w"
    r = long_ratings(data, items, raters, ratings, where=where)
    n, m = r.n_units, r.n_raters
    if len(r.value) != n * m:
        raise DataError("Kendall's W needs every rater to rate every item",
                        where=where, key=ratings, expected=f"{n * m} ratings ({n} items x {m} raters)",
                        found=len(r.value), zh=f"Kendall W 要求每位评委对所有对象评分（应有 {n * m} 个评分，"
                                               f"实际 {len(r.value)} 个）")
    if n < 2:
        raise DataError("needs at least two items", where=where, key=items,
                        expected=">= 2 items", found=n, zh=f"至少需要两个评分对象，实际只有 {n} 个")
    grid = np.empty((m, n))
    grid[r.rater, r.unit] = r.value
    ranks = stats.rankdata(grid, axis=1)
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - m * (n + 1) / 2) ** 2).sum())
    ties = 0.0
    if correct_ties:
        for row in np.sort(grid, axis=1):
            _, t = np.unique(row, return_counts=True)
            ties += float((t ** 3 - t).sum())
    den = m ** 2 * (n ** 3 - n) - m * ties
    if den <= 0:
        raise DataError("every rater gave all items the same rating: W is undefined",
                        where=where, key=ratings, expected="varying ratings", found="all tied",
                        zh="每位评委给所有对象的评分都相同，Kendall W 无定义")
    w = 12 * s / den
    chi2 = m * (n - 1) * w
    df = n - 1
    return AgreementResult(float(w), NAN, NAN, NAN, n, m, "Kendall's W",
                           {"chi2": float(chi2), "df": df, "pval": float(stats.chi2.sf(chi2, df)), "S": s})
