"""The provably best allocation: a mixed-integer programme solved by HiGHS through
scipy.optimize.milp.

Model (shared/reference/allocation/knapsack_cases.json): project i gets a_i in
{0} U [m_i r_i, r_i], a_i a whole number of the smallest money unit, written with a
binary y_i as m_i r_i y_i <= a_i <= r_i y_i (all-or-nothing projects use a_i = r_i y_i).
Maximise sum s_i a_i / r_i subject to sum a_i <= B, category shares of the fund
(q B, rounded inwards to whole units), organisation caps, eligibility and fixed-in.

Among optimal allocations the tie-break is lexicographic and exact: (1) highest
value, (2) least money spent, (3) smallest sorted tuple of funded ids (natural order).
Solve 1 finds the best value V1. Then, repeatedly, the value is maximised over funded
sets not seen yet (no-good cuts) that spend at most the best spend seen; when that
maximum falls below V1 every tied set has been seen, and the best of them by (2) and
(3) is taken. Usually the second solve already proves the optimum unique. With
all-or-nothing projects the objective is scaled to whole numbers (scores with up to 4
decimals), so values compare exactly; otherwise a 1e-9 relative slack is used.

Speed (all-or-nothing, whole-number values): the direct model's LP relaxation is weak
on organisation caps (fractional knapsacks), so HiGHS spent seconds on cuts and
sub-MIPs. The pattern model lets each capped organisation choose one of its feasible
subsets; its LP is the convex hull of every organisation's knapsack. Its duals give a
Lagrangian bound L and, per pattern, the value it loses against its organisation's
best; patterns losing more than L - V1 cannot appear in any set worth V1 and are
dropped before the MILP (reduced-cost fixing, Nemhauser & Wolsey 1988, II.5), so the
MILPs that find V1 and prove the tie-break see a few hundred columns, mostly fixed.
Infeasible constraint sets are explained by deletion filtering over constraint
groups (Chinneck & Dravnieks 1991): the result is a minimal set that cannot hold together.
"""
from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ..errors import AllocationError
from .problem import natural_key
from .reasons import money_text

MAX_ALTERNATIVES = 25
TIME_LIMIT = 60.0


