"""evalkit.agreement against published values (tests/reference/agreement).

Every case's source is cited at its test; tolerances are the ones stated in the
case's expected.json (half a unit in the last published digit unless stated).
"""
import json

import numpy as np
import pandas as pd
import pytest

from evalkit.agreement import (brennan_prediger, cohen_kappa, fleiss_kappa, gwet_ac, icc, kendall_w,
                               krippendorff_alpha, variance_components)

from conftest import REFERENCE

REF = REFERENCE / "agreement"


def case(name):
    return json.loads((REF / name / "expected.json").read_text())["expected"]


def close(actual, spec, key="value", tol_key="tol"):
    assert actual == pytest.approx(spec[key], abs=spec[tol_key]), (actual, spec[key])


# ---------------------------------------------------------------- ICC
# Shrout & Fleiss (1979) Psychol Bull 86(2) 420-428, Tables 1, 2 and 4; F, p and 95% CI
# as printed by R psych::ICC (man/ICC.Rd) and pinned in pingouin's tests.

@pytest.fixture(scope="module")
def sf_icc():
    long = pd.read_csv(REF / "icc_shrout_fleiss_1979" / "data_long.csv")
    return icc(long, targets="target", raters="judge", ratings="rating").set_index("type")


@pytest.mark.parametrize("form,label", [("ICC1", "ICC(1,1)"), ("ICC2", "ICC(2,1)"), ("ICC3", "ICC(3,1)"),
                                        ("ICC1k", "ICC(1,k)"), ("ICC2k", "ICC(2,k)"), ("ICC3k", "ICC(3,k)")])
def test_icc_shrout_fleiss_1979(sf_icc, form, label):
    spec = case("icc_shrout_fleiss_1979")[label]
    row = sf_icc.loc[form]
    assert row["icc"] == pytest.approx(spec["value"], abs=spec["tol"])
    assert row["f"] == pytest.approx(spec["F"], abs=spec["F_tol"])
    assert (row["df1"], row["df2"]) == (spec["df1"], spec["df2"])
    assert row["pval"] == pytest.approx(spec["p"], abs=spec["p_tol"])
    assert row["ci_low"] == pytest.approx(spec["ci95"][0], abs=spec["ci_tol"])
    assert row["ci_high"] == pytest.approx(spec["ci95"][1], abs=spec["ci_tol"])
    assert row["estimator"] == "anova"


def test_icc_mean_squares_shrout_fleiss_table2():
    long = pd.read_csv(REF / "icc_shrout_fleiss_1979" / "data_long.csv")
    sf_ms = variance_components(long, targets="target", raters="judge", ratings="rating")
    # Shrout & Fleiss (1979) Table 2: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02
    ms = json.loads((REF / "icc_shrout_fleiss_1979" / "expected.json").read_text())["anova_ms"]
    for key, value in ms["values"].items():
        assert sf_ms[key] == pytest.approx(value, abs=ms["tol"])


def test_icc_wide_and_long_files_agree():
    wide = pd.read_csv(REF / "icc_shrout_fleiss_1979" / "data_wide.csv")
    long = wide.melt(id_vars="target", var_name="judge", value_name="rating").sample(frac=1, random_state=3)
    a = icc(long, targets="target", raters="judge", ratings="rating")
    b = icc(pd.read_csv(REF / "icc_shrout_fleiss_1979" / "data_long.csv"), targets="target", raters="judge",
            ratings="rating")
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------- Krippendorff
# Krippendorff (2011) Computing Krippendorff's alpha-reliability, section C (4 coders,
# 12 units, missing data): nominal .743, ordinal .815, interval .849, ratio .797.

@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_2011_example(level):
    wide = pd.read_csv(REF / "krippendorff_2011_4coders" / "data_wide.csv")
    long = wide.melt(id_vars="coder", var_name="unit", value_name="value")
    res = krippendorff_alpha(long, level, units="unit", raters="coder", values="value")
    close(float(res), case("krippendorff_2011_4coders")[f"alpha_{level}"])
    assert res.n_units == 11  # unit 12 has a single value and is not pairable
    assert res.n_pairable == 40
    assert np.isnan(res.se) and np.isnan(res.ci_low)


