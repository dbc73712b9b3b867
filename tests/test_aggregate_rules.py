"""The contest rules and the Ranking's bookkeeping (panels, bonus, veto, tie-break)
against values computed by hand in the comments."""
import math

import numpy as np
import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import DataError, DesignError

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def totals_frame(table):
    return pd.DataFrame([(j, p, t) for p, row in table.items() for j, t in row.items()],
                        columns=["judge", "project", "score"])


# P2 misses judge J5; P4 has three equal totals
TABLE = {
    "P1": {"J1": 80, "J2": 90, "J3": 70, "J4": 85, "J5": 85},
    "P2": {"J1": 60, "J2": 75, "J3": 75, "J4": 90},
    "P3": {"J1": 88, "J2": 82, "J3": 84, "J4": 86, "J5": 80},
    "P4": {"J1": 70, "J2": 70, "J3": 70, "J4": 90, "J5": 50},
}


def test_trimmed_mean_by_hand_with_missing_judge_and_ties():
    r = ek.rank(totals_frame(TABLE), method="trimmed", trim=1)
    p = r.projects
    # P1 keeps 80, 85, 85 -> 83.333; P2 (4 judges) keeps 75, 75 -> 75;
    # P3 keeps 82, 84, 86 -> 84; P4 keeps 70, 70, 70 -> 70
    assert p.loc["P1", "score"] == pytest.approx(250 / 3)
    assert p.loc["P2", "score"] == pytest.approx(75)
    assert p.loc["P3", "score"] == pytest.approx(84)
    assert p.loc["P4", "score"] == pytest.approx(70)
    # SE = SD(kept)/sqrt(n kept): SD(80, 85, 85) = sqrt(25/3) -> se = sqrt(25/3)/sqrt(3) = 5/3
    assert p.loc["P1", "se"] == pytest.approx(5 / 3)
    assert p.loc["P2", "se"] == pytest.approx(0)
    # t-interval on 2 df: 83.333 +- 4.302653 * 5/3
    assert p.loc["P1", "ci_low"] == pytest.approx(250 / 3 - 4.302653 * 5 / 3, abs=1e-5)
    assert list(p.index) == ["P3", "P1", "P2", "P4"]
    assert list(p["rank"]) == [1, 2, 3, 4]
    assert p.loc["P2", "n_judges"] == 4


def test_sum_mean_median_by_hand():
    df = totals_frame(TABLE)
    s = ek.rank(df, method="sum").projects["score"]
    assert s.to_dict() == pytest.approx({"P1": 410, "P2": 300, "P3": 420, "P4": 350})
    m = ek.rank(df, method="mean").projects
    assert m["score"].to_dict() == pytest.approx({"P1": 82, "P2": 75, "P3": 84, "P4": 70})
    # SD(80, 90, 70, 85, 85) = sqrt(170/4 ... ) : deviations -2, 8, -12, 3, 3 -> SS 230, var 57.5
    assert m.loc["P1", "se"] == pytest.approx(math.sqrt(57.5 / 5))
    med = ek.rank(df, method="median").projects["score"]
    assert med.to_dict() == pytest.approx({"P1": 85, "P2": 75, "P3": 84, "P4": 70})
    # sum over unequal judge counts is flagged
    assert any("not comparable" in n for n in ek.rank(df, method="sum").notes)


def test_trimmed_refuses_too_few_judges_naming_the_project():
    df = totals_frame({"A": {"J1": 1, "J2": 2, "J3": 3}, "B": {"J1": 4, "J2": 5}})
    with pytest.raises(DesignError) as exc:
        ek.rank(df, method="trimmed", trim=1)
    assert "B (2 judges)" in str(exc.value)
    with pytest.raises(DesignError, match="A \\(3 judges\\)"):
        ek.rank(df, method="trimmed", trim=2)


def test_bad_method_and_options():
    df = totals_frame(TABLE)
    with pytest.raises(DataError, match="argument 'method' must be one of"):
        ek.rank(df, method="best")
    with pytest.raises(DataError, match="argument 'trim' must be an option of method 'mean'"):
        ek.rank(df, method="mean", trim=2)
    with pytest.raises(DataError, match="level"):
        ek.rank(df, method="mean", level=95)
    with pytest.raises(DataError, match="argument 'value' must be a column of scores"):
        ek.rank(df.rename(columns={"score": "points"}), method="mean")


