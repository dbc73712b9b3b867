"""Printable score sheets (评分表) for paper scoring: per judge, the rubric's
criteria with their descriptors, a grid of projects x criteria to fill in, and a
signature line. As xlsx (one sheet per judge, readable back by
:func:`evalkit.io.read_score_workbook` once filled in) and as an A4 PDF."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from ..text import Text
from .tables import Table, judge_labels, sheet_name

SIGNATURE = "评委签名 Signature：____________________      日期 Date：______________"


def rubric_table(rubric) -> Table:
    """评分标准: each criterion with its maximum, weight, guidance and level
    descriptors, then the veto and bonus items."""
    rows = []
    for c in rubric.criteria:
        bands = "；".join(f"{d.low:g}–{d.high:g}：{d.text.zh}" for d in sorted(c.descriptors, key=lambda d: -d.high))
        rows.append({"指标": c.label.zh, "分值": f"{c.min:g}–{c.max:g}", "权重": c.weight,
                     "评分要点": c.help.zh if c.help else "", "档次说明": bands})
    for v in rubric.veto_items:
        rows.append({"指标": f"一票否决：{v.label.zh}", "分值": "0/1", "权重": None, "评分要点": "是填 1，否填 0",
                     "档次说明": "任一评委填 1 即取消资格"})
    for b in rubric.bonus_items:
        rows.append({"指标": f"加分：{b.label.zh}", "分值": f"0–{b.max:g}", "权重": None, "评分要点": "",
                     "档次说明": ""})
    note = f"汇总规则 rule: {rubric.rule.text('zh')} / {rubric.rule.text('en')}"
    return Table("rubric", "评分标准", Text(f"评分标准 · {rubric.title.zh}", rubric.title.en), pd.DataFrame(rows),
                 {"权重": "0"}, note=note)


def blank_sheet(contest, judge: str, label: str, taken: set) -> Table:
    """The grid a judge fills in: projects as rows, each criterion (with its
    maximum) as a column, 回避 marked for conflicts."""
    r = contest.rubric
    df = pd.DataFrame({"项目编号": contest.projects["id"].to_numpy(), "项目名称": contest.projects["name"].to_numpy()})
    for c in r.criteria:
        df[f"{c.label.zh}\n（{c.max:g}分）"] = None
    for v in r.veto_items:
        df[f"{v.label.zh}\n（是=1）"] = None
    df["总分"] = None
    df["备注"] = ["回避" if contest.is_conflicted(judge, p) else "" for p in df["项目编号"]]
    return Table("scoresheet", sheet_name(label, taken), Text(f"{contest.name.zh} 评分表  评委：{label}",
                                                              f"Score sheet, judge {label}"),
                 df, note=SIGNATURE, judge=judge)


def write_scoresheets(contest, out_dir, *, stem: str = "评分表", formats=("xlsx", "pdf"),
                      anonymise: bool = False, judges=None) -> dict:
    """Write blank score sheets for every judge: ``{stem}.xlsx`` (评分标准 sheet, then
    one sheet per judge) and ``{stem}.pdf`` (per judge: the grid with a signature
    line, then the rubric page). ``judges``: ids to print (default all, e.g. to
    reprint one). Returns {"scoresheet_xlsx": path, "scoresheet_pdf": path}."""
    from ..errors import DataError
    wanted = list(contest.judges["id"]) if judges is None else [str(j) for j in judges]
    unknown = [j for j in wanted if j not in set(contest.judges["id"])]
    if unknown:
        raise DataError("unknown judge", key="judges", expected="judge ids from judges.csv", found=unknown,
                        zh=f"未知的评委：{'、'.join(unknown)}（应为 judges.csv 中的编号）")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    labels = judge_labels(contest, anonymise)
    taken: set = {"评分标准"}
    sheets = [blank_sheet(contest, j, labels[j], taken) for j in wanted]
    rubric = rubric_table(contest.rubric)
    written = {}
    if "xlsx" in formats:
        from .xlsx import write_xlsx
        written["scoresheet_xlsx"] = out / f"{stem}.xlsx"
        write_xlsx([rubric] + sheets, written["scoresheet_xlsx"], title=f"{contest.name.zh} 评分表")
    if "pdf" in formats:
        from .pdf import A4_LANDSCAPE, _Layout, render_pages
        lay = _Layout(A4_LANDSCAPE)
        for i, s in enumerate(sheets):
            if i:
                lay.new_page()
            lay.heading(s.title.zh, 14)
            lay.table(dataclasses.replace(s, note=""), row_min=0.3)   # the signature goes below, larger
            lay.y += 0.2
            lay.note(SIGNATURE)
            lay.new_page()
            lay.heading(rubric.title.zh, 13)
            lay.table(rubric)
        written["scoresheet_pdf"] = out / f"{stem}.pdf"
        render_pages(lay, contest.name.zh, f"{contest.date}  评分表", written["scoresheet_pdf"])
    return written
