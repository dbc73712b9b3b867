"""Chance-corrected agreement: Fleiss' kappa, Gwet's AC1/AC2, Brennan-Prediger
(one core over the subjects x categories count matrix) and Cohen's kappa (two raters).

The multi-rater core follows Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.,
ch. 2-5, and its R package irrCAC (``fleiss.kappa.raw``, ``gwet.ac1.raw``,
``bp.coeff.raw``): with r_ik raters putting subject i in category k, r_i = sum_k r_ik,
weighted counts r*_ik = sum_l w_kl r_il and n' subjects with r_i >= 2,

    p_a = (1/n') sum_{i: r_i >= 2} sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))
    pi_k = (1/n) sum_i r_ik / r_i
    p_e = sum_kl w_kl pi_k pi_l                      (Fleiss 1971 / Fleiss weighted)
        = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)    (Gwet AC1 / AC2, T_w = sum w_kl)
        = T_w / q^2                                  (Brennan & Prediger 1981)
    coefficient = (p_a - p_e) / (1 - p_e)

and Gwet's linearised variance (subjects as the sample). With every subject rated by
the same number of raters and no weights, Fleiss' p_a and p_e are those of Fleiss (1971).

Weights and the category set: weights are computed over ``categories``; the default
is the categories observed in the data (as R irr and irrCAC do with
``categ.labels = NULL``). Pass the full scale (e.g. ``range(1, 6)``) to weight over
categories nobody used. Numeric categories are weighted by their values
(1 - |k - l| / (max - min), 1 - (k - l)^2 / (max - min)^2), other labels by position.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ._data import long_ratings
from ._result import AgreementResult
from .._params import CONFIDENCE, Column, Frame, Options, validate_params
from ._stats import NAN, normal_ci

WEIGHTS = (None, "unweighted", "linear", "quadratic")
_MULTI = {"data": Frame(), "subjects": Column("data"), "raters": Column("data"), "ratings": Column("data"),
          "weights": Options(WEIGHTS), "confidence": CONFIDENCE}


def categories_and_codes(values: np.ndarray, categories, *, where: str, key: str):
    """The category set (given, or the sorted observed values) and each value's code."""
    if categories is None:
        codes, cats = pd.factorize(values, sort=True)
        return np.asarray(cats), codes
    cats = np.asarray(list(categories))
    if len(pd.unique(cats)) != len(cats):
        raise DataError("categories must be distinct", where=where, key="categories",
                        expected="distinct categories", found=list(cats), zh="给定的类别不能重复")
    codes = pd.Index(cats).get_indexer(values)
    if (codes < 0).any():
        bad = values[np.argmax(codes < 0)]
        raise DataError("a rating is not among the categories", where=where, key=key,
                        expected="one of " + ", ".join(map(str, cats)), found=bad,
                        zh=f"评分 {bad} 不在给定类别（{'、'.join(map(str, cats))}）中")
    return cats, codes


def weight_matrix(categories: np.ndarray, weights) -> np.ndarray:
    """Agreement weights w_kl in [0, 1], w_kk = 1 (identity when unweighted)."""
    q = len(categories)
    if weights in (None, "unweighted"):
        return np.eye(q)
    try:
        x = np.asarray(categories, dtype=float)
    except (TypeError, ValueError):
        x = np.arange(q, dtype=float)  # labels: equally spaced by position
    span = x.max() - x.min()
    if span == 0:
        return np.ones((q, q))
    d = np.abs(np.subtract.outer(x, x)) / span
    return 1.0 - (d if weights == "linear" else d * d)


def _count_matrix(data, subjects, raters, ratings, categories, where):
    r = long_ratings(data, subjects, raters, ratings, where=where, numeric=False)
    cats, codes = categories_and_codes(r.value, categories, where=where, key=ratings)
    q = len(cats)
    counts = np.bincount(r.unit * q + codes, minlength=r.n_units * q).reshape(r.n_units, q)
    return r, cats, counts.astype(float)


