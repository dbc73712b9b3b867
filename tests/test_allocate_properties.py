"""Properties of ek.allocate on random contests (hypothesis): the budget is never
exceeded, quotas and caps hold, the optimum is never worse than a greedy rule, and
without a binding budget every eligible project is funded in full."""
import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from evalkit.allocate import allocate
from evalkit.errors import AllocationError

CATS = ["elder", "youth", "disabled"]
ORGS = ["O1", "O2", "O3", "O4"]


@st.composite
def contests(draw, n_max=8):
    n = draw(st.integers(2, n_max))
    df = pd.DataFrame({
        "project": [f"P{i + 1}" for i in range(n)],
        "score": draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)),
        "requested": draw(st.lists(st.integers(1, 60), min_size=n, max_size=n)),
        "category": draw(st.lists(st.sampled_from(CATS), min_size=n, max_size=n)),
        "organisation": draw(st.lists(st.sampled_from(ORGS), min_size=n, max_size=n)),
    })
    budget = draw(st.integers(0, 200))
    return df, budget


def constrained(df, budget, rule, **kw):
    return allocate(df, budget, rule=rule, category="category", organisation="organisation",
                    category_max_share={"youth": 0.4}, category_min_share={"elder": 0.1},
                    org_cap={"O1": 30}, min_fraction=0.5, **kw)


def check_limits(a, budget):
    t = a.table
    assert a.total <= budget and a.total == t["amount"].sum() and a.leftover == budget - a.total
    assert (t["amount"] <= t["requested"]).all()
    partial = (t["amount"] > 0) & (t["amount"] < t["requested"])
    assert (t.loc[partial, "amount"] >= 0.5 * t.loc[partial, "requested"]).all()
    assert t.loc[t.category == "youth", "amount"].sum() <= 0.4 * budget
    assert t.loc[t.organisation == "O1", "amount"].sum() <= 30
    if a.status != "infeasible":
        assert t.loc[t.category == "elder", "amount"].sum() >= 0.1 * budget
    assert (t.loc[t.fraction < 1, "reason_en"] != "").all()  # every project not fully funded has a reason
    assert not t.loc[t.score == 0, "funded"].any()


@settings(max_examples=25, deadline=None)
@given(contests())
def test_limits_hold_and_optimal_beats_greedy(case):
    df, budget = case
    try:
        opt = constrained(df, budget, "optimal")
    except AllocationError as e:
        assert e.status == "infeasible"
        return
    check_limits(opt, budget)
    assert opt.status == "optimal"
    for rule in ("greedy", "greedy_stop", "greedy_density"):
        g = constrained(df, budget, rule, compare_optimal=False)
        check_limits(g, budget)
        if g.status != "infeasible":
            assert opt.value >= g.value - 1e-9, rule


@settings(max_examples=25, deadline=None)
@given(contests(n_max=7))
def test_optimal_matches_brute_force(case):
    """All-or-nothing without limits: enumerate every subset; best value, then least
    money, then the smallest sorted id tuple (natural order)."""
    df, budget = case
    a = allocate(df, budget, rule="optimal")
    ids, s, r = list(df.project), list(df.score), list(df.requested)
    best = None
    for k in range(len(ids) + 1):
        for sub in itertools.combinations(range(len(ids)), k):
            if any(s[i] == 0 for i in sub) or sum(r[i] for i in sub) > budget:
                continue
            key = (-sum(s[i] for i in sub), sum(r[i] for i in sub), sorted(int(ids[i][1:]) for i in sub))
            best = key if best is None or key < best else best
    assert a.value == -best[0] and a.total == best[1]
    assert sorted(int(p[1:]) for p in a.funded) == best[2]


@settings(max_examples=25, deadline=None)
@given(contests(), st.sampled_from(["optimal", "greedy", "greedy_stop", "greedy_density", "proportional"]))
def test_without_budget_limit_all_eligible_funded(case, rule):
    df, _ = case
    a = allocate(df, int(df.requested.sum()), rule=rule, threshold=20, compare_optimal=False)
    t = a.table
    assert (t.loc[t.score >= 20, "fraction"] == 1).all()
    assert not t.loc[t.score < 20, "funded"].any()


@settings(max_examples=25, deadline=None)
@given(contests(), st.integers(0, 300))
def test_proportional_spends_budget_and_respects_requests(case, budget):
    df, _ = case
    a = allocate(df, budget, rule="proportional")
    t = a.table
    eligible_total = int(t.loc[t.score > 0, "requested"].sum())
    assert a.total == min(budget, eligible_total)
    assert (t["amount"] <= t["requested"]).all()
    # higher score never gets a smaller fraction of its request... unless capped
    pos = t[t.score > 0]
    for (_, x), (_, y) in itertools.combinations(pos.iterrows(), 2):
        if x.score > y.score and x.fraction < 1:
            assert x.amount / x.score >= y.amount / y.score - 1 / y.score - 1e-9 or y.fraction == 1


@settings(max_examples=20, deadline=None)
@given(contests(), st.integers(2, 5), st.data())
def test_mes_spends_within_budget(case, n_judges, data):
    df, budget = case
    rows = []
    for j in range(n_judges):
        for p in df.project:
            rows.append((f"J{j}", p, data.draw(st.integers(0, 10))))
    scores = pd.DataFrame(rows, columns=["judge", "project", "score"])
    for completion in (None, "add1", "greedy", "add1+greedy"):
        a = allocate(df[["project", "requested"]], budget, rule="mes", scores=scores, completion=completion)
        assert a.total <= budget
        t = a.table
        assert ((t.amount == 0) | (t.amount == t.requested)).all()
        assert np.all(t.loc[t.fraction < 1, "reason_en"] != "")
