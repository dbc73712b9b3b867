"""Property tests: evalkit.agreement against the peer packages on random panels
(pingouin for ICC, krippendorff for alpha, statsmodels for Fleiss' and Cohen's kappa,
scipy's Friedman test for Kendall's W, statsmodels MixedLM for the REML components)."""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import krippendorff
import pingouin as pg
from scipy import stats
from statsmodels.stats import inter_rater as ir

from evalkit.agreement import cohen_kappa, fleiss_kappa, icc, kendall_w, krippendorff_alpha, variance_components
from evalkit.agreement.icc import reml_components

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def panels(draw, min_units=3, max_units=12, min_raters=2, max_raters=6, lo=0, hi=10, missing=0.0):
    """A long frame unit x rater with integer ratings in lo..hi, some cells missing."""
    n = draw(st.integers(min_units, max_units))
    k = draw(st.integers(min_raters, max_raters))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    grid = rng.integers(lo, hi + 1, size=(n, k)).astype(float)
    # a shared unit effect so the statistics are not all near zero
    grid = np.clip(grid + rng.integers(-2, 3, size=(n, 1)), lo, hi)
    if missing:
        grid[rng.random((n, k)) < missing] = np.nan
    long = pd.DataFrame({"unit": np.repeat(np.arange(n), k), "rater": np.tile([f"r{j}" for j in range(k)], n),
                         "value": grid.ravel()})
    return grid, long


