"""Per-judge diagnostics (judges) and the live outlier check (outliers)."""
import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.agreement import judges, outliers
from evalkit.errors import DataError

RUBRIC = ek.load_rubric("rubrics/gongyi-chuangtou.yaml")


def long_scores(fractions: np.ndarray, judges_=None, projects=None) -> pd.DataFrame:
    """Scores from a projects x judges x criteria array of fractions of each scale;
    NaN leaves a judge-project pair out."""
    n_p, n_j, _ = fractions.shape
    judges_ = judges_ or [f"J{j + 1}" for j in range(n_j)]
    projects = projects or [f"P{p + 1:02d}" for p in range(n_p)]
    rows = []
    for p in range(n_p):
        for j in range(n_j):
            for c, crit in enumerate(RUBRIC.criteria):
                f = fractions[p, j, c]
                if not np.isnan(f):
                    rows.append((judges_[j], projects[p], crit.id, round(crit.min + f * (crit.max - crit.min), 4)))
    return pd.DataFrame(rows, columns=["judge", "project", "criterion", "score"])


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(5)
    n_p, n_j, n_c = 15, 6, len(RUBRIC.criteria)
    quality = rng.uniform(0.3, 0.9, size=(n_p, 1, 1))
    frac = np.clip(quality + rng.normal(0, 0.2, size=(n_p, n_j, n_c)), 0, 1)
    frac[:, 1, :] = np.clip(frac[:, 1, :] - 0.25, 0, 1)        # J2 is harsh
    frac[:, 4, :] = rng.uniform(0.2, 0.9, size=(n_p, 1))       # J5: one impression for all criteria
    frac[[0, 3], 5, :] = np.nan                                 # J6 skipped two projects
    return long_scores(frac)


def test_columns_and_counts(panel):
    res = judges(panel, RUBRIC)
    assert list(res.columns) == ["judge", "n_projects", "mean_total", "severity", "severity_se", "severity_z",
                                 "spread", "loo_spearman", "halo", "top_k_changes", "flags", "top_k", "by_panel",
                                 "flag_codes"]
    assert res["n_projects"].tolist() == [15, 15, 15, 15, 15, 13]
    assert res["top_k"].eq(5).all()


def test_severity_and_loo_against_direct_computation(panel):
    res = judges(panel, RUBRIC).set_index("judge")
    tot = ek.totals(panel, RUBRIC).pivot(index="project", columns="judge", values="total")
    for j in tot.columns:
        mine = tot[j].dropna()
        others = tot.drop(columns=j).loc[mine.index].mean(axis=1)
        d = others - mine                 # positive = below the others: harsh
        assert res.loc[j, "severity"] == pytest.approx(d.mean(), abs=1e-10)
        assert res.loc[j, "severity_se"] == pytest.approx(d.std(ddof=1) / np.sqrt(len(d)), abs=1e-10)
        assert res.loc[j, "loo_spearman"] == pytest.approx(mine.corr(others, method="spearman"), abs=1e-10)
        assert res.loc[j, "mean_total"] == pytest.approx(mine.mean(), abs=1e-10)
    sds = tot.std(ddof=1)
    np.testing.assert_allclose(res["spread"], (sds / np.sqrt((sds ** 2).mean())).to_numpy(), atol=1e-12)


def test_harsh_judge_and_halo_are_flagged(panel):
    res = judges(panel, RUBRIC).set_index("judge")
    assert res.loc["J2", "severity"] > 15
    assert "偏严 harsh" in res.loc["J2", "flags"] and "(rule |z|>2)" in res.loc["J2", "flags"]
    assert res["halo"].idxmax() == "J5" and res.loc["J5", "halo"] > 0.3
    assert "光环效应 halo" in res.loc["J5", "flags"]
    assert "halo" not in res.loc["J1", "flags"]


def test_halo_against_direct_computation(panel):
    res = judges(panel, RUBRIC).set_index("judge")
    crit = RUBRIC.criterion_ids
    raw = {}
    for j, g in panel.groupby("judge"):
        corr = g.pivot(index="project", columns="criterion", values="score")[crit].corr().to_numpy()
        raw[j] = corr[np.triu_indices(len(crit), 1)].mean()
    for j in raw:
        others = np.mean([v for k, v in raw.items() if k != j])
        assert res.loc[j, "halo"] == pytest.approx(raw[j] - others, abs=1e-10)


def test_top_k_changes_counts_positions():
    # totals of two projects by five judges under the rubric's rule (trimmed mean, trim 1).
    # P1: 80 from everyone. P2: 79, 79, 80, 90, 95 -> drop 79 and 95 -> 83, first.
    # Without J4: 79, 79, 80, 95 -> 79.5, second (positions 1 and 2 change); same without
    # J5; without J1, J2 or J3 P2 stays first (85, 85, 84.5).
    totals = np.array([[80, 80, 80, 80, 80],
                       [79, 79, 80, 90, 95],
                       [50, 50, 50, 50, 50]]) / 100
    frac = np.repeat(totals[:, :, None], len(RUBRIC.criteria), axis=2)
    res = judges(long_scores(frac), RUBRIC, k=2).set_index("judge")
    assert res["top_k_changes"].tolist() == [0, 0, 0, 2, 2]
    assert "影响前2名" in res.loc["J5", "flags"] and "影响前" not in res.loc["J1", "flags"]
    assert judges(long_scores(frac), RUBRIC, k=1)["top_k_changes"].tolist() == [0, 0, 0, 1, 1]


