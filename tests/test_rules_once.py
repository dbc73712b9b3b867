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


# ---------------------------------------------------------------------------
# per-score validation: one function (scores.check_entry), one error class, one message

BAD_ENTRIES = [("J3", "P03", "need", 5, "judge", "judge 'J3' has a conflict of interest with project 'P03'"),
               ("J3", "P01", "need", 5, "judge", "judge 'J3' has a conflict of interest with project 'P01'"),
               ("J1", "P01", "need", 99, "score", "99 is above the maximum 15 of Need analysis"),
               ("J1", "P01", "need", 7.25, "score", "7.25 has more than 1 decimal(s) allowed for Need analysis"),
               ("J1", "P01", "nosuch", 5, "criterion", "unknown criterion 'nosuch'")]


def _errors_everywhere(tmp_path, judge, project, criterion, score):
    """The ScoreError each entry path raises for one bad entry."""
    import openpyxl
    from evalkit.errors import ScoreError
    from evalkit.scores import check_entry
    c = ek.load_contest("data/demo-huaihe")
    out = {}

    def catch(name, fn):
        with pytest.raises(ScoreError) as info:
            fn()
        out[name] = info.value

    catch("check_entry", lambda: check_entry(c, judge, project, criterion, score, "here"))
    frame = pd.DataFrame([{"judge": judge, "project": project, "criterion": criterion, "score": score}])
    catch("validate_scores", lambda: ek.validate_scores(frame, c.rubric, c))
    csv = tmp_path / "scores.csv"
    csv.write_text(f"judge,project,criterion,score\n{judge},{project},{criterion},{score}\n", "utf-8")
    catch("scores.csv", lambda: __import__("evalkit.contest").contest.read_scores_csv(csv, c))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总录入"
    ws.append(["评委", "项目", "指标", "分数"])
    ws.append([judge, project, criterion, score])
    wb.save(tmp_path / "s.xlsx")
    if criterion in c.rubric.criterion_ids:     # the Excel reader maps criterion names itself first
        catch("excel", lambda: ek.io.read_score_workbook(tmp_path / "s.xlsx", c))
    store = c.open_store(tmp_path / "s.db")
    try:
        catch("store.record", lambda: store.record(judge, project, criterion, score))
        catch("store.import_scores", lambda: store.import_scores(frame))
        session = store.judge_session(store.judge_tokens()[judge])
        catch("judge page", lambda: session.record(project, criterion, score))
        assert store.scores().empty                                   # nothing written anywhere
    finally:
        store.close()
    return out


@pytest.mark.parametrize("judge, project, criterion, score, key, message", BAD_ENTRIES,
                         ids=["conflict", "conflict by organisation", "above max", "decimals", "unknown criterion"])
def test_every_entry_path_refuses_with_the_same_error(tmp_path, judge, project, criterion, score, key, message):
    from evalkit.errors import ScoreError
    errors = _errors_everywhere(tmp_path, judge, project, criterion, score)
    assert len(errors) >= 6
    for name, exc in errors.items():
        assert type(exc) is ScoreError, name
        assert exc.message.split(" (and ")[0] == message, (name, exc.message)
        assert exc.key == key, name


def test_unknown_judge_and_project_read_the_same_from_a_file_and_the_store(tmp_path):
    from evalkit.errors import ScoreError
    c = ek.load_contest("data/demo-huaihe")
    frame = pd.DataFrame([{"judge": "J9", "project": "P01", "criterion": "need", "score": 5},
                          {"judge": "J1", "project": "P99", "criterion": "need", "score": 5}])
    with pytest.raises(ScoreError) as info:
        ek.validate_scores(frame, c.rubric, c)
    from_file = [e.message for e in info.value.errors]
    store = c.open_store(tmp_path / "s.db")
    try:
        from_store = []
        for r in frame.itertuples():
            with pytest.raises(ScoreError) as one:
                store.record(r.judge, r.project, r.criterion, r.score)
            from_store.append(one.value.message)
    finally:
        store.close()
    assert from_file[0].startswith("unknown judge 'J9'") and from_file[1] == "unknown project 'P99'"
    assert [m.split(" (and ")[0] for m in from_file] == from_store


# ---------------------------------------------------------------------------
# 'fund in rank order until one does not fit': compare calls allocate's greedy_stop