def chance_corrected(counts: np.ndarray, w: np.ndarray, kind: str, *, where: str) -> dict:
    """The core: p_a, p_e, coefficient and Gwet's standard error from r_ik counts."""
    counts = counts[counts.sum(axis=1) > 0]
    n, q = counts.shape
    r_i = counts.sum(axis=1)
    two = r_i >= 2
    n2 = int(two.sum())
    if n2 == 0:
        raise DataError("no subject has two or more ratings", where=where,
                        expected="subjects with >= 2 ratings", found="none", zh="没有任何对象获得两个或以上评分")
    weighted = counts @ w.T                      # r*_ik
    den = np.where(two, r_i * (r_i - 1), 1.0)
    pa_i = np.where(two, (counts * (weighted - 1)).sum(axis=1) / den, 0.0)
    pa = pa_i[two].mean()
    pi = (counts / r_i[:, None]).mean(axis=0)
    t_w = w.sum()
    if kind == "fleiss":
        pe = float(pi @ w @ pi)
        pe_i = counts @ ((w @ pi + w.T @ pi) / 2) / r_i
    elif kind == "gwet":
        if q < 2:
            raise DataError("AC1 needs at least two categories", where=where,
                            key="categories", expected=">= 2 categories", found=q,
                            zh=f"AC1 至少需要两个类别，现只有 {q} 个")
        scale = t_w / (q * (q - 1))
        pe = float(scale * (pi * (1 - pi)).sum())
        pe_i = scale * (counts @ (1 - pi)) / r_i
    else:  # brennan-prediger: p_e is fixed, so no linearisation term
        pe = float(t_w / q ** 2)
        pe_i = np.full(n, pe)
    if 1 - pe <= 1e-12:
        raise DataError("chance agreement is 1 (all ratings in one category): the coefficient is undefined",
                        where=where, expected="ratings in >= 2 categories",
                        found=f"{q} category" if q == 1 else "p_e = 1",
                        zh="机遇一致率为 1（所有评分同属一个类别），一致性系数无定义")
    value = (pa - pe) / (1 - pe)
    coef_i = (n / n2) * (pa_i - pe * two) / (1 - pe) - 2 * (1 - value) * (pe_i - pe) / (1 - pe)
    se = float(np.sqrt(((coef_i - value) ** 2).sum() / (n * (n - 1)))) if n > 1 else NAN
    return {"value": float(value), "se": se, "pa": float(pa), "pe": pe, "n": n, "pi": pi}


def _multi_rater(kind, label, data, subjects, raters, ratings, weights, categories, confidence, where):
    r, cats, counts = _count_matrix(data, subjects, raters, ratings, categories, where)
    w = weight_matrix(cats, weights)
    core = chance_corrected(counts, w, kind, where=where)
    lo, hi = normal_ci(core["value"], core["se"], confidence)
    extra = {"pa": core["pa"], "pe": core["pe"], "weights": weights or "unweighted",
             "categories": np.asarray(cats).tolist()}
    return r, cats, counts, core, AgreementResult(core["value"], core["se"], lo, hi, core["n"], r.n_raters,
                                                   label, extra)


@validate_params(_MULTI)
def fleiss_kappa(data: pd.DataFrame, *, subjects: str, raters: str, ratings: str, weights=None,
                 categories=None, confidence: float = 0.95) -> AgreementResult:
    """Fleiss' kappa for many raters on a nominal scale (Fleiss 1971).

    Subjects may be rated by different raters and by different numbers of raters
    (Gwet's generalisation; identical to Fleiss 1971 when every subject has m ratings).
    ``se`` is Gwet's (2014) linearised standard error (no null hypothesis); ``z`` is
    the test of kappa = 0 with the null standard error of Fleiss, Nee & Landis (1979),
    as R irr::kappam.fleiss, defined only when every subject has the same number m
    of ratings (NaN otherwise); ``pval`` is its two-sided p-value.
    ``per_category`` holds Fleiss' (1971) kappa_j = 1 - sum_i x_ij (m_i - x_ij) /
    (sum_i m_i (m_i - 1) p_j q_j) for each category j (the agreement on j beyond chance).
    ``weights`` ("linear"/"quadratic") gives the weighted generalisation (Gwet 2014).

    Example
    -------
    >>> fleiss_kappa(df, subjects="project", raters="judge", ratings="grade").per_category  # doctest: +SKIP
    """
    where = "fleiss_kappa"
    r, cats, counts, core, res = _multi_rater("fleiss", "Fleiss' kappa", data, subjects, raters, ratings,
                                               weights, categories, confidence, where)
    counts = counts[counts.sum(axis=1) > 0]
    m_i = counts.sum(axis=1)
    p = counts.sum(axis=0) / m_i.sum()
    q = 1 - p
    pairs = (m_i * (m_i - 1)).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        kj = 1 - (counts * (m_i[:, None] - counts)).sum(axis=0) / (pairs * p * q)
    z = pval = NAN
    if np.all(m_i == m_i[0]) and weights in (None, "unweighted"):
        n, m = len(m_i), m_i[0]
        s = (p * q).sum()
        se0 = np.sqrt(2 / (s ** 2 * n * m * (m - 1)) * (s ** 2 - (p * q * (q - p)).sum()))
        z = float(core["value"] / se0)
        pval = float(2 * stats.norm.sf(abs(z)))
    extra = dict(res.extra, z=z, pval=pval, per_category=pd.Series(kj, index=pd.Index(cats, name="category"),
                                                                     name="kappa"))
    return AgreementResult(res.value, res.se, res.ci_low, res.ci_high, res.n_units, res.n_raters, res.method,
                           extra)


