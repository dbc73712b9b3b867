"""The Method of Equal Shares with the judges as voters.

Peters, Pierczyński & Skowron (2021), "Proportional participatory budgeting with
additive utilities", NeurIPS; the rule as pabutools and equalshares.net run it.
Every voter gets an equal share B/n of the fund. A project costing c is affordable
at price rho when its supporters can pay sum_i min(b_i, rho * u_i) = c; each round
funds the project with the smallest rho (ties in the tie-break order) and its
supporters pay min(b_i, rho u_i). Utilities: u_ij = the judge's score
(utility="score"), or score x cost (utility="cost", Cost_Sat on approval ballots).

Completions: "add1" raises every voter's share by one currency unit and reruns
until the outcome is exhaustive; a run that would overspend is discarded and the
previous kept (pabutools voter_budget_increment=1). "greedy" then adds projects by
total utility per unit cost while money is left. "add1+greedy" does both.

Arithmetic is float64 with a relative tolerance of 1e-9 for "equal" prices (pabutools
uses exact fractions; prices that differ by less than that are treated as tied).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AllocationError
from .reasons import Ledger, blocked_reason, money_text

REL_TOL = 1e-9
COMPLETIONS = (None, "add1", "greedy", "add1+greedy")


class EqualShares:
    """Supporters and utilities per project, reusable across add1 reruns."""

    def __init__(self, p, votes: pd.DataFrame, utility: str):
        self.p = p
        judges = pd.Index(votes["judge"].unique())
        self.n_voters = len(judges)
        pos = {pid: i for i, pid in enumerate(p.ids)}
        v = votes[votes["score"] > 0]
        proj = v["project"].map(pos).to_numpy()
        voter = judges.get_indexer(v["judge"])
        u = v["score"].to_numpy(float)
        if utility == "cost":
            u = u * p.cost[proj] / p.scale
        eligible = p.eligible_mask()
        order = np.argsort(proj, kind="stable")
        proj, voter, u = proj[order], voter[order], u[order]
        bounds = np.searchsorted(proj, np.arange(p.n + 1))
        self.sup = {}
        for j in range(p.n):
            lo, hi = bounds[j], bounds[j + 1]
            if hi > lo and eligible[j]:
                self.sup[j] = (voter[lo:hi], u[lo:hi])
        self.total_u = {j: float(uu.sum()) for j, (_, uu) in self.sup.items()}
        self.cost = p.cost.astype(float)

    def price(self, j: int, b: np.ndarray) -> float | None:
        """Smallest rho with sum_i min(b_i, rho u_i) = cost_j, or None if unaffordable."""
        idx, u = self.sup[j]
        bj = b[idx]
        c = self.cost[j]
        if bj.sum() < c * (1 - 1e-12):
            return None
        ratio = bj / u
        rho0 = c / self.total_u[j]
        if rho0 <= ratio.min() * (1 + 1e-12):  # everyone can pay rho0 * u_i: nobody is short
            return rho0
        o = np.argsort(ratio, kind="stable")
        bo, uo = bj[o], u[o]
        paid = np.cumsum(bo) - bo
        denom = self.total_u[j] - (np.cumsum(uo) - uo)
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = (c - paid) / denom
        ok = np.flatnonzero(rho <= ratio[o] * (1 + 1e-12))
        return float(rho[ok[0]]) if len(ok) else None

    def run(self, per_voter: float):
        """One pass of equal shares; returns (selected list, last-seen supporter money per
        unfunded project, ties decided)."""
        b = np.full(self.n_voters, per_voter)
        stale = {j: self.cost[j] / self.total_u[j] for j in self.sup}
        remaining = set(self.sup)
        selected, short, ties = [], {}, []
        tie_pos = self.p.tie_pos
        while remaining:
            best, tied = np.inf, []
            for j in sorted(remaining, key=lambda k: (stale[k], tie_pos[k])):
                if stale[j] > best * (1 + REL_TOL):
                    break
                rho = self.price(j, b)
                if rho is None:
                    remaining.discard(j)
                    short[j] = float(b[self.sup[j][0]].sum())
                    continue
                stale[j] = rho
                if rho < best * (1 - REL_TOL):
                    best, tied = rho, [j]
                elif rho <= best * (1 + REL_TOL):
                    tied.append(j)
            if not tied:
                break
            tied.sort(key=lambda k: tie_pos[k])
            j = tied[0]
            if len(tied) > 1:
                ties.append({"projects": [self.p.ids[k] for k in tied], "key": best,
                             "funded": [self.p.ids[j]], "not_funded": [self.p.ids[k] for k in tied[1:]],
                             "order": "tie_break", "round": len(selected) + 1})
            selected.append(j)
            remaining.discard(j)
            idx, u = self.sup[j]
            b[idx] -= np.minimum(b[idx], best * u)
        return selected, short, ties


def _votes(scores, judge, project, value) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise AllocationError("rule='mes' needs each judge's scores: scores=<long frame>", key="scores",
                              expected="a DataFrame with judge, project, score columns", found=type(scores).__name__,
                              zh="分配规则 rule='mes' 需要各评委的评分：scores=<评委、项目、分数三列的数据表>")
    missing = [c for c in (judge, project, value) if c not in scores.columns]
    if missing:
        raise AllocationError("the scores frame lacks columns", key=", ".join(missing),
                              expected=f"columns {judge}, {project}, {value}", found=list(map(str, scores.columns)),
                              zh=f"评分表缺少列：{'、'.join(map(str, missing))}")
    v = pd.DataFrame({"judge": scores[judge].astype(str), "project": scores[project].astype(str),
                      "score": pd.to_numeric(scores[value], errors="coerce")})
    if v["score"].isna().any() or (v["score"] < 0).any():
        raise AllocationError("judges' scores must be numbers >= 0", key=value, expected="numbers >= 0",
                              found=v.loc[v["score"].isna() | (v["score"] < 0), "score"].head(3).tolist(),
                              zh=f"评委的评分（'{value}' 列）须为不小于 0 的数字")
    return v.groupby(["judge", "project"], as_index=False, sort=False)["score"].sum()


def project_totals(scores, judge="judge", project="project", value="score") -> pd.Series:
    """Each project's summed score over judges (the default score for rule='mes')."""
    return _votes(scores, judge, project, value).groupby("project")["score"].sum()


