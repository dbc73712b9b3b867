"""The live roadshow's logic (evalkit.roadshow): what the screen strikes through and
shows as the result, who has not scored, out-of-line entries, place changes."""
import math

import pandas as pd
import pytest

import evalkit as ek
from evalkit import roadshow as rs

from conftest import DATA


@pytest.fixture(scope="module")
def huaihe():
    return ek.load_contest(DATA / "demo-huaihe")


@pytest.fixture(scope="module")
def xinan():
    return ek.load_contest(DATA / "demo-xinan")


@pytest.mark.parametrize("name", ["demo-huaihe", "demo-xinan"])
def test_board_result_is_the_contest_rule(name):
    # the screen's result must be the leaderboard's score (no bonus rows in the demos);
    # xinan has expert and public panels (50 + 50), each trimmed on its own
    contest = ek.load_contest(DATA / name)
    ranking = ek.rank(contest.scores, contest.rubric, method="trimmed")
    for p in contest.project_ids:
        board = rs.project_board(contest.scores, contest, p)
        assert board.result == pytest.approx(ranking.projects.loc[p, "score"], abs=1e-9)


def test_board_strikes_one_highest_and_one_lowest(huaihe):
    board = rs.project_board(huaihe.scores, huaihe, "P01")
    done = board.rows[board.rows["complete"]]
    dropped = done[done["dropped"]]
    assert len(dropped) == 2
    assert set(dropped["total"]) == {done["total"].max(), done["total"].min()}
    assert board.kept == len(done) - 2
    assert board.result == pytest.approx(done.loc[~done["dropped"], "total"].mean())
    # J3 is conflicted with P03 (its organisation too: P01 is 淮河社工服务中心's)
    assert board.rows.set_index("judge").loc["J3", "conflict"]
    assert list(board.rows["alias"][:3]) == ["评委1", "评委2", "评委3"]


def test_board_with_few_sheets_drops_nothing(huaihe):
    two = huaihe.scores[(huaihe.scores["project"] == "P02") & huaihe.scores["judge"].isin(["J1", "J2"])]
    board = rs.project_board(two, huaihe, "P02")
    assert not board.rows["dropped"].any()
    totals = board.rows.set_index("judge")["total"]
    assert board.result == pytest.approx((totals["J1"] + totals["J2"]) / 2)
    empty = rs.project_board(huaihe.scores.iloc[:0], huaihe, "P02")
    assert math.isnan(empty.result) and empty.kept == 0


def test_board_equal_totals_drop_one_each_side(huaihe):
    # three equal totals: one is struck as highest, one as lowest, the result is that total
    sc = huaihe.scores[(huaihe.scores["project"] == "P02") & (huaihe.scores["judge"] == "J1")]
    same = pd.concat([sc.assign(judge=j) for j in ["J1", "J2", "J4"]], ignore_index=True)
    board = rs.project_board(same, huaihe, "P02")
    assert int(board.rows["dropped"].sum()) == 2
    assert board.result == pytest.approx(board.rows["total"].dropna().iloc[0])


def test_pending_lists_missing_and_partial_not_conflicted(huaihe):
    sc = huaihe.scores
    less = sc[~((sc["project"] == "P03") & (sc["judge"] == "J1"))
              & ~((sc["project"] == "P03") & (sc["judge"] == "J2") & (sc["criterion"] == "need"))]
    owe = rs.pending(less, huaihe, "P03")
    assert list(owe["judge"]) == ["J1", "J2"]
    assert list(owe["state"]) == ["missing", "partial"]
    assert owe.set_index("judge").loc["J2", "scored"] == 7
    # J3 is conflicted with P03 and owes nothing even with no scores at all
    assert "J3" not in set(rs.pending(sc.iloc[:0], huaihe, "P03")["judge"])
    assert rs.pending(sc, huaihe, "P03").empty


def test_out_of_line(huaihe):
    sc = huaihe.scores
    # J1 enters 0 for every criterion but one: total far below the panel
    low = sc[~((sc["project"] == "P05") & (sc["judge"] == "J1"))]
    zeros = pd.DataFrame([{"judge": "J1", "project": "P05", "criterion": c, "score": 0.0}
                          for c in huaihe.rubric.criterion_ids[1:]])
    low = pd.concat([low, zeros], ignore_index=True)
    far = rs.out_of_line(low, huaihe, "J1", "P05", huaihe.rubric.criterion_ids[0], 0.0)
    assert far is not None and far.total == 0.0 and far.total < far.low
    # the judge's own recorded score re-entered is not out of line
    own = sc[(sc["project"] == "P05") & (sc["judge"] == "J1") & (sc["criterion"] == "need")]["score"].iloc[0]
    assert rs.out_of_line(sc, huaihe, "J1", "P05", "need", own) is None
    # an incomplete sheet is not judged yet
    assert rs.out_of_line(sc.iloc[:0], huaihe, "J1", "P05", "need", 0.0) is None


def test_live_ranking_waits_for_enough_sheets(huaihe):
    sc = huaihe.scores
    some = sc[~((sc["project"] == "P04") & sc["judge"].isin(["J1", "J2", "J4", "J5", "J6"]))]
    ranking, waiting, err = rs.live_ranking(some, huaihe)
    assert waiting == ["P04"] and err == ""
    assert "P04" not in ranking.projects.index and len(ranking.projects) == 21
    none, waiting, _ = rs.live_ranking(sc.iloc[:0], huaihe)
    assert none is None and len(waiting) == 22
    cal, _, err = rs.live_ranking(sc, huaihe, "additive")
    assert err == "" and cal.method == "additive" and len(cal.projects) == 22


def test_place_changes():
    old = pd.DataFrame({"rank": [1, 2, 3]}, index=["A", "B", "C"])
    new = pd.DataFrame({"rank": [1, 2, 3, 4]}, index=["B", "A", "C", "D"])
    ch = rs.place_changes(new, old)
    assert ch.to_dict() == {"B": 1, "A": -1, "C": 0, "D": 0}
    assert (rs.place_changes(new, None) == 0).all()


def test_alias_is_contest_order(huaihe):
    assert rs.alias(huaihe, "J4") == "评委4"
    assert rs.alias(huaihe, "J4", "en") == "Judge 4"
    assert rs.min_judges(huaihe.rubric) == 3


def test_live_table_follows_the_store(demo_copy, tmp_path):
    # the incremental table must equal the store's own current view after scores,
    # corrections and retractions, in the same order
    contest = ek.load_contest(demo_copy(scores=False))
    store = contest.open_store(tmp_path / "t.db")
    table = rs.LiveTable(store)
    assert table.update() == set() and table.frame().empty
    first = ek.load_contest(DATA / "demo-huaihe").scores.iloc[:200]
    store.import_scores(first)
    assert table.update() == set(first["project"]) and len(table.frame()) == 200
    store.record("J1", "P01", "need", 3.0, reason="fix")
    store.retract("J2", "P01", "need", reason="mistake")
    store.record("J5", "P09", "pitch", 4.0)
    assert table.update() == {"P01", "P09"}
    pd.testing.assert_frame_equal(table.frame().reset_index(drop=True), store.scores().reset_index(drop=True))
    store.close()
