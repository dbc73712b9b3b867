"""research analyses on data with a planted answer (evalkit.research.simulate_contests)."""
import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import DataError
from evalkit.research import (counterfactual, judge_effects, judge_stability, predictive_validity, rank_stability,
                              simulate_contests)


@pytest.fixture(scope="module")
def planted():
    return simulate_contests(3, 4, severe={"JR03": 1.5, "JR05": -1.2}, drift_sd=0.05, link=1.5, seed=7)


def test_judge_effects_recover_planted_severity(planted):
    cs, truth = planted
    je = judge_effects(cs.scores, cs.rubric, contests=cs.contests)
    overall = je[je["period"] == "all"].set_index("judge")
    true = truth.judges.groupby("judge")["severity"].mean().reindex(overall.index)
    # one SD of quality = SPREAD = 10% of the scale = 10 points of the 100-point total
    slope = np.polyfit(true, overall["severity"], 1)[0]
    assert 8.5 < slope < 11.5
    assert np.corrcoef(true, overall["severity"])[0, 1] > 0.95
    assert overall["severity"].idxmax() == "JR03" and overall["severity"].idxmin() == "JR05"
    # severity is centred: mean over judges 0
    assert overall["severity"].mean() == pytest.approx(0, abs=1e-8)
    # stable severities (drift 0.05) correlate strongly from year to year
    stab = judge_stability(je)
    assert set(je["period"]) == {"all", "2021", "2022", "2023", "2024"}
    assert len(stab) == 6 and (stab["pearson"] > 0.8).all()


def test_judge_effects_instability_is_seen():
    cs, _ = simulate_contests(3, 3, severity_sd=0.1, drift_sd=1.0, seed=3)
    stab = judge_stability(judge_effects(cs.scores, cs.rubric, contests=cs.contests))
    # a yearly step of 1 SD (10 points) swamps a 0.1 SD lasting severity
    assert stab["pearson"].mean() < 0.8


def test_judge_effects_exact_on_additive_data():
    # totals exactly project + judge effects: the fit returns the planted effects
    rng = np.random.default_rng(0)
    rows = []
    lenient = {"A": 3.0, "B": 0.0, "C": -3.0, "D": 1.0}
    for c in range(4):
        judges = list(lenient) if c % 2 == 0 else ["A", "B", "D"]
        for p in range(6):
            q = rng.normal(60, 8)
            rows += [{"contest": f"c{c}", "judge": j, "project": f"p{p}", "score": q + lenient[j]} for j in judges]
    je = judge_effects(pd.DataFrame(rows), year=None).set_index("judge")
    want = -(pd.Series(lenient) - np.mean(list(lenient.values())))
    assert np.allclose(je["severity"], want.reindex(je.index), atol=1e-6)


def test_predictive_validity_planted_link(planted):
    cs, _ = planted
    pv = predictive_validity(cs.scores, cs.outcomes, cs.rubric, methods=("trimmed", "additive"), n_boot=200, seed=1)
    assert set(pv["outcome"]) == {"monthly", "year_end"} and set(pv["method"]) == {"trimmed", "additive"}
    assert (pv["ci_low"] > 0.2).all() and (pv["rho"] > 0.5).all()
    assert ((pv["ci_low"] <= pv["rho"]) & (pv["rho"] <= pv["ci_high"])).all()


def test_predictive_validity_no_link_covers_zero():
    cs, _ = simulate_contests(3, 3, link=0.0, seed=11)
    pv = predictive_validity(cs.scores, cs.outcomes, cs.rubric, methods="mean", n_boot=300, seed=2)
    assert ((pv["ci_low"] < 0) & (pv["ci_high"] > 0)).all()
    assert (pv["rho"].abs() < 0.25).all()


def test_spearman_matches_scipy():
    from scipy import stats
    from evalkit.research.validity import _spearman
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=50), np.round(rng.normal(size=50), 1)
    assert _spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


def test_counterfactual_reproduces_the_awards(planted):
    cs, _ = planted
    # the simulator awarded by the rubric's rule (trimmed) down the ranking: no change
    cf = counterfactual(cs.scores, cs.projects, cs.rubric, methods=("trimmed", "zscore"), rules="greedy",
                        contests=cs.contests)
    same = cf[cf["method"] == "trimmed"]
    assert (same["n_changed"] == 0).all() and (same["money_moved"] == 0).all()
    assert len(cf) == 2 * len(cs.contests)
    assert (cf["n_gained"] + cf["n_lost"] == cf["n_changed"]).all()


