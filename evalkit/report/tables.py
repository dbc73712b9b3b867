"""The report's tables, built once and written by every format (xlsx, html, pdf).

Each :class:`Table` holds a frame whose column headers are the display headers
(Chinese, the English in the title), the Excel number format of each numeric
column, and the sheet name. Anonymised judges become 评委1, 评委2, ... in contest
order everywhere (judge sheets, diagnostics, audit log).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..display import display_round
from ..errors import EvalkitError
from ..scores import totals
from ..text import Text


@dataclass
class Table:
    key: str
    sheet: str
    title: Text
    frame: pd.DataFrame
    formats: dict = field(default_factory=dict)   # column -> Excel number format
    note: str = ""
    judge: str | None = None                      # judge sheets: the judge's id


def round_half_up(values, decimals: int):
    """Round as people do (四舍五入); see :func:`evalkit.display.display_round`."""
    return np.asarray(display_round(np.asarray(values, dtype=float), decimals), dtype=float)


def number_format(decimals: int) -> str:
    """Excel number format with exactly ``decimals`` decimals."""
    return "0" if decimals <= 0 else "0." + "0" * int(decimals)


#: which charts follow which table in the HTML and PDF reports
CHARTS_AFTER = {"gongshi": ["judge_points", "rank_ranges"], "agreement": ["agreement"], "judges": ["severity"],
                "allocation": ["fund_split"]}

MONEY = "#,##0"
MONEY_CENTS = "#,##0.00"


def money_format(values) -> str:
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    return MONEY if (x == x.round()).all() else MONEY_CENTS


def judge_labels(contest, anonymise: bool) -> dict[str, str]:
    """judge id -> label shown in the report: the judge's name, or 评委1.. in contest order."""
    if anonymise:
        return {j: f"评委{i + 1}" for i, j in enumerate(contest.judges["id"])}
    return dict(zip(contest.judges["id"], contest.judges["name"].fillna(contest.judges["id"])))


def sheet_name(text: str, taken: set) -> str:
    """An Excel-safe, unique sheet name (<= 31 chars, none of []:*?/\\)."""
    base = "".join("_" if ch in '[]:*?/\\' else ch for ch in str(text)).strip("'")[:31] or "sheet"
    name, i = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({i})"
        name, i = base[:31 - len(suffix)] + suffix, i + 1
    taken.add(name)
    return name


def _score_decimals(ranking, rubric) -> int:
    d = getattr(ranking, "decimals", None)
    return int(d) if d is not None else int(rubric.rule.decimals)


def projects_table(ranking) -> pd.DataFrame:
    """ranking.projects with the project id as a column named ``project``."""
    p = ranking.projects.copy()
    if "project" not in p.columns:
        p = p.rename_axis("project").reset_index()
    p["project"] = p["project"].astype(str)
    return p


def _amounts(allocation) -> dict:
    if allocation is None:
        return {}
    t = allocation.table
    return dict(zip(t["project"].astype(str), t["amount"]))


def gongshi(contest, ranking, allocation) -> Table:
    """公示: rank, project, organisation, category, final score, amount awarded."""
    dec = _score_decimals(ranking, contest.rubric)
    p = projects_table(ranking).merge(contest.projects.rename(columns={"id": "project"}), on="project", how="left")
    p = p.sort_values(["rank", "project"], na_position="last", kind="stable")
    amount = _amounts(allocation)
    excluded = p["excluded"].fillna("").astype(str) if "excluded" in p else pd.Series("", index=p.index)
    # the public notice says why a project is out, not which judge vetoed it
    excluded = excluded.str.replace(r"\s*\(judges? [^)]*\)", "", regex=True)
    note = [("取消资格: " + e) if e else ("并列" if bool(t) else "")
            for e, t in zip(excluded, p.get("tied", pd.Series(False, index=p.index)).fillna(False))]
    df = pd.DataFrame({
        "排名": [int(r) if pd.notna(r) and not e else None for r, e in zip(p["rank"], excluded)],
        "项目编号": p["project"].to_numpy(),
        "项目名称": p["name"].to_numpy(),
        "申报机构": p["organisation"].to_numpy(),
        "类别": p["category"].to_numpy(),
        "最终得分": round_half_up(p["score"], dec),
        "资助金额": [amount.get(x, 0) for x in p["project"]],
        "备注": note,
    })
    return Table("gongshi", "公示", Text("评审结果公示", "Published results"), df,
                 {"排名": "0", "最终得分": number_format(dec), "资助金额": money_format(df["资助金额"])})


