"""ek.monitor.exit_watch: the monthly ten-point scheme's exit rule on hand-checked cases."""
import math

import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import DataError


def frame(rows, cols=("organisation", "period", "score")):
    return pd.DataFrame(rows, columns=list(cols))


def months(org, first_year, first_month, scores):
    out = []
    y, m = first_year, first_month
    for s in scores:
        if s is not None:
            out.append((org, f"{y:04d}-{m:02d}", s))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def test_three_months_below_is_an_exit_at_the_third():
    w = ek.monitor.exit_watch(frame(months("A", 2026, 1, [7, 5.5, 5.9, 5.0, 8])))
    a = w.loc["A"]
    assert a["exit"] and a["exit_period"] == "2026-04"
    assert a["run_below"] == 0 and a["last_score"] == 8 and a["last_period"] == "2026-05"
    assert a["missing"] == [] and not a["pending"] and a["status"] == "exit"
    assert "连续3个月" in a["status_zh"] and "must exit" in a["status_en"]


def test_exactly_the_threshold_is_not_below():
    w = ek.monitor.exit_watch(frame(months("A", 2026, 1, [5, 5, 6.0, 5, 5])))
    assert not w.loc["A", "exit"] and w.loc["A", "run_below"] == 2 and w.loc["A", "warning"]
    just_under = ek.monitor.exit_watch(frame(months("A", 2026, 1, [5, 5, 5.99])))
    assert just_under.loc["A", "exit"]


def test_warning_is_run_minus_one_and_other_thresholds():
    w = ek.monitor.exit_watch(frame(months("A", 2026, 1, [9, 5, 4]) + months("B", 2026, 1, [9, 9, 4])))
    assert w.loc["A", "warning"] and w.loc["A", "status"] == "warning" and w.loc["A", "run_below"] == 2
    assert not w.loc["B", "warning"] and w.loc["B", "run_below"] == 1 and w.loc["B", "status"] == "ok"
    w = ek.monitor.exit_watch(frame(months("A", 2026, 1, [9, 5, 4])), threshold=4.5, run=2)
    assert w.loc["A", "run_below"] == 1 and w.loc["A", "warning"] and not w.loc["A", "exit"]
    w = ek.monitor.exit_watch(frame(months("A", 2026, 1, [9, 5, 4])), run=2)
    assert w.loc["A", "exit"] and w.loc["A", "exit_period"] == "2026-03"


def test_row_order_does_not_matter():
    rows = months("A", 2026, 1, [7, 5, 5, 5, 7, 5, 5]) + months("B", 2026, 3, [5, 5, 9])
    base = ek.monitor.exit_watch(frame(rows))
    for seed in range(5):
        shuffled = frame(rows).sample(frac=1, random_state=seed)
        pd.testing.assert_frame_equal(ek.monitor.exit_watch(shuffled), base)
    assert list(base.index) == ["A", "B"]
    assert base.loc["A", "exit_period"] == "2026-04" and base.loc["A", "run_below"] == 2


def test_consecutive_calendar_months_across_the_year_end():
    w = ek.monitor.exit_watch(frame(months("A", 2026, 11, [5, 5, 5])))
    assert w.loc["A", "exit_period"] == "2027-01" and w.loc["A", "missing"] == []


def test_a_gap_breaks_the_run_and_is_reported():
    # 5, 5, (no score for 2026-03), 5: no run of three is declared across the gap
    w = ek.monitor.exit_watch(frame(months("A", 2026, 1, [5, 5, None, 5])))
    a = w.loc["A"]
    assert not a["exit"] and a["exit_period"] is None
    assert a["missing"] == ["2026-03"] and a["n_missing"] == 1
    assert a["run_below"] == 1 and a["months"] == 3
    # had the missing month been below, the rule would apply: the decision waits on the data
    assert a["pending"] and a["status"] == "pending" and "2026-03" in a["status_zh"]


def test_the_gap_does_not_count_as_a_month_above():
    # 5, 5, gap, 5, 5, 5: the run after the gap is 3 on its own -> exit at 2026-06;
    # had the gap counted as "above", nothing changes; had it been below, exit at 2026-03
    w = ek.monitor.exit_watch(frame(months("A", 2026, 1, [5, 5, None, 5, 5, 5])))
    a = w.loc["A"]
    assert a["exit"] and a["exit_period"] == "2026-06"
    assert a["pending"]  # the gap could make the exit earlier
    # a gap between good months decides nothing
    w = ek.monitor.exit_watch(frame(months("B", 2026, 1, [8, 8, None, 8, 8])))
    assert not w.loc["B", "pending"] and w.loc["B", "status"] == "ok" and w.loc["B", "missing"] == ["2026-03"]