def test_krippendorff_bootstrap_ci_covers_estimate():
    wide = pd.read_csv(REF / "krippendorff_2011_4coders" / "data_wide.csv")
    long = wide.melt(id_vars="coder", var_name="unit", value_name="value")
    a = krippendorff_alpha(long, "interval", units="unit", raters="coder", values="value", n_boot=400, seed=7)
    b = krippendorff_alpha(long, "interval", units="unit", raters="coder", values="value", n_boot=400, seed=7)
    assert a.ci_low < float(a) < a.ci_high <= 1.0
    assert 0.05 < a.se < 0.4  # irrCAC's jackknife-type SE on these data is 0.146 (nominal)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)  # seeded


# ---------------------------------------------------------------- Fleiss 1971

@pytest.fixture(scope="module")
def diagnoses():
    wide = pd.read_csv(REF / "fleiss_1971_diagnoses" / "data_wide.csv")
    return wide.melt(id_vars="subject", var_name="slot", value_name="diagnosis")


def test_fleiss_1971_kappa_and_z(diagnoses):
    # Fleiss (1971) kappa = .430; R irr::kappam.fleiss(diagnoses): 0.4302445, z = 17.65183
    exp = case("fleiss_1971_diagnoses")
    res = fleiss_kappa(diagnoses, subjects="subject", raters="slot", ratings="diagnosis")
    close(float(res), exp["kappa_fleiss"])
    close(float(res), exp["kappa_fleiss_published_3dp"])
    close(res.z, exp["z_fleiss"])
    assert res.pval < 1e-60
    assert (res.n_units, res.n_raters) == (30, 6)
    # statsmodels test_aggregate_raters: category totals 26, 26, 30, 55, 43
    counts = diagnoses["diagnosis"].value_counts().sort_index().tolist()
    assert counts == exp["category_counts"]["value"]


def test_fleiss_1971_per_category(diagnoses):
    # The reference marks these "recalled value, verify". We verified them by computing
    # Fleiss' (1971) eq. for kappa_j in its original form, kappa_j = (P_j - p_j) / (1 - p_j)
    # with P_j = sum_i n_ij (n_ij - 1) / (N n (n - 1) p_j), independently here: the formula
    # gives 0.2448, 0.2448, 0.5200, 0.4711, 0.5661, which agree with the recalled
    # .245, .245, .520, .471, .566 to the stated tolerance (R irr::kappam.fleiss(detail=TRUE)
    # uses the same algebra in the form 1 - sum n_ij (n - n_ij) / (N n (n - 1) p_j q_j)).
    exp = case("fleiss_1971_diagnoses")
    res = fleiss_kappa(diagnoses, subjects="subject", raters="slot", ratings="diagnosis")
    table = pd.crosstab(diagnoses["subject"], diagnoses["diagnosis"]).to_numpy(float)
    n_sub, m = table.shape[0], 6
    p = table.sum(axis=0) / (n_sub * m)
    p_j = (table * (table - 1)).sum(axis=0) / (n_sub * m * (m - 1) * p)
    independent = (p_j - p) / (1 - p)
    np.testing.assert_allclose(res.per_category.to_numpy(), independent, rtol=1e-12)
    keys = ["1_depression", "2_personality", "3_schizophrenia", "4_neurosis", "5_other"]
    for cat, key in zip([1, 2, 3, 4, 5], keys):
        close(res.per_category.loc[cat], exp[f"kappa_category_{key}"])
    # overall kappa is the p_j q_j weighted mean of the kappa_j (Fleiss 1971)
    q = 1 - p
    assert float(res) == pytest.approx((p * q * independent).sum() / (p * q).sum(), abs=1e-12)


# ---------------------------------------------------------------- Gwet / irrCAC
# Gwet, irrCAC R package 1.0 vignettes 'overview' and 'weighting' (cac.raw4raters);
# Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed.

@pytest.fixture(scope="module")
def raw4():
    wide = pd.read_csv(REF / "irrcac_raw4raters" / "data_wide.csv")
    wide["unit"] = np.arange(len(wide))
    return wide.melt(id_vars="unit", var_name="rater", value_name="rating")


@pytest.mark.parametrize("func,key", [(gwet_ac, "gwet_ac1"), (fleiss_kappa, "fleiss_kappa"),
                                      (brennan_prediger, "brennan_prediger")])