def _item_columns(contest, scores) -> list[tuple[str, str, int]]:
    """(item id, header, decimals) for every criterion, then the veto and bonus items
    that occur in the scores."""
    r = contest.rubric
    used = set(scores["criterion"].astype(str))
    cols = [(c.id, c.label.zh, c.decimals) for c in r.criteria]
    cols += [(v.id, v.label.zh, 0) for v in r.veto_items if v.id in used]
    cols += [(b.id, b.label.zh, 2) for b in r.bonus_items if b.id in used]
    return cols


def judge_tables(contest, scores, anonymise: bool = False) -> list[Table]:
    """One table per judge: projects as rows, criteria as columns (the layout
    :func:`evalkit.io.read_score_workbook` reads back), the judge's total, and
    回避 for conflicts."""
    labels = judge_labels(contest, anonymise)
    items = _item_columns(contest, scores)
    tot = totals(scores, contest.rubric)
    taken: set = set()
    out = []
    for j in contest.judges["id"]:
        mine = scores[scores["judge"] == j]
        wide = mine.pivot_table(index="project", columns="criterion", values="score", aggfunc="first")
        jt = tot[tot["judge"] == j].set_index("project")["total"]
        df = pd.DataFrame({"项目编号": contest.projects["id"].to_numpy(), "项目名称": contest.projects["name"].to_numpy()})
        formats = {}
        for cid, header, dec in items:
            df[header] = [wide.at[p, cid] if p in wide.index and cid in wide.columns else np.nan for p in df["项目编号"]]
            formats[header] = number_format(dec)
        df["总分"] = [jt.get(p, np.nan) for p in df["项目编号"]]
        formats["总分"] = "0.00"
        df["备注"] = ["回避" if contest.is_conflicted(j, p) else ("" if p in wide.index else "未评分")
                    for p in df["项目编号"]]
        name = sheet_name(labels[j], taken)
        out.append(Table("judge", name, Text(f"评委评分表 · {labels[j]}", f"Scores of judge {labels[j]}"), df,
                         formats, judge=j))
    return out


def judge_totals_table(contest, scores, ranking, anonymise: bool = False) -> Table:
    """各评委总分: projects (in rank order) x judges, each judge's weighted total, and the
    final score; the compact view of the judge sheets used in the PDF."""
    labels = judge_labels(contest, anonymise)
    tot = totals(scores, contest.rubric).pivot_table(index="project", columns="judge", values="total")
    p = projects_table(ranking).sort_values("rank", na_position="last", kind="stable")
    names = dict(zip(contest.projects["id"], contest.projects["name"]))
    df = pd.DataFrame({"排名": p["rank"].to_numpy(), "项目编号": p["project"].to_numpy(),
                       "项目名称": p["project"].map(names).to_numpy()})
    for j in contest.judges["id"]:
        df[labels[j]] = [tot.at[x, j] if x in tot.index and j in tot.columns else np.nan for x in df["项目编号"]]
    dec = _score_decimals(ranking, contest.rubric)
    df["最终得分"] = round_half_up(p["score"], dec)
    formats = {labels[j]: "0.0" for j in contest.judges["id"]}
    formats.update({"排名": "0", "最终得分": number_format(dec)})
    return Table("totals", "评委总分", Text("各评委总分", "Each judge's total per project"), df, formats,
                 note="空白为回避或未评分；各评委逐项评分见 Excel 与 HTML 版")


