"""Degenerate and bad input: typed DataError or documented NaN + warning; the result object."""
import math

import numpy as np
import pandas as pd
import pytest

from evalkit.agreement import (AgreementResult, brennan_prediger, cohen_kappa, fleiss_kappa, gwet_ac, icc,
                               kendall_w, krippendorff_alpha)
from evalkit.errors import DataError, EvalkitError, ParameterError


def frame(grid):
    grid = np.asarray(grid, float)
    n, k = grid.shape
    return pd.DataFrame({"u": np.repeat(np.arange(n), k), "r": np.tile([f"r{j}" for j in range(k)], n),
                         "v": grid.ravel()})


GOOD = frame([[1, 2, 2], [3, 3, 4], [5, 4, 5], [2, 2, 1]])
KAPPAS = [fleiss_kappa, gwet_ac, brennan_prediger]


def call(func, df, **kw):
    if func is icc:
        return func(df, targets="u", raters="r", ratings="v", **kw)
    if func is krippendorff_alpha:
        return func(df, "interval", units="u", raters="r", values="v", **kw)
    if func is kendall_w:
        return func(df, items="u", raters="r", ratings="v", **kw)
    return func(df, subjects="u", raters="r", ratings="v", **kw)


ALL = [icc, krippendorff_alpha, kendall_w, *KAPPAS]


@pytest.mark.parametrize("func", ALL)
def test_one_rater_is_refused(func):
    with pytest.raises(DataError, match="at least 2 raters") as info:
        call(func, frame([[1], [2], [3]]))
    assert info.value.expected == ">= 2 raters" and info.value.found == 1


@pytest.mark.parametrize("func", ALL)
def test_missing_column_and_duplicate_pair(func):
    with pytest.raises(ParameterError, match="must be a column of data"):
        call(func, GOOD.rename(columns={"v": "score"}))
    dup = pd.concat([GOOD, GOOD.iloc[[0]]])
    with pytest.raises(DataError, match="twice") as info:
        call(func, dup)
    assert "(0, r0)" in str(info.value.found)


@pytest.mark.parametrize("func", [icc, krippendorff_alpha, kendall_w])
def test_non_numeric_ratings(func):
    bad = GOOD.astype({"v": object})
    bad.loc[3, "v"] = "high"
    with pytest.raises(DataError, match="numbers") as info:
        call(func, bad)
    assert info.value.found == "high"


@pytest.mark.parametrize("func", KAPPAS)
def test_all_one_category(func):
    if func is brennan_prediger:  # p_e = 1/q is fine with q = 2: BP is defined and 1
        res = call(func, frame([[2, 2], [2, 2]]), categories=[1, 2])
        assert float(res) == 1.0
    with pytest.raises(DataError, match="one category|two categories"):
        call(func, frame([[2, 2], [2, 2], [2, 2]]))


def test_cohen_degenerate():
    with pytest.raises(DataError, match="one category"):
        cohen_kappa([1, 1, 1], [1, 1, 1])
    with pytest.raises(DataError, match="paired"):
        cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(DataError, match="two rated pairs"):
        cohen_kappa([1, np.nan], [1, 2])
    with pytest.raises(DataError, match="not among the categories"):
        cohen_kappa([1, 2, 3], [1, 2, 2], categories=[1, 2])
    with pytest.raises(ParameterError, match="argument 'weights' must be one of"):
        cohen_kappa([1, 2, 3], [1, 2, 2], weights="cubic")


def test_no_pairable_unit():
    single = frame([[1, np.nan], [np.nan, 2], [3, np.nan]])
    for func in (krippendorff_alpha, fleiss_kappa, icc):
        with pytest.raises(DataError, match="two or more ratings"):
            call(func, single)


def test_alpha_without_variance_is_nan_with_warning():
    with pytest.warns(RuntimeWarning, match="undefined"):
        res = call(krippendorff_alpha, frame([[3, 3], [3, 3], [3, np.nan]]))
    assert math.isnan(float(res))


def test_icc_degenerate():
    with pytest.raises(DataError, match="all ratings are equal"):
        call(icc, frame([[3, 3], [3, 3]]))
    with pytest.raises(DataError, match="same mean"):
        call(icc, frame([[1, 2], [2, 1]]))
    with pytest.raises(DataError, match="residual"):
        call(icc, frame([[1, 2], [3, 4], [6, 7]]))  # exactly target + rater
    with pytest.raises(DataError, match="complete design"):
        call(icc, GOOD.iloc[1:], estimator="anova")
    with pytest.raises(DataError, match="estimator"):
        call(icc, GOOD, estimator="ml")
    with pytest.raises(DataError, match="confidence"):
        call(icc, GOOD, confidence=95)


def test_kendall_needs_complete_rankings_and_variation():
    with pytest.raises(DataError, match="every rater to rate every item"):
        call(kendall_w, GOOD.iloc[1:])
    with pytest.raises(DataError, match="all tied|same rating"):
        call(kendall_w, frame([[1, 1], [1, 1]]))


def test_unknown_level():
    with pytest.raises(ParameterError, match="argument 'level' must be one of") as info:
        krippendorff_alpha(GOOD, "cardinal", units="u", raters="r", values="v")
    assert "'interval'" in info.value.expected
    with pytest.raises(DataError, match="non-negative"):
        krippendorff_alpha(frame([[-1, 2], [3, 4]]), "ratio", units="u", raters="r", values="v")


def test_errors_are_evalkit_errors():
    assert issubclass(DataError, EvalkitError)


def test_result_object():
    res = fleiss_kappa(GOOD, subjects="u", raters="r", ratings="v")
    assert isinstance(res, AgreementResult)
    assert float(res) == res.value and res.n_units == 4 and res.n_raters == 3
    assert res.method == "Fleiss' kappa"
    assert isinstance(res.per_category, pd.Series) and "z" in dir(res)
    text = repr(res)
    assert text.startswith("<Fleiss' kappa: value=") and "per_category=<Series of 5>" in text
    with pytest.raises(AttributeError, match="no attribute 'chi2'"):
        res.chi2
    w = kendall_w(GOOD, items="u", raters="r", ratings="v")
    assert math.isnan(w.se) and math.isnan(w.ci_low) and w.df == 3
    assert "se=" not in repr(w) and "chi2=" in repr(w)


def test_fleiss_z_undefined_with_unequal_raters_but_se_given():
    res = fleiss_kappa(GOOD.iloc[1:], subjects="u", raters="r", ratings="v")
    assert math.isnan(res.z) and res.se > 0 and res.ci_low < float(res) < res.ci_high