def test_disconnected_design_is_a_note_for_rules():
    df = totals_frame({"A": {"J1": 80, "J2": 82}, "B": {"J1": 70, "J2": 75}, "C": {"J3": 90, "J4": 91}})
    r = ek.rank(df, method="mean")
    assert any("J3, J4" in n and "not comparable" in n for n in r.notes)


# --- with a rubric ---------------------------------------------------------

@pytest.fixture(scope="module")
def gongyi():
    return ek.load_rubric(ROOT / "rubrics/gongyi-chuangtou.yaml")


def sheet(rubric, judge, project, points):
    """One judge's full sheet: the same share of every criterion's maximum, except
    for overrides given as {criterion: score}."""
    share, over = points
    return [(judge, project, c.id, over.get(c.id, round(share * c.max, 1))) for c in rubric.criteria]


def test_tie_break_and_shared_rank(gongyi):
    # gongyi: weights = criterion maxima, so a judge's total is the sum of the points
    rows = []
    for j in ("J1", "J2", "J3"):
        # A and B both total 80; A has design 16 / need 12, B has design 18 / need 10
        rows += sheet(gongyi, j, "A", (0.8, {"design": 16.0, "need": 12.0}))
        rows += sheet(gongyi, j, "B", (0.8, {"design": 18.0, "need": 10.0}))
        # C and D identical: a real tie
        rows += sheet(gongyi, j, "C", (0.7, {}))
        rows += sheet(gongyi, j, "D", (0.7, {}))
    df = pd.DataFrame(rows, columns=["judge", "project", "criterion", "score"])
    r = ek.rank(df, gongyi)
    p = r.projects
    assert p.loc["A", "score"] == pytest.approx(80) and p.loc["B", "score"] == pytest.approx(80)
    assert p.loc["B", "rank"] == 1 and p.loc["A", "rank"] == 2   # design 18 > 16 (first tie-break)
    assert p.loc["C", "rank"] == 3 and p.loc["D", "rank"] == 3
    assert p.loc["C", "tied"] and not p.loc["A", "tied"]
    assert r.ties == [["C", "D"]]


def test_bonus_and_veto(gongyi):
    rows = []
    for j in ("J1", "J2", "J3", "J4"):
        rows += sheet(gongyi, j, "A", (0.6, {}))
        rows += sheet(gongyi, j, "B", (0.7, {}))
        rows += sheet(gongyi, j, "C", (0.9, {}))
        rows += sheet(gongyi, j, "D", (0.8, {"design": 5.0}))   # design 5 < veto_below 6
    rows += [("J1", "A", "matched_funding", 2), ("J2", "A", "matched_funding", 3), ("J1", "A", "special_theme", 2),
             ("J1", "B", "matched_funding", 3), ("J3", "B", "special_theme", 2.0),
             ("J2", "C", "compliance", 0), ("J3", "C", "compliance", 1)]
    df = pd.DataFrame(rows, columns=["judge", "project", "criterion", "score"])
    r = ek.rank(df, gongyi, method="mean")
    p = r.projects
    # A: 60 + mean(2, 3) + 2 = 64.5; B: 70 + 3 + 2 = 75 (at the cap of 5)
    assert p.loc["A", "bonus"] == pytest.approx(4.5) and p.loc["A", "score"] == pytest.approx(64.5)
    assert p.loc["B", "bonus"] == pytest.approx(5.0) and p.loc["B", "score"] == pytest.approx(75)
    assert "veto" in p.loc["C", "excluded"] and "J3" in p.loc["C", "excluded"] and pd.isna(p.loc["C", "rank"])
    assert "项目设计与可行性 5.00 < 6" in p.loc["D", "excluded"] and pd.isna(p.loc["D", "rank"])
    assert p.loc["B", "rank"] == 1 and p.loc["A", "rank"] == 2 and p.loc["A", "excluded"] == ""


