"""Report charts (matplotlib, Chinese labels). Each function returns a
``matplotlib.figure.Figure`` (no pyplot state, so it is safe in servers and threads);
:func:`all_charts` builds the set the reports embed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..aggregate.rules import dropped_mask
from ..errors import EvalkitError
from .plotting import configure_matplotlib
from ..scores import totals
from ..text import Text
from .tables import projects_table

#: methods compared in :func:`rank_ranges` (the contest's own rule is added first)
COMPARE_METHODS = ("mean", "median", "trimmed", "zscore", "additive", "bayes")
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")


def _figure(width: float, height: float) -> Figure:
    configure_matplotlib()
    return Figure(figsize=(width, height), layout="constrained")


def _project_label(contest, pid: str, lang: str = "zh") -> str:
    col = "name_en" if lang == "en" and "name_en" in contest.projects else "name"
    names = dict(zip(contest.projects["id"], contest.projects[col].fillna("")))
    return f"{pid} {names.get(pid, '')}".strip()


def dropped_marks(tot: pd.DataFrame, method: str, trim: int) -> pd.Series:
    """Per judge total: 'low' or 'high' when the contest rule drops it, else '' —
    :func:`evalkit.aggregate.rules.dropped_mask` (each panel on its own, equal totals by
    judge id), so the report marks the totals the big screen strikes through."""
    side = dropped_mask(tot, method, trim, sides=True)
    return pd.Series(np.array(["low", "", "high"], dtype=object)[side + 1], index=tot.index, dtype=object)


def judge_points(contest, scores, ranking) -> Figure:
    """Each project's judge totals as points over its final score (bar), projects in
    rank order; totals the contest rule drops (trimmed, median) are marked (▲ highest,
    ▼ lowest)."""
    rubric = contest.rubric
    tot = totals(scores, rubric)
    tot["mark"] = dropped_marks(tot, rubric.rule.method, rubric.rule.trim)
    p = projects_table(ranking).sort_values("rank", na_position="last", kind="stable")
    order = list(p["project"])
    y = {pid: i for i, pid in enumerate(order)}
    fig = _figure(8.0, max(3.5, 0.32 * len(order) + 1.5))
    ax = fig.add_subplot()
    ax.barh([y[x] for x in order], p["score"], color="#dbe7f3", edgecolor="#9bb8d3", height=0.7, label="最终得分")
    kept = tot[tot["mark"] == ""]
    ax.scatter(kept["total"], kept["project"].map(y), s=16, color="#1f4e79", zorder=3, label="评委总分")
    for mark, sym, col, lab in (("high", "^", "#c0392b", "去掉的最高分"), ("low", "v", "#e67e22", "去掉的最低分")):
        d = tot[tot["mark"] == mark]
        if len(d):
            ax.scatter(d["total"], d["project"].map(y), s=30, marker=sym, facecolors="none", edgecolors=col,
                       zorder=4, label=lab)
    ax.set_yticks(range(len(order)), [_project_label(contest, x) for x in order], fontsize=8)
    ax.invert_yaxis()
    lo = np.nanmin(tot["total"]) if len(tot) else 0
    ax.set_xlim(max(0, lo - 10), rubric.total_max + 2)
    ax.set_xlabel("得分 score")
    ax.set_title(f"各项目评委得分与最终得分（规则：{rubric.rule.text('zh')}）", fontsize=11)
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    ax.grid(axis="x", alpha=0.3)
    return fig


#: the severity chart's axis: the positive side is harsh (see :func:`judge_severity`)
SEVERITY_AXIS = "宽严度（分，正为偏严、负为偏宽）severity (points; + harsh, − lenient)"
#: chart texts in one language (a page's): ``LABELS[key].get(lang)``
LABELS = {
    "severity_axis": Text("宽严度（分，正为偏严、负为偏宽）", "severity (points; + harsh, − lenient)"),
    "severity_title": Text("评委宽严度及 95% 区间", "Judge severity with 95% interval"),
    "amount_axis": Text("资助金额（{currency}）", "amount ({currency})"),
    "amount_title": Text("各项目资助金额", "Amount per project"),
    "unallocated": Text("未分配", "unallocated"),
    "by_category": Text("按类别（总额 {budget:,.0f}）", "By category (budget {budget:,.0f})"),
}


def judge_severity(diag: pd.DataFrame, lang: str | None = None) -> Figure:
    """Each judge's severity (how many points below the other judges' totals, on
    average) with a 95 % interval (± 1.96 standard errors); positive is harsh (偏严),
    negative lenient (偏宽), the sign every evalkit severity uses. ``diag`` is
    :func:`evalkit.agreement.judges`' frame; an optional ``label`` column names the
    judges on the axis (default: their ids). ``lang`` "zh" or "en": the texts in that
    language (a page's); None: the axis in both (the printed report)."""
    d = diag.sort_values("severity", kind="stable")
    fig = _figure(7.0, max(2.8, 0.4 * len(d) + 1.3))
    ax = fig.add_subplot()
    yy = np.arange(len(d))
    err = 1.96 * d["severity_se"].fillna(0).to_numpy()
    colors = ["#c0392b" if s - e > 0 or s + e < 0 else "#1f4e79" for s, e in zip(d["severity"], err)]
    ax.errorbar(d["severity"], yy, xerr=err, fmt="none", ecolor="#7f8c8d", capsize=3)
    ax.scatter(d["severity"], yy, c=colors, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(yy, d["label"] if "label" in d else d["judge"])
    ax.set_xlabel(SEVERITY_AXIS if lang is None else LABELS["severity_axis"].get(lang))
    ax.set_title(LABELS["severity_title"].get(lang or "zh"), fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    return fig


def criterion_agreement(agree: pd.DataFrame) -> Figure:
    """Krippendorff's alpha per criterion and on the total, with the 0.667 and 0.8
    reference lines of Krippendorff (2004)."""
    fig = _figure(7.0, max(2.8, 0.38 * len(agree) + 1.3))
    ax = fig.add_subplot()
    a = agree["Krippendorff α"].to_numpy(float)
    colors = ["#2e7d32" if v >= 0.8 else ("#f39c12" if v >= 0.667 else "#c0392b") for v in np.nan_to_num(a)]
    ax.barh(range(len(agree)), np.nan_to_num(a), color=colors)
    for v, lab in ((0.667, "0.667"), (0.8, "0.8")):
        ax.axvline(v, color="#555", ls="--", lw=0.8)
        ax.text(v, -0.7, lab, ha="center", fontsize=7, color="#555")
    for i, v in enumerate(a):
        ax.text(max(np.nan_to_num(v), 0) + 0.01, i, "—" if np.isnan(v) else f"{v:.2f}", va="center", fontsize=8)
    ax.set_yticks(range(len(agree)), agree["指标"])
    ax.invert_yaxis()
    ax.set_xlim(min(0, np.nanmin(a) if np.isfinite(a).any() else 0), 1.05)
    ax.set_xlabel("Krippendorff α（区间尺度）")
    ax.set_title("各指标评委一致性", fontsize=11)
    return fig


def method_ranks(scores, rubric, methods=COMPARE_METHODS) -> pd.DataFrame:
    """Rank of every project under the contest's rule and each of ``methods`` (a
    method the design cannot support is left out). Columns: project, method, rank."""
    from ..aggregate import rank
    rows = []
    seen = []
    for m in (rubric.rule.method,) + tuple(methods):
        if m in seen:
            continue
        seen.append(m)
        try:
            r = rank(scores, rubric, method=m)
        except EvalkitError:
            continue
        p = projects_table(r)
        rows.append(pd.DataFrame({"project": p["project"], "method": m, "rank": p["rank"]}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["project", "method", "rank"])


METHOD_LABELS = {"sum": "总和", "mean": "平均", "trimmed": "去高低分平均", "median": "中位数", "zscore": "标准分",
                 "rank": "名次", "additive": "宽严校正", "affine": "线性校正", "mfrm": "Rasch", "bayes": "贝叶斯收缩"}


def rank_ranges(contest, ranks: pd.DataFrame, ranking) -> Figure:
    """Each project's rank under several aggregation methods: a bar from the best
    to the worst rank, a marker per method; projects in the official rank order."""
    order = list(projects_table(ranking).sort_values("rank", na_position="last", kind="stable")["project"])
    y = {pid: i for i, pid in enumerate(order)}
    fig = _figure(8.0, max(3.5, 0.32 * len(order) + 1.5))
    ax = fig.add_subplot()
    rr = ranks.dropna(subset=["rank"])
    span = rr.groupby("project")["rank"].agg(["min", "max"])
    for pid, (lo, hi) in span.iterrows():
        if pid in y:
            ax.plot([lo, hi], [y[pid], y[pid]], color="#bdc3c7", lw=5, solid_capstyle="round", zorder=1)
    markers = "o^sDvP*X"
    handles = []
    groups = list(rr.groupby("method", sort=False))
    for k, (m, d) in enumerate(groups):
        d = d[d["project"].isin(y)]
        dy = (k - (len(groups) - 1) / 2) * 0.5 / max(1, len(groups) - 1)   # methods side by side, not hidden
        ax.scatter(d["rank"], d["project"].map(y) + dy, s=18, marker=markers[k % len(markers)],
                   color=PALETTE[k % len(PALETTE)], zorder=3)
        handles.append(Line2D([], [], marker=markers[k % len(markers)], ls="", color=PALETTE[k % len(PALETTE)],
                              label=METHOD_LABELS.get(m, m)))
    ax.set_yticks(range(len(order)), [_project_label(contest, x) for x in order], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("名次 rank（1 为最好）")
    ax.set_title("不同汇总方法下的名次范围", fontsize=11)
    fig.legend(handles=handles, fontsize=8, loc="outside lower center", ncol=min(4, len(handles)))
    ax.grid(axis="x", alpha=0.3)
    return fig


def fund_split(contest, allocation, lang: str = "zh") -> Figure:
    """The fund split: amount per funded project (coloured by category) and the
    total per category, with the unallocated remainder; texts in ``lang``."""
    t = allocation.table
    t = t[t["amount"] > 0]
    cats = dict(zip(contest.projects["id"], contest.projects["category"].fillna("—")))
    cat_list = list(dict.fromkeys(contest.projects["category"].fillna("—")))
    color = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(cat_list)}
    fig = _figure(9.0, max(3.5, 0.3 * len(t) + 1.8))
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    pc = [cats.get(p, "—") for p in t["project"]]
    left.barh(range(len(t)), t["amount"], color=[color[c] for c in pc])
    left.set_yticks(range(len(t)), [_project_label(contest, p, lang) for p in t["project"]], fontsize=8)
    left.invert_yaxis()
    left.set_xlabel(LABELS["amount_axis"].get(lang).format(currency=contest.currency))
    left.set_title(LABELS["amount_title"].get(lang), fontsize=11)
    left.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    from matplotlib.patches import Patch
    left.legend(handles=[Patch(color=color[c], label=c) for c in cat_list], fontsize=8, loc="lower right",
                framealpha=0.9)
    by_cat = pd.Series(t["amount"].to_numpy(float), index=pc).groupby(level=0).sum().reindex(cat_list, fill_value=0)
    labels = list(by_cat.index) + [LABELS["unallocated"].get(lang)]
    values = list(by_cat.to_numpy()) + [float(allocation.leftover)]
    right.bar(range(len(values)), values, color=[color[c] for c in by_cat.index] + ["#d5d8dc"])
    right.set_xticks(range(len(values)), labels, rotation=30, ha="right", fontsize=8)
    for i, v in enumerate(values):
        right.text(i, v, f"{v / allocation.budget:.0%}", ha="center", va="bottom", fontsize=8)
    right.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    right.set_title(LABELS["by_category"].get(lang).format(budget=allocation.budget), fontsize=11)
    return fig


def all_charts(contest, scores, ranking, allocation, diag, agree, ranks) -> list[tuple[str, Text, Figure]]:
    """(key, title, figure) for every chart the report embeds."""
    out = [("judge_points", Text("评委得分与最终得分", "Judges' scores and final scores"),
            judge_points(contest, scores, ranking))]
    if diag is not None and len(diag):
        out.append(("severity", Text("评委宽严度", "Judge severity"), judge_severity(diag)))
    out.append(("agreement", Text("各指标一致性", "Agreement per criterion"), criterion_agreement(agree)))
    if len(ranks):
        out.append(("rank_ranges", Text("不同方法的名次范围", "Ranks under several methods"),
                    rank_ranges(contest, ranks, ranking)))
    if allocation is not None:
        out.append(("fund_split", Text("资金分配", "Fund split"), fund_split(contest, allocation)))
    return out
