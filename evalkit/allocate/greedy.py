"""Greedy rules and proportional (water-filling) shares.

greedy          in rank order fund the full request when it fits, else skip it
                (a partial amount when min_fraction allows and the room is at least
                the minimum);
greedy_stop     the same but stop at the first project not fully funded;
greedy_density  order by score per unit of money, exactly (fractions), ties in the
                tie-break order.
Fixed-in projects are funded first; category minimum shares are served next by
funding each such category's best projects until its minimum is reached; then the
rank order. A greedy rule cannot promise the minimum: if it is not reached the
result says so (status "infeasible") and rule="optimal" finds one if any exists.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..errors import AllocationError
from .reasons import Ledger, blocked_reason, money_text, partial_reason


def density_order(p) -> list[int]:
    """Projects by score per unit cost (exact), ties in the tie-break order."""
    return sorted(range(p.n), key=lambda i: (-Fraction(float(p.score[i])) / int(p.cost[i]), p.tie_pos[i]))


def _try(p, ledger, i, rank, reasons) -> bool:
    """Fund project i as far as the limits allow; True when funded in full."""
    left, kind, key = ledger.room(i)
    r, m = int(p.cost[i]), int(p.min_units[i])
    if left >= r:
        ledger.fund(i, r)
        return True
    if left >= m:
        ledger.fund(i, left)
        reasons[i] = partial_reason(p, kind, key, left, r)
    else:
        reasons[i] = blocked_reason(p, kind, key, m, left, rank)
    return False


def run_greedy(p, order: list[int], stop: bool = False):
    ledger = Ledger(p)
    reasons: dict[int, tuple[str, str]] = {}
    eligible = p.eligible_mask()
    rank_of = {i: k + 1 for k, i in enumerate(order)}
    for pid in p.fixed_in:
        i = p.ids.index(pid)
        left, kind, key = ledger.room(i)
        if left < p.min_units[i]:
            why_zh, why_en = blocked_reason(p, kind, key, int(p.min_units[i]), left)
            raise AllocationError(f"the fixed-in projects do not fit: {why_en}",
                                  key="fixed_in", expected="fixed-in projects within the limits", found=pid,
                                  zh=f"固定入选的项目 {pid} 超出了限额：{why_zh}")
        _try(p, ledger, i, None, reasons)
    done = set(np.flatnonzero(ledger.amounts))
    for c, need in p.cat_min.items():
        for i in order:
            if ledger.cat.get(c, 0) >= need:
                break
            if p.category[i] == c and eligible[i] and i not in done:
                _try(p, ledger, i, rank_of[i], reasons)
                done.add(i)
    stopped_at = None
    for i in order:
        if i in done or not eligible[i]:
            continue
        if stopped_at is not None:
            reasons[i] = (f"按规则在第 {rank_of[stopped_at]} 位（{p.ids[stopped_at]}）未能足额资助处停止",
                          f"the rule stops at rank {rank_of[stopped_at]} ({p.ids[stopped_at]}), "
                          "the first project not fully funded")
            continue
        full = _try(p, ledger, i, rank_of[i], reasons)
        done.add(i)
        if not full and stop:
            stopped_at = i
    unmet = {c: need for c, need in p.cat_min.items() if ledger.cat.get(c, 0) < need}
    notes = [(f"类别“{c}”未达到最低份额（需要 {money_text(p, need)}，只分配了 {money_text(p, ledger.cat.get(c, 0))}）；"
              "可改用 rule='optimal'",
              f"category {c} is below its minimum share (needs {money_text(p, need)}, got "
              f"{money_text(p, ledger.cat.get(c, 0))}); rule='optimal' finds an allocation if one exists")
             for c, need in unmet.items()]
    return ledger.amounts, reasons, ("infeasible" if unmet else "feasible"), notes


def run_proportional(p, weight_floor: float):
    """Amounts proportional to (score - floor), capped at each request; the common
    factor is raised until the budget is spent (water-filling). Whole units: each
    amount is rounded down and the units left go one by one in rank order."""
    if p.cat_min or p.cat_max or p.org_cap or (p.min_units < p.cost).any():
        raise AllocationError("rule='proportional' supports threshold, fixed_in/fixed_out and vetoes only; "
                              "use rule='optimal' for category shares, organisation caps or min_fraction",
                              key="rule", expected="no category/org limits with proportional",
                              found="category/org limits or min_fraction",
                              zh="分配规则 rule='proportional' 只支持最低分数线、固定入选/落选和否决；"
                                 "类别份额、机构上限或最低部分资助比例请用 rule='optimal'")
    eligible = p.eligible_mask()
    w = np.where(eligible, np.maximum(p.score - weight_floor, 0.0), 0.0)
    cost = p.cost.astype(np.int64)
    fixed = np.array([pid in p.fixed_in for pid in p.ids])
    amounts = np.zeros(p.n, dtype=np.int64)
    amounts[fixed] = cost[fixed]
    budget = p.budget - int(amounts.sum())
    if budget < 0:
        raise AllocationError("the fixed-in projects exceed the budget", key="fixed_in",
                              expected=f"at most {money_text(p, p.budget)}", found=money_text(p, amounts.sum()),
                              zh=f"固定入选的项目共需 {money_text(p, amounts.sum())}，超出资金总额 {money_text(p, p.budget)}")
    if cost[eligible & ~fixed].sum() <= budget:  # enough for everyone eligible
        amounts[eligible] = cost[eligible]
        return amounts, {}
    live = (w > 0) & ~fixed
    # water-filling: find lam with sum min(cost, lam*w) = budget, capping projects in ratio order
    ratio = np.where(live, cost / np.where(w > 0, w, 1), np.inf)
    idx = np.argsort(ratio[live], kind="stable")
    live_idx = np.flatnonzero(live)[idx]
    remaining, wsum = budget, w[live_idx].sum()
    lam = 0.0
    capped = []
    for j in live_idx:
        lam = remaining / wsum
        if lam * w[j] >= cost[j]:
            capped.append(j)
            remaining -= cost[j]
            wsum -= w[j]
        else:
            break
    for j in capped:
        amounts[j] = cost[j]
    rest = [j for j in live_idx if j not in set(capped)]
    if rest:
        lam = remaining / w[rest].sum()
        share = np.minimum(np.floor(lam * w[rest] + 1e-9).astype(np.int64), cost[rest])
        amounts[rest] = share
        left = remaining - int(share.sum())
        for j in sorted(rest):  # rank order = index order
            if left <= 0:
                break
            if amounts[j] < cost[j]:
                amounts[j] += 1
                left -= 1
    reasons = {j: ("得分未高于门槛，按比例分配份额为零", "score not above the threshold: a proportional share of zero")
               for j in np.flatnonzero(eligible & (w == 0) & ~fixed)}
    for j in rest:
        if amounts[j] < cost[j]:
            reasons[j] = (f"按得分比例分配：{money_text(p, amounts[j])}（申请 {money_text(p, cost[j])}）",
                          f"proportional share of the fund by score: {money_text(p, amounts[j])} "
                          f"of {money_text(p, cost[j])} requested")
    return amounts, reasons