def test_a_trailing_missing_month_is_reported_against_the_latest_month():
    rows = months("A", 2026, 1, [8, 5, 5]) + months("B", 2026, 1, [8, 8, 8, 8])
    w = ek.monitor.exit_watch(frame(rows))
    assert w.loc["A", "missing"] == ["2026-04"]
    assert w.loc["A", "run_below"] == 2 and w.loc["A", "warning"] and w.loc["A", "pending"]
    assert w.loc["A", "last_period"] == "2026-03"
    assert w.loc["B", "missing"] == []
    # an explicit end month and start month
    w = ek.monitor.exit_watch(frame(rows), start="2025-12", end="2026-02")
    assert w.loc["A", "missing"] == ["2025-12"] and w.loc["A", "last_period"] == "2026-02"


def test_no_months_expected_after_an_exit():
    rows = months("A", 2026, 1, [5, 5, 5]) + months("B", 2026, 1, [8, 8, 8, 8, 8, 8])
    w = ek.monitor.exit_watch(frame(rows))
    assert w.loc["A", "exit"] and w.loc["A", "missing"] == []


def test_item_rows_are_summed_in_decimal():
    # 1.4 + 2.8 + 1.8 is 5.999999999999999 in binary floating point; in decimal it is 6.0
    assert 1.4 + 2.8 + 1.8 < 6.0
    items = pd.DataFrame({"organisation": ["A"] * 9, "period": ["2026-01"] * 3 + ["2026-02"] * 3 + ["2026-03"] * 3,
                          "item": ["plan", "summary", "office"] * 3, "score": [1.4, 2.8, 1.8] * 3})
    w = ek.monitor.exit_watch(items)
    assert not w.loc["A", "exit"] and w.loc["A", "run_below"] == 0 and w.loc["A", "last_score"] == 6.0
    below = items.assign(score=[1.4, 2.8, 1.7] * 3)
    w = ek.monitor.exit_watch(below)
    assert w.loc["A", "exit"] and w.loc["A", "last_score"] == pytest.approx(5.9)


def test_a_month_with_a_missing_item_is_missing_not_guessed():
    items = pd.DataFrame({"organisation": ["A"] * 6, "period": ["2026-01"] * 2 + ["2026-02"] * 2 + ["2026-03"] * 2,
                          "score": [3, 2, 3, None, 2, 2]})
    w = ek.monitor.exit_watch(items)
    assert w.loc["A", "missing"] == ["2026-02"] and w.loc["A", "run_below"] == 1 and not w.loc["A", "exit"]
    assert w.loc["A", "pending"]


def test_typed_numbers_and_text_months():
    w = ek.monitor.exit_watch(frame([("A", "2026-01", "5,5"), ("A", " 2026-02 ", "５．０分"), ("A", "2026-03", "")]))
    assert w.loc["A", "missing"] == ["2026-03"] and w.loc["A", "run_below"] == 2


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "2026/01", "26-01", None, "2026-00"])
def test_bad_month_is_a_located_error(period):
    df = frame([("A", "2026-01", 7), ("A", period, 7)])
    with pytest.raises(DataError) as e:
        ek.monitor.exit_watch(df)
    assert e.value.where == "monthly scores row 1" and e.value.key == "period" and "YYYY-MM" in e.value.expected


def test_bad_score_threshold_run_and_columns():
    with pytest.raises(DataError) as e:
        ek.monitor.exit_watch(frame([("A", "2026-01", "seven")]))
    assert e.value.key == "score" and e.value.where == "monthly scores row 0"
    with pytest.raises(DataError):
        ek.monitor.exit_watch(frame([("A", "2026-01", 7)]), run=0)
    with pytest.raises(DataError):
        ek.monitor.exit_watch(frame([("A", "2026-01", 7)]), threshold="6")
    with pytest.raises(DataError) as e:
        ek.monitor.exit_watch(frame([("A", "2026-01", 7)], cols=("org", "period", "score")))
    assert "organisation" in e.value.expected


def test_column_names_are_arguments_and_empty_input():
    df = pd.DataFrame({"org": ["X"] * 3, "month": ["2026-05", "2026-06", "2026-07"], "points": [4, 4, 4]})
    w = ek.monitor.exit_watch(df, organisation="org", period="month", score="points")
    assert w.index.name == "org" and w.loc["X", "exit_period"] == "2026-07"
    empty = ek.monitor.exit_watch(frame([]))
    assert len(empty) == 0 and {"run_below", "exit", "exit_period", "warning", "last_score", "missing"} <= set(empty)
    assert math.isnan(ek.monitor.exit_watch(frame([("A", "2026-01", None)])).loc["A", "last_score"])
