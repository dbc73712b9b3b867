"""`allocate`: one entry point for every rule, and the `Allocation` it returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from numbers import Real

import numpy as np
import pandas as pd

from .._params import Boolean, Column, Frame, InstanceOf, Interval, NoneOr, Options, count, validate_params
from ..errors import AllocationError, AllocationParameterError
from .greedy import density_order, run_greedy, run_proportional
from .mes import COMPLETIONS
from .optimal import solve_optimal
from .problem import build_problem, project_ids
from .reasons import Ledger, excluded_reason, explain_final

RULES = ("optimal", "greedy", "greedy_stop", "greedy_density", "proportional", "mes")
GREEDY_RULES = ("greedy", "greedy_stop", "greedy_density")


@dataclass
class Allocation:
    """The result of :func:`allocate`.

    ``table``: one row per project in rank order: project, score, requested, funded
    (bool), amount, fraction (amount / requested), reason_zh, reason_en (empty when
    fully funded), rank (by score, ties in the tie-break order), plus category and
    organisation when given. ``total`` and ``leftover`` are money; ``value`` is
    sum score * amount / requested. ``status`` is "optimal" (proven, ``gap`` is the
    solver's relative gap, 0), "feasible" (every limit holds, optimality not claimed)
    or "infeasible" (a greedy rule missed a category minimum; see ``notes``).
    ``ties`` lists the ties in the ordering key that decided who is funded;
    ``tie_break`` is the order used. ``greedy_gap`` is the optimum's value minus this
    result's value (greedy rules)."""
    table: pd.DataFrame
    total: int | float
    leftover: int | float
    value: float
    rule: str
    status: str
    budget: int | float
    gap: float | None = None
    ties: list = field(default_factory=list)
    tie_break: list = field(default_factory=list)
    greedy_gap: float | None = None
    optimal_value: float | None = None
    notes: list = field(default_factory=list)
    solver: dict = field(default_factory=dict)

    @property
    def funded(self) -> list:
        return self.table.loc[self.table["funded"], "project"].tolist()

    def explain(self, project, lang: str = "zh") -> str:
        row = self.table.loc[self.table["project"] == str(project)]
        if row.empty:
            raise AllocationError("no such project", key="project", expected="a project id", found=project,
                                  zh=f"没有这个项目：{project}")
        row = row.iloc[0]
        reason = row[f"reason_{'en' if lang == 'en' else 'zh'}"]
        if reason:
            return reason
        return "足额资助" if lang != "en" else "funded in full"

    def __repr__(self) -> str:
        gap = f", greedy_gap={self.greedy_gap:g}" if self.greedy_gap is not None else ""
        return (f"Allocation(rule={self.rule!r}, status={self.status!r}, funded={int(self.table['funded'].sum())}"
                f"/{len(self.table)}, total={self.total}, leftover={self.leftover}, value={self.value:g}{gap})")


def _ties(p, amounts, key) -> list:
    """Groups of eligible projects equal on the ordering key whose funding differs."""
    eligible = p.eligible_mask()
    groups: dict = {}
    for i in np.flatnonzero(eligible):
        groups.setdefault(key(i), []).append(int(i))
    out = []
    for k, members in groups.items():
        fractions = {Fraction(int(amounts[i]), int(p.cost[i])) for i in members}
        if len(members) > 1 and len(fractions) > 1:
            members.sort(key=lambda i: p.tie_pos[i])
            out.append({"projects": [p.ids[i] for i in members],
                        "key": float(k), "funded": [p.ids[i] for i in members if amounts[i] > 0],
                        "not_funded": [p.ids[i] for i in members if amounts[i] == 0],
                        "order": "tie_break" if p.tie_break and p.tie_break[0] != "score desc"
                        else "lower requested, then id"})
    return sorted(out, key=lambda t: -t["key"])


def _table(p, amounts, reasons, category, organisation) -> pd.DataFrame:
    rows = []
    ledger = Ledger.of(p, amounts)
    for i, pid in enumerate(p.ids):
        a, r = int(amounts[i]), int(p.cost[i])
        if i in reasons:
            zh, en = reasons[i]
        elif pid in p.ineligible:
            zh, en = excluded_reason(p, pid)
        elif a < r:
            zh, en = explain_final(p, amounts, i, ledger)
        else:
            zh, en = "", ""
        rows.append({"project": pid, "score": float(p.score[i]), "requested": p.money(r), "funded": a > 0,
                     "amount": p.money(a), "fraction": a / r, "reason_zh": zh, "reason_en": en, "rank": i + 1})
    t = pd.DataFrame(rows)
    if category:
        t.insert(3, "category", p.category)
    if organisation:
        t.insert(3, "organisation", p.org)
    return t


@validate_params({"projects": Frame(), "budget": Interval(Real, 0, None), "rule": Options(RULES),
                  "score": InstanceOf(str, "a column name", "列名"), "cost": Column("projects"),
                  "min_fraction": [NoneOr(Interval(Real, 0, 1, closed="right")), Column("projects")],
                  "category": Column("projects", optional=True), "organisation": Column("projects", optional=True),
                  "threshold": NoneOr(Interval(Real)), "fund_zero": Boolean(), "compare_optimal": Boolean(),
                  "time_limit": Interval(Real, 0, None, closed="neither"), "scores": Frame(),
                  "utility": Options(("score", "cost")), "completion": Options(COMPLETIONS),
                  "n_voters": count(1)}, error=AllocationParameterError)
def allocate(projects, budget, rule="optimal", score="score", cost="requested", min_fraction=None,
             category=None, category_min_share=None, category_max_share=None, organisation=None,
             org_cap=None, threshold=None, fixed_in=(), fixed_out=(), tie_break=None, **options) -> Allocation:
    """Split ``budget`` among ``projects`` by ``rule``.

    ``projects``: one row per project; the id is column "project", else column "id",
    else the index. ``score`` and ``cost`` name columns; a non-empty "excluded" column
    (the ranking's veto) makes a project ineligible. Money is exact: requests and the
    budget are held as integers in their smallest unit (whole units, or fen when they
    have decimals), amounts come back in the same unit.

    Rules: "optimal" (MILP, exact lexicographic tie-break: value, then least money,
    then the smallest sorted tuple of funded ids), "greedy", "greedy_stop",
    "greedy_density", "proportional" (water-filling by score above ``threshold``),
    "mes" (Method of Equal Shares: ``scores=`` long frame, ``utility="score"|"cost"``,
    ``completion=None|"add1"|"greedy"|"add1+greedy"``, ``judge=``, ``project=``,
    ``value=`` column names; ``n_voters=`` when some voters scored nothing).

    ``min_fraction``: smallest partial share (scalar or column; None = all or
    nothing). ``category_min_share``/``category_max_share``: share of the FUND, a
    scalar for every category or a dict. ``org_cap``: money, scalar or dict.
    ``threshold``: projects scoring below it are not funded. ``fixed_in``/``fixed_out``:
    committee decisions. ``tie_break``: ids in priority order (default: higher score,
    lower request, natural id order). Zero-score projects are not funded unless
    ``fund_zero=True``. ``compare_optimal=False`` skips the optimum beside greedy rules.
    ``min_amount``: a money column giving each project's smallest partial amount (the
    contest's ``min_amount``; empty = all or nothing), instead of or on top of
    ``min_fraction``. ``time_limit``: seconds for each MILP solve (default 60; a solve
    stopped early gives status "feasible" and its gap).

    Model and tie-break: shared/reference/allocation/knapsack_cases.json; equal shares:
    Peters, Pierczyński & Skowron (2021), "Proportional participatory budgeting with
    additive utilities", NeurIPS.

    Example::

        alloc = ek.allocate(df, 100, rule="optimal")   # df: project, score, requested
        alloc.table[["project", "amount", "reason_en"]]
    """
    fund_zero = bool(options.pop("fund_zero", False))
    min_amount = options.pop("min_amount", None)
    time_limit = float(options.pop("time_limit", 60.0))
    compare = bool(options.pop("compare_optimal", True))
    mes_options = {k: options.pop(k) for k in ("scores", "utility", "completion", "judge", "project", "value", "n_voters")
                   if k in options}
    if options:
        raise AllocationError("unknown option", key=", ".join(options),
                              expected="fund_zero, compare_optimal, min_amount, time_limit, scores, utility, completion, judge, "
                                       "project, value",
                              found=sorted(options), zh=f"未知的分配选项：{'、'.join(map(str, sorted(options)))}")
    if mes_options and rule != "mes":
        raise AllocationError("scores/utility/completion are options of rule='mes'", key=", ".join(mes_options),
                              expected="rule='mes'", found=rule,
                              zh=f"{'、'.join(mes_options)} 仅用于分配规则 rule='mes'（当前为 {rule}）")
    if rule == "mes" and score not in projects.columns:
        # a projects frame without scores: each project's summed score over judges
        from .mes import project_totals
        totals = project_totals(mes_options.get("scores"), mes_options.get("judge", "judge"),
                                mes_options.get("project", "project"), mes_options.get("value", "score"))
        projects = projects.assign(**{score: project_ids(projects).map(totals).fillna(0.0).to_numpy()})
    p = build_problem(projects, budget, score=score, cost=cost, min_fraction=min_fraction, category=category,
                      category_min_share=category_min_share, category_max_share=category_max_share,
                      organisation=organisation, org_cap=org_cap, threshold=threshold, fixed_in=fixed_in,
                      fixed_out=fixed_out, tie_break=tie_break, fund_zero=fund_zero, min_amount=min_amount)
    reasons, notes, solver, gap = {}, [], {}, None
    key = lambda i: p.score[i]  # noqa: E731
    if rule == "optimal":
        solver = solve_optimal(p, time_limit)
        amounts, status, gap = solver.pop("amounts"), solver["status"], solver["gap"]
    elif rule in GREEDY_RULES:
        order = density_order(p) if rule == "greedy_density" else list(range(p.n))
        if rule == "greedy_density":
            key = lambda i: Fraction(float(p.score[i])) / int(p.cost[i])  # noqa: E731
        amounts, reasons, status, notes = run_greedy(p, order, stop=rule == "greedy_stop")
    elif rule == "proportional":
        amounts, reasons = run_proportional(p, float(threshold or 0.0))
        status = "feasible"
    else:
        from .mes import run_mes
        amounts, reasons, solver = run_mes(p, **mes_options)
        status = "feasible"
    optimal_value = greedy_gap = None
    value = p.value(amounts)
    if rule in GREEDY_RULES and compare:
        try:
            opt = solve_optimal(p, time_limit)
            optimal_value = p.value(opt["amounts"])
            greedy_gap = optimal_value - value
        except AllocationError:
            optimal_value = greedy_gap = None
    total = int(amounts.sum())
    return Allocation(
        table=_table(p, amounts, reasons, category, organisation), total=p.money(total),
        leftover=p.money(p.budget - total), value=value, rule=rule, status=status, budget=p.money(p.budget),
        gap=gap, ties=_ties(p, amounts, key) if rule != "mes" else solver.get("ties", []),
        tie_break=list(p.tie_break), greedy_gap=greedy_gap, optimal_value=optimal_value,
        notes=notes, solver=solver)