class Model:
    """The MILP's columns: y (n binaries) then one integer amount per partial project."""

    def __init__(self, p, time_limit: float = TIME_LIMIT):
        self.p = p
        self.time_limit = time_limit
        n = p.n
        self.partial = np.flatnonzero(p.min_units < p.cost)
        self.nv = n + len(self.partial)
        # amount of project i = sum over (column, coefficient)
        cols = np.arange(n)
        coefs = p.cost.astype(float).copy()
        cols[self.partial] = n + np.arange(len(self.partial))
        coefs[self.partial] = 1.0
        self.amount_col, self.amount_coef = cols, coefs
        self.value_c = np.zeros(self.nv)
        self.value_c[cols] = p.score * coefs / p.cost
        self.spend_c = np.zeros(self.nv)
        self.spend_c[cols] = coefs
        self.integrality = np.ones(self.nv)
        self.groups = self._groups()
        self._members = {}

    def _groups(self) -> list:
        p = self.p
        g = [("budget", None)]
        g += [("category_min", c) for c in sorted(p.cat_min, key=natural_key)]
        g += [("category_max", c) for c in sorted(p.cat_max, key=natural_key)]
        g += [("org_cap", o) for o in sorted(p.org_cap, key=natural_key)]
        g += [("fixed_in", i) for i in p.fixed_in]
        g += [("excluded", k) for k in sorted({v[0] for v in p.ineligible.values()})]
        return g

    def members(self, attr: str, key) -> np.ndarray:
        if attr not in self._members:
            groups = {}
            for j, k in enumerate(getattr(self.p, attr)):
                groups.setdefault(k, []).append(j)
            self._members[attr] = {k: np.array(v, dtype=np.int64) for k, v in groups.items()}
        return self._members[attr].get(key, np.zeros(0, dtype=np.int64))

    def _amount_row(self, members) -> np.ndarray:
        row = np.zeros(self.nv)
        row[self.amount_col[members]] = self.amount_coef[members]
        return row

    def constraints(self, active) -> tuple[list, Bounds]:
        p, n = self.p, self.p.n
        lb, ub = np.zeros(self.nv), np.ones(self.nv)
        ub[n:] = p.cost[self.partial]
        rows, lo, hi = [], [], []
        # the partial projects' link m r y <= a <= r y
        if len(self.partial):
            k = len(self.partial)
            link = sparse.hstack([sparse.coo_matrix((np.ones(k), (np.arange(k), self.partial)), shape=(k, n)),
                                  sparse.csr_matrix((k, k))])
            eye = sparse.hstack([sparse.csr_matrix((k, n)), sparse.identity(k)])
            rows += [eye - link.multiply(p.cost[self.partial][:, None]),
                     eye - link.multiply(p.min_units[self.partial][:, None])]
            lo += [np.full(k, -np.inf), np.zeros(k)]
            hi += [np.zeros(k), np.full(k, np.inf)]
        dense, dlo, dhi = [], [], []
        for kind, key in active:
            if kind == "budget":
                dense.append(self._amount_row(np.arange(n))); dlo.append(-np.inf); dhi.append(p.budget)
            elif kind in ("category_min", "category_max"):
                members = self.members("category", key)
                dense.append(self._amount_row(members))
                dlo.append(p.cat_min[key] if kind == "category_min" else -np.inf)
                dhi.append(p.cat_max[key] if kind == "category_max" else np.inf)
            elif kind == "org_cap":
                members = self.members("org", key)
                dense.append(self._amount_row(members)); dlo.append(-np.inf); dhi.append(p.org_cap[key])
            elif kind == "fixed_in":
                lb[p.ids.index(key)] = 1
            elif kind == "excluded":
                for j, pid in enumerate(p.ids):
                    if p.ineligible.get(pid, ("",))[0] == key:
                        ub[j] = 0
                        if j in set(self.partial):
                            ub[n + int(np.searchsorted(self.partial, j))] = 0
        cons = [LinearConstraint(r, l_, h) for r, l_, h in zip(rows, lo, hi)]
        if dense:
            cons.append(LinearConstraint(np.array(dense), np.array(dlo, float), np.array(dhi, float)))
        return cons, Bounds(lb, ub)

    def solve(self, c, active, extra=()):
        cons, bounds = self.constraints(active)
        return milp(c, constraints=cons + list(extra), bounds=bounds, integrality=self.integrality,
                    options={"mip_rel_gap": 0.0, "time_limit": self.time_limit, "disp": False})

    def amounts(self, x) -> np.ndarray:
        return np.round(x[self.amount_col] * self.amount_coef).astype(np.int64)


def describe(p, group) -> tuple[str, str]:
    kind, key = group
    if kind == "budget":
        b = money_text(p, p.budget)
        return f"总预算 {b}", f"the budget of {b}"
    if kind in ("category_min", "category_max"):
        share = (p.cat_min_share if kind == "category_min" else p.cat_max_share)[key]
        amt = money_text(p, (p.cat_min if kind == "category_min" else p.cat_max)[key])
        asked = money_text(p, sum(int(r) for r, c in zip(p.cost, p.category) if c == key))
        if kind == "category_min":
            return (f"类别“{key}”至少占资金的 {share:.0%}（≥ {amt}，该类别申请合计 {asked}）",
                    f"category {key} must get at least {share:.0%} of the fund (>= {amt}; its requests total {asked})")
        return (f"类别“{key}”至多占资金的 {share:.0%}（≤ {amt}）",
                f"category {key} may get at most {share:.0%} of the fund (<= {amt})")
    if kind == "org_cap":
        cap = money_text(p, p.org_cap[key])
        return f"机构“{key}”至多获得 {cap}", f"organisation {key} may get at most {cap}"
    if kind == "fixed_in":
        j = p.ids.index(key)
        m = money_text(p, p.min_units[j])
        return f"项目 {key} 固定入选（至少 {m}）", f"project {key} is fixed in (at least {m})"
    count = sum(1 for v in p.ineligible.values() if v[0] == key)
    what = {"threshold": ("低于入围门槛", "below the threshold"), "zero": ("得分为零", "zero score"),
            "fixed_out": ("固定落选", "fixed out"), "vetoed": ("被否决", "vetoed")}[key]
    return (f"{count} 个项目因{what[0]}不予资助", f"{count} project(s) not eligible: {what[1]}")


