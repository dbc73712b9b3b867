"""evalkit.simulate.panel: a contest with known truth."""
import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.design import connectivity
from evalkit.errors import DataError

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_complete_panel_shape_and_determinism():
    a = ek.simulate.panel(12, 5, 6, seed=1)
    b = ek.simulate.panel(12, 5, 6, seed=1)
    c = ek.simulate.panel(12, 5, 6, seed=2)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert not a.scores["score"].equals(c.scores["score"])
    assert len(a.scores) == 12 * 5 * 6
    assert list(a.scores.columns) == ["judge", "project", "criterion", "score"]
    assert len(a.truth) == 12 and list(a.judges.columns) == ["severity", "scale"]
    assert len(a.rubric.criteria) == 6 and a.rubric.total_max == pytest.approx(100)
    ek.validate_scores(a.scores, a.rubric)       # every score on scale, with the allowed decimals


def test_incomplete_design_is_connected_with_k_judges_per_project():
    sim = ek.simulate.panel(150, 30, design="incomplete", per_judge=20, seed=3)
    pairs = sim.scores[["judge", "project"]].drop_duplicates()
    per_project = pairs.groupby("project").size()
    assert (per_project == 4).all()                      # round(30 * 20 / 150) = 4
    load = pairs.groupby("judge").size()
    assert load.max() - load.min() <= 1 and load.mean() == pytest.approx(20)
    assert connectivity(pairs).connected


def test_planted_effects_show_in_the_scores():
    # a judge's mean total over a complete design moves with -severity: with 200
    # projects the judges' means correlate with the planted severities below -0.95
    sim = ek.simulate.panel(200, 8, severity_sd=1.0, scale_sd=0.0, noise_sd=0.3, halo=0.0, seed=4)
    means = ek.totals(sim.scores, sim.rubric).groupby("judge")["total"].mean()
    assert np.corrcoef(means.reindex(sim.judges.index), sim.judges["severity"])[0, 1] < -0.95
    # without noise, severity or halo, every judge ranks the projects like the truth
    clean = ek.simulate.panel(30, 3, severity_sd=0, scale_sd=0, noise_sd=0, halo=0, criterion_sd=0,
                              decimals=4, seed=5)
    tot = ek.totals(clean.scores, clean.rubric)
    for _, g in tot.groupby("judge"):
        assert g.set_index("project")["total"].corr(clean.truth, method="spearman") == pytest.approx(1)


def test_oracle_beats_the_mean_when_judges_differ():
    sim = ek.simulate.panel(150, 30, design="incomplete", per_judge=20, severity_sd=1.0, seed=6)
    truth = sim.truth
    oracle = sim.oracle().reindex(truth.index).corr(truth, method="spearman")
    mean = ek.rank(sim.scores, sim.rubric, method="mean").projects["score"].reindex(truth.index)
    assert oracle > mean.corr(truth, method="spearman") + 0.03


def test_given_rubric_and_decimals():
    rubric = ek.load_rubric(ROOT / "rubrics/gongyi-chuangtou.yaml")
    sim = ek.simulate.panel(8, 4, rubric=rubric, decimals=0, seed=7)
    assert set(sim.scores["criterion"]) == set(rubric.criterion_ids)
    assert (sim.scores["score"] == sim.scores["score"].round(0)).all()
    ek.validate_scores(sim.scores, rubric)


@pytest.mark.parametrize("kwargs, key", [
    (dict(n_projects=0), "n_projects"), (dict(severity_sd=-1), "severity_sd"), (dict(design="half"), "design"),
    (dict(design="incomplete"), "per_judge")])
def test_bad_arguments(kwargs, key):
    with pytest.raises(DataError) as exc:
        ek.simulate.panel(**{**dict(n_projects=5, n_judges=3), **kwargs})
    assert exc.value.key == key
