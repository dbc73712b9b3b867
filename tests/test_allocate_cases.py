"""ek.allocate on the hand-checked knapsack cases and on the contest rules.

Reference: tests/reference/allocation/knapsack_cases.json (each case verified there by
an exact MILP and by brute force); every case must come out exactly.
"""
import json

import pandas as pd
import pytest

from evalkit.allocate import Allocation, allocate
from evalkit.errors import AllocationError, EvalkitError

from conftest import REFERENCE

CASES = json.loads((REFERENCE / "allocation" / "knapsack_cases.json").read_text())["cases"]


def case_frame(case):
    df = pd.DataFrame(case["projects"]).rename(columns={"id": "project", "request": "requested",
                                                        "org": "organisation"})
    kw = dict(case.get("constraints", {}))
    if "min_fraction" in df:
        df["min_fraction"] = df["min_fraction"].fillna(1.0)
        kw["min_fraction"] = "min_fraction"
    if "category" in df:
        kw["category"] = "category"
    if "organisation" in df:
        kw["organisation"] = "organisation"
    return df, kw


def funded(alloc: Allocation) -> dict:
    t = alloc.table
    return dict(zip(t.loc[t.funded, "project"], t.loc[t.funded, "amount"]))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_knapsack_case(case):
    df, kw = case_frame(case)
    exp = case["expected"]
    if exp["status"] == "infeasible":
        with pytest.raises(AllocationError) as err:
            allocate(df, case["budget"], rule="optimal", **kw)
        assert err.value.status == "infeasible"
        assert "youth" in str(err.value) and "60%" in str(err.value)
        return
    a = allocate(df, case["budget"], rule="optimal", **kw)
    assert a.status == exp["status"] == "optimal"
    assert a.gap == 0
    assert a.value == exp["value"]
    assert funded(a) == exp["allocation"]
    assert all(isinstance(v, int) for v in funded(a).values())
    if "greedy_density_value" in case:
        g = allocate(df, case["budget"], rule="greedy_density", **kw)
        assert g.value == case["greedy_density_value"]
        assert g.greedy_gap == exp["value"] - case["greedy_density_value"]


def test_zero_score_tie_break_holds_even_when_zero_scores_are_allowed():
    case = next(c for c in CASES if c["id"] == "zero_score_project")
    df, kw = case_frame(case)
    a = allocate(df, case["budget"], rule="optimal", fund_zero=True)
    assert funded(a) == {"B": 60}          # rule (2): least money among equal values
    default = allocate(df, case["budget"], rule="greedy")
    assert funded(default) == {"B": 60}    # zero scores never funded unless asked
    assert "零" in default.table.set_index("project").loc["A", "reason_zh"]
    asked = allocate(df, case["budget"], rule="greedy", fund_zero=True)
    assert funded(asked) == {"A": 30, "B": 60}


def test_unconstrained_optima_of_the_constrained_cases():
    for cid in ("category_min_share", "org_cap"):
        case = next(c for c in CASES if c["id"] == cid)
        df, _ = case_frame(case)
        a = allocate(df, case["budget"], rule="optimal")
        assert a.value == case["expected"]["unconstrained_value"]
        assert funded(a) == case["expected"]["unconstrained_allocation"]


def demo():
    return pd.DataFrame({
        "project": ["P1", "P2", "P3", "P9", "P10", "P11"],
        "score": [90.0, 85.0, 80.0, 70.0, 70.0, 0.0],
        "requested": [50_000, 40_000, 30_000, 20_000, 20_000, 10_000],
        "category": ["elder", "youth", "youth", "elder", "elder", "youth"],
        "organisation": ["O1", "O1", "O2", "O3", "O4", "O5"],
    })


