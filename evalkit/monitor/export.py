"""Exports of the monitoring year: the monthly table, the exit watch, the
evaluation report (grades, indicators), tranche decisions, the portfolio and next
year's eligibility, as Excel and A4 PDF with the same typography as the 公示
(evalkit.report's sheet and page layout)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..report.tables import MONEY_CENTS, Table, number_format
from ..text import Text

FORMATS = ("xlsx", "pdf")


def _join(x) -> str:
    return "、".join(map(str, x)) if isinstance(x, list) else ("" if x is None or x != x else str(x))


def monitoring_tables(monitoring, evaluation=None, watch=None) -> list[Table]:
    """The export's tables, in sheet order."""
    ev = evaluation or monitoring.evaluate()
    watch = monitoring.watch() if watch is None else watch
    months = monitoring.month_scores().pivot(index="organisation", columns="period", values="score")
    months = months.reindex(monitoring.organisations).reset_index().rename(columns={"organisation": "机构"})
    one = number_format(1)
    w = watch.reset_index()
    watch_t = pd.DataFrame({"机构": w.iloc[:, 0], "状态": w["status_zh"], "连续低于6分月数": w["run_below"],
                            "退出月份": w["exit_period"].fillna(""), "最近得分": w["last_score"],
                            "最近月份": w["last_period"].fillna(""), "缺少月份": w["missing"].map(_join)})
    t = ev.table
    ev_t = pd.DataFrame({"项目": t["project"], "评估": t["evaluation"].map({"mid": "中期", "final": "结项"}),
                         "总分": t["total"], "等级": t["grade"], "评估人数": t["n_evaluators"],
                         "未达标指标": t["below_target"].map(_join), "说明": t["explanations"].map(_join)})
    i = ev.indicators
    ind_t = pd.DataFrame({"项目": i["project"], "评估": i["evaluation"].map({"mid": "中期", "final": "结项"}),
                          "指标": i["label"], "类别": i["kind"].map({"output": "产出", "outcome": "效果"}),
                          "目标": i["target"], "实际": i["actual"], "完成比例": i["share"],
                          "达标": i["met"].map({True: "是", False: "否"}), "说明": i["explanation"]})
    d = monitoring.tranche_decisions(ev, watch)
    tr_t = pd.DataFrame({"项目": d["project"], "机构": d["organisation"], "批次": d["tranche"], "金额": d["amount"],
                         "决定": d["decision"].map({"released": "已拨付", "withheld": "暂缓拨付", "pending": "待定"}),
                         "理由": d["reason_zh"], "reason": d["reason_en"]})
    p = monitoring.portfolio(ev, watch)
    port_t = pd.DataFrame({"项目": p["project"], "名称": p["name"], "机构": p["organisation"], "合同金额": p["amount"],
                           "已拨付": p["released"], "暂缓": p["withheld"], "待定": p["pending"],
                           "中期等级": p["mid_grade"], "结项等级": p["final_grade"], "月评分状态": p["status_zh"],
                           "星级": p["stars"]})
    n = monitoring.next_year(evaluation=ev, watch=watch).reset_index()
    next_t = pd.DataFrame({"机构": n["organisation"], "可申报": n["eligible"].map({True: "是", False: "否"}),
                           "依据": n["rule_zh"], "rule": n["rule_en"], "加分": n["adjustment"]})
    return [
        Table("monthly", "月评分", Text("月评分（十分制）", "Monthly scores (out of 10)"), months,
              {c: one for c in months.columns if c != "机构"}, note="空白：该月缺少评分或评分不完整 / blank: missing"),
        Table("watch", "退出预警", Text("退出预警", "Exit watch"), watch_t, {"最近得分": one}),
        Table("evaluations", "评估结果", Text("中期与结项评估", "Evaluations"), ev_t, {"总分": one}),
        Table("indicators", "指标完成", Text("产出与效果指标", "Indicators"), ind_t, {"完成比例": "0%"}),
        Table("tranches", "资金拨付", Text("分期拨付", "Tranches"), tr_t, {"金额": MONEY_CENTS}),
        Table("portfolio", "项目总览", Text("项目总览", "Portfolio"), port_t,
              {c: MONEY_CENTS for c in ("合同金额", "已拨付", "暂缓", "待定")}),
        Table("next", "下一年度", Text("下一年度申报资格", "Next year's eligibility"), next_t),
    ]


def export_monitoring(monitoring, out_dir, formats=FORMATS, *, stem: str | None = None) -> dict:
    """Write the monitoring report to ``out_dir``; returns {format: path}."""
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise DataError("unknown export format", key="formats", expected=" / ".join(FORMATS), found=bad,
                        zh=f"未知的导出格式：{'、'.join(map(str, bad))}（可选 {' / '.join(FORMATS)}）")
    tables = monitoring_tables(monitoring)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = stem or f"{monitoring.contest.id}-monitoring-{monitoring.year}"
    title = f"{monitoring.contest.name.zh} · 项目监管 {monitoring.year}"
    written = {}
    if "xlsx" in formats:
        from ..report.xlsx import write_xlsx
        written["xlsx"] = out / f"{stem}.xlsx"
        write_xlsx(tables, written["xlsx"], title=title)
    if "pdf" in formats:
        from ..report.html import figure_png
        from ..report.pdf import _Layout, render_pages
        from .charts import monthly_chart
        lay = _Layout()
        lay.heading(title, 16)
        for k, t in enumerate(tables):
            if k:
                lay.new_page()
            lay.heading(t.title.both())
            lay.table(t)
            if t.key == "watch":
                fig = monthly_chart(monitoring.month_scores(), monitoring.threshold, watch=monitoring.watch())
                lay.image(figure_png(fig), "月评分与退出线 · monthly scores and the exit line")
        written["pdf"] = out / f"{stem}.pdf"
        render_pages(lay, title, f"{monitoring.start} – {monitoring.end}", written["pdf"])
    return written