@pytest.mark.parametrize("budget", [60_000, 130_000, 260_000])
def test_compare_funds_what_allocate_greedy_stop_funds(budget):
    c = ek.load_contest("data/demo-huaihe")
    first = ek.rank(c.scores, c.rubric, method="trimmed").projects.index[0]
    # the panel's chair vetoes the best project: no surface may fund it
    veto = pd.DataFrame([{"judge": "J1", "project": first, "criterion": "compliance", "score": 1.0}])
    scores = pd.concat([c.scores, veto], ignore_index=True)
    methods = ["trimmed", "additive", "median"]
    table = ek.compare(scores, c.rubric, methods=methods, budget=budget, projects=c.projects)
    for m in methods:
        r = ek.rank(scores, c.rubric, method=m)
        assert r.projects.loc[first, "excluded"]
        alloc = ek.allocate(r.projects.join(c.projects.set_index("id")), budget, rule="greedy_stop",
                            compare_optimal=False)
        assert set(table.index[table[f"funded_{m}"]]) == set(alloc.funded), m
        assert not table.loc[first, f"funded_{m}"]
        assert 0 < len(alloc.funded) < len(c.projects)


def test_compare_breaks_score_ties_as_allocate_does():
    # A and B tie on 80: allocate's greedy_stop takes the lower request first (B fits),
    # where a plain walk down the ranking's order stopped at A and funded nothing
    totals = pd.DataFrame({"judge": ["J1", "J2", "J1", "J2", "J1", "J2"], "project": ["A", "A", "B", "B", "C", "C"],
                           "score": [80.0, 80.0, 80.0, 80.0, 50.0, 50.0]})
    projects = pd.DataFrame({"id": ["A", "B", "C"], "requested": [60.0, 40.0, 5.0]})
    table = ek.compare(totals, None, methods=["mean"], budget=50, projects=projects)
    r = ek.rank(totals, method="mean")
    alloc = ek.allocate(r.projects.join(projects.set_index("id")), 50, rule="greedy_stop", compare_optimal=False)
    assert alloc.funded == ["B"]
    assert list(table.index[table["funded_mean"]]) == ["B"]


# ---------------------------------------------------------------------------
# the contest rule in words

@pytest.mark.parametrize("method,trim,zh,en", [("trimmed", 2, "去掉2个最高分、去掉2个最低分后取平均",
                                                "mean after dropping the 2 highest and 2 lowest"),
                                               ("median", 1, "中位数", "median")])
def test_every_surface_words_the_contest_rule_the_same(method, trim, zh, en):
    # the screen and leaderboard (ui.messages.rule_text), the contest summary (Setup tab,
    # evalkit validate), the score sheet's rubric page and the 公示's settings record
    from evalkit.decision import decide
    from evalkit.report.record import record_table
    from evalkit.report.scoresheet import rubric_table
    from evalkit.ui.messages import rule_text
    c = ek.load_contest("data/demo-huaihe")
    rule = dataclasses.replace(c.rubric.rule, method=method, trim=trim)
    c = dataclasses.replace(c, rubric=dataclasses.replace(c.rubric, rule=rule))
    assert (rule.text("zh"), rule.text("en")) == (zh, en)
    assert rule_text(c.rubric, "zh") == zh and rule_text(c.rubric, "en") == en
    assert f"规则: {zh}" in c.summary(lang="zh") and f"rule: {en}" in c.summary(lang="en")
    assert zh in rubric_table(c.rubric).note and en in rubric_table(c.rubric).note
    record = record_table(decide(c, c.scores, settings={"method": method, "trim": trim})).frame
    assert record.iloc[0, 1].startswith(f"{zh} / {en}")


def test_a_refused_box_is_worded_once_for_the_phone_the_grid_and_the_live_tab():
    # the phone gets the words in its hello (judge.js keeps no copy); the secretary's
    # grid and the Live tab take them from the same table
    from pathlib import Path
    from evalkit.live.sheet import BOX_PROBLEMS, read_sheet
    from evalkit.live.views import judge_hello
    from evalkit.ui.messages import t
    c = ek.load_contest("data/demo-huaihe")
    hello = judge_hello(c, "J1", "build")
    assert hello["problems"] == {k: {"zh": zh, "en": en} for k, (zh, en) in BOX_PROBLEMS.items()}
    for key, problem in (("not_number", "not_number"), ("ambiguous", "ambiguous"), ("fill_in", "empty")):
        assert (t(key, "zh"), t(key, "en")) == BOX_PROBLEMS[problem]
    _, problems = read_sheet(c.rubric, {"need": "1,000"}, complete=False)
    assert problems == {"need": hello["problems"]["ambiguous"]}
    js = (Path(ek.__file__).parent / "live" / "static" / "judge.js").read_text(encoding="utf-8")
    assert not any(zh in js for zh, _ in BOX_PROBLEMS.values())
