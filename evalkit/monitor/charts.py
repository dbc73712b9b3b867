"""The months per organisation with the threshold line (matplotlib, Chinese labels).
Returns a ``matplotlib.figure.Figure`` (no pyplot state, safe in servers)."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from ..report.plotting import configure_matplotlib
from .periods import month_range

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")


def monthly_chart(month_scores: pd.DataFrame, threshold: float = 6.0, *, watch: pd.DataFrame | None = None,
                  organisations=None, lang: str = "zh", width: float = 9, height: float = 4.5) -> Figure:
    """One line per organisation over the months (a gap where a month is missing),
    the threshold dashed, an exit marked with a cross and a warning with a ring.
    ``month_scores``: organisation, period, score (e.g. Monitoring.month_scores())."""
    configure_matplotlib()
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    df = month_scores.dropna(subset=["period"])
    orgs = list(organisations) if organisations is not None else sorted(set(df["organisation"]))
    if len(df):
        months = month_range(min(df["period"]), max(df["period"]))
        pos = {m: i for i, m in enumerate(months)}
        for k, org in enumerate(orgs):
            g = df[df["organisation"] == org].set_index("period")["score"].reindex(months)
            colour = PALETTE[k % len(PALETTE)]
            ax.plot(range(len(months)), g.to_numpy(float), marker="o", ms=3, lw=1.2, color=colour, label=org)
            if watch is not None and org in watch.index:
                w = watch.loc[org]
                if w["exit"] and w["exit_period"] in pos:
                    ax.plot(pos[w["exit_period"]], g[w["exit_period"]], "x", ms=12, mew=2.5, color="#c0392b")
                elif w["warning"] and w["last_period"] in pos:
                    ax.plot(pos[w["last_period"]], g[w["last_period"]], "o", ms=13, mfc="none", mew=2,
                            color="#e67e22")
        step = max(1, len(months) // 12)
        ax.set_xticks(range(0, len(months), step), months[::step], rotation=45, ha="right", fontsize=8)
        ax.set_xlim(-0.5, len(months) - 0.5)
    ax.axhline(threshold, color="#c0392b", ls="--", lw=1)
    ax.set_ylim(0, 10.5)
    zh = lang != "en"
    ax.set_ylabel("月评分（十分制）" if zh else "monthly score (out of 10)")
    ax.set_title(f"月评分与退出线 {threshold:g} 分" if zh else f"Monthly scores and the exit line at {threshold:g}")
    if orgs:
        ax.legend(fontsize=7, ncols=2, loc="lower left")
    return fig
