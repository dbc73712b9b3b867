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
Infeasible constraint sets are explained by deletion filtering over constraint
groups (Chinneck & Dravnieks 1991): the result is a minimal set that cannot hold together.
"""
from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

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


def solve_optimal(p, time_limit: float = TIME_LIMIT) -> dict:
    """Solve 1 maximises value. Each later solve maximises value again over funded sets
    not yet seen, spending at most the best spend so far; once its optimum is below
    the best value (or nothing is feasible) the best set is proven lexicographically
    best: highest value, then least money, then smallest sorted id tuple."""
    model = Model(p, time_limit)
    t0 = time.perf_counter()
    active = model.groups
    scale = _integral_scale(p, model)
    c = -np.round(model.value_c * scale) if scale else -model.value_c
    r1 = model.solve(c, active)
    if r1.status == 2:
        conflict = explain_infeasible(model)
        words = [describe(p, g) for g in conflict]
        err = AllocationError(
            "约束无法同时满足：" + "；".join(w[0] for w in words)
            + " (these constraints cannot hold together: " + "; ".join(w[1] for w in words) + ")",
            key="constraints", expected="constraints that some allocation satisfies",
            found=[w[1] for w in words])
        err.status = "infeasible"
        err.conflict = conflict
        err.conflict_words = words
        raise err
    if r1.x is None:
        raise AllocationError(f"the solver stopped without an allocation: {r1.message}", key="rule",
                              expected="a solvable problem", found=r1.message)
    proven = r1.status == 0
    gap = float(getattr(r1, "mip_gap", np.nan))
    found = [model.amounts(r1.x)]
    v1 = -r1.fun
    # exact with whole-number coefficients; else a 1e-9 relative slack for float arithmetic
    tol = 0.5 if scale else 1e-9 * max(1.0, abs(v1))
    ids = p.ids

    def better(a):
        return (int(a.sum()), sorted(natural_key(ids[j]) for j in np.flatnonzero(a)))

    solves, complete = 1, not proven
    while proven and len(found) <= MAX_ALTERNATIVES:
        best = min(found, key=better)
        cuts = [LinearConstraint(model.spend_c[None, :], -np.inf, int(best.sum()))]
        for a in found:  # no-good cut: the funded set differs from each one seen
            sel = np.zeros(model.nv)
            sel[:p.n] = np.where(a > 0, -1.0, 1.0)
            cuts.append(LinearConstraint(sel[None, :], 1 - int((a > 0).sum()), np.inf))
        r = model.solve(c, active, cuts)
        solves += 1
        if r.x is None or -r.fun < v1 - tol:
            complete = r.status in (0, 2)
            break
        found.append(model.amounts(r.x))
    best = min(found, key=better)
    return {"amounts": best, "status": "optimal" if proven else "feasible", "gap": 0.0 if proven else gap,
            "dual_bound": -float(getattr(r1, "mip_dual_bound", np.nan)) / (scale or 1.0), "solves": solves,
            "n_optimal_sets": len(found), "tie_break_proven": complete,
            "seconds": time.perf_counter() - t0, "message": r1.message}