def breakdown(contest, scores, ranking) -> Table:
    """评分明细: per project, each criterion's mean over the judges, and the final score."""
    r = contest.rubric
    crit = scores[scores["criterion"].isin(r.criterion_ids)]
    means = crit.pivot_table(index="project", columns="criterion", values="score", aggfunc="mean")
    p = projects_table(ranking).set_index("project")
    dec = _score_decimals(ranking, r)
    df = pd.DataFrame({"项目编号": contest.projects["id"].to_numpy(), "项目名称": contest.projects["name"].to_numpy()})
    formats = {}
    for c in r.criteria:
        df[f"{c.label.zh}\n（{c.max:g}）"] = [means.at[x, c.id] if x in means.index and c.id in means.columns
                                             else np.nan for x in df["项目编号"]]
        formats[df.columns[-1]] = "0.00"
    df["评委数"] = [int(p.at[x, "n_judges"]) if x in p.index and "n_judges" in p else 0 for x in df["项目编号"]]
    df["最终得分"] = round_half_up([p.at[x, "score"] if x in p.index else np.nan for x in df["项目编号"]], dec)
    df["排名"] = [p.at[x, "rank"] if x in p.index else np.nan for x in df["项目编号"]]
    formats.update({"评委数": "0", "最终得分": number_format(dec), "排名": "0"})
    df = df.sort_values("排名", na_position="last", kind="stable").reset_index(drop=True)
    return Table("breakdown", "评分明细", Text("各指标评分明细（评委均分）", "Criterion breakdown (judges' mean)"), df, formats,
                 note="各指标为全部评委的平均分，括号内为满分；最终得分按大赛规则计算")


def criterion_agreement(contest, scores) -> pd.DataFrame:
    """Krippendorff's alpha (interval) per criterion and on the weighted total, with
    the number of projects and judges (units = projects, raters = judges)."""
    from ..agreement import krippendorff_alpha
    r = contest.rubric
    rows = []
    parts = [(c.label.zh, c.weight, scores[scores["criterion"] == c.id]) for c in r.criteria]
    parts.append(("总分", 100.0, totals(scores, r).rename(columns={"total": "score"})))
    for label, weight, d in parts:
        try:
            a = krippendorff_alpha(d, level="interval", units="project", raters="judge", values="score")
            alpha, nu, nr = float(a), a.n_units, a.n_raters
        except EvalkitError:
            alpha, nu, nr = math.nan, d["project"].nunique(), d["judge"].nunique()
        rows.append({"指标": label, "权重": weight, "Krippendorff α": alpha, "项目数": nu, "评委数": nr})
    return pd.DataFrame(rows)


def agreement_table(contest, scores) -> Table:
    df = criterion_agreement(contest, scores)
    return Table("agreement", "一致性", Text("评委一致性（Krippendorff α，区间尺度）",
                                          "Inter-rater agreement (Krippendorff's alpha, interval)"), df,
                 {"权重": "0", "Krippendorff α": "0.000", "项目数": "0", "评委数": "0"},
                 note="α ≥ 0.8 可靠；0.667–0.8 可作初步结论 (Krippendorff 2004)")


def judge_diagnostics(contest, scores, anonymise: bool = False) -> pd.DataFrame:
    from ..agreement import judges as diagnose
    d = diagnose(scores, contest.rubric)
    d.insert(0, "label", d["judge"].map(judge_labels(contest, anonymise)))
    return d


def diagnostics_table(diag: pd.DataFrame) -> Table:
    df = pd.DataFrame({"评委": diag["label"], "评分项目数": diag["n_projects"], "平均总分": diag["mean_total"],
                       "宽严度": diag["severity"], "宽严度标准误": diag["severity_se"], "离散度": diag["spread"],
                       "与他人排序相关": diag["loo_spearman"], "提示": diag["flags"]})
    return Table("judges", "评委诊断", Text("评委宽严与一致性诊断", "Judge diagnostics"), df,
                 {"评分项目数": "0", "平均总分": "0.00", "宽严度": "+0.00;-0.00;0.00", "宽严度标准误": "0.00",
                  "离散度": "0.00", "与他人排序相关": "0.00"},
                 note="宽严度 = 其他评委均分减去该评委总分的平均差；正值偏严，负值偏宽")


