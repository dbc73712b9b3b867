"""decision_study: G-theory D study with planted variance components."""
import math

import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import DataError
from evalkit.research import decision_study


def _pj(n_p, n_j, vp, vj, ve, seed):
    rng = np.random.default_rng(seed)
    p = rng.normal(0, math.sqrt(vp), n_p)
    j = rng.normal(0, math.sqrt(vj), n_j)
    y = 50 + p[:, None] + j[None, :] + rng.normal(0, math.sqrt(ve), (n_p, n_j))
    return pd.DataFrame({"project": np.repeat([f"P{i}" for i in range(n_p)], n_j),
                         "judge": np.tile([f"J{i}" for i in range(n_j)], n_p), "score": y.ravel()})


def test_planted_components_and_judges_needed():
    # sigma2_p = 4, sigma2_j = 1, sigma2_e = 6: E rho^2(n) = 4/(4+6/n) >= .8 needs n = 6;
    # Phi(n) = 4/(4+7/n) >= .8 needs n = 7 (Brennan 2001 eq. 4.7 / 4.9)
    df = _pj(400, 40, 4.0, 1.0, 6.0, seed=3)
    ds = decision_study(df).set_index("decision")
    assert ds.loc["relative", "var_project"] == pytest.approx(4.0, rel=0.2)
    assert ds.loc["relative", "var_judge"] == pytest.approx(1.0, rel=0.5)
    assert ds.loc["relative", "var_residual"] == pytest.approx(6.0, rel=0.05)
    assert ds.loc["relative", "judges_needed"] in (5, 6, 7)
    assert ds.loc["absolute", "judges_needed"] in (6, 7, 8)
    # the formula on the estimated components, exactly
    c = ds.loc["relative"]
    assert ds.loc["relative", "judges_needed"] == math.ceil(4 * c.var_residual / c.var_project)
    assert ds.loc["absolute", "judges_needed"] == math.ceil(4 * (c.var_residual + c.var_judge) / c.var_project)
    assert ds.loc["relative", "coefficient"] == pytest.approx(c.var_project / (c.var_project + c.var_residual / 40))


def test_agrees_with_spearman_brown_from_icc():
    df = _pj(25, 6, 3.0, 2.0, 4.0, seed=8)
    ds = decision_study(df, target=0.9).set_index("decision")
    icc = ek.agreement.icc(df, targets="project", raters="judge", ratings="score").set_index("type")["icc"]
    # E rho^2 at the panel size is ICC3k, Phi is ICC2k (Shrout & Fleiss 1979; Brennan 2001 sec. 4.5)
    assert ds.loc["relative", "coefficient"] == pytest.approx(icc["ICC3k"], abs=1e-10)
    assert ds.loc["absolute", "coefficient"] == pytest.approx(icc["ICC2k"], abs=1e-10)
    # Spearman-Brown: n = target (1 - icc) / (icc (1 - target)), rounded up
    for decision, form in (("relative", "ICC3"), ("absolute", "ICC2")):
        r = icc[form]
        assert ds.loc[decision, "judges_needed"] == math.ceil(0.9 * (1 - r) / (r * 0.1) - 1e-9)


def test_criteria_composite_equals_totals_design():
    # every component of the p x j x c model planted positive, so none is truncated at 0
    rng = np.random.default_rng(5)
    n_p, n_j, rub = 30, 6, ek.simulate.make_rubric(4, decimals=3)
    eff = [rng.normal(0, s, shape) for s, shape in ((1.5, (n_p, 1, 1)), (1.5, (1, n_j, 1)), (0.5, (1, 1, 4)),
                                                  (0.6, (n_p, n_j, 1)), (0.6, (n_p, 1, 4)), (0.6, (1, n_j, 4)),
                                                  (0.8, (n_p, n_j, 4)))]
    y = np.clip(5 + sum(eff), 0, 10)
    scores = pd.DataFrame({"project": np.repeat([f"P{i:02d}" for i in range(n_p)], n_j * 4),
                           "judge": np.tile(np.repeat([f"J{i}" for i in range(n_j)], 4), n_p),
                           "criterion": np.tile(rub.criterion_ids, n_p * n_j), "score": y.ravel()})
    ds = decision_study(scores, rub)
    assert set(ds["criterion"]) == {"total", *rub.criterion_ids}
    comp = ds[ds.criterion == "total"].set_index("decision")
    assert (comp["design"] == "p x j x c").all()
    assert (comp[["var_judge", "var_judge_criterion", "var_project_criterion", "var_project_judge"]] > 0).all().all()
    sh = scores.assign(share=scores["criterion"].map(rub.weights) * scores["score"] / 10)
    tot = sh.groupby(["judge", "project"], as_index=False)["share"].sum()
    flat = decision_study(tot, value="share").set_index("decision")
    # criteria fixed: the p x j x c D study is the p x j study of the composite (Brennan 2001 sec. 4.4)
    for d in ("relative", "absolute"):
        assert comp.loc[d, "coefficient"] == pytest.approx(flat.loc[d, "coefficient"], rel=1e-9)
        assert comp.loc[d, "judges_needed"] == flat.loc[d, "judges_needed"]


def test_incomplete_design_uses_reml():
    df = _pj(120, 12, 4.0, 1.0, 3.0, seed=11)
    keep = np.random.default_rng(0).random(len(df)) < 0.6
    ds = decision_study(df[keep])
    assert (ds["estimator"] == "reml").all()
    assert ds["var_project"].iloc[0] == pytest.approx(4.0, rel=0.3)
    assert ds["n_judges"].iloc[0] < 12


def test_bad_input():
    df = _pj(5, 3, 1, 1, 1, seed=1)
    with pytest.raises(DataError, match="target"):
        decision_study(df, target=1.5)
    with pytest.raises(DataError, match="argument .value. must be a column of scores"):
        decision_study(df.drop(columns="score"))
    bad = df.astype({"score": object})
    bad.loc[2, "score"] = "x"
    with pytest.raises(DataError) as e:
        decision_study(bad)
    assert "row 4" in str(e.value)


def test_coefficients_at_other_panel_sizes():
    df = _pj(25, 6, 3.0, 2.0, 4.0, seed=8)
    ds = decision_study(df, n_judges=range(1, 11))
    rel = ds[ds.decision == "relative"].set_index("n_judges")["coefficient"]
    icc = ek.agreement.icc(df, targets="project", raters="judge", ratings="score").set_index("type")["icc"]
    assert rel[1] == pytest.approx(icc["ICC3"], abs=1e-10)          # one judge: the single-rater ICC
    assert rel.is_monotonic_increasing and len(ds) == 20
    need = int(ds["judges_needed"].iloc[0])
    assert rel[need] >= 0.8 and (need == 1 or rel[need - 1] < 0.8)


def test_per_criterion_rows_equal_single_criterion_studies():
    sim = ek.simulate.panel(12, 5, 3, seed=9)
    ds = decision_study(sim.scores, sim.rubric).set_index(["criterion", "decision"])
    for cid in sim.rubric.criterion_ids:
        one = decision_study(sim.scores[sim.scores.criterion == cid]).set_index("decision")
        for d in ("relative", "absolute"):
            for col in ("coefficient", "var_project", "var_judge", "var_residual"):
                assert ds.loc[(cid, d), col] == pytest.approx(one.loc[d, col], rel=1e-9, abs=1e-12)
            assert ds.loc[(cid, d), "judges_needed"] == one.loc[d, "judges_needed"]
