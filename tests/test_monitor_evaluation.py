"""Evaluations on the indicator rubric and the indicator rows (hand-checked cases)."""
import math

import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import ScoreError
from evalkit.monitor import IndicatorError
from evalkit.monitor.evaluations import evaluate
from evalkit.monitor.grades import grade_of
from evalkit.monitor.indicators import IndicatorRow, indicator_table, read_plan
from tests.conftest import RUBRICS

RUBRIC = ek.load_rubric(RUBRICS / "xiangmu-pinggu.yaml")


def sheet(evaluator, project, evaluation, points):
    """One evaluator's sheet: ``points`` per criterion in rubric order."""
    return [(evaluator, project, evaluation, c.id, p) for c, p in zip(RUBRIC.criteria, points)]


def test_rubric_bands_and_grading_on_the_published_total():
    assert RUBRIC.total_max == 100 and RUBRIC.rule.method == "mean" and RUBRIC.rule.decimals == 1
    assert [g.label.zh for g in RUBRIC.grades] == ["优秀", "良好", "合格", "不合格"]
    assert [g.label.en for g in RUBRIC.grades] == ["Excellent", "Good", "Pass", "Fail"]
    cases = {100: "优秀", 90: "优秀", 89.9: "良好", 80: "良好", 79.9: "合格", 60: "合格", 59.9: "不合格", 0: "不合格"}
    for total, label in cases.items():
        assert grade_of(RUBRIC, total).zh == label, total
    # 89.96 is published as 90.0 (one decimal, 四舍五入) and graded as shown
    assert grade_of(RUBRIC, 89.96).zh == "优秀" and grade_of(RUBRIC, 89.94).zh == "良好"
    assert grade_of(RUBRIC, math.nan) is None


def test_evaluators_combined_by_the_rubrics_rule():
    # weights = maxima, so a sheet's total is the sum of its points
    rows = (sheet("E1", "P01", "mid", [18, 22, 20, 13, 9, 4]) +      # 86
            sheet("E2", "P01", "mid", [16, 20, 18, 12, 8, 3]) +      # 77
            sheet("E3", "P01", "mid", [15, 19, 17, 11, 7, 2.5]) +    # 71.5
            sheet("E1", "P02", "mid", [10, 12, 12, 8, 5, 2]) +       # 49
            sheet("E2", "P02", "mid", [11, 13, 12, 9, 6, 2]))        # 53
    ev = evaluate(pd.DataFrame(rows, columns=["evaluator", "project", "evaluation", "criterion", "score"]), RUBRIC)
    p1, p2 = ev.result("P01", "mid"), ev.result("P02", "mid")
    assert p1["total"] == pytest.approx((86 + 77 + 71.5) / 3) and p1["grade"] == "合格" and p1["n_evaluators"] == 3
    assert p2["total"] == pytest.approx(51) and p2["grade"] == "不合格" and p2["grade_en"] == "Fail"
    assert ev.grades("mid") == {"P01": "合格", "P02": "不合格"}
    # the same numbers through ek.rank with the rubric's rule: no second implementation
    ranked = ek.rank(pd.DataFrame(rows, columns=["judge", "project", "round", "criterion", "score"]).drop(columns="round"),
                     RUBRIC, method="mean").projects["score"]
    assert ranked["P01"] == pytest.approx(p1["total"])


def test_trimmed_rule_is_followed_when_the_rubric_says_so():
    from dataclasses import replace
    from evalkit.rubric import Rule
    trimmed = replace(RUBRIC, rule=Rule("trimmed", 1, 1))
    rows = (sheet("E1", "P01", "final", [20, 25, 25, 15, 10, 5]) + sheet("E2", "P01", "final", [10, 10, 10, 5, 5, 0])
            + sheet("E3", "P01", "final", [16, 20, 20, 12, 8, 4]))
    ev = evaluate(pd.DataFrame(rows, columns=["evaluator", "project", "evaluation", "criterion", "score"]), trimmed)
    assert ev.result("P01")["total"] == pytest.approx(80) and ev.result("P01")["grade"] == "良好"


def test_scores_are_validated_with_the_row():
    rows = sheet("E1", "P01", "mid", [21, 22, 20, 13, 9, 4])  # 21 > max 20
    with pytest.raises(ScoreError) as e:
        evaluate(pd.DataFrame(rows, columns=["evaluator", "project", "evaluation", "criterion", "score"]), RUBRIC)
    assert e.value.key == "score" and "20" in str(e.value.expected)
    rows = sheet("E1", "P01", "midterm", [18, 22, 20, 13, 9, 4])
    with pytest.raises(ScoreError) as e:
        evaluate(pd.DataFrame(rows, columns=["evaluator", "project", "evaluation", "criterion", "score"]), RUBRIC)
    assert e.value.key == "evaluation" and e.value.found == "midterm"