def explain_infeasible(model) -> list:
    """A minimal subset of constraint groups that cannot hold together."""
    zero = np.zeros(model.nv)
    conflict = list(model.groups)
    for g in list(conflict):
        trial = [h for h in conflict if h != g]
        if model.solve(zero, trial).status == 2:
            conflict = trial
    return conflict


def _integral_scale(p, model) -> float | None:
    """A power of ten making every value coefficient a whole number (all-or-nothing
    projects, scores with <= 4 decimals), so values compare exactly; else None."""
    if len(model.partial):
        return None
    for d in range(5):
        scaled = p.score * 10 ** d
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-9) and np.abs(scaled).sum() < 2 ** 52:
            return float(10 ** d)
    return None


def _lexicographic(solve, c, spend_z, X, amounts, ids, tol, unit=1, r1=None):
    """The tie-break loop over funded sets x = X z (z the solver's columns). The first
    solve maximises value; each later one maximises value again over funded sets not yet
    seen (no-good cuts) spending at most the best spend so far; once its optimum falls
    below the best value (or nothing is feasible) the best set is proven
    lexicographically best: highest value, then least money, then smallest sorted ids.
    c: minus the value over z; X: z -> funded indicators; amounts: z -> integer amounts;
    spend_z: money over z in units of `unit` (a divisor of every amount); r1: the first
    solve when already done."""
    r1 = solve(c, []) if r1 is None else r1
    if r1.x is None or r1.status != 0:
        return r1, None if r1.x is None else amounts(r1.x), {"solves": 1, "tie_break_proven": False}
    found = [amounts(r1.x)]
    v1 = -r1.fun

    def better(a):
        return (int(a.sum()), sorted(natural_key(ids[j]) for j in np.flatnonzero(a)))

    solves, complete = 1, False
    while len(found) <= MAX_ALTERNATIVES:
        best = min(found, key=better)
        cuts = [LinearConstraint(spend_z[None, :], -np.inf, int(best.sum()) // unit)]
        for a in found:  # no-good cut: the funded set differs from each one seen
            sel = np.where(a > 0, -1.0, 1.0)
            cuts.append(LinearConstraint((X.T @ sel)[None, :], 1 - int((a > 0).sum()), np.inf))
        r = solve(c, cuts)
        solves += 1
        if r.x is None or -r.fun < v1 - tol:
            complete = r.status in (0, 2)
            break
        found.append(amounts(r.x))
    return r1, min(found, key=better), {"solves": solves, "n_optimal_sets": len(found), "tie_break_proven": complete}


def _count_within(costs, cap: int, limit: int) -> int:
    """How many subsets of `costs` (whole numbers) sum to at most `cap`, counted by
    dynamic programming over the spend and clipped at limit + 1."""
    if cap > 10 ** 6:  # too wide to count: let the enumeration's own limit decide
        return 0
    ways = np.zeros(cap + 1, dtype=np.int64)
    ways[0] = 1
    for c in costs:
        if c <= cap:
            ways[c:] = np.minimum(ways[c:] + ways[:-c] if c else 2 * ways, limit + 1)
    return int(min(ways.sum(), limit + 1))


class PatternModel:
    """All-or-nothing projects regrouped: each capped organisation (or lone project)
    chooses exactly one of its feasible subsets ("patterns", the empty one included).
    The organisation caps vanish into the enumeration, so the LP relaxation is the
    convex hull of every organisation's knapsack: far tighter than the direct model's
    LP (on the benchmark its bound is within 0.002% of the optimum), which makes the
    reduced-cost fixing in survivors() remove almost every pattern. Exact: the feasible
    funded sets are the same as the direct model's."""

    def __init__(self, p, limit: int):
        self.p = p
        n = p.n
        ok = p.eligible_mask()
        fixed = set(p.fixed_in)
        members = {}
        for j in range(n):
            o = p.org[j] if p.org is not None else None
            key = ("org", o) if o in p.org_cap else ("one", j)
            members.setdefault(key, []).append(j)
        g = self.unit = int(np.gcd.reduce(p.cost))
        free_of = {key: [j for j in js if ok[j] or p.ids[j] in fixed] for key, js in members.items()}
        # count the subsets first (a cheap knapsack count) so that a huge enumeration is
        # never started: the direct model is used then
        if sum(_count_within(p.cost[js] // g, p.org_cap[key[1]] // g, limit) if key[0] == "org" else 2
               for key, js in free_of.items()) > limit:
            raise OverflowError
        rows, cols, group = [], [], []
        for gi, (key, js) in enumerate(members.items()):
            cap = p.org_cap[key[1]] if key[0] == "org" else None
            must = [j for j in js if p.ids[j] in fixed]
            free = free_of[key]
            stack = [(0, 0, ())]
            while stack:  # depth-first over subsets within the cap
                k, spent, sub = stack.pop()
                if all(j in sub for j in must):
                    rows.extend(sub); cols.extend([len(group)] * len(sub)); group.append(gi)
                    if len(group) > limit:
                        raise OverflowError
                for i in range(k, len(free)):
                    s = spent + int(p.cost[free[i]])
                    if cap is None or s <= cap:
                        stack.append((i + 1, s, sub + (free[i],)))
        self.group = np.array(group)
        self.n_groups = len(members)
        self.P = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(group)))
        # coupling rows as "U z <= b" over patterns, money in units of the costs' gcd
        # (bounds rounded inwards, exact for integers): budget, category max, -category min
        money, b = [], []
        sel = lambda attr, key: np.array([v == key for v in getattr(p, attr)], float)  # noqa: E731
        money.append(np.ones(n)); b.append(p.budget // g)
        for cat, cap in p.cat_max.items():
            money.append(sel("category", cat)); b.append(cap // g)
        for cat, low in p.cat_min.items():
            money.append(-sel("category", cat)); b.append(-low // g)  # -ceil(low / g)
        U = np.array(money) * (p.cost // g)
        self.U = sparse.csr_matrix(U) @ self.P
        self.b = np.array(b, dtype=float)
        self.G = sparse.csr_matrix((np.ones(len(group)), (self.group, np.arange(len(group)))),
                                   shape=(self.n_groups, len(group)))

    def survivors(self, value_x, time_limit):
        """Reduced-cost fixing with the pattern LP's duals lam >= 0 (any such lam gives a
        valid bound, so LP tolerances cannot make it wrong): for every feasible funded
        set, value <= L - sum over groups of loss(chosen pattern), with
        L = lam b + sum_g max_p rp_p, rp = v - lam U, loss_p = max_g rp - rp_p.
        Returns (L, loss) or None when the LP is infeasible."""
        v = value_x @ self.P
        r = linprog(-v, A_ub=self.U, b_ub=self.b, A_eq=self.G, b_eq=np.ones(self.n_groups),
                    bounds=(0, 1), method="highs", options={"time_limit": time_limit})
        if r.status != 0:
            return None
        lam = np.maximum(0.0, -np.asarray(r.ineqlin.marginals))
        rp = v - lam @ self.U
        best = np.full(self.n_groups, -np.inf)
        np.maximum.at(best, self.group, rp)
        loss = best[self.group] - rp
        loss[loss < 1e-6] = 0.0  # rounding dust; lowering a loss only weakens the fixing
        return float(lam @ self.b + best.sum()), loss


def _solve_patterns(p, value_x, tol, time_limit):
    """The lexicographic optimum on the pattern model, fixing patterns that no funded
    set with value >= the optimum can use. Start with a slack delta of 1e-4 of the LP
    bound L; solve the reduced MIP; if its optimum V1 is within delta of L, every set
    with value >= V1 - tol loses at most delta and so survived: the answer and its
    tie-break are exact. Else retry with delta = L - V1 (or wider when infeasible)."""
    try:
        pm = PatternModel(p, limit=20 * p.n + 1000)
    except OverflowError:  # too many subsets: the direct model instead
        return None
    # a group with no feasible subset (e.g. a fixed-in project above its cap) or an
    # infeasible LP: the direct model explains which constraints clash
    bound = pm.survivors(value_x, time_limit) if len(np.unique(pm.group)) == pm.n_groups else None
    if bound is None:
        return None
    L, loss = bound
    margin = 1e-9 * max(1.0, abs(L)) + tol
    delta = 1e-4 * max(1.0, abs(L))
    cost = p.cost.astype(float)

    def model(keep, *extra):
        X = pm.P[:, keep].tocsc()
        cons = [LinearConstraint(pm.U[:, keep], -np.inf, pm.b), LinearConstraint(pm.G[:, keep], 1, 1), *extra]

        def solve(c, extra):
            return milp(c, constraints=cons + list(extra), bounds=Bounds(0, 1), integrality=np.ones(len(keep)),
                        options={"mip_rel_gap": 0.0, "time_limit": time_limit, "disp": False})
        return solve, X

    while True:
        keep = np.flatnonzero(loss <= delta + margin)
        solve, X = model(keep)
        r1 = solve(-(X.T @ value_x), [])
        v1 = -r1.fun if r1.status == 0 else None
        # stop when proven (L - v1 <= delta), on a time limit (unproven), or at the full model
        if (v1 is not None and L - v1 <= delta) or r1.status not in (0, 2) or len(keep) == len(loss):
            break
        delta = L - v1 if v1 is not None else 8 * delta
    if v1 is not None and L - v1 < delta:
        # the ties need only the patterns with loss <= L - v1 (the optimum's among them):
        # a smaller model for the tie-break solves
        tight = np.flatnonzero(loss <= L - v1 + margin)
        r1.x = r1.x[np.searchsorted(keep, tight)]
        keep = tight
        solve, X = model(keep, LinearConstraint(loss[keep][None, :], -np.inf, L - v1 + margin))
    amounts = lambda z: np.round(X @ z).astype(np.int64) * p.cost  # noqa: E731
    r1, best, info = _lexicographic(solve, -(X.T @ value_x), X.T @ cost / pm.unit, X, amounts, p.ids, tol,
                                    pm.unit, r1)
    return r1, best, {**info, "patterns": pm.P.shape[1], "patterns_kept": len(keep)}


def solve_optimal(p, time_limit: float = TIME_LIMIT, patterns: bool = True) -> dict:
    """The lexicographically best allocation (see the module docstring). All-or-nothing
    problems with whole-number values go through the pattern model with reduced-cost
    fixing; the rest (partial amounts, too many subsets, infeasible) through the direct
    model. ``patterns=False`` forces the direct model (tests and benchmarks compare)."""
    model = Model(p, time_limit)
    t0 = time.perf_counter()
    scale = _integral_scale(p, model)
    value_x = np.round(p.score * scale) if scale else p.score.astype(float)
    # exact with whole-number coefficients; else a 1e-9 relative slack for float arithmetic
    tol = 0.5 if scale else 1e-9 * max(1.0, float(np.abs(value_x).sum()))
    out = _solve_patterns(p, value_x, tol, time_limit) if scale and patterns else None
    if out is not None:
        r1, best, info = out
    else:
        solve = lambda c, cuts: model.solve(c, model.groups, cuts)  # noqa: E731
        c = -np.round(model.value_c * scale) if scale else -model.value_c
        X = sparse.eye(p.n, model.nv, format="csc")  # the binaries y come first
        r1, best, info = _lexicographic(solve, c, model.spend_c, X, model.amounts, p.ids, tol)
    if r1.status == 2:
        conflict = explain_infeasible(model)
        words = [describe(p, g) for g in conflict]
        err = AllocationError(
            "these constraints cannot hold together: " + "; ".join(w[1] for w in words),
            key="constraints", expected="constraints that some allocation satisfies",
            found=[w[1] for w in words], zh="约束无法同时满足：" + "；".join(w[0] for w in words))
        err.status = "infeasible"
        err.conflict = conflict
        err.conflict_words = words
        raise err
    if r1.x is None:
        raise AllocationError(f"the solver stopped without an allocation: {r1.message}", key="rule",
                              expected="a solvable problem", found=r1.message,
                              zh=f"求解器未得到分配方案即停止（{r1.message}）")
    proven = r1.status == 0
    return {"amounts": best, "status": "optimal" if proven else "feasible",
            "gap": 0.0 if proven else float(getattr(r1, "mip_gap", np.nan)),
            "dual_bound": -float(getattr(r1, "mip_dual_bound", np.nan)) / (scale or 1.0), **info,
            "seconds": time.perf_counter() - t0, "message": r1.message}