@validate_params(_MULTI)
def gwet_ac(data: pd.DataFrame, *, subjects: str, raters: str, ratings: str, weights=None, categories=None,
            confidence: float = 0.95) -> AgreementResult:
    """Gwet's AC1 (unweighted) or AC2 (weighted) with its standard error.

    Source: Gwet (2008) Br J Math Stat Psychol 61, 29-48; Gwet (2014) Handbook, ch. 5;
    R irrCAC::gwet.ac1.raw. See the module docstring for ``weights``/``categories``.

    Example
    -------
    >>> gwet_ac(df, subjects="project", raters="judge", ratings="grade", weights="quadratic")  # doctest: +SKIP
    """
    label = "Gwet's AC1" if weights in (None, "unweighted") else f"Gwet's AC2 ({weights})"
    return _multi_rater("gwet", label, data, subjects, raters, ratings, weights, categories, confidence,
                        "gwet_ac")[-1]


@validate_params(_MULTI)
def brennan_prediger(data: pd.DataFrame, *, subjects: str, raters: str, ratings: str, weights=None,
                     categories=None, confidence: float = 0.95) -> AgreementResult:
    """Brennan & Prediger's (1981) coefficient: chance agreement T_w / q^2 (uniform
    categories). Source: Gwet (2014) Handbook ch. 4; R irrCAC::bp.coeff.raw.
    The category count q matters, so pass the full scale as ``categories`` when
    some categories were never used.

    Example
    -------
    >>> brennan_prediger(df, subjects="project", raters="judge", ratings="grade", categories=range(1, 6))  # doctest: +SKIP
    """
    label = "Brennan-Prediger" + ("" if weights in (None, "unweighted") else f" ({weights})")
    return _multi_rater("bp", label, data, subjects, raters, ratings, weights, categories, confidence,
                        "brennan_prediger")[-1]


@validate_params({"weights": Options(WEIGHTS), "confidence": CONFIDENCE})
def cohen_kappa(a, b, weights=None, categories=None, *, confidence: float = 0.95) -> AgreementResult:
    """Cohen's kappa (1960) / weighted kappa (1968) for two raters' paired ratings.

    ``a`` and ``b`` are equal-length sequences (pairs with a missing side are dropped).
    ``se`` is the asymptotic standard error of Fleiss, Cohen & Everitt (1969) (SAS
    PROC FREQ "ASE"), the CI is kappa +- z * se; ``z`` = kappa / se0 with the null
    standard error, and ``pval`` its one-sided p-value (as SAS). Linear weights are
    SAS's default Cicchetti-Allison weights 1 - |i - j| / (max - min).

    Example
    -------
    >>> cohen_kappa(df["judge_a"], df["judge_b"], weights="linear")  # doctest: +SKIP
    """
    where = "cohen_kappa"
    a = pd.Series(np.asarray(a, dtype=object))
    b = pd.Series(np.asarray(b, dtype=object))
    if len(a) != len(b):
        raise DataError("the two raters' ratings must be paired", where=where,
                        expected=f"{len(a)} ratings in b", found=len(b),
                        zh=f"两位评委的评分须一一对应：a 有 {len(a)} 个评分，b 有 {len(b)} 个")
    keep = (a.notna() & b.notna()).to_numpy()
    a, b = a[keep].to_numpy(), b[keep].to_numpy()
    n = len(a)
    if n < 2:
        raise DataError("needs at least two rated pairs", where=where,
                        expected=">= 2 pairs", found=n, zh=f"至少需要两对评分，现有 {n} 对")
    cats, codes = categories_and_codes(np.concatenate([a, b]), categories, where=where, key="ratings")
    q = len(cats)
    table = np.bincount(codes[:n] * q + codes[n:], minlength=q * q).reshape(q, q)
    return _cohen_from_table(table, weight_matrix(cats, weights), weights, confidence, where)


def _cohen_from_table(table: np.ndarray, w: np.ndarray, weights, confidence: float, where: str):
    n = table.sum()
    p = table / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    po = float((w * p).sum())
    pe = float(row @ w @ col)
    if 1 - pe <= 1e-12:
        raise DataError("chance agreement is 1 (both raters used one category): kappa is undefined", where=where,
                        expected="ratings in >= 2 categories", found="p_e = 1",
                        zh="机遇一致率为 1（两位评委都只用了同一个类别），kappa 无定义")
    kappa = (po - pe) / (1 - pe)
    wi = w @ col                    # w-bar_i.
    wj = row @ w                    # w-bar_.j
    spread = w - (wi[:, None] + wj[None, :]) * (1 - kappa)
    var = ((p * spread ** 2).sum() - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    var0 = ((np.outer(row, col) * (w - (wi[:, None] + wj[None, :])) ** 2).sum() - pe ** 2) / (n * (1 - pe) ** 2)
    se, se0 = float(np.sqrt(max(var, 0.0))), float(np.sqrt(max(var0, 0.0)))
    lo, hi = normal_ci(kappa, se, confidence)
    z = kappa / se0 if se0 > 0 else NAN
    label = "Cohen's kappa" if weights in (None, "unweighted") else f"Cohen's weighted kappa ({weights})"
    return AgreementResult(float(kappa), se, lo, hi, int(n), 2, label,
                           {"se0": se0, "z": float(z), "pval": float(stats.norm.sf(z)), "po": po, "pe": pe,
                            "weights": weights or "unweighted", "table": table})
