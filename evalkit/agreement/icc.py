"""Intraclass correlations: the six Shrout & Fleiss (1979) forms.

Complete designs (every rater rates every target once) use the two-way ANOVA mean
squares, the F tests and the McGraw & Wong (1996) confidence intervals, as R psych::ICC
and pingouin.intraclass_corr do. The sums of squares come from np.bincount over the
factorized long frame (no pivot), so cost is linear in the number of ratings.

Incomplete designs (judges who scored different subsets of projects) are not dropped
to a complete block: the variance components of the crossed random-effects model

    y_ij = mu + t_i + r_j + e_ij,   t ~ N(0, s2_t), r ~ N(0, s2_r), e ~ N(0, s2_e)

are estimated by REML (Patterson & Thompson 1971) -- and of the one-way model
y_ij = mu + t_i + w_ij for ICC1 -- and the forms are the ratios of components
(Shrout & Fleiss 1979, Table 1 expectations):

    ICC1 = s2_t / (s2_t + s2_w)          ICC1k = s2_t / (s2_t + s2_w / k)
    ICC2 = s2_t / (s2_t + s2_r + s2_e)   ICC2k = s2_t / (s2_t + (s2_r + s2_e) / k)
    ICC3 = s2_t / (s2_t + s2_e)          ICC3k = s2_t / (s2_t + s2_e / k)

with k the mean number of ratings per target. The REML likelihood is evaluated through
Henderson's mixed-model equations with the target block absorbed (it is diagonal), so
one evaluation costs O(ratings + raters^3). F tests and CIs have no exact form there
and are NaN. On complete data REML equals the ANOVA estimates whenever those are
non-negative, so both paths agree.
"""
from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
from scipy import linalg, optimize, sparse, stats

from ..errors import DataError
from ._data import Ratings, long_ratings
from .._params import CONFIDENCE, Column, Frame, Options, validate_params
from ._stats import NAN

FORMS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
DESCRIPTIONS = {
    "ICC1": "Single raters absolute",
    "ICC2": "Single random raters",
    "ICC3": "Single fixed raters",
    "ICC1k": "Average raters absolute",
    "ICC2k": "Average random raters",
    "ICC3k": "Average fixed raters",
}
COLUMNS = ["type", "description", "icc", "f", "df1", "df2", "pval", "ci_low", "ci_high"]
_WHERE = "icc"


_LONG = {"data": Frame(), "targets": Column("data"), "raters": Column("data"), "ratings": Column("data"),
         "estimator": Options(("auto", "anova", "reml"))}


@validate_params({**_LONG, "confidence": CONFIDENCE})
def icc(data: pd.DataFrame, *, targets: str, raters: str, ratings: str, confidence: float = 0.95,
        estimator: str = "auto") -> pd.DataFrame:
    """The six Shrout & Fleiss intraclass correlations as one tidy frame.

    Parameters
    ----------
    data : long DataFrame, one row per (target, rater); NaN ratings count as missing.
    targets, raters, ratings : column names.
    estimator : "auto" (ANOVA when the design is complete, REML otherwise), "anova"
        (complete designs only) or "reml".

    Returns a frame with columns type, description, icc, f, df1, df2, pval, ci_low,
    ci_high, ``estimator`` ("anova" or "reml"), ``n_targets``, ``n_raters`` and ``k``
    (ratings per target, their mean in incomplete designs). The mean squares or
    variance components behind it: :func:`variance_components`.

    Sources: Shrout & Fleiss (1979) Psychol Bull 86, 420-428; McGraw & Wong (1996)
    Psychol Methods 1, 30-46 (CIs, as psych::ICC >= 2.2.2); Patterson & Thompson (1971)
    Biometrika 58, 545-554 (REML).

    Example
    -------
    >>> icc(df, targets="project", raters="judge", ratings="total")  # doctest: +SKIP
    """
    out, info = _fit(data, targets, raters, ratings, confidence, estimator)
    frame = pd.DataFrame(out, columns=COLUMNS)
    for key in ("estimator", "n_targets", "n_raters", "k"):
        frame[key] = info[key]
    return frame