def test_panels_weighted(tmp_path):
    hong = ek.load_rubric(ROOT / "rubrics/hongse-dangjian.yaml")
    rows = []
    # hongse: 0..10 scales, total = 10 x the common score when all criteria agree
    expert = {"A": [8, 7, 9], "B": [6, 6, 6]}
    public = {"A": [5, 6, 7], "B": [9, 9, 10]}
    for panel, table in (("expert", expert), ("public", public)):
        for p, marks in table.items():
            for i, m in enumerate(marks):
                rows += [(f"{panel}{i}", p, c.id, float(m), panel) for c in hong.criteria]
    rows.append(("expert0", "A", "red_theme", 2.0, "expert"))
    df = pd.DataFrame(rows, columns=["judge", "project", "criterion", "score", "panel"])
    r = ek.rank(df, hong)   # trimmed k=1 within each panel of 3
    p = r.projects
    # A: expert keeps 80, public keeps 60 -> 70, + bonus 2 -> 72; B: 60 and 90 -> 75
    assert p.loc["A", "score"] == pytest.approx(72) and p.loc["B", "score"] == pytest.approx(75)
    assert p.loc["B", "rank"] == 1 and p.loc["A", "n_judges"] == 6
    assert set(r.judges["panel"]) == {"expert", "public"}
    # without the panel column the six judges form one group: A 6 totals trimmed -> mean(60, 70, 70, 80) = 70
    r1 = ek.rank(df.drop(columns="panel"), hong)
    assert r1.projects.loc["A", "score"] == pytest.approx(72) and any("panel" in n for n in r1.notes)


@pytest.mark.parametrize("method, option, bad", [("mfrm", "categories", 1), ("affine", "max_iter", 0),
                                                 ("affine", "tol", -1), ("affine", "shrink", "yes")])
def test_method_options_validated(gongyi, method, option, bad):
    rows = sheet(gongyi, "J1", "A", (0.5, {})) + sheet(gongyi, "J2", "A", (0.6, {}))
    df = pd.DataFrame(rows, columns=["judge", "project", "criterion", "score"])
    with pytest.raises(DataError) as exc:
        ek.rank(df, gongyi, method=method, **{option: bad})
    assert exc.value.key == option


def test_incomplete_sheets_left_out_and_mfrm_needs_rubric(gongyi):
    rows = []
    for j in ("J1", "J2", "J3"):
        rows += sheet(gongyi, j, "A", (0.5, {})) + sheet(gongyi, j, "B", (0.7, {}))
    rows = [r for r in rows if not (r[0] == "J3" and r[1] == "B" and r[2] == "pitch")]
    df = pd.DataFrame(rows, columns=["judge", "project", "criterion", "score"])
    r = ek.rank(df, gongyi, method="mean")
    assert r.projects.loc["B", "n_judges"] == 2 and any("J3/B" in n for n in r.notes)
    with pytest.raises(DataError, match="needs the rubric"):
        ek.rank(totals_frame(TABLE), method="mfrm")


@pytest.mark.parametrize("seed", range(5))
def test_trimmed_matches_scipy_trim_mean_with_missing_judges(seed):
    # peer: scipy.stats.trim_mean with proportiontocut = k/n drops exactly k totals
    # at each end of a project's n totals
    from scipy.stats import trim_mean
    rng = np.random.default_rng(seed)
    rows = [(f"J{j}", f"P{p}", float(rng.integers(50, 100))) for p in range(8) for j in range(9)
            if rng.random() > 0.25]
    df = pd.DataFrame(rows, columns=["judge", "project", "score"])
    n = df.groupby("project").size()
    df = df[df["project"].isin(n[n >= 5].index)]
    r = ek.rank(df, method="trimmed", trim=2).projects
    for p, g in df.groupby("project"):
        x = g["score"].to_numpy()
        assert r.loc[p, "score"] == pytest.approx(trim_mean(x, 2 / len(x)))
        assert r.loc[p, "n_judges"] == len(x)


def test_rule_aggregate_trims_with_one_or_two_key_columns():
    # regression: a single key column once fell back silently to the plain mean
    import pandas as pd
    from evalkit.aggregate.ranking import rule_aggregate
    long = pd.DataFrame({"judge": list("ABCDE") * 2, "project": ["P"] * 5 + ["Q"] * 5, "c": ["x"] * 10,
                         "v": [1.0, 2, 3, 4, 100, 5, 5, 6, 7, 7]})
    one = rule_aggregate(long, ["project"], "v", "trimmed", 1)
    assert one["P"] == pytest.approx(3.0) and one["Q"] == pytest.approx(6.0)  # (2+3+4)/3, (5+6+7)/3
    two = rule_aggregate(long, ["project", "c"], "v", "trimmed", 1)
    assert two[("P", "x")] == pytest.approx(3.0)
