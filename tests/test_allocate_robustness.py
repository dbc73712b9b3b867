"""ek.robustness: bootstrap the judges, rerun rank + allocate."""
import pandas as pd
import pytest

from evalkit.allocate import allocate
from evalkit.errors import DataError
from evalkit.allocate.robustness import robustness

rank_mod = pytest.importorskip("evalkit.aggregate")


def panel():
    # A and B: every judge loves them; C vs D: judges split 3:2 for C (a near tie);
    # E: everyone scores it low. Budget fits A, B and one of C/D.
    sc = {"A": [90, 92, 91, 89, 90], "B": [85, 86, 84, 85, 87], "C": [80, 80, 80, 60, 60],
          "D": [65, 66, 64, 79, 80], "E": [30, 31, 29, 30, 32]}
    rows = [(f"J{k + 1}", p, v) for p, vals in sc.items() for k, v in enumerate(vals)]
    scores = pd.DataFrame(rows, columns=["judge", "project", "score"])
    projects = pd.DataFrame({"project": list("ABCDE"), "requested": [40, 30, 30, 30, 20]})
    return scores, projects


def test_bootstrap_flags_the_marginal_pair_and_not_the_clear_cases():
    scores, projects = panel()
    rob = robustness(scores, None, method="mean", budget=100, rule="optimal", projects=projects, n=30, seed=3)
    t = rob.projects
    assert t.loc["A", "p_funded"] == 1 and t.loc["B", "p_funded"] == 1
    assert not t.loc[["A", "B"], "margin"].any()
    assert set(rob.margin) == {"C", "D"}
    # C and D share the last slot: exactly one is funded in every resample
    both = (rob.amounts["C"] > 0).astype(int) + (rob.amounts["D"] > 0).astype(int)
    assert (both == 1).all()
    assert t.loc["C", "p_funded"] + t.loc["D", "p_funded"] == pytest.approx(1.0)
    assert 0 < t.loc["D", "p_funded"] < t.loc["C", "p_funded"] < 1   # C leads on the full panel
    assert (t["amount_low"] <= t["amount_high"]).all() and (t["amount_max"] <= projects.set_index("project")
                                                                .loc[t.index, "requested"]).all()
    # the base allocation is the allocation of the ranking on all judges
    mean = scores.groupby("project")["score"].mean()
    direct = allocate(projects.assign(score=projects.project.map(mean)), 100, rule="optimal")
    assert rob.base.funded == direct.funded == ["A", "B", "C"]
    assert bool(t.loc["C", "funded_base"]) and not bool(t.loc["D", "funded_base"])


def test_seed_reproducible_and_unanimous_panel_is_certain():
    scores, projects = panel()
    a = robustness(scores, None, method="mean", budget=100, projects=projects, n=8, seed=7)
    b = robustness(scores, None, method="mean", budget=100, projects=projects, n=8, seed=7)
    pd.testing.assert_frame_equal(a.projects, b.projects)
    same = scores.assign(score=scores.groupby("project")["score"].transform("mean"))
    c = robustness(same, None, method="mean", budget=100, projects=projects, n=8, seed=1)
    assert set(c.projects["p_funded"]) <= {0.0, 1.0} and not c.projects["margin"].any()


def test_bad_arguments():
    scores, projects = panel()
    with pytest.raises(DataError):
        robustness(scores, None, method="mean", budget=100, projects=projects, n=0)
    with pytest.raises(DataError):
        robustness(scores.rename(columns={"judge": "rater"}), None, method="mean", budget=100, projects=projects)