@validate_params(_LONG)
def variance_components(data: pd.DataFrame, *, targets: str, raters: str, ratings: str,
                        estimator: str = "auto") -> pd.Series:
    """What :func:`icc` is computed from, named by its estimator (the Series' name).

    ANOVA (complete designs): the mean squares BMS (targets), WMS (within targets),
    JMS (raters), EMS (residual) of Shrout & Fleiss (1979) Table 2. REML: the variance
    components target, rater, residual of the two-way model and target_oneway,
    within_oneway of the one-way model.
    """
    _, info = _fit(data, targets, raters, ratings, 0.95, estimator)
    values = info["ms"] if info["estimator"] == "anova" else info["components"]
    return pd.Series({k: float(v) for k, v in values.items()}, name=info["estimator"], dtype=float)


def _fit(data, targets: str, raters: str, ratings: str, confidence: float, estimator: str):
    r = long_ratings(data, targets, raters, ratings, where=_WHERE)
    n, k = r.n_units, r.n_raters
    if n < 2:
        raise DataError("needs at least two targets", where=_WHERE, key=targets,
                        expected=">= 2 targets", found=n, zh=f"至少需要两个评分对象，实际只有 {n} 个")
    complete = len(r.value) == n * k
    if estimator == "anova" and not complete:
        raise DataError("the ANOVA estimator needs a complete design",
                        where=_WHERE, key=ratings, expected=f"{n * k} ratings", found=len(r.value),
                        zh=f"ANOVA 估计需要完整设计：每位评委给每个对象评分（应有 {n * k} 个评分，实际 {len(r.value)} 个）")
    if np.ptp(r.value) == 0:
        raise DataError("all ratings are equal: the ICC is undefined", where=_WHERE,
                        key=ratings, expected="ratings that vary", found=float(r.value[0]),
                        zh="所有评分相同，ICC 无定义")
    if complete and estimator != "reml":
        return _anova(r, confidence)
    return _reml(r)


def _anova(r: Ratings, confidence: float):
    n, k = r.n_units, r.n_raters
    y = r.value
    grand = y.mean()
    t_mean = np.bincount(r.unit, y, n) / k
    j_mean = np.bincount(r.rater, y, k) / n
    ss_tot = float(((y - grand) ** 2).sum())
    ss_b = k * float(((t_mean - grand) ** 2).sum())
    ss_j = n * float(((j_mean - grand) ** 2).sum())
    ss_w = ss_tot - ss_b
    ss_e = ss_w - ss_j
    msb, msj = ss_b / (n - 1), ss_j / (k - 1)
    msw, mse = ss_w / (n * (k - 1)), ss_e / ((n - 1) * (k - 1))
    if msb <= 1e-12 * ss_tot:
        raise DataError("every target has the same mean rating: the average-measure ICCs are undefined",
                        where=_WHERE, expected="targets whose means differ",
                        found="between-target mean square 0", zh="各对象平均分完全相同，ICC 无定义")
    if mse <= 1e-12 * ss_tot or msw <= 1e-12 * ss_tot:
        # every rating is explained by target + rater: no residual variance
        raise DataError("no residual variance (ratings are exactly additive): the F tests are undefined",
                        where=_WHERE, expected="residual variance > 0", found=0.0,
                        zh="无残差方差（评分恰为对象与评委效应之和），F 检验无定义")
    alpha = 1 - confidence
    df1, df1k, df2k = n - 1, n * (k - 1), (n - 1) * (k - 1)
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    icc1k = (msb - msw) / msb
    icc2k = (msb - mse) / (msb + (msj - mse) / n)
    icc3k = (msb - mse) / msb
    f1, f3 = msb / msw, msb / mse
    p1, p3 = stats.f.sf(f1, df1, df1k), stats.f.sf(f3, df1, df2k)
    # one-way and fixed-rater bounds (Shrout & Fleiss 1979, McGraw & Wong 1996)
    f1l, f1u = f1 / stats.f.ppf(1 - alpha / 2, df1, df1k), f1 * stats.f.ppf(1 - alpha / 2, df1k, df1)
    f3l, f3u = f3 / stats.f.ppf(1 - alpha / 2, df1, df2k), f3 * stats.f.ppf(1 - alpha / 2, df2k, df1)
    # random raters: Satterthwaite degrees of freedom v (McGraw & Wong 1996, Table 7)
    fj = msj / mse
    vn = df2k * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = df1 * k ** 2 * icc2 ** 2 * fj ** 2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    f2u, f2l = stats.f.ppf(1 - alpha / 2, n - 1, v), stats.f.ppf(1 - alpha / 2, v, n - 1)
    l2 = n * (msb - f2u * mse) / (f2u * (k * msj + (k * n - k - n) * mse) + n * msb)
    u2 = n * (f2l * msb - mse) / (k * msj + (k * n - k - n) * mse + n * f2l * msb)
    rows = [
        ("ICC1", icc1, f1, df1, df1k, p1, (f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1)),
        ("ICC2", icc2, f3, df1, df2k, p3, l2, u2),
        ("ICC3", icc3, f3, df1, df2k, p3, (f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1)),
        ("ICC1k", icc1k, f1, df1, df1k, p1, 1 - 1 / f1l, 1 - 1 / f1u),
        ("ICC2k", icc2k, f3, df1, df2k, p3, l2 * k / (1 + l2 * (k - 1)), u2 * k / (1 + u2 * (k - 1))),
        ("ICC3k", icc3k, f3, df1, df2k, p3, 1 - 1 / f3l, 1 - 1 / f3u),
    ]
    out = [(t, DESCRIPTIONS[t], float(v_), float(f), int(a), int(b), float(p), float(lo), float(hi))
           for t, v_, f, a, b, p, lo, hi in rows]
    attrs = {"estimator": "anova", "n_targets": n, "n_raters": k, "k": float(k),
             "ms": {"BMS": msb, "WMS": msw, "JMS": msj, "EMS": mse}}
    return out, attrs


