"""Turning a user's long frame into integer codes, once, for every statistic.

All statistics work on three aligned arrays (unit code, rater code, value) made
with ``pandas.factorize``; sums per unit / rater / category are ``np.bincount``
calls, so cost and memory stay linear in the number of ratings.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..scores import require_columns


@dataclass(frozen=True)
class Ratings:
    unit: np.ndarray          # int codes 0..n_units-1
    rater: np.ndarray         # int codes 0..n_raters-1
    value: np.ndarray         # float values (numeric=True) or the raw labels
    units: pd.Index           # labels of the unit codes
    raters: pd.Index          # labels of the rater codes

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_raters(self) -> int:
        return len(self.raters)

    def per_unit(self) -> np.ndarray:
        """Number of ratings of each unit."""
        return np.bincount(self.unit, minlength=self.n_units)


def long_ratings(data: pd.DataFrame, units: str, raters: str, values: str, *, where: str,
                 numeric: bool = True, min_raters: int = 2) -> Ratings:
    """Validate a long frame and factorize it. Missing values (NaN) are missing ratings.

    Raises DataError on missing columns, non-numeric values (when ``numeric``), a
    (unit, rater) pair rated twice, or fewer than ``min_raters`` raters.
    """
    require_columns(data, (units, raters, values), where=where)
    col = data[values]
    if numeric:
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & col.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"column '{values}' must hold numbers", where=f"{where} row {i}",
                            key=values, expected="a number", found=col.iloc[i],
                            zh=f"'{values}' 列的评分须为数字（实际为 {col.iloc[i]!r}）")
        keep = num.notna().to_numpy()
        vals = num.to_numpy(dtype=float)[keep]
    else:
        keep = col.notna().to_numpy()
        vals = col.to_numpy()[keep]
    u_codes, u_labels = _factorize(data[units].to_numpy()[keep])
    r_codes, r_labels = _factorize(data[raters].to_numpy()[keep])
    if (u_codes < 0).any() or (r_codes < 0).any():
        raise DataError("unit and rater ids must not be missing", where=where,
                        key=f"{units}, {raters}", expected="an id in every row", found="an empty id",
                        zh=f"对象与评委编号（{units}、{raters} 列）不能为空")
    u_codes = u_codes.astype(np.int64)
    r_codes = r_codes.astype(np.int64)
    n_r = len(r_labels)
    pair = u_codes * n_r + r_codes
    dup = _first_duplicate(pair, len(u_labels) * n_r)
    if dup is not None:
        raise DataError("a rater rated the same unit twice", where=where,
                        key=f"{units}, {raters}", expected="one rating per (unit, rater)",
                        found=f"two ratings for ({u_labels[dup // n_r]}, {r_labels[dup % n_r]})",
                        zh=f"同一评委对同一对象有重复评分（对象 {u_labels[dup // n_r]}、评委 {r_labels[dup % n_r]}）")
    if n_r < min_raters:
        raise DataError(f"needs at least {min_raters} raters", where=where,
                        key=raters, expected=f">= {min_raters} raters", found=n_r,
                        zh=f"至少需要 {min_raters} 位评委，实际只有 {n_r} 位")
    return Ratings(u_codes, r_codes, vals, pd.Index(u_labels), pd.Index(r_labels))


def _first_duplicate(keys: np.ndarray, size: int):
    """A key occurring twice, or None (a count per cell when the grid is small, else a sort;
    np.unique's hashing is far slower on large arrays)."""
    if size <= 4 * len(keys) + 1_000_000:
        hits = np.flatnonzero(np.bincount(keys, minlength=size) > 1)
        return int(hits[0]) if len(hits) else None
    srt = np.sort(keys)
    same = np.flatnonzero(srt[1:] == srt[:-1])
    return int(srt[same[0]]) if len(same) else None


def _factorize(ids: np.ndarray):
    """Sorted codes and labels of an id column; integer ids in a compact range take an
    O(n) path (a presence table), others pandas.factorize."""
    if ids.dtype.kind in "iu" and len(ids):
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo <= 4 * len(ids) + 1000:
            present = np.bincount(ids - lo, minlength=hi - lo + 1) > 0
            new = np.cumsum(present) - 1
            return new[ids - lo], np.flatnonzero(present) + lo
    return pd.factorize(ids, sort=True)