PLAN = pd.DataFrame([("P01", "served", "output", "服务人次", "people served", "人次", "400", "200"),
                     ("P01", "sessions", "output", "活动场次", "sessions", "场", "24", ""),
                     ("P01", "satisfied", "outcome", "满意率", "satisfaction", "%", "90", "85")],
                    columns=["project", "indicator", "kind", "label", "label_en", "unit", "target", "mid_target"])


def test_indicator_rows_share_and_met():
    act = pd.DataFrame([("P01", "mid", "served", "150", "暑期场地维修，活动推迟"), ("P01", "mid", "satisfied", "88", ""),
                        ("P01", "final", "served", "420", ""), ("P01", "final", "sessions", "20", "两场因台风取消"),
                        ("P01", "final", "satisfied", "90", "")],
                       columns=["project", "evaluation", "indicator", "actual", "explanation"])
    t = indicator_table(PLAN, act).set_index(["evaluation", "indicator"])
    assert ("mid", "sessions") not in t.index  # no mid-term target: assessed at the final only
    assert t.loc[("mid", "served"), "target"] == 200 and t.loc[("mid", "served"), "share"] == pytest.approx(0.75)
    assert not t.loc[("mid", "served"), "met"] and t.loc[("mid", "satisfied"), "met"]
    assert t.loc[("final", "served"), "share"] == pytest.approx(1.05) and t.loc[("final", "served"), "met"]
    assert t.loc[("final", "satisfied"), "met"]  # exactly the target is met
    assert t.loc[("final", "sessions"), "note_zh"] == "未完成：两场因台风取消"
    assert t.loc[("final", "sessions"), "note_en"] == "missed: 两场因台风取消"


def test_a_missed_target_needs_an_explanation_naming_the_row(tmp_path):
    f = tmp_path / "actuals.csv"
    f.write_text("project,evaluation,indicator,actual,explanation\nP01,final,served,420,\nP01,final,sessions,20,\n",
                 encoding="utf-8")
    from evalkit.io.csvtext import read_csv_text
    act = read_csv_text(f)
    with pytest.raises(IndicatorError) as e:
        indicator_table(PLAN, act)
    assert e.value.where == f"{f} row 3" and e.value.key == "explanation" and "sessions" in e.value.message
    with pytest.raises(IndicatorError) as e:
        IndicatorRow("P01", "final", "x", 10, 9)
    assert e.value.key == "explanation"
    assert IndicatorRow("P01", "final", "x", 10, 9, "原因").share == pytest.approx(0.9)
    assert IndicatorRow("P01", "final", "x", 10, None).note.zh == "未报告实际值"


def test_indicator_input_errors():
    bad = PLAN.assign(target=["400", "0", "90"])
    with pytest.raises(IndicatorError) as e:
        read_plan(bad)
    assert e.value.key == "target" and e.value.where == "indicator plan row 1"
    with pytest.raises(IndicatorError) as e:
        read_plan(pd.concat([PLAN, PLAN.iloc[:1]], ignore_index=True))
    assert e.value.where == "indicator plan row 3"
    act = pd.DataFrame([("P01", "final", "unknown", "1", "")], columns=["project", "evaluation", "indicator", "actual",
                                                                          "explanation"])
    with pytest.raises(IndicatorError) as e:
        indicator_table(PLAN, act)
    assert e.value.key == "indicator"


def test_evaluation_lists_indicators_below_target_with_explanations():
    rows = sheet("E1", "P01", "final", [16, 20, 20, 12, 8, 4]) + sheet("E2", "P01", "final", [18, 22, 22, 13, 9, 4])
    act = pd.DataFrame([("P01", "final", "served", "420", ""), ("P01", "final", "sessions", "20", "两场因台风取消"),
                        ("P01", "final", "satisfied", "80", "新服务对象较多")],
                       columns=["project", "evaluation", "indicator", "actual", "explanation"])
    ev = evaluate(pd.DataFrame(rows, columns=["evaluator", "project", "evaluation", "criterion", "score"]), RUBRIC,
                  PLAN, act)
    r = ev.result("P01", "final")
    assert r["total"] == pytest.approx(84) and r["grade"] == "良好"
    assert r["below_target"] == ["sessions", "satisfied"] and r["explanations"] == ["两场因台风取消", "新服务对象较多"]


def test_spot_check_takes_at_least_the_share():
    from evalkit.errors import DataError
    from evalkit.monitor.evaluations import spot_check
    ids = [f"P{i:02d}" for i in range(1, 15)]
    s = spot_check(ids, 0.3, seed=1)
    assert len(s) == 5 and set(s) <= set(ids) and s == sorted(s)  # ceil(0.3 * 14) = 5
    assert spot_check(ids, 0.3, seed=1) == s and len(spot_check(ids[:10], 0.3, seed=2)) == 3
    assert spot_check(ids, 1.0) == ids and spot_check([], 0.3) == []
    with pytest.raises(DataError):
        spot_check(ids, 0)