def test_greedy_reasons_and_natural_id_tie_break():
    a = allocate(demo(), 110_000, rule="greedy")
    t = a.table.set_index("project")
    assert a.funded == ["P1", "P2", "P9"]
    assert a.total == 110_000 and a.leftover == 0
    # P9 and P10 tie on score and request: natural order puts P9 first; P3 (30000) skipped
    assert "budget exhausted at rank 3 (needed 30,000, 20,000 left)" == t.loc["P3", "reason_en"]
    assert "预算已用尽" in t.loc["P3", "reason_zh"]
    assert "needed 20,000, 0 left" in t.loc["P10", "reason_en"]
    assert list(t["rank"]) == [1, 2, 3, 4, 5, 6] and list(a.table.project[:5]) == ["P1", "P2", "P3", "P9", "P10"]
    assert a.ties and a.ties[0]["projects"] == ["P9", "P10"] and a.ties[0]["funded"] == ["P9"]
    # the reverse priority is recorded and flips the tie
    b = allocate(demo(), 110_000, rule="greedy", tie_break=["P10", "P9"])
    assert "P10" in b.funded and "P9" not in b.funded
    assert b.tie_break[:2] == ["P10", "P9"]
    assert a.greedy_gap == pytest.approx(a.optimal_value - a.value) and a.greedy_gap >= 0


def test_greedy_stop_stops_at_first_misfit():
    a = allocate(demo(), 110_000, rule="greedy_stop")
    assert a.funded == ["P1", "P2"]
    assert "stops at rank 3" in a.table.set_index("project").loc["P9", "reason_en"]


def test_partial_amounts_are_whole_units_and_explained():
    a = allocate(demo(), 100_001, rule="greedy", min_fraction=0.3)
    t = a.table.set_index("project")
    assert t.loc["P3", "amount"] == 10_001 and isinstance(t.loc["P3", "amount"], (int,)) or \
        int(t.loc["P3", "amount"]) == 10_001
    assert "partly funded" in t.loc["P3", "reason_en"] and "部分资助" in t.loc["P3", "reason_zh"]
    assert a.total == 100_001 and a.leftover == 0


def test_fen_amounts_are_exact():
    df = pd.DataFrame({"project": ["A", "B"], "score": [10.0, 9.0], "requested": [100.10, 100.20]})
    a = allocate(df, 150.15, rule="optimal", min_fraction=0.1)
    t = a.table.set_index("project")
    assert t.loc["A", "amount"] == 100.10 and t.loc["B", "amount"] == 50.05
    assert a.total == 150.15 and a.leftover == 0.0


def test_threshold_veto_fixed_out_and_fixed_in():
    df = demo()
    df["excluded"] = ["", "veto: compliance", "", "", "", ""]
    a = allocate(df, 200_000, rule="optimal", threshold=75, fixed_out=["P3"], fixed_in=["P10"])
    t = a.table.set_index("project")
    assert a.funded == ["P1", "P10"]
    assert "vetoed" in t.loc["P2", "reason_en"] and "compliance" in t.loc["P2", "reason_en"]
    assert "fixed out" in t.loc["P3", "reason_en"]
    assert "below the threshold 75" in t.loc["P9", "reason_en"]
    with pytest.raises(AllocationError):
        allocate(df, 200_000, fixed_in=["P3"], fixed_out=["P3"])


def test_category_max_and_org_cap_reasons_in_greedy():
    a = allocate(demo(), 200_000, rule="greedy", category="category", category_max_share={"youth": 0.25},
                 organisation="organisation", org_cap={"O1": 60_000})
    t = a.table.set_index("project")
    assert "organisation cap reached for O1" in t.loc["P2", "reason_en"]
    assert t.loc["P3", "funded"]
    assert a.table.loc[a.table.category == "youth", "amount"].sum() <= 50_000


def test_without_budget_limit_every_eligible_project_funded_in_full():
    df = demo()
    for rule in ("optimal", "greedy", "greedy_stop", "greedy_density", "proportional"):
        a = allocate(df, int(df.requested.sum()) + 1, rule=rule)
        t = a.table.set_index("project")
        assert (t.loc[t.score > 0, "fraction"] == 1).all(), rule
        assert not t.loc["P11", "funded"]


def test_proportional_water_filling():
    df = pd.DataFrame({"project": ["A", "B", "C"], "score": [60.0, 30.0, 10.0],
                       "requested": [50, 100, 100]})
    a = allocate(df, 100, rule="proportional")
    t = a.table.set_index("project")
    # lam*60 >= 50 caps A at 50; the other 50 split 30:10 -> 37.5 / 12.5 -> 38 / 12 (largest first)
    assert (t.loc["A", "amount"], t.loc["B", "amount"], t.loc["C", "amount"]) == (50, 38, 12)
    assert a.total == 100


