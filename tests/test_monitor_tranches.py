"""Tranches released or withheld by evaluation grades and the exit rule; money never
exceeds the contract (hand-checked cases and a hypothesis property)."""
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import evalkit as ek
from evalkit.monitor import MonitorError
from evalkit.monitor.tranches import decide_tranches, money_summary, read_tranches, split_amount, to_fen
from tests.conftest import RUBRICS

RUBRIC = ek.load_rubric(RUBRICS / "xiangmu-pinggu.yaml")
CONTRACTS = pd.DataFrame({"project": ["P01", "P02"], "organisation": ["甲", "乙"], "amount": [10000.0, 9999.99]})
TRANCHES = pd.DataFrame([("P01", "1", 40, "signing", ""), ("P01", "2", 40, "mid", ""), ("P01", "3", 20, "final", "良好"),
                         ("P02", "1", "33.3", "signing", ""), ("P02", "2", "33.3", "mid", ""),
                         ("P02", "3", "33.4", "final", "")],
                        columns=["project", "tranche", "percent", "after", "min_grade"])


def test_split_is_exact_in_fen():
    assert split_amount(10000, [40, 40, 20]) == [4000, 4000, 2000]
    assert split_amount(100, [33.3, 33.3, 33.4]) == [33.3, 33.3, 33.4]
    parts = split_amount(9999.99, [33.3, 33.3, 33.4])
    assert parts == [3329.99, 3329.99, 3340.01] and sum(to_fen(p) for p in parts) == 999999
    with pytest.raises(MonitorError) as e:
        split_amount(100, [50, 40])
    assert e.value.key == "percent"
    with pytest.raises(MonitorError):
        to_fen(10.005)


def test_plan_reads_default_min_grade_and_amounts():
    plan = read_tranches(CONTRACTS, TRANCHES, RUBRIC)
    assert list(plan["amount"]) == [4000, 4000, 2000, 3329.99, 3329.99, 3340.01]
    assert list(plan["min_grade"]) == ["合格", "合格", "良好", "合格", "合格", "合格"]


@pytest.mark.parametrize("bad, key", [(("P09", "1", 100, "signing", ""), "project"),
                                      (("P01", "4", 0, "signing", ""), "percent"),
                                      (("P01", "4", 10, "later", ""), "after"),
                                      (("P01", "1", 10, "signing", ""), "tranche"),
                                      (("P01", "4", 10, "mid", ""), "after"),
                                      (("P01", "4", 10, "signing", "很好"), "min_grade")])
def test_plan_errors_name_the_row(bad, key):
    t = pd.concat([TRANCHES, pd.DataFrame([bad], columns=TRANCHES.columns)], ignore_index=True)
    with pytest.raises(MonitorError) as e:
        read_tranches(CONTRACTS, t, RUBRIC)
    assert e.value.key == key and e.value.where == "tranches row 6"


def test_percentages_must_sum_to_100_per_contract():
    t = TRANCHES.assign(percent=[40, 40, 30, "33.3", "33.3", "33.4"])
    with pytest.raises(MonitorError) as e:
        read_tranches(CONTRACTS, t, RUBRIC)
    assert e.value.key == "percent" and "110" in e.value.message and e.value.where == "tranches row 2"


def test_decisions_with_reasons():
    plan = read_tranches(CONTRACTS, TRANCHES, RUBRIC)
    d = decide_tranches(plan, {("P01", "mid"): "不合格", ("P02", "mid"): "良好", ("P02", "final"): "合格",
                               ("P01", "final"): "合格"}, RUBRIC)
    d = d.set_index(["project", "tranche"])
    assert d.loc[("P01", "1"), "decision"] == "released" and d.loc[("P01", "1"), "reason_zh"] == "签订协议后拨付"
    assert d.loc[("P01", "2"), "decision"] == "withheld"
    assert d.loc[("P01", "2"), "reason_zh"] == "中期评估等级“不合格”，低于“合格”，暂缓拨付"
    assert d.loc[("P01", "2"), "reason_en"] == "mid-term evaluation graded Fail, below Pass: withheld"
    # the final tranche of P01 needs 良好: 合格 is not enough
    assert d.loc[("P01", "3"), "decision"] == "withheld"
    assert d.loc[("P02", "2"), "decision"] == "released" and "达到“合格”" in d.loc[("P02", "2"), "reason_zh"]
    assert d.loc[("P02", "3"), "decision"] == "released"
    m = money_summary(d.reset_index())
    assert m.loc["P01"].tolist() == [10000, 4000, 6000, 0]
    assert m.loc["P02"].tolist() == [9999.99, 9999.99, 0, 0]


def test_pending_and_exit():
    plan = read_tranches(CONTRACTS, TRANCHES, RUBRIC)
    d = decide_tranches(plan, {("P01", "mid"): "优秀"}, RUBRIC, exits={"甲": "2026-12"},
                        due={("P01", "mid"): "2026-11", ("P01", "final"): "2027-04"}).set_index(["project", "tranche"])
    assert d.loc[("P01", "2"), "decision"] == "released"  # graded before the exit
    assert d.loc[("P01", "3"), "decision"] == "withheld" and "2026-12" in d.loc[("P01", "3"), "reason_zh"]
    assert d.loc[("P02", "2"), "decision"] == "pending" and d.loc[("P02", "2"), "reason_en"].endswith("pending")
    # without a schedule an exit withholds every evaluation tranche
    d = decide_tranches(plan, {("P01", "mid"): "优秀"}, RUBRIC, exits={"甲": "2026-12"}).set_index(["project", "tranche"])
    assert d.loc[("P01", "2"), "decision"] == "withheld"


GRADES = [g.label.zh for g in RUBRIC.grades] + [None]


@settings(max_examples=200, deadline=None)
@given(fen=st.integers(1, 10 ** 9), cuts=st.lists(st.integers(1, 999), min_size=0, max_size=2, unique=True),
       mid=st.sampled_from(GRADES), final=st.sampled_from(GRADES), exited=st.booleans(),
       bars=st.lists(st.sampled_from(GRADES[:3]), min_size=3, max_size=3))
def test_released_never_exceeds_the_contract(fen, cuts, mid, final, exited, bars):
    # percentages in tenths of a percent summing to 100
    edges = [0] + sorted(cuts) + [1000]
    percents = [(b - a) / 10 for a, b in zip(edges, edges[1:])]
    after = ["signing", "mid", "final"][:len(percents)]
    amount = fen / 100
    contracts = pd.DataFrame({"project": ["P"], "organisation": ["O"], "amount": [amount]})
    tranches = pd.DataFrame({"project": "P", "tranche": [str(i) for i in range(len(percents))], "percent": percents,
                             "after": after, "min_grade": bars[:len(percents)]})
    plan = read_tranches(contracts, tranches, RUBRIC)
    assert sum(to_fen(a) for a in plan["amount"]) == fen
    grades = {k: v for k, v in {("P", "mid"): mid, ("P", "final"): final}.items() if v is not None}
    d = decide_tranches(plan, grades, RUBRIC, exits={"O": "2026-12"} if exited else None)
    m = money_summary(d).loc["P"]
    assert to_fen(m["released"]) <= fen
    assert to_fen(m["released"]) + to_fen(m["withheld"]) + to_fen(m["pending"]) == fen
    assert set(d["decision"]) <= {"released", "withheld", "pending"} and all(d["reason_zh"]) and all(d["reason_en"])