@SETTINGS
@given(panels())
def test_icc_matches_pingouin(panel):
    grid, long = panel
    assume(np.ptp(grid.mean(axis=1)) > 0 and np.ptp(grid - grid.mean(axis=1, keepdims=True)
                                                    - grid.mean(axis=0) + grid.mean()) > 1e-9)
    ours = icc(long, targets="unit", raters="rater", ratings="value")
    theirs = pg.intraclass_corr(long, targets="unit", raters="rater", ratings="value")
    np.testing.assert_allclose(ours["icc"], theirs["ICC"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours["f"], theirs["F"], rtol=1e-9)
    np.testing.assert_allclose(ours["pval"], theirs["pval"], rtol=1e-7, atol=1e-14)
    ci = np.vstack(theirs["CI95"].to_numpy())
    # pingouin rounds its CI to 2 decimals
    np.testing.assert_allclose(ours["ci_low"], ci[:, 0], atol=0.005 + 1e-9)
    np.testing.assert_allclose(ours["ci_high"], ci[:, 1], atol=0.005 + 1e-9)


@settings(max_examples=10, deadline=None)
@given(st.integers(6, 14), st.integers(3, 5), st.integers(0, 2 ** 32 - 1))
def test_reml_equals_anova_on_complete_designs(n, k, seed):
    # REML = ANOVA (method-of-moments) estimates when those are inside the parameter space
    rng = np.random.default_rng(seed)
    grid = 3 * rng.normal(size=(n, 1)) + 2 * rng.normal(size=(1, k)) + rng.normal(size=(n, k))
    long = pd.DataFrame({"unit": np.repeat(np.arange(n), k), "rater": np.tile(np.arange(k), n),
                         "value": grid.ravel()})
    anova = icc(long, targets="unit", raters="rater", ratings="value")
    ms = variance_components(long, targets="unit", raters="rater", ratings="value")
    assert ms.name == "anova" and anova["n_targets"].eq(n).all() and anova["k"].eq(k).all()
    assume(ms["BMS"] > ms["EMS"] * 1.2 and ms["JMS"] > ms["EMS"] * 1.2 and ms["BMS"] > ms["WMS"] * 1.2)
    reml = icc(long, targets="unit", raters="rater", ratings="value", estimator="reml")
    assert (reml["estimator"] == "reml").all()
    np.testing.assert_allclose(reml["icc"], anova["icc"], atol=1e-5)
    comp = variance_components(long, targets="unit", raters="rater", ratings="value", estimator="reml")
    assert comp["residual"] == pytest.approx(ms["EMS"], rel=1e-5)
    assert comp["target"] == pytest.approx((ms["BMS"] - ms["EMS"]) / k, rel=1e-4)


def test_reml_matches_statsmodels_mixedlm_on_incomplete_design():
    # crossed random effects fitted by statsmodels MixedLM (REML) with one group and
    # variance components for targets and raters
    import statsmodels.formula.api as smf
    rng = np.random.default_rng(11)
    n, k = 25, 6
    t, r = rng.normal(0, 2, n), rng.normal(0, 1, k)
    rows = [(i, j, 50 + t[i] + r[j] + rng.normal(0, 1.5)) for i in range(n) for j in range(k) if rng.random() < 0.7]
    df = pd.DataFrame(rows, columns=["t", "r", "y"])
    df["g"] = 1
    model = smf.mixedlm("y ~ 1", df, groups="g", vc_formula={"t": "0 + C(t)", "r": "0 + C(r)"}, re_formula="0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method="lbfgs")
    vc = dict(zip(model.exog_vc.names, fit.vcomp))
    ours = reml_components(df["t"].to_numpy(), df["r"].to_numpy(), df["y"].to_numpy(float), n, k)
    assert ours[0] == pytest.approx(vc["t"], rel=2e-3)
    assert ours[1] == pytest.approx(vc["r"], rel=2e-3)
    assert ours[2] == pytest.approx(fit.scale, rel=2e-3)
    res = icc(df, targets="t", raters="r", ratings="y")
    assert (res["estimator"] == "reml").all() and res["n_targets"].eq(n).all()
    assert res.set_index("type").loc["ICC2", "icc"] == pytest.approx(ours[0] / sum(ours), rel=1e-12)
    assert res[["f", "pval", "ci_low"]].isna().all().all()


@SETTINGS
@given(panels(missing=0.25, lo=1, hi=6), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_krippendorff_package(panel, level):
    grid, long = panel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = krippendorff.alpha(reliability_data=grid.T, level_of_measurement=level)
        except ValueError:  # the package refuses fewer than two values / no pairable unit
            theirs = np.nan
        try:
            ours = float(krippendorff_alpha(long, level, units="unit", raters="rater", values="value"))
        except Exception as exc:  # noqa: BLE001 - only the typed error is acceptable
            from evalkit.errors import DataError
            assert isinstance(exc, DataError)
            ours = np.nan
    assume(np.isfinite(theirs) and np.isfinite(ours))
    assert ours == pytest.approx(theirs, abs=1e-9)


@SETTINGS
@given(panels(lo=1, hi=4, max_raters=7))
def test_fleiss_matches_statsmodels(panel):
    grid, long = panel
    counts, _ = ir.aggregate_raters(grid.astype(int))
    p = counts.sum(axis=0) / counts.sum()
    assume((p < 1).all())
    ours = fleiss_kappa(long, subjects="unit", raters="rater", ratings="value")
    assert float(ours) == pytest.approx(ir.fleiss_kappa(counts, method="fleiss"), abs=1e-12)


@SETTINGS
@given(st.integers(10, 60), st.integers(0, 2 ** 32 - 1), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_matches_statsmodels(n, seed, weights):
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 5, n)
    b = np.clip(a + rng.integers(-1, 2, n), 1, 4)
    cats = np.arange(1, 5)
    table = pd.crosstab(pd.Categorical(a, cats), pd.Categorical(b, cats), dropna=False).to_numpy()
    assume((table.sum(axis=0) > 0).sum() > 1 and (table.sum(axis=1) > 0).sum() > 1)
    theirs = ir.cohens_kappa(table, wt=weights) if weights else ir.cohens_kappa(table)
    # full scale 1..4 given explicitly = statsmodels' table over the four categories
    ours = cohen_kappa(a, b, weights=weights, categories=cats)
    assert float(ours) == pytest.approx(theirs.kappa, abs=1e-12)
    if weights != "quadratic":  # statsmodels' weighted variance uses SAS's linear weights
        assert ours.se == pytest.approx(theirs.std_kappa, rel=1e-9)
        assert ours.se0 == pytest.approx(theirs.std_kappa0, rel=1e-9)


def test_cohen_weighted_kappa_is_category_set_free_when_weighting_by_value():
    # Observed {1, 2, 3, 4} on a 1..5 scale. Weighted kappa = 1 - sum v p_o / sum v p_e with
    # disagreement weights v, so rescaling v (dividing by 3 = observed range, or by 4 =
    # full range) leaves it unchanged: both conventions agree with statsmodels on the
    # matching table, and with each other. (R irr weights observed levels by position;
    # with gaps in the observed set pass categories= to fix the spacing.)
    a = np.array([1, 2, 2, 3, 3, 4, 4, 1, 2, 3, 4, 3])
    b = np.array([1, 2, 3, 3, 4, 4, 3, 2, 2, 3, 4, 2])
    obs = pd.crosstab(a, b).to_numpy()
    full = np.zeros((5, 5), int)
    full[:4, :4] = obs
    for wt in ("linear", "quadratic"):
        default = cohen_kappa(a, b, weights=wt)
        scale = cohen_kappa(a, b, weights=wt, categories=range(1, 6))
        assert float(default) == pytest.approx(ir.cohens_kappa(obs, wt=wt).kappa, abs=1e-12)
        assert float(scale) == pytest.approx(ir.cohens_kappa(full, wt=wt).kappa, abs=1e-12)
        assert float(default) == pytest.approx(float(scale), abs=1e-12)
    assert default.pe != pytest.approx(scale.pe)  # the agreement weights themselves differ


def _ac2_by_hand(grid, cats):
    """Gwet (2014) eq. for AC2 with quadratic weights over ``cats``, written with loops."""
    q = len(cats)
    span = max(cats) - min(cats)
    w = [[1 - (k - l) ** 2 / span ** 2 for l in cats] for k in cats]
    pa_terms, pi = [], [0.0] * q
    for row in grid:
        vals = [v for v in row if not np.isnan(v)]
        r = len(vals)
        counts = [sum(v == c for v in vals) for c in cats]
        for k in range(q):
            pi[k] += counts[k] / r / len(grid)
        if r >= 2:
            pa_terms.append(sum(counts[k] * (sum(w[k][l] * counts[l] for l in range(q)) - 1)
                                for k in range(q)) / (r * (r - 1)))
    pa = sum(pa_terms) / len(pa_terms)
    pe = sum(map(sum, w)) / (q * (q - 1)) * sum(p * (1 - p) for p in pi)
    return (pa - pe) / (1 - pe)


def test_gwet_ac2_category_conventions():
    # AC2 depends on the category set through q and the weights: default = observed
    # categories (R irrCAC with categ.labels = NULL), full scale via categories=
    from evalkit.agreement import gwet_ac
    grid = np.array([[2, 2, 3], [3, 3, 3], [4, 3, 4], [2, 2, np.nan], [3, 4, 4], [4, 4, 4]], float)
    long = pd.DataFrame({"unit": np.repeat(np.arange(6), 3), "rater": np.tile(["a", "b", "c"], 6),
                         "value": grid.ravel()})
    observed = gwet_ac(long, subjects="unit", raters="rater", ratings="value", weights="quadratic")
    full = gwet_ac(long, subjects="unit", raters="rater", ratings="value", weights="quadratic",
                   categories=range(1, 6))
    assert float(observed) == pytest.approx(_ac2_by_hand(grid, [2, 3, 4]), abs=1e-12)
    assert float(full) == pytest.approx(_ac2_by_hand(grid, [1, 2, 3, 4, 5]), abs=1e-12)
    assert abs(float(observed) - float(full)) > 0.01


@SETTINGS
@given(panels(min_units=3, max_units=8, min_raters=3, max_raters=8, lo=1, hi=5))
def test_kendall_w_matches_friedman(panel):
    # Friedman's chi2 (with scipy's tie correction) equals m (n - 1) W with W tie-corrected
    grid, long = panel
    assume(all(np.ptp(row) > 0 for row in grid.T))
    ours = kendall_w(long, items="unit", raters="rater", ratings="value")
    fried = stats.friedmanchisquare(*grid)
    assert ours.chi2 == pytest.approx(fried.statistic, rel=1e-9)
    assert ours.pval == pytest.approx(fried.pvalue, rel=1e-7)