def test_infeasible_explanation_names_minimal_conflict():
    df = demo()
    with pytest.raises(AllocationError) as err:
        allocate(df, 100_000, rule="optimal", category="category",
                 category_min_share={"youth": 0.6, "elder": 0.5})
    msg = str(err.value)
    # youth 60% + elder 50% of a 100,000 fund cannot both hold; the org cap is not involved
    assert "youth" in msg and "elder" in msg and "at least" in msg
    assert {g[0] for g in err.value.conflict} <= {"budget", "category_min"}


def test_bad_inputs_are_typed_errors():
    with pytest.raises(EvalkitError):
        allocate(demo(), 100, rule="nope")
    with pytest.raises(AllocationError, match="argument .score. must be a column of projects"):
        allocate(demo(), 100, score="total")
    with pytest.raises(AllocationError):
        allocate(demo().assign(requested=-1), 100)
    with pytest.raises(AllocationError):
        allocate(demo(), 100, min_fraction=1.5)
    with pytest.raises(AllocationError, match="nope"):  # a minimum for a category without projects
        allocate(demo(), 100, category="category", category_min_share={"nope": 0.1})
    with pytest.raises(AllocationError):
        allocate(demo(), 100, category="category", category_max_share=1.5)


def test_project_id_from_index_or_id_column():
    df = demo().set_index("project")
    assert allocate(df, 110_000, rule="greedy").funded == ["P1", "P2", "P9"]
    df2 = demo().rename(columns={"project": "id"})
    assert allocate(df2, 110_000, rule="greedy").funded == ["P1", "P2", "P9"]


def test_mes_gives_a_minority_of_judges_its_share():
    # 3 judges love A and B (expensive), 1 judge loves C only. Budget 100 -> 25 per judge.
    df = pd.DataFrame({"project": ["A", "B", "C"], "requested": [50, 40, 25]})
    rows = [(j, "A", 10) for j in ("j1", "j2", "j3")] + [(j, "B", 9) for j in ("j1", "j2", "j3")]
    rows += [("j4", "C", 10)]
    scores = pd.DataFrame(rows, columns=["judge", "project", "score"])
    mes = allocate(df, 100, rule="mes", scores=scores, utility="score")
    # B has the lowest price per utility (40/27 < 50/30); j1-j3 pay 40/3 each and keep 35 < 50 for A;
    # j4's own 25 buys C
    assert mes.funded == ["B", "C"]
    greedy = allocate(df.assign(score=[30, 27, 10]), 100, rule="greedy")
    assert greedy.funded == ["A", "B"]       # by totals the minority gets nothing
    t = mes.table.set_index("project")
    assert "equal shares" in t.loc["A", "reason_en"] and "35" in t.loc["A", "reason_en"]
    # 4 more voters who scored nothing halve every share (12.5): j1-j3 hold 37.5 < 40, j4 12.5 < 25
    assert allocate(df, 100, rule="mes", scores=scores, n_voters=8).funded == []
    with pytest.raises(AllocationError):
        allocate(df, 100, rule="mes", scores=scores, n_voters=3)


def test_demo_contest_end_to_end():
    """The DESIGN.md call: ranking joined with the contest's projects, real limits."""
    ek = pytest.importorskip("evalkit")
    from conftest import DATA
    contest = ek.load_contest(DATA / "demo-huaihe")
    ranking = ek.rank(contest.scores, contest.rubric, method="trimmed")
    frame = ranking.projects.join(contest.projects.set_index("id"))
    a = allocate(frame, contest.budget, rule="optimal", min_amount="min_amount", category="category",
                 category_min_share=0.15, organisation="organisation", org_cap=60_000)
    t = a.table
    assert a.status == "optimal" and a.total <= 260_000
    assert (t.groupby("category")["amount"].sum() >= 0.15 * 260_000 - 1e-9).all()
    assert (t.groupby("organisation")["amount"].sum() <= 60_000).all()
    partial = t[(t.amount > 0) & (t.amount < t.requested)]
    mins = contest.projects.set_index("id")["min_amount"]
    assert (partial.amount.to_numpy() >= mins.loc[partial.project].to_numpy()).all()
    assert (t.loc[t.fraction < 1, "reason_zh"] != "").all() and (t.loc[t.fraction < 1, "reason_en"] != "").all()
    g = allocate(frame, contest.budget, rule="greedy", min_amount="min_amount")
    assert g.greedy_gap >= 0 and g.optimal_value >= g.value