def test_rounds_are_separate_units(panel):
    two = pd.concat([panel.assign(round="semi"), panel.assign(round="final")])
    res = judges(two, RUBRIC)
    assert res["n_projects"].tolist() == [30, 30, 30, 30, 30, 26]
    one = judges(panel, RUBRIC)
    np.testing.assert_allclose(res["severity"], one["severity"], atol=1e-10)


def test_judges_bad_input():
    with pytest.raises(DataError):
        judges(pd.DataFrame({"judge": [], "project": []}), RUBRIC)
    with pytest.raises(DataError, match="no judge has a complete"):
        judges(pd.DataFrame({"judge": ["A"], "project": ["P"], "criterion": ["need"], "score": [3.0]}), RUBRIC)
    frac = np.full((4, 3, len(RUBRIC.criteria)), 0.5)
    with pytest.raises(DataError, match="threshold"):
        judges(long_scores(frac), RUBRIC, thresholds={"severity": 3})
    with pytest.raises(DataError):
        judges(long_scores(frac), RUBRIC, k=10)


def test_outliers_modified_z():
    # Iglewicz & Hoaglin (1993): z = 0.6745 (x - median) / MAD; here median 80, MAD 1
    f = pd.DataFrame({"judge": list("ABCDE"), "total": [81, 79, 80, 82, 45]})
    res = outliers(f)
    np.testing.assert_allclose(res["robust_z"], 0.6745 * (f["total"] - 80) / 1.0)
    assert res["is_outlier"].tolist() == [False, False, False, False, True]
    assert res["scale"].eq("mad").all()
    assert outliers(f, threshold=40)["is_outlier"].sum() == 0


def test_outliers_mad_zero_fallback_and_constant():
    # more than half agree exactly: MAD = 0, mean absolute deviation 20/5 = 4
    f = pd.DataFrame({"judge": list("ABCDE"), "total": [80, 80, 80, 80, 60]})
    res = outliers(f)
    assert res["scale"].eq("meanad").all()
    assert res["robust_z"].iloc[4] == pytest.approx(-20 / (1.253314 * 4))
    assert res["is_outlier"].tolist() == [False] * 4 + [True]
    same = outliers(pd.DataFrame({"judge": list("AB"), "total": [70.0, 70.0]}))
    assert same["robust_z"].tolist() == [0.0, 0.0] and not same["is_outlier"].any()
    gap = outliers(pd.DataFrame({"judge": list("ABC"), "total": [70.0, np.nan, 71.0]}))
    assert np.isnan(gap["robust_z"].iloc[1]) and not gap["is_outlier"].iloc[1]


def test_outliers_custom_columns_and_missing_column():
    f = pd.DataFrame({"who": ["a", "b", "c", "d"], "pts": [8.1, 8.0, 7.9, 2.0]})
    res = outliers(f, judge="who", value="pts")
    assert list(res.columns) == ["who", "pts", "robust_z", "is_outlier", "scale"]
    assert res["is_outlier"].tolist() == [False, False, False, True]
    with pytest.raises(DataError, match="argument 'judge' must be a column of scores"):
        outliers(f)
    with pytest.raises(DataError, match="argument 'value' must be a column of scores"):
        outliers(f, judge="who")


def test_demo_contest_runs_and_flags_known_severity():
    contest = ek.load_contest("data/demo-huaihe")
    res = judges(contest.scores, contest.rubric).set_index("judge")
    assert res["n_projects"].min() >= 19
    truth = pd.read_csv("data/demo-huaihe/truth.csv")
    sev = truth[truth["kind"] == "judge_severity"].set_index("id")["value"]
    # truth.csv writes severity as evalkit does (positive = harsh): the simulated
    # severities order the judges as the estimates do, J5 harshest and J2 most lenient
    assert pd.Series(res["severity"]).corr(sev.reindex(res.index), method="spearman") > 0.8
    assert sev.idxmax() == "J5" and sev.idxmin() == "J2"
    assert res["severity"].idxmax() == "J5" and res["severity"].idxmin() == "J2"


def test_panels_are_compared_within_themselves(panel):
    # J4..J6 form a "public" panel that is 10 points more generous by design: within
    # panels nobody in it is lenient; against everyone they are
    two = panel.assign(panel=panel["judge"].map(lambda j: "public" if j in ("J4", "J5", "J6") else "expert"))
    pub = two["panel"] == "public"
    two.loc[pub, "score"] = two.loc[pub, "score"] * 0.8 + two.loc[pub, "criterion"].map(
        {c.id: 0.2 * c.max for c in RUBRIC.criteria})
    within = judges(two, RUBRIC).set_index("judge")
    pooled = judges(two, RUBRIC, by_panel=False).set_index("judge")
    assert within["by_panel"].all() and not pooled["by_panel"].any()
    assert (pooled.loc[["J4", "J6"], "severity"] < -5).all()          # lenient: negative
    tot = ek.totals(two, RUBRIC).pivot(index="project", columns="judge", values="total")
    public = tot[["J4", "J5", "J6"]]
    d = (public[["J5", "J6"]].mean(axis=1) - public["J4"]).dropna()
    assert within.loc["J4", "severity"] == pytest.approx(d.mean(), abs=1e-10)
    assert within["top_k_changes"].tolist() == pooled["top_k_changes"].tolist()
