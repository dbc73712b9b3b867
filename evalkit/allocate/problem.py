"""Validating an allocation request and turning it into exact integer data.

Money is held as integers in the currency's smallest unit used by the ``cost``
column: whole yuan when every request and the budget are whole numbers, else fen
(up to 2 decimals). So amounts never come out as 29.9999998.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from .._params import parameter_error
from ..errors import AllocationError, AllocationParameterError


def natural_key(text: str):
    """Sort key putting "P9" before "P10" (digit runs compare as numbers)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", str(text)) if part != "")


def _decimals(values) -> int:
    """Smallest d in (0, 1, 2) with every value a whole multiple of 10**-d."""
    for d in (0, 1, 2):
        scaled = np.asarray(values, dtype=float) * 10 ** d
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return d
    bad = [v for v in np.asarray(values, float) if abs(v * 100 - round(v * 100)) >= 1e-6][:3]
    raise AllocationError("amounts must be whole units or have at most 2 decimals (fen)",
                          key="requested/budget", expected="e.g. 12000 or 12000.50", found=bad,
                          zh=f"申请金额和资金总额须为整数或最多两位小数（分）：{'、'.join(f'{v:g}' for v in bad)}")


def _pairs(d: dict) -> str:
    """{key: value} as "key value、..." for a Chinese message."""
    return "、".join(f"{k} {v:g}" for k, v in d.items())


def _per_key(value, keys, name: str, kind: str) -> dict:
    """A scalar applies to every key; a dict gives some keys a value."""
    if value is None:
        return {}
    if isinstance(value, dict):
        # a key no project has is kept: a minimum for an empty category is reported as infeasible
        return {k: float(v) for k, v in value.items() if v is not None}
    return {k: float(value) for k in keys}


@dataclass
class Problem:
    """Everything a rule needs, as plain arrays in the rank order (index 0 = rank 1)."""
    ids: list                     # project ids (str), rank order
    score: np.ndarray             # float
    cost: np.ndarray              # int, smallest unit
    min_units: np.ndarray         # int: smallest partial amount (== cost when all-or-nothing)
    category: list | None
    org: list | None
    budget: int                   # smallest unit
    scale: int                    # units per currency unit (1 or 10 or 100)
    ineligible: dict              # id -> (reason key, detail dict)
    fixed_in: list
    tie_pos: np.ndarray           # position in the tie-break order
    cat_min: dict = field(default_factory=dict)   # category -> min units (int)
    cat_max: dict = field(default_factory=dict)
    cat_min_share: dict = field(default_factory=dict)
    cat_max_share: dict = field(default_factory=dict)
    org_cap: dict = field(default_factory=dict)   # organisation -> cap units (int)
    tie_break: list = field(default_factory=list)
    frame: pd.DataFrame | None = None

    @property
    def n(self) -> int:
        return len(self.ids)

    def eligible_mask(self) -> np.ndarray:
        return np.array([i not in self.ineligible for i in self.ids], dtype=bool)

    def money(self, units) -> int | float:
        """Units back to the currency, exact to the smallest unit."""
        return int(units) if self.scale == 1 else round(int(units) / self.scale, 2)

    def value(self, amounts) -> float:
        """sum score_i * a_i / r_i computed exactly, then rounded once to float."""
        total = Fraction(0)
        for s, a, r in zip(self.score, amounts, self.cost):
            if a:
                total += Fraction(float(s)) * int(a) / int(r)
        return float(total)


def project_ids(projects: pd.DataFrame) -> pd.Series:
    """The project id: column "project", else column "id", else the index."""
    for col in ("project", "id"):
        if col in projects.columns:
            return projects[col].astype(str)
    return pd.Series(projects.index.astype(str), index=projects.index)


def tie_order_key(score: float, cost: int, pid: str, priority: dict):
    """The tie-break order: by default higher score, then lower cost, then natural
    id order; a tie_break sequence comes first instead (first listed wins; projects
    not listed follow in the default order)."""
    default = (-score, cost, natural_key(pid))
    return (priority.get(pid, len(priority)),) + default if priority else default


