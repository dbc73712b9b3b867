"""One implementation per rule, and every surface that needs it gives the same answer
(issue 13, item 3): the totals the trimmed and median rules drop, the weighted total,
per-score validation, and 'fund in rank order until one does not fit'."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.aggregate.rules import dropped_mask
from evalkit.report.charts import dropped_marks
from evalkit.roadshow import project_board


# ---------------------------------------------------------------------------
# the drop set

def _with_rule(contest, method):
    rubric = dataclasses.replace(contest.rubric, rule=dataclasses.replace(contest.rubric.rule, method=method))
    return dataclasses.replace(contest, rubric=rubric)


@pytest.fixture(scope="module")
def tied():
    """demo-huaihe with ties on P02: J2, J5, J6 give every criterion its minimum (equal
    lowest totals), J1 and J7 its maximum (equal highest totals)."""
    c = ek.load_contest("data/demo-huaihe")
    s = c.scores.copy()
    lo = {x.id: x.min for x in c.rubric.criteria}
    hi = {x.id: x.max for x in c.rubric.criteria}
    on = s["project"] == "P02"
    low, high = on & s["judge"].isin(["J2", "J5", "J6"]), on & s["judge"].isin(["J1", "J7"])
    s.loc[low, "score"] = s.loc[low, "criterion"].map(lo)
    s.loc[high, "score"] = s.loc[high, "criterion"].map(hi)
    return c, s


@pytest.mark.parametrize("method, low, high", [("trimmed", ["J2"], ["J7"]),
                                               ("median", ["J2", "J5", "J6"], ["J1", "J7", "J3|J4"])])
def test_every_surface_drops_the_same_totals_on_ties(tied, method, low, high):
    c, s = tied
    c = _with_rule(c, method)
    tot = ek.totals(s, c.rubric)
    # the one rule, with its tie convention: equal lowest -> first id, equal highest -> last id
    side = pd.Series(dropped_mask(tot, method, 1, sides=True), index=pd.MultiIndex.from_frame(tot[["project", "judge"]]))
    p02 = side.loc["P02"]
    if "J3|J4" in high:  # of the two left in the middle, the median drops the higher one
        mid = tot[(tot["project"] == "P02") & tot["judge"].isin(["J3", "J4"])].set_index("judge")["total"]
        high = sorted(high[:-1] + [mid.idxmax()])
    assert sorted(p02[p02 == -1].index) == low and sorted(p02[p02 == 1].index) == high
    # the row order does not matter
    shuffled = tot.sample(frac=1, random_state=3).reset_index(drop=True)
    again = pd.Series(dropped_mask(shuffled, method, 1, sides=True),
                      index=pd.MultiIndex.from_frame(shuffled[["project", "judge"]]))
    assert again.reindex(side.index).equals(side)
    # the report's marks
    marks = dropped_marks(tot, method, 1).set_axis(side.index)
    assert marks.equals(side.map({-1: "low", 0: "", 1: "high"}).astype(object))
    # the big screen, project by project (its judges in contest order, not sorted)
    ranked = ek.rank(s, c.rubric, method=method).projects
    for project in c.project_ids:
        board = project_board(s, c, project)
        dropped = set(board.rows.loc[board.rows["dropped"], "judge"])
        assert dropped == set(side.loc[project][side.loc[project] != 0].index), project
        # and the board's result is rank's score
        assert board.result == pytest.approx(ranked.loc[project, "score"] - ranked.loc[project, "bonus"])


def test_rank_keeps_exactly_what_the_mask_keeps(tied):
    c, s = tied
    tot = ek.totals(s, c.rubric)
    keep = ~dropped_mask(tot, "trimmed", 1)
    mean = tot[keep].groupby("project")["total"].mean()
    r = ek.rank(s, c.rubric, method="trimmed").projects
    assert np.allclose(mean.sort_index(), (r["score"] - r["bonus"]).sort_index(), atol=1e-9)
    med = ek.rank(s, c.rubric, method="median").projects["score"]
    assert np.allclose(tot.groupby("project")["total"].median().sort_index(), med.sort_index(), atol=1e-9)


def test_the_mask_per_panel_and_short_projects():
    tot = pd.DataFrame({"judge": ["A", "B", "C", "D", "E", "F", "G"], "project": ["p"] * 5 + ["q"] * 2,
                        "total": [70.0, 70.0, 80.0, 90.0, 90.0, 50.0, 60.0]})
    assert dropped_mask(tot, "trimmed", 1, sides=True).tolist() == [-1, 0, 0, 0, 1, 0, 0]   # q too small
    assert dropped_mask(tot, "trimmed", 2).tolist() == [True, True, False, True, True, False, False]
    assert dropped_mask(tot, "median", 1, sides=True).tolist() == [-1, -1, 0, 1, 1, 0, 0]  # q: both middle
    assert not dropped_mask(tot, "mean", 1).any() and not dropped_mask(tot, "sum", 1).any()
    panels = tot.assign(panel=["x", "x", "x", "y", "y", "y", "y"])
    # x: A, B, C (70, 70, 80); y: D, E on p (90, 90) too few; q: F, G too few
    assert dropped_mask(panels, "trimmed", 1, sides=True).tolist() == [-1, 0, 1, 0, 0, 0, 0]


# ---------------------------------------------------------------------------
# the weighted total

def test_research_totals_are_the_rubric_totals_to_the_bit():
    from evalkit.research import simulate_contests
    from evalkit.research._common import judge_totals
    cs, _ = simulate_contests(2, 2, seed=4)
    s = cs.scores.copy()
    first = s.index[0]
    s = s.drop(index=first)                              # one incomplete sheet: no total anywhere
    mine = judge_totals(s, cs.rubric).set_index(["contest", "judge", "project"])["total"].sort_index()
    want = pd.concat({cid: ek.totals(g, cs.rubric).set_index(["judge", "project"])["total"]
                      for cid, g in s.groupby("contest")}, names=["contest"]).sort_index()
    assert mine.index.equals(want.index) and (mine.to_numpy() == want.to_numpy()).all()
    gone = tuple(cs.scores.loc[first, ["contest", "judge", "project"]])
    assert gone not in mine.index and len(mine) == len(judge_totals(cs.scores, cs.rubric)) - 1
