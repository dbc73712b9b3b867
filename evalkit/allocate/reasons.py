"""Reasons in words (Chinese first, English too) for every project not fully
funded, and the state of the fund that decides them: what is left of the budget,
of each category's maximum and of each organisation's cap."""
from __future__ import annotations

import numpy as np

EXCLUDED = {
    "vetoed": ("被一票否决，不予资助", "vetoed in the ranking, not eligible"),
    "fixed_out": ("评审委员会决定不予资助（固定落选）", "fixed out by the committee"),
    "zero": ("得分为零，不予资助", "score is zero: zero-score projects are not funded"),
}


def money_text(p, units) -> str:
    v = p.money(units)
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def excluded_reason(p, pid) -> tuple[str, str]:
    kind, detail = p.ineligible[pid]
    if kind == "threshold":
        s, t = detail["score"], detail["threshold"]
        return f"得分 {s:g} 低于入围门槛 {t:g}", f"score {s:g} is below the threshold {t:g}"
    zh, en = EXCLUDED[kind]
    if kind == "vetoed" and detail.get("why"):
        return f"{zh}（{detail['why']}）", f"{en} ({detail['why']})"
    return zh, en


class Ledger:
    """Money spent so far, overall and per category and organisation, and the room
    each limit leaves for one more project."""

    def __init__(self, p):
        self.p = p
        self.amounts = np.zeros(p.n, dtype=np.int64)
        self.spent = 0
        self.cat = {}
        self.org = {}

    @classmethod
    def of(cls, p, amounts) -> "Ledger":
        ledger = cls(p)
        for k in np.flatnonzero(amounts):
            ledger.fund(int(k), int(amounts[k]))
        return ledger

    def fund(self, i: int, units: int) -> None:
        self.amounts[i] += units
        self.spent += units
        if self.p.category is not None:
            c = self.p.category[i]
            self.cat[c] = self.cat.get(c, 0) + units
        if self.p.org is not None:
            o = self.p.org[i]
            self.org[o] = self.org.get(o, 0) + units

    def limits(self, i: int) -> list[tuple[int, str, object]]:
        """(room left, limit kind, its key) for every limit that applies to project i."""
        p = self.p
        out = [(p.budget - self.spent, "budget", None)]
        if p.category is not None and p.category[i] in p.cat_max:
            c = p.category[i]
            out.append((p.cat_max[c] - self.cat.get(c, 0), "category_max", c))
        if p.org is not None and p.org[i] in p.org_cap:
            o = p.org[i]
            out.append((p.org_cap[o] - self.org.get(o, 0), "org_cap", o))
        return out

    def room(self, i: int) -> tuple[int, str, object]:
        return min(self.limits(i), key=lambda t: t[0])


def blocked_reason(p, kind: str, key, need: int, left: int, rank: int | None = None) -> tuple[str, str]:
    """Why project needing `need` units got nothing: `kind` left only `left`."""
    n, l_ = money_text(p, need), money_text(p, max(left, 0))
    if kind == "budget":
        at_zh = f"排名第 {rank} 位时" if rank else ""
        at_en = f" at rank {rank}" if rank else ""
        return (f"{at_zh}预算已用尽（需要 {n}，仅剩 {l_}）",
                f"budget exhausted{at_en} (needed {n}, {l_} left)")
    if kind == "category_max":
        cap = money_text(p, p.cat_max[key])
        return (f"类别“{key}”已达最高份额 {p.cat_max_share[key]:.0%}（上限 {cap}，需要 {n}，仅剩 {l_}）",
                f"category maximum reached for {key}: {p.cat_max_share[key]:.0%} of the fund "
                f"(cap {cap}, needed {n}, {l_} left)")
    cap = money_text(p, p.org_cap[key])
    return (f"机构“{key}”已达资助上限 {cap}（需要 {n}，仅剩 {l_}）",
            f"organisation cap reached for {key}: at most {cap} (needed {n}, {l_} left)")


def partial_reason(p, kind: str, key, got: int, requested: int) -> tuple[str, str]:
    g, r = money_text(p, got), money_text(p, requested)
    what_zh = {"budget": "剩余预算", "category_max": f"类别“{key}”的最高份额",
               "org_cap": f"机构“{key}”的资助上限"}[kind]
    what_en = {"budget": "the budget left", "category_max": f"the category maximum of {key}",
               "org_cap": f"the organisation cap of {key}"}[kind]
    return (f"部分资助：{what_zh}只够 {g}（申请 {r}）", f"partly funded: {what_en} allowed only {g} of the {r} requested")


def explain_final(p, amounts, i: int, ledger: Ledger | None = None) -> tuple[str, str] | None:
    """Reason for project i given a finished allocation (used where no step-by-step
    decision exists, e.g. the optimum): a binding limit, else the better use of money."""
    pid = p.ids[i]
    if pid in p.ineligible:
        return excluded_reason(p, pid)
    a, r = int(amounts[i]), int(p.cost[i])
    if a >= r:
        return None
    if ledger is None:
        ledger = Ledger.of(p, amounts)
    left, kind, key = ledger.room(i)
    if a == 0:
        need = int(p.min_units[i])
        if left < need:
            return blocked_reason(p, kind, key, need, left)
        return ("未入选最优组合：把这笔钱用于其他项目总分更高",
                "not in the best combination: the money gives a higher total value elsewhere")
    if left <= 0:
        return partial_reason(p, kind, key, a, r)
    return (f"部分资助 {money_text(p, a)}（申请 {money_text(p, r)}）：其余资金用于其他项目总分更高",
            f"partly funded {money_text(p, a)} of {money_text(p, r)}: the rest gives more value elsewhere")