def run_mes(p, scores=None, utility="score", completion=None, judge="judge", project="project", value="score",
            n_voters=None):
    # utility, completion and n_voters are checked by allocate's declared constraints
    if p.cat_min or p.cat_max or p.org_cap or p.fixed_in or (p.min_units < p.cost).any():
        raise AllocationError("rule='mes' supports threshold, fixed_out and vetoes only; use rule='optimal' "
                              "for category shares, organisation caps, fixed_in or min_fraction", key="rule",
                              expected="no such limits with mes", found="category/org limits, fixed_in or min_fraction",
                              zh="分配规则 rule='mes' 只支持最低分数线、固定落选和否决；类别份额、机构上限、"
                                 "固定入选或最低部分资助比例请用 rule='optimal'")
    votes = _votes(scores, judge, project, value)
    unknown = sorted(set(votes["project"]) - set(p.ids))
    if unknown:
        raise AllocationError("the scores name projects not in the projects frame", key=project,
                              expected="project ids of the projects frame", found=unknown[:5],
                              zh=f"评分中有项目表里没有的项目：{'、'.join(unknown[:5])}")
    es = EqualShares(p, votes, utility)
    if es.n_voters == 0:
        raise AllocationError("no judge scores", key="scores", expected="at least one row", found="0 rows",
                              zh="没有评委评分")
    if n_voters is not None:  # voters who scored nothing still hold a share (e.g. empty ballots)
        if int(n_voters) < es.n_voters:
            raise AllocationError("n_voters is below the number of judges in the scores", key="n_voters",
                                  expected=f">= {es.n_voters}", found=n_voters,
                                  zh=f"n_voters（{n_voters}）少于评分中的评委人数（{es.n_voters}）")
        es.n_voters = int(n_voters)
    share = p.budget / es.n_voters
    selected, short, ties = es.run(share)
    rounds = 1
    if completion in ("add1", "add1+greedy"):
        costs = p.cost
        while True:
            spent = int(costs[selected].sum())
            left = p.budget - spent
            chosen = set(selected)
            if not any(costs[j] <= left for j in es.sup if j not in chosen):
                break  # exhaustive
            trial = es.run(share + rounds * p.scale)
            rounds += 1
            if int(costs[trial[0]].sum()) > p.budget:
                break  # would overspend: keep the previous outcome
            selected, short, ties = trial
    ledger = Ledger(p)
    for j in selected:
        ledger.fund(j, int(p.cost[j]))
    reasons = {}
    for j, money in short.items():
        if j in set(selected):
            continue
        reasons[j] = (f"平等份额：支持它的评委只剩 {money_text(p, round(money))}，不够其费用 {money_text(p, p.cost[j])}",
                      f"equal shares: its supporters had only {money_text(p, round(money))} left, "
                      f"less than its cost {money_text(p, p.cost[j])}")
    for j in range(p.n):
        if j not in es.sup and p.ids[j] not in p.ineligible:
            reasons[j] = ("没有评委给它正分，平等份额下无人出资", "no judge gave it a positive score: nobody pays for it")
    if completion in ("greedy", "add1+greedy"):
        eligible = p.eligible_mask()
        density = {j: (es.total_u.get(j, 0.0) / p.cost[j]) for j in range(p.n) if eligible[j]}
        for rank, j in enumerate(sorted(density, key=lambda k: (-density[k], p.tie_pos[k])), 1):
            if ledger.amounts[j]:
                continue
            left, kind, key = ledger.room(j)
            if left >= p.cost[j]:
                ledger.fund(j, int(p.cost[j]))
                reasons.pop(j, None)
            else:
                reasons[j] = blocked_reason(p, kind, key, int(p.cost[j]), left, rank)
    info = {"voters": es.n_voters, "share": p.money(round(share)) if p.scale == 1 else share / p.scale,
            "rounds": rounds, "mes_selected": [p.ids[j] for j in selected], "ties": ties,
            "completion": completion, "utility": utility}
    return ledger.amounts, reasons, info