def test_irrcac_unweighted_with_se(raw4, func, key):
    spec = case("irrcac_raw4raters")
    res = func(raw4, subjects="unit", raters="rater", ratings="rating")
    close(float(res), spec[key])
    assert res.se == pytest.approx(spec[key]["se"], abs=5e-6)
    close(res.pa, spec["percent_agreement"])
    assert res.n_units == 12


@pytest.mark.parametrize("func,key", [(gwet_ac, "gwet_ac2_quadratic"), (fleiss_kappa, "fleiss_kappa_quadratic"),
                                      (brennan_prediger, "brennan_prediger_quadratic")])
def test_irrcac_quadratic(raw4, func, key):
    # irrCAC uses quadratic weights over categories 1..5 (the full scale, here also the
    # observed set): both conventions give the published value on these data
    spec = case("irrcac_raw4raters")
    for cats in (None, range(1, 6)):
        res = func(raw4, subjects="unit", raters="rater", ratings="rating", weights="quadratic", categories=cats)
        close(float(res), spec[key])
        close(res.pa, spec["percent_agreement_quadratic"])


def test_irrcac_krippendorff_alpha(raw4):
    # irrCAC krippen.alpha.raw: 0.74342 unweighted, 0.84911 quadratic (= interval alpha)
    spec = case("irrcac_raw4raters")
    nominal = krippendorff_alpha(raw4, "nominal", units="unit", raters="rater", values="rating")
    interval = krippendorff_alpha(raw4, "interval", units="unit", raters="rater", values="rating")
    close(float(nominal), spec["krippendorff_alpha_nominal"])
    close(float(interval), spec["krippendorff_alpha_quadratic"])


def test_full_scale_categories_change_brennan_prediger(raw4):
    # BP's chance agreement is 1/q: over the full 1..7 scale (q = 7) instead of the five
    # observed categories, p_e = 1/7 and BP = (p_a - 1/7) / (1 - 1/7)
    pa = case("irrcac_raw4raters")["percent_agreement"]["value"]
    res = brennan_prediger(raw4, subjects="unit", raters="rater", ratings="rating", categories=range(1, 8))
    assert float(res) == pytest.approx((pa - 1 / 7) / (1 - 1 / 7), abs=1e-6)
    assert res.pe == pytest.approx(1 / 7)


# ---------------------------------------------------------------- Cohen / SAS
# SAS PROC FREQ AGREE printout (3x3 table, n = 19) as reproduced in statsmodels
# statsmodels/stats/tests/test_inter_rater.py (UnweightedCohens, TestWeightedCohens).

def _pairs_from_table(table):
    q = table.shape[0]
    a = np.repeat(np.repeat(np.arange(q), q), table.ravel())
    b = np.repeat(np.tile(np.arange(q), q), table.ravel())
    return a, b


@pytest.mark.parametrize("weights,key", [(None, "kappa"), ("linear", "kappa_linear")])
def test_cohen_kappa_sas(weights, key):
    table = pd.read_csv(REF / "cohen_kappa_sas_3x3" / "contingency.csv", index_col=0).to_numpy()
    spec = case("cohen_kappa_sas_3x3")[key]
    res = cohen_kappa(*_pairs_from_table(table), weights=weights)
    close(float(res), spec)
    assert res.se == pytest.approx(spec["ase"], abs=5e-5)
    assert res.ci_low == pytest.approx(spec["ci95"][0], abs=5e-5)
    assert res.ci_high == pytest.approx(spec["ci95"][1], abs=5e-5)
    assert res.se0 == pytest.approx(spec["ase_h0"], abs=5e-5)
    assert res.z == pytest.approx(spec["z"], abs=5e-5)
    assert res.n_units == 19


# ---------------------------------------------------------------- Kendall
# ProofWiki, Kendall's Coefficient of Concordance / Examples / Arbitrary Example 1: W = 1/16, S = 2.

def test_kendall_w_proofwiki():
    wide = pd.read_csv(REF / "kendall_w_proofwiki_noties" / "ranks_wide.csv")
    long = wide.melt(id_vars="competitor", var_name="judge", value_name="rank")
    spec = case("kendall_w_proofwiki_noties")
    for correct in (True, False):  # no ties: the correction changes nothing
        res = kendall_w(long, items="competitor", raters="judge", ratings="rank", correct_ties=correct)
        close(float(res), spec["kendall_w"])
        close(res.S, spec["S"])
    assert res.df == 2
    assert res.chi2 == pytest.approx(4 * 2 * 0.0625)