def _reml(r: Ratings):
    n, k = r.n_units, r.n_raters
    counts = r.per_unit()
    if (counts < 2).all():
        raise DataError("no target has two or more ratings", where=_WHERE,
                        expected="targets with >= 2 ratings", found="none", zh="没有对象获得两个以上评分")
    two_way = reml_components(r.unit, r.rater, r.value, n, k)
    one_way = reml_components(r.unit, None, r.value, n, 0)
    s_t, s_r, s_e = two_way
    s_t1, _, s_w = one_way
    kbar = len(r.value) / n
    values = {
        "ICC1": s_t1 / (s_t1 + s_w), "ICC1k": s_t1 / (s_t1 + s_w / kbar),
        "ICC2": s_t / (s_t + s_r + s_e), "ICC2k": s_t / (s_t + (s_r + s_e) / kbar),
        "ICC3": s_t / (s_t + s_e), "ICC3k": s_t / (s_t + s_e / kbar),
    }
    out = [(t, DESCRIPTIONS[t], float(values[t]), NAN, NAN, NAN, NAN, NAN, NAN) for t in FORMS]
    attrs = {"estimator": "reml", "n_targets": n, "n_raters": k, "k": kbar,
             "components": {"target": s_t, "rater": s_r, "residual": s_e, "target_oneway": s_t1,
                            "within_oneway": s_w}}
    return out, attrs


