"""One judge bootstrap (issue 16.3): evalkit.aggregate.bootstrap.judge_bootstrap is
the resampling behind both rank stability and the robustness of a fund split."""
import importlib

import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.aggregate import bootstrap


def _scores():
    rows = [(j, p, s) for j, panel in (("E1", "expert"), ("E2", "expert"), ("E3", "expert"), ("P1", "public"),
                                       ("P2", "public"))
            for p, s in (("A", 80), ("B", 70), ("C", 60))]
    df = pd.DataFrame(rows, columns=["judge", "project", "score"])
    df["panel"] = df["judge"].str[0].map({"E": "expert", "P": "public"})
    df["score"] += np.arange(len(df)) % 4
    return df


def test_draws_keep_each_judges_rows_together_and_panels_their_size():
    df = _scores()
    table, drawn = bootstrap.judge_bootstrap(df, 50, np.random.default_rng(1), panel="panel")
    assert drawn.shape == (50, 5)
    # every replicate draws three experts from the experts and two public judges from the public
    assert set(drawn[:, :3].ravel()) <= {"E1", "E2", "E3"} and set(drawn[:, 3:].ravel()) <= {"P1", "P2"}
    assert len(set(map(tuple, drawn))) > 5                          # resampling, not a fixed panel
    assert (table.groupby("replicate")["judge"].nunique() == 5).all()
    # each draw is a judge of its own carrying one original judge's rows unchanged
    for (b, slot), rows in table.groupby(["replicate", "judge"]):
        source = drawn[b, slot - b * 5]
        original = df[df["judge"] == source]
        assert rows["score"].tolist() == original["score"].tolist()
        assert rows["panel"].tolist() == original["panel"].tolist()


def test_without_panels_the_draws_are_one_integers_stream():
    df = _scores()
    _, drawn = bootstrap.judge_bootstrap(df, 7, np.random.default_rng(3))
    codes = np.random.default_rng(3).integers(0, 5, 7 * 5).reshape(7, 5)
    assert (drawn == np.array(sorted(df["judge"].unique()))[codes]).all()


def test_rank_stability_and_robustness_both_resample_through_it(monkeypatch):
    calls = []
    real = bootstrap.judge_bootstrap

    def spy(frame, n_boot, rng, **kw):
        calls.append((n_boot, kw.get("panel")))
        return real(frame, n_boot, rng, **kw)
    monkeypatch.setattr(bootstrap, "judge_bootstrap", spy)
    # (import_module: `import evalkit.allocate.robustness as rob` would look the module
    # up on ek.allocate, the function)
    rob = importlib.import_module("evalkit.allocate.robustness")
    stab = importlib.import_module("evalkit.research.stability")
    monkeypatch.setattr(rob, "judge_bootstrap", spy)
    monkeypatch.setattr(stab, "judge_bootstrap", spy)
    df = _scores()
    stab.rank_stability(df, None, method="mean", n_boot=20, seed=1)
    projects = pd.DataFrame({"project": ["A", "B", "C"], "requested": [50, 50, 50]})
    r = rob.robustness(df, None, method="mean", budget=100, projects=projects, n=15, seed=1)
    assert calls == [(20, None), (15, "panel")]
    assert r.n == 15 and r.projects.loc["A", "p_funded"] == pytest.approx(1.0)
    assert ek.robustness is rob.robustness