def allocation_table(contest, allocation) -> Table:
    t = allocation.table.copy()
    t["project"] = t["project"].astype(str)
    dec = int(contest.rubric.rule.decimals)
    names = dict(zip(contest.projects["id"], contest.projects["name"]))
    cats = dict(zip(contest.projects["id"], contest.projects["category"]))
    df = pd.DataFrame({
        "排名": t["rank"].to_numpy(), "项目编号": t["project"].to_numpy(),
        "项目名称": t["project"].map(names).to_numpy(), "类别": t["project"].map(cats).to_numpy(),
        "得分": round_half_up(t["score"], dec), "申请金额": t["requested"].to_numpy(), "资助金额": t["amount"].to_numpy(),
        "资助比例": t["fraction"].to_numpy(),
        "说明": [allocation.explain(p, "zh") for p in t["project"]],
        "Reason": [allocation.explain(p, "en") for p in t["project"]],
    })
    money = money_format(pd.concat([df["申请金额"], df["资助金额"]]))
    note = (f"规则 rule: {allocation.rule}；资金 budget: {allocation.budget:,}；已分配 allocated: {allocation.total:,}；"
            f"结余 leftover: {allocation.leftover:,} {contest.currency}")
    return Table("allocation", "资金分配", Text("资金分配及理由", "Fund allocation with reasons"), df,
                 {"排名": "0", "得分": number_format(dec), "申请金额": money, "资助金额": money, "资助比例": "0%"}, note=note)


AUDIT_HEADERS = {"seq": "序号", "ts": "时间", "kind": "事件", "judge": "评委", "project": "项目", "criterion": "指标",
                 "round": "轮次", "change": "变更", "old": "原分数", "score": "分数", "entered_by": "录入人",
                 "reason": "原因", "hash": "哈希"}


def audit_table(contest, history: pd.DataFrame | None, anonymise: bool = False) -> Table:
    """审计日志: every event from the store, oldest first (empty without a store); a
    score event says whether it entered, corrected or retracted a score, from what
    (原分数) to what (分数), read by :func:`evalkit.audit.change_log`."""
    from ..audit import CHANGE_LABELS, change_log
    h = (history.copy() if history is not None else pd.DataFrame(columns=list(AUDIT_HEADERS)))
    if len(h):
        log = change_log(h).set_index("seq")
        h["change"] = h["seq"].map(log["change"].map(lambda c: CHANGE_LABELS[c].zh)).fillna("")
        h["old"] = h["seq"].map(log["old"])
        # an amendment's reason column holds JSON (new names among it): only the secretary's reason is shown
        h["reason"] = h["reason"].where(h["kind"] != "amend", h["seq"].map(log["reason"]))
    if anonymise and len(h):
        labels = judge_labels(contest, True)
        h["judge"] = h["judge"].map(lambda j: labels.get(j, j))
        # a judge's own entries are "judge:<id>": anonymised like the judge column
        h["entered_by"] = h["entered_by"].map(
            lambda j: "judge:" + labels.get(j[6:], j[6:]) if isinstance(j, str) and j.startswith("judge:")
            else labels.get(j, j))
    h = h[[c for c in AUDIT_HEADERS if c in h.columns]].rename(columns=AUDIT_HEADERS)
    # recorded scores shown with every decimal a criterion allows (at least two)
    shown = number_format(max([c.decimals for c in contest.rubric.criteria] + [2]))
    return Table("audit", "审计日志", Text("评分审计日志", "Audit log of score events"), h,
                 {"序号": "0", "原分数": shown, "分数": shown},
                 note="每条评分、更正、撤回与锁定均为一条事件（原分数→分数），哈希链可校验")


def display_width(text) -> int:
    """Width of text in monospace cells: CJK and full-width characters count 2."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def format_value(value, fmt: str | None) -> str:
    """A cell as text using its Excel number format (for HTML and PDF), rounded by
    :func:`evalkit.display.display_round` (四舍五入) like every other page."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if not isinstance(value, (int, float, np.integer, np.floating)) or fmt is None:
        return str(value)
    x = float(value)
    if fmt.endswith("%"):
        dec = max(0, len(fmt) - 3) if "." in fmt else 0
        return f"{display_round(x * 100, dec):.{dec}f}%"
    head = fmt.split(";")[0]
    dec = len(head.split(".")[1]) if "." in head else 0
    sign = "+" if head.startswith("+") else ""
    comma = "," if "," in head else ""
    return f"{display_round(x, dec):{sign}{comma}.{dec}f}"