def reml_components(unit: np.ndarray, rater: np.ndarray | None, y: np.ndarray, n: int, k: int):
    """REML variance components (s2_target, s2_rater, s2_residual) of the crossed
    random-effects model (``rater=None``: the one-way model, s2_rater = 0).

    -2 l_R = (N - 1) log s2_e + log|G| + log|C| + y'Py / s2_e with G the variance
    ratios and C Henderson's coefficient matrix; s2_e is profiled out and the two log
    ratios are found with L-BFGS-B. The absorbed target block is diagonal with
    d_i = n_i + 1/g_t, so targets with the same number of ratings n_i share one
    factor 1/d_i: their cross-products are summed once, before the optimisation, and
    each likelihood evaluation costs O(distinct n_i * raters^2 + raters^3).
    """
    y = y - y.mean()  # mu is estimated anyway; centring helps conditioning
    big_n = len(y)
    scale = float(y.var()) or 1.0
    y = y / scale ** 0.5
    n_t = np.bincount(unit, minlength=n)
    sum_t = np.bincount(unit, y, n)
    yy = float(y @ y)
    # C_tb: per target, its count (column of mu) and its raters' incidence
    if rater is None:
        ctb = sparse.csr_matrix(n_t[:, None].astype(float))
        cbb0 = np.array([[float(big_n)]])
        rhs_b = np.array([y.sum()])
    else:
        m = sparse.csr_matrix((np.ones(big_n), (unit, rater)), shape=(n, k))
        m.sum_duplicates()
        n_r = np.bincount(rater, minlength=k).astype(float)
        ctb = sparse.hstack([sparse.csr_matrix(n_t[:, None].astype(float)), m]).tocsr()
        cbb0 = np.zeros((k + 1, k + 1))
        cbb0[0, 0] = big_n
        cbb0[0, 1:] = cbb0[1:, 0] = n_r
        cbb0[1:, 1:] = np.diag(n_r)
        rhs_b = np.concatenate([[y.sum()], np.bincount(rater, y, k)])
    sizes, group = np.unique(n_t, return_inverse=True)
    n_groups = len(sizes)
    per_size = np.bincount(group, minlength=n_groups).astype(float)
    a_m, b_m, s_m = [], [], []
    for g in range(n_groups):  # sum over targets of c_i c_i', c_i s_i and s_i^2 per size
        rows = np.flatnonzero(group == g)
        sub, s_sub = ctb[rows], sum_t[rows]
        a_m.append((sub.T @ sub).toarray())
        b_m.append(np.asarray(sub.T @ s_sub).ravel())
        s_m.append(float(s_sub @ s_sub))
    a_m, b_m, s_m = np.array(a_m), np.array(b_m), np.array(s_m)
    sizes = sizes.astype(float)

    def objective(theta):
        g_t = np.exp(theta[0])
        inv_d = 1.0 / (sizes + 1.0 / g_t)
        cbb = cbb0.copy()
        logdet_g = n * theta[0]
        if rater is not None:
            cbb[1:, 1:] += np.eye(k) / np.exp(theta[1])
            logdet_g += k * theta[1]
        schur = cbb - np.tensordot(inv_d, a_m, axes=1)
        rhs = rhs_b - inv_d @ b_m
        try:
            chol = linalg.cho_factor(schur, lower=True, check_finite=False)
        except linalg.LinAlgError:
            return np.inf, np.nan
        b = linalg.cho_solve(chol, rhs, check_finite=False)
        # y'Py = y'y - t'(Z_t'y) - b'(X,Z_r)'y with t_i = (s_i - c_i'b) / d_i
        ypy = yy - float(inv_d @ (s_m - b_m @ b)) - float(b @ rhs_b)
        if ypy <= 0:
            return np.inf, np.nan
        logdet_c = -float(per_size @ np.log(inv_d)) + 2.0 * float(np.log(np.diag(chol[0])).sum())
        return (big_n - 1) * np.log(ypy / (big_n - 1)) + logdet_g + logdet_c, ypy

    dim = 1 if rater is None else 2
    bounds = [(-18.0, 12.0)] * dim
    best = None
    with _single_thread_blas():
        for start in (0.0, -3.0):
            res = optimize.minimize(lambda th: objective(th)[0], np.full(dim, start), method="L-BFGS-B",
                                    bounds=bounds, options={"ftol": 1e-13, "gtol": 1e-9})
            if best is None or res.fun < best.fun:
                best = res
            if (best.x > bounds[0][0] + 1.0).all():
                break  # interior optimum; the second start only guards a flat boundary region
    _, ypy = objective(best.x)
    s_e = ypy / (big_n - 1)
    g = np.exp(best.x)
    # ratios at the lower bound mean a zero component
    g = np.where(best.x <= bounds[0][0] + 1e-6, 0.0, g)
    s_t = g[0] * s_e
    s_r = g[1] * s_e if rater is not None else 0.0
    return float(s_t * scale), float(s_r * scale), float(s_e * scale)


def _single_thread_blas():
    """The REML loop factorises many small (raters x raters) matrices; threaded BLAS
    only adds overhead there and is 10-50x slower on a busy machine."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it BLAS keeps its own threading
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")
