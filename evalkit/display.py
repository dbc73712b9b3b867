"""One display rounding for every surface (screen, leaderboard, tabs, 公示, CLI, replay).

A score is shown with the contest rule's decimals, rounded as people round
(四舍五入, half away from zero) on the number's decimal form to 9 places, so binary
float noise (80.12499999999999 for a mean of 80.125) never decides the last digit: 80.125 -> 80.13 at 2 decimals (Python's
``round`` and f-strings give 80.12). The ranking's tie detection compares these
same displayed values, so two projects that read the same on the screen are tied.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np


_NOISE = Decimal(1).scaleb(-9)  # arithmetic on scores with a few decimals leaves float noise far below this


def _one(x, q: Decimal) -> float:
    if x is None:
        return float("nan")
    x = float(x)
    if not np.isfinite(x):
        return float("nan")
    # first to 9 places, so a mean computed as 80.12499999999999 reads as the 80.125 it is
    return float(Decimal(repr(x)).quantize(_NOISE).quantize(q, rounding=ROUND_HALF_UP))


def display_round(values, decimals: int):
    """``values`` (a number or array-like) rounded half up to ``decimals`` places.

    Returns a float for a scalar, else a float ndarray (NaN for missing values).

    >>> display_round(80.125, 2)
    80.13
    >>> display_round([74.375, 2.5], 0).tolist()
    [74.0, 3.0]
    """
    q = Decimal(1).scaleb(-int(decimals))
    if np.ndim(values) == 0:
        return _one(values, q)
    return np.array([_one(x, q) for x in np.asarray(values, dtype=float).ravel()]).reshape(np.shape(values))


def format_score(value, decimals: int, *, missing: str = "") -> str:
    """The text a page shows for a score: exactly ``decimals`` places, 四舍五入.

    >>> format_score(80.125, 2)
    '80.13'
    """
    x = display_round(value, decimals)
    if x != x:
        return missing
    return f"{x:.{int(decimals)}f}"