def build_problem(projects, budget, *, score="score", cost="requested", min_fraction=None,
                  category=None, category_min_share=None, category_max_share=None,
                  organisation=None, org_cap=None, threshold=None, fixed_in=(), fixed_out=(),
                  tie_break=None, fund_zero=False, min_amount=None) -> Problem:
    if projects.empty:
        raise AllocationError("no projects to allocate to", key="projects", expected="at least one row", found="0 rows",
                              zh="没有可分配的项目（项目表为空）")
    df = projects.copy()
    df["__id"] = project_ids(df).to_numpy()
    dup = df["__id"][df["__id"].duplicated()].tolist()
    if dup:
        raise AllocationError("project ids must be unique", key="project", expected="one row per project",
                              found=f"repeated: {dup[:5]}", zh=f"项目编号重复：{'、'.join(dup[:5])}")
    if score not in df.columns:   # the other columns are checked by allocate's declared constraints
        raise parameter_error("allocate", "score", "a column of projects", "projects 中的列名", score,
                              cls=AllocationParameterError)
    s = pd.to_numeric(df[score], errors="coerce")
    if s.isna().any() or (s < 0).any():
        bad = df.loc[s.isna() | (s < 0), "__id"].tolist()
        raise AllocationError("every score must be a number >= 0", key=score, expected="numbers >= 0",
                              found=f"projects {bad[:5]}",
                              zh=f"得分（'{score}' 列）须为不小于 0 的数字：项目 {'、'.join(bad[:5])}")
    r = pd.to_numeric(df[cost], errors="coerce")
    if r.isna().any() or (r <= 0).any():
        bad = df.loc[r.isna() | (r <= 0), "__id"].tolist()
        raise AllocationError("every requested amount must be a positive number", key=cost,
                              expected="numbers > 0", found=f"projects {bad[:5]}",
                              zh=f"申请金额（'{cost}' 列）须为正数：项目 {'、'.join(bad[:5])}")
    budget_f = float(budget)
    scale = 10 ** _decimals(np.append(r.to_numpy(float), budget_f))
    cost_u = np.round(r.to_numpy(float) * scale).astype(np.int64)
    budget_u = int(round(budget_f * scale))

    if min_fraction is None:
        m = np.ones(len(df))
    elif isinstance(min_fraction, str):
        m = pd.to_numeric(df[min_fraction], errors="coerce").fillna(1.0).to_numpy(float)
    else:
        m = np.full(len(df), float(min_fraction))
    if ((m <= 0) | (m > 1)).any():
        bad = sorted(set(m[(m <= 0) | (m > 1)].tolist()))[:3]
        raise AllocationError("min_fraction must be in (0, 1] (1 = all or nothing)", key="min_fraction",
                              expected="0 < m <= 1", found=bad,
                              zh=f"最低部分资助比例 min_fraction 须大于 0 且不大于 1（1 = 全额或不资助）："
                                 f"{'、'.join(f'{v:g}' for v in bad)}")
    # the smallest partial amount, rounded up to a whole unit so it is never below m * r
    min_u = np.minimum(cost_u, np.ceil(m * cost_u - 1e-9).astype(np.int64))
    if min_amount is not None:  # a money column (e.g. the contest's min_amount); empty = all or nothing
        if min_amount not in df.columns:
            raise AllocationError("the min_amount column is missing", key=min_amount,
                                  expected=f"a column named {min_amount!r}", found=list(map(str, df.columns)),
                                  zh=f"项目表缺少最低资助金额列 '{min_amount}'")
        ma = pd.to_numeric(df[min_amount], errors="coerce").to_numpy(float)
        bad = ~np.isnan(ma) & ((ma <= 0) | (ma > r.to_numpy(float)))
        if bad.any():
            bad_ids = df.loc[bad, "__id"].tolist()[:5]
            raise AllocationError("min_amount must be > 0 and at most the request", key=min_amount,
                                  expected="0 < min_amount <= requested", found=bad_ids,
                                  zh=f"最低资助金额（'{min_amount}' 列）须大于 0 且不超过申请金额：项目 "
                                     f"{'、'.join(bad_ids)}")
        given = ~np.isnan(ma)
        min_u[given] = np.maximum(min_u[given], np.ceil(ma[given] * scale - 1e-9).astype(np.int64)) \
            if min_fraction is not None else np.ceil(ma[given] * scale - 1e-9).astype(np.int64)

    ids = df["__id"].tolist()
    known = set(ids)
    fixed_in = [str(p) for p in fixed_in]
    fixed_out = [str(p) for p in fixed_out]
    for name, lst in (("fixed_in", fixed_in), ("fixed_out", fixed_out)):
        unknown = [p for p in lst if p not in known]
        if unknown:
            raise AllocationError(f"{name} names unknown projects", key=name, expected="project ids",
                                  found=unknown[:5],
                                  zh=f"{'固定入选' if name == 'fixed_in' else '固定落选'}（{name}）中有未知项目："
                                     f"{'、'.join(unknown[:5])}")
    both = sorted(set(fixed_in) & set(fixed_out), key=natural_key)
    if both:
        raise AllocationError("a project cannot be both fixed in and fixed out",
                              key="fixed_in/fixed_out", expected="disjoint lists", found=both,
                              zh=f"项目不能同时固定入选和固定落选：{'、'.join(both)}")

    excluded = df["excluded"] if "excluded" in df.columns else pd.Series([None] * len(df), index=df.index)
    ineligible = {}
    for pid, sc, ex in zip(ids, s.to_numpy(float), excluded):
        vetoed = not (ex is None or ex is False or (isinstance(ex, float) and math.isnan(ex))
                      or (isinstance(ex, str) and ex.strip() == "") or ex is pd.NA or ex == 0)
        if pid in fixed_out:
            ineligible[pid] = ("fixed_out", {})
        elif vetoed:
            ineligible[pid] = ("vetoed", {"why": "" if ex is True else str(ex)})
        elif pid in fixed_in:
            continue
        elif threshold is not None and sc < float(threshold):
            ineligible[pid] = ("threshold", {"score": sc, "threshold": float(threshold)})
        elif sc == 0 and not fund_zero:
            ineligible[pid] = ("zero", {})
    vetoed_in = [p for p in fixed_in if ineligible.get(p, ("",))[0] == "vetoed"]
    if vetoed_in:
        raise AllocationError("a vetoed project cannot be fixed in", key="fixed_in",
                              expected="projects not vetoed", found=vetoed_in,
                              zh=f"被否决的项目不能固定入选：{'、'.join(vetoed_in)}")

    cats = df[category].astype(str).tolist() if category else None
    orgs = df[organisation].astype(str).tolist() if organisation else None
    if (category_min_share is not None or category_max_share is not None) and not category:
        raise AllocationError("category shares need the category column", key="category",
                              expected="category='<column>'", found=None,
                              zh="每类最低/最高占比需要指定类别列（category='<列名>'）")
    if org_cap is not None and not organisation:
        raise AllocationError("org_cap needs the organisation column", key="organisation",
                              expected="organisation='<column>'", found=None,
                              zh="每个机构资助上限 org_cap 需要指定机构列（organisation='<列名>'）")
    cmin = _per_key(category_min_share, cats or [], "category_min_share", "category")
    cmax = _per_key(category_max_share, cats or [], "category_max_share", "category")
    for name, d in (("category_min_share", cmin), ("category_max_share", cmax)):
        bad = {k: v for k, v in d.items() if not 0 <= v <= 1}
        if bad:
            raise AllocationError(f"{name} must be shares of the fund in [0, 1]", key=name,
                                  expected="0 <= share <= 1", found=bad,
                                  zh=f"{'每类最低占比' if name == 'category_min_share' else '每类最高占比'}（{name}）"
                                     f"须为 0 到 1 之间的资金占比：{_pairs(bad)}")
    caps = _per_key(org_cap, orgs or [], "org_cap", "organisation")
    bad = {k: v for k, v in caps.items() if v < 0}
    if bad:
        raise AllocationError("org_cap must be amounts >= 0", key="org_cap", expected=">= 0", found=bad,
                              zh=f"每个机构资助上限 org_cap 须为不小于 0 的金额：{_pairs(bad)}")

    priority = {}
    if tie_break is not None:
        tie_break = [str(p) for p in tie_break]
        unknown = [p for p in tie_break if p not in known]
        if unknown:
            raise AllocationError("tie_break names unknown projects", key="tie_break",
                                  expected="a sequence of project ids", found=unknown[:5],
                                  zh=f"同分优先顺序 tie_break 中有未知项目：{'、'.join(unknown[:5])}")
        priority = {p: k for k, p in enumerate(dict.fromkeys(tie_break))}
    sv = s.to_numpy(float).tolist()  # plain floats: .iloc per element dominated the sort on 2,000 projects
    tie = sorted(range(len(df)), key=lambda k: tie_order_key(sv[k], int(cost_u[k]), ids[k], priority))
    tie_pos = np.empty(len(df), dtype=np.int64)
    tie_pos[tie] = np.arange(len(df))
    # rank order: higher score first, ties in the tie-break order
    order = sorted(range(len(df)), key=lambda k: (-sv[k], tie_pos[k]))
    pick = lambda seq: [seq[k] for k in order] if seq is not None else None  # noqa: E731
    frame = df.iloc[order].reset_index(drop=True)
    return Problem(
        ids=pick(ids), score=s.to_numpy(float)[order], cost=cost_u[order], min_units=min_u[order],
        category=pick(cats), org=pick(orgs), budget=budget_u, scale=scale, ineligible=ineligible,
        fixed_in=fixed_in, tie_pos=tie_pos[order],
        cat_min={c: int(math.ceil(q * budget_u - 1e-9)) for c, q in cmin.items()},
        cat_max={c: int(math.floor(q * budget_u + 1e-9)) for c, q in cmax.items()},
        cat_min_share=cmin, cat_max_share=cmax,
        org_cap={o: int(math.floor(v * scale + 1e-9)) for o, v in caps.items()},
        tie_break=list(priority) if priority else ["score desc", "requested asc", "id natural"],
        frame=frame,
    )
