"""The fast optimal solver (pattern model + reduced-cost fixing) against the direct
MILP and against brute force: same status, same amounts, including the exact
lexicographic tie-break (value, then least money, then smallest sorted ids)."""
import itertools
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from evalkit.allocate.optimal import solve_optimal
from evalkit.allocate.problem import build_problem, natural_key
from evalkit.errors import AllocationError


@st.composite
def problems(draw, n_max=9):
    n = draw(st.integers(2, n_max))
    df = pd.DataFrame({
        "project": [f"P{i + 1}" for i in range(n)],
        # few distinct scores and costs: many tied optima, so the tie-break is exercised
        "score": draw(st.lists(st.sampled_from([0, 1, 2, 3, 5, 8, 8.5]), min_size=n, max_size=n)),
        "requested": draw(st.lists(st.sampled_from([1, 2, 3, 4, 6]), min_size=n, max_size=n)),
        "category": draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n)),
        "organisation": draw(st.lists(st.sampled_from(["X", "Y", "Z"]), min_size=n, max_size=n)),
    })
    unit = draw(st.sampled_from([1, 1000]))  # a gcd > 1 exercises the money rescaling
    df["requested"] *= unit
    kw = {"organisation": "organisation", "org_cap": draw(st.sampled_from([4, 6, 9])) * unit}
    if draw(st.booleans()):
        kw |= {"category": "category", "category_max_share": draw(st.sampled_from([0.4, 0.6]))}
    if draw(st.booleans()):
        kw |= {"category": "category", "category_min_share": {"A": 0.1, "B": 0.2}}
    if draw(st.booleans()):
        kw["fixed_in"] = ["P1"]
    budget = draw(st.integers(0, int(df["requested"].sum())))
    return build_problem(df, budget, **kw)


def brute_force(p):
    """Every funded set checked by hand: the lexicographic best, or None if infeasible."""
    best = None
    ok = p.eligible_mask()
    for bits in itertools.product((0, 1), repeat=p.n):
        x = np.array(bits)
        if (x & ~ok).any() or any(x[p.ids.index(f)] == 0 for f in p.fixed_in):
            continue
        a = x * p.cost
        if a.sum() > p.budget:
            continue
        cat = lambda c: sum(int(v) for v, k in zip(a, p.category) if k == c)  # noqa: E731
        if any(cat(c) > m for c, m in p.cat_max.items()) or any(cat(c) < m for c, m in p.cat_min.items()):
            continue
        org = lambda o: sum(int(v) for v, k in zip(a, p.org) if k == o)  # noqa: E731
        if any(org(o) > m for o, m in p.org_cap.items()):
            continue
        key = (-round(float(np.dot(x, p.score)), 6), int(a.sum()),
               sorted(natural_key(p.ids[j]) for j in np.flatnonzero(x)))
        if best is None or key < best[0]:
            best = (key, a)
    return None if best is None else best[1]


def solve(p, **kw):
    try:
        return solve_optimal(p, **kw)
    except AllocationError as e:
        return e


@settings(max_examples=60, deadline=None)
@given(problems())
def test_pattern_model_matches_brute_force_and_direct_model(p):
    fast, direct, want = solve(p), solve(p, patterns=False), brute_force(p)
    if want is None:
        assert isinstance(fast, AllocationError) and isinstance(direct, AllocationError)
        assert fast.conflict == direct.conflict
        return
    assert fast["status"] == "optimal" and fast["tie_break_proven"]
    np.testing.assert_array_equal(fast["amounts"], want)
    np.testing.assert_array_equal(direct["amounts"], want)


def test_fixing_keeps_few_patterns_and_all_ties():
    # 60 projects, 12 capped organisations, scores from 3 values: many tied optima; the
    # fast path must drop most patterns yet return the direct model's tie-break winner
    rng = np.random.default_rng(7)
    n = 60
    df = pd.DataFrame({"project": [f"P{i}" for i in range(n)], "score": rng.choice([4, 6, 9], n),
                       "requested": rng.choice([2, 3, 5], n) * 100,
                       "category": rng.choice(list("ABCD"), n), "organisation": rng.choice(list("abcdefghijkl"), n)})
    p = build_problem(df, int(df["requested"].sum() * 0.4), category="category", category_min_share=0.1,
                      category_max_share=0.4, organisation="organisation", org_cap=900)
    fast, direct = solve_optimal(p), solve_optimal(p, patterns=False)
    assert fast["patterns_kept"] < fast["patterns"] / 2
    assert fast["tie_break_proven"] and direct["tie_break_proven"]
    np.testing.assert_array_equal(fast["amounts"], direct["amounts"])
    assert re.match(r"Optimization terminated successfully", fast["message"])


def test_fixed_in_above_its_organisation_cap_is_explained():
    # the organisation has no feasible subset at all: the direct model names the clash
    df = pd.DataFrame({"project": ["P0", "P1", "P2"], "score": [1.0, 10.0, 8.0],
                       "requested": [3000, 6000, 1000], "organisation": ["Z", "Z", "Z"]})
    p = build_problem(df, 4499, organisation="organisation", org_cap=5650, fixed_in=["P1"])
    err = solve(p)
    assert isinstance(err, AllocationError) and err.status == "infeasible"
    assert ("fixed_in", "P1") in err.conflict and ("org_cap", "Z") in err.conflict