def test_counterfactual_hand_case():
    # A: 80 80 10 (trimmed 80, mean 56.7); B: 60 60 60 -> trimmed funds A, mean funds B
    rows = [("A", "j1", 80), ("A", "j2", 80), ("A", "j3", 10), ("B", "j1", 60), ("B", "j2", 60), ("B", "j3", 60)]
    scores = pd.DataFrame(rows, columns=["project", "judge", "score"]).assign(contest="x")
    projects = pd.DataFrame({"contest": "x", "project": ["A", "B"], "requested": [100, 100]})
    cf = counterfactual(scores, projects, methods="mean", rules=("greedy", "optimal"), budget=100,
                        baseline=("trimmed", "greedy"))
    assert list(cf["n_changed"]) == [2, 2] and list(cf["money_moved"]) == [100, 100]
    s = counterfactual(scores, projects, methods="mean", rules="greedy", budget={"x": 100},
                       baseline=("trimmed", "greedy"), summary=True)
    assert s.loc[0, "contests_changed"] == 1 and s.loc[0, "share_moved"] == pytest.approx(1.0)
    with pytest.raises(DataError, match="budget"):
        counterfactual(scores, projects, methods="mean", budget={"y": 1})


def test_rank_stability_analytic_probability():
    # A: 60 60 60; B: 70 50 50 (mean 56.7). B outranks A in a resample iff judge 1 is drawn
    # at least twice of three: P = 3 (1/3)^2 (2/3) + (1/3)^3 = 7/27
    rows = [("A", "j1", 60), ("A", "j2", 60), ("A", "j3", 60), ("B", "j1", 70), ("B", "j2", 50), ("B", "j3", 50)]
    scores = pd.DataFrame(rows, columns=["project", "judge", "score"])
    rs = rank_stability(scores, method="mean", bands=(1,), n_boot=4000, seed=5)
    p = rs.set_index(["project", "band"])["probability"]
    assert p[("B", "1")] == pytest.approx(7 / 27, abs=0.03)
    assert p[("A", "1")] + p[("B", "1")] == pytest.approx(1.0)


def test_rank_stability_separated_projects_are_certain(planted):
    cs, _ = planted
    one = cs.scores[cs.scores["contest"] == cs.contests["contest"].iloc[0]]
    rs = rank_stability(one, cs.rubric, n_boot=100, seed=1)
    sums = rs.groupby("project")["probability"].sum()
    assert np.allclose(sums, 1.0)
    assert ((rs["rank_low"] <= rs["rank"]) & (rs["rank"] <= rs["rank_high"])).all()
    # several contests at once, and a model method through ek.rank
    many = rank_stability(cs.scores[cs.scores["contest"].isin(cs.contests["contest"][:2])], cs.rubric,
                          method="additive", n_boot=20, contest="contest", seed=1)
    assert many["contest"].nunique() == 2


def test_rank_stability_strong_signal():
    sim = ek.simulate.panel(8, 7, 4, severity_sd=0.0, noise_sd=0.01, halo=0.0, scale_sd=0.0, decimals=3, seed=2)
    # almost no judge noise: the observed band comes back nearly every time
    rs = rank_stability(sim.scores, sim.rubric, bands=(3,), n_boot=100, seed=1)
    obs = rs[rs.apply(lambda r: (r["rank"] <= 3) == (r["band"] == "1-3"), axis=1)]
    assert (obs["probability"] > 0.9).mean() > 0.7


def test_judge_totals_match_the_rubric_totals():
    from evalkit.research._common import judge_totals
    from conftest import DATA
    c = ek.load_contest(DATA / "demo-huaihe")
    mine = judge_totals(c.scores, c.rubric, contest=None).set_index(["judge", "project"])["total"].sort_index()
    want = ek.totals(c.scores, c.rubric).set_index(["judge", "project"])["total"].sort_index()
    pd.testing.assert_series_equal(mine, want, check_exact=False, rtol=1e-12)
    bad = c.scores.copy()
    bad.loc[5, "judge"] = None
    with pytest.raises(DataError, match="row 7"):
        judge_totals(bad, c.rubric, contest=None)
