"""Publication: xlsx values/types/sheets, PDF pages (pdftoppm), self-contained HTML,
Chinese glyphs in every chart, round trip through read_score_workbook, CLI."""
import base64
import re
import subprocess
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

import evalkit as ek
from evalkit.report import build_report, publish, write_scoresheets
from evalkit.report.tables import display_width, round_half_up

from conftest import DATA

pytestmark = pytest.mark.filterwarnings("error:Glyph:UserWarning")


def _setup(name):
    contest = ek.load_contest(DATA / name)
    ranking = ek.rank(contest.scores, contest.rubric, method=contest.rubric.rule.method)
    alloc = ek.allocate(ranking.projects.join(contest.projects.set_index("id")), budget=contest.budget,
                        rule="optimal", category="category")
    return contest, ranking, alloc


@pytest.fixture(scope="module")
def xinan():
    return _setup("demo-xinan")


@pytest.fixture(scope="module")
def report(xinan):
    return build_report(*xinan)


@pytest.fixture(scope="module")
def published(xinan, tmp_path_factory):
    """Every format of demo-xinan, written with every warning recorded."""
    contest, ranking, alloc = xinan
    out = tmp_path_factory.mktemp("report")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = publish(contest, ranking, alloc, out)
    return paths, caught


def _sheet_rows(ws, header_row=2):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    header, body = rows[0], []
    for r in rows[1:]:
        if all(v is None for v in r):     # the table ends; a note may follow
            break
        body.append(r)
    return header, body


def test_publish_writes_no_missing_glyph_warning(published):
    _, caught = published
    glyph = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert glyph == []


def test_xlsx_sheet_names(published, xinan):
    contest, _, _ = xinan
    wb = openpyxl.load_workbook(published[0]["xlsx"])
    assert wb.sheetnames == (["公示"] + list(contest.judges["name"]) +
                             ["评分明细", "一致性", "评委诊断", "资金分配", "审计日志"])


def test_xlsx_gongshi_values_and_types(published, xinan):
    contest, ranking, alloc = xinan
    ws = openpyxl.load_workbook(published[0]["xlsx"])["公示"]
    header, body = _sheet_rows(ws)
    assert header == ("排名", "项目编号", "项目名称", "申报机构", "类别", "最终得分", "资助金额", "备注")
    assert len(body) == len(contest.projects)
    p = ranking.projects
    amounts = dict(zip(alloc.table["project"], alloc.table["amount"]))
    names = dict(zip(contest.projects["id"], contest.projects["name"]))
    for rank, pid, name, org, cat, score, amount, _ in body:
        assert isinstance(rank, int) and rank == p.at[pid, "rank"]
        assert name == names[pid]
        assert isinstance(score, float)
        assert score == pytest.approx(round(float(p.at[pid, "score"]) + 1e-9, 2), abs=1e-9)
        assert isinstance(amount, int) and amount == amounts[pid]
    assert [r[0] for r in body] == sorted(r[0] for r in body)
    assert sum(r[6] for r in body) == alloc.total
    # number formats: the rule's decimals (2) and money; frozen header; widths fit Chinese
    assert ws["F3"].number_format == "0.00"
    assert ws["G3"].number_format == "#,##0"
    assert ws.freeze_panes == "A3"
    longest = max(display_width(n) for n in contest.projects["name"])
    assert ws.column_dimensions["C"].width >= longest


def test_xlsx_judge_sheet_numbers(published, xinan):
    contest, _, _ = xinan
    wb = openpyxl.load_workbook(published[0]["xlsx"])
    judge = contest.judges.iloc[0]
    header, body = _sheet_rows(wb[judge["name"]])
    labels = [c.label.zh for c in contest.rubric.criteria]
    assert list(header[2:2 + len(labels)]) == labels
    mine = contest.scores[contest.scores["judge"] == judge["id"]].set_index(["project", "criterion"])["score"]
    for row in body:
        for c, value in zip(contest.rubric.criteria, row[2:]):
            assert isinstance(value, float)
            assert value == mine[(row[0], c.id)]
    assert wb[judge["name"]]["C3"].number_format == "0.00"


def test_xlsx_allocation_and_agreement(published, xinan):
    contest, _, alloc = xinan
    wb = openpyxl.load_workbook(published[0]["xlsx"])
    header, body = _sheet_rows(wb["资金分配"])
    assert "说明" in header and "Reason" in header
    by_id = {r[1]: r for r in body}
    i_amount, i_reason = header.index("资助金额"), header.index("说明")
    for r in alloc.table.itertuples():
        assert by_id[r.project][i_amount] == r.amount
        assert by_id[r.project][i_reason] == alloc.explain(r.project)
    header, body = _sheet_rows(wb["一致性"])
    alpha = {r[0]: r[2] for r in body if isinstance(r[2], float)}
    innov = contest.scores[contest.scores["criterion"] == "innovation"]
    expected = ek.agreement.krippendorff_alpha(innov, level="interval", units="project", raters="judge",
                                               values="score")
    assert alpha["创新特色"] == pytest.approx(float(expected))


def test_pdf_pages_render_and_are_numbered(published, xinan, report, tmp_path):
    contest, ranking, alloc = xinan
    pdf = published[0]["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert "(A4)" in info
    # one page each: 公示 (+charts), judges' totals, breakdown, agreement, diagnostics, allocation (+audit note)
    from evalkit.report.pdf import layout_report
    assert n == len(layout_report(report).pages) >= 6
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == n
    import matplotlib.image as mpimg
    for png in pngs:
        img = mpimg.imread(png)[..., :3]
        ink = (img.mean(axis=2) < 0.8).mean()
        assert ink > 0.005, f"{png.name} looks blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    for i in range(1, n + 1):
        page = pages[i - 1]
        assert f"第 {i} 页 / 共 {n} 页" in page
        assert contest.name.zh in page and contest.date in page
    top = ranking.projects.sort_values("rank").index[0]
    assert dict(zip(contest.projects["id"], contest.projects["name"]))[top] in pages[0]


def test_html_is_self_contained_with_charts(published, xinan):
    contest, _, _ = xinan
    html = published[0]["html"].read_text(encoding="utf-8")
    assert contest.name.zh in html
    assert not re.search(r"""(src|href)=['"]?(https?:|//)""", html)
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(images) == 5
    assert all(base64.b64decode(x)[:8] == b"\x89PNG\r\n\x1a\n" for x in images)
    for name in contest.projects["name"]:
        assert name in html


def test_every_chart_draws_chinese_without_missing_glyphs(report):
    rep = report
    import io
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts = rep.charts()
        for key, title, fig in charts:
            fig.savefig(io.BytesIO(), format="png", dpi=40)
            fig.savefig(io.BytesIO(), format="pdf")
            texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
            assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), key
    assert [k for k, _, _ in charts] == ["judge_points", "severity", "agreement", "rank_ranges", "fund_split"]


def test_glyph_check_catches_a_font_without_chinese():
    """The warning the tests turn into errors really fires without a CJK font."""
    import io

    import matplotlib
    from matplotlib.figure import Figure
    with matplotlib.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        fig = Figure()
        fig.text(0.5, 0.5, "评委")
        with pytest.warns(UserWarning, match="Glyph .* missing from font"):
            fig.savefig(io.BytesIO(), format="png")


def test_trimmed_marks_match_the_rule(xinan):
    """The chart marks exactly the totals the trimmed mean drops: the mean of the
    unmarked totals is the final score (expert panel only, no bonus)."""
    from evalkit.report.charts import dropped_marks
    contest, _, _ = xinan
    scores = contest.scores[contest.scores["panel"] == "expert"].drop(columns="panel")
    tot = ek.totals(scores, contest.rubric)
    marks = dropped_marks(tot, "trimmed", 1)
    assert (marks == "high").groupby(tot["project"]).sum().eq(1).all()
    assert (marks == "low").groupby(tot["project"]).sum().eq(1).all()
    kept = tot[marks == ""].groupby("project")["total"].mean()
    r = ek.rank(scores[scores["criterion"].isin(contest.rubric.criterion_ids)], contest.rubric, method="trimmed")
    assert np.allclose(kept.sort_index(), r.projects["score"].sort_index(), atol=1e-9)


def test_trimmed_marks_per_panel(xinan):
    """With panels (5 experts, 3 public) each panel drops its own highest and lowest."""
    from evalkit.report.charts import dropped_marks
    contest = xinan[0]
    tot = ek.totals(contest.scores, contest.rubric)
    marks = dropped_marks(tot, "trimmed", 1)
    per = pd.DataFrame({"high": marks == "high", "low": marks == "low", "project": tot["project"],
                        "panel": tot["panel"]}).groupby(["project", "panel"])[["high", "low"]].sum()
    assert (per == 1).all().all() and len(per) == 2 * len(contest.projects)


def test_round_half_up():
    assert list(round_half_up([74.525, 1.005, 2.675, -1.5, np.nan], 2)[:4]) == [74.53, 1.01, 2.68, -1.5]


def test_round_trip_publish_then_read_judge_sheets(tmp_path):
    """demo-huaihe (with conflicts): publish -> read the workbook back -> the same scores."""
    contest, ranking, alloc = _setup("demo-huaihe")
    paths = publish(contest, ranking, alloc, tmp_path, formats=("xlsx",))
    back = ek.io.read_score_workbook(paths["xlsx"], contest)
    assert set(back.attrs["ignored_sheets"]) == {"公示", "评分明细", "一致性", "评委诊断", "资金分配", "审计日志"}
    key = ["judge", "project", "criterion"]
    a = contest.scores[key + ["score"]].sort_values(key).reset_index(drop=True)
    b = back[key + ["score"]].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert (back["round"] == contest.default_round).all()


def test_anonymised_workbook_hides_names(tmp_path, xinan):
    contest, ranking, alloc = xinan
    paths = publish(contest, ranking, alloc, tmp_path, formats=("xlsx",), anonymise=True)
    wb = openpyxl.load_workbook(paths["xlsx"])
    n = len(contest.judges)
    assert wb.sheetnames[1:1 + n] == [f"评委{i}" for i in range(1, n + 1)]
    cells = {str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    for name in contest.judges["name"]:
        assert not any(name in c for c in cells)
    with pytest.raises(ek.errors.ScoreError, match="unknown judge sheet"):
        ek.io.read_score_workbook(paths["xlsx"], contest)


def test_audit_log_sheet_from_the_store(demo_copy, tmp_path):
    folder = demo_copy("demo-xinan", scores=False)
    contest = ek.load_contest(folder)
    full = ek.load_contest(DATA / "demo-xinan").scores
    with contest.open_store() as store:
        store.import_scores(full)
        first = full.iloc[0]
        store.record(first.judge, first.project, first.criterion, 5.0, entered_by="secretary", reason="录入错误更正")
        n_events = len(store.history())
        scores = store.scores()
    ranking = ek.rank(scores, contest.rubric, method="trimmed")
    paths = publish(contest, ranking, None, tmp_path, formats=("xlsx",), scores=scores)
    wb = openpyxl.load_workbook(paths["xlsx"])
    assert "资金分配" not in wb.sheetnames
    header, body = _sheet_rows(wb["审计日志"])
    assert header[:4] == ("序号", "时间", "事件", "评委")
    assert len(body) == n_events == len(full) + 1
    assert body[-1][header.index("原因")] == "录入错误更正"
    assert body[-1][header.index("分数")] == 5.0


def test_scoresheets_fill_in_and_read_back(tmp_path, xinan):
    contest = xinan[0]
    paths = write_scoresheets(contest, tmp_path, judges=["E1", "M3"])
    info = subprocess.run(["pdfinfo", str(paths["scoresheet_pdf"])], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 2 * 2     # grid + rubric per judge
    text = subprocess.run(["pdftotext", str(paths["scoresheet_pdf"]), "-"], capture_output=True, text=True).stdout
    assert "评委：黄志强" in text and "评委签名" in text and "党组织作用突出" in text
    wb = openpyxl.load_workbook(paths["scoresheet_xlsx"])
    assert wb.sheetnames == ["评分标准", "黄志强", "党员代表 郑"]
    rub = wb["评分标准"]
    assert any("党组织作用突出" in str(v) for row in rub.iter_rows(values_only=True) for v in row if v)
    ws = wb[contest.judges["name"][0]]
    assert "评委：黄志强" in ws["A1"].value
    with pytest.raises(ek.errors.DataError, match="unknown judge"):
        write_scoresheets(contest, tmp_path, judges=["X9"])
    assert any("评委签名" in str(c.value) for c in ws["A"] if c.value)
    ws["C3"], ws["D3"], ws["C4"] = 8.5, 7, 9.25   # first judge, first two projects
    wb.save(tmp_path / "filled.xlsx")
    back = ek.io.read_score_workbook(tmp_path / "filled.xlsx", contest)
    got = {(r.judge, r.project, r.criterion): r.score for r in back.itertuples()}
    assert got == {("E1", "X01", "party_lead"): 8.5, ("E1", "X01", "need_fit"): 7.0,
                   ("E1", "X02", "party_lead"): 9.25}


def test_cli_report(demo_copy, tmp_path, capsys):
    from evalkit.cli import main
    folder = demo_copy("demo-xinan")
    assert main(["report", str(folder), "--out", str(tmp_path / "out"), "--formats", "xlsx"]) == 0
    out = capsys.readouterr().out
    assert "xlsx:" in out
    wb = openpyxl.load_workbook(tmp_path / "out" / "demo-xinan-final-report.xlsx")
    assert wb.sheetnames[0] == "公示"
    assert not (folder / "evalkit.db").exists()      # reporting creates no store
    assert main(["report", str(folder), "--out", str(tmp_path / "o2"), "--formats", "docx"]) == 1


def test_unknown_format_and_mixed_rounds_are_errors(xinan, tmp_path):
    contest, ranking, alloc = xinan
    with pytest.raises(ek.errors.DataError, match="unknown report format"):
        publish(contest, ranking, alloc, tmp_path, formats=("docx",))
    two = pd.concat([contest.scores, contest.scores.assign(round="semi")], ignore_index=True)
    with pytest.raises(ek.errors.DataError, match="several rounds"):
        build_report(contest, ranking, alloc, scores=two)
    rep = build_report(contest, ranking, alloc, scores=two, round="final")
    assert len(rep.scores) == len(contest.scores)


def test_veto_and_bonus_in_the_notice_and_judge_sheets(tmp_path):
    """A vetoed project has no rank and a reason (without the judge) in 公示; veto and
    bonus rows appear as columns of the judge sheets and read back."""
    contest = ek.load_contest(DATA / "demo-huaihe")
    extra = pd.DataFrame([{"judge": "J1", "project": "P12", "criterion": "compliance", "score": 1.0},
                          {"judge": "J2", "project": "P02", "criterion": "matched_funding", "score": 2.0}])
    scores = pd.concat([contest.scores, contest.with_panels(extra.assign(round="final"))], ignore_index=True)
    ranking = ek.rank(scores, contest.rubric, method="trimmed")
    alloc = ek.allocate(ranking.projects.join(contest.projects.set_index("id")), budget=contest.budget)
    paths = publish(contest, ranking, alloc, tmp_path, formats=("xlsx",), scores=scores)
    wb = openpyxl.load_workbook(paths["xlsx"])
    header, body = _sheet_rows(wb["公示"])
    row = {r[1]: r for r in body}
    assert row["P12"][0] is None and row["P12"][6] == 0
    assert row["P12"][7].startswith("取消资格") and "J1" not in row["P12"][7]
    assert body[-1][1] == "P12"                       # after every ranked project
    assert row["P02"][0] == 1 and row["P02"][5] == pytest.approx(ranking.projects.at["P02", "score"])
    header, _ = _sheet_rows(wb["王建国"])
    assert "政治与合规审查不通过" in header and "配套资金加分" in header
    back = ek.io.read_score_workbook(paths["xlsx"], contest)
    assert len(back) == len(scores)
    got = back.set_index(["judge", "project", "criterion"])["score"]
    assert got[("J1", "P12", "compliance")] == 1.0 and got[("J2", "P02", "matched_funding")] == 2.0


def test_configure_matplotlib_uses_the_installed_cjk_font(monkeypatch):
    import matplotlib

    from evalkit.report import plotting
    font = plotting.configure_matplotlib()
    assert font == "Noto Sans CJK SC"              # Debian fonts-noto-cjk, installed by the setup
    assert matplotlib.rcParams["font.sans-serif"][0] == font
    assert matplotlib.rcParams["pdf.fonttype"] == 3
    monkeypatch.setattr(plotting, "CJK_FONTS", ("No Such Font",))
    with pytest.raises(ek.errors.EvalkitError, match="no CJK font"):
        plotting.find_cjk_font.__wrapped__()


def test_markup_in_names_and_reasons_is_escaped_in_the_html_report(tmp_path):
    """Project, organisation and judge names and reasons carrying markup (issue 13)
    are text in the HTML report: the payload never appears unescaped."""
    import shutil

    from evalkit.report.html import render_html
    payload = '<img src=x onerror="alert(1)">'
    folder = tmp_path / "demo-huaihe"
    shutil.copytree(DATA / "demo-huaihe", folder, ignore=shutil.ignore_patterns("evalkit.db*", "backups", "monitoring"))
    projects = pd.read_csv(folder / "projects.csv")
    projects.loc[0, ["name", "name_en", "organisation"]] = ["食堂" + payload, "Canteen" + payload, "中心" + payload]
    projects.to_csv(folder / "projects.csv", index=False)
    judges = pd.read_csv(folder / "judges.csv", keep_default_na=False)
    judges.loc[0, "name"] = "王" + payload
    judges.to_csv(folder / "judges.csv", index=False)
    contest = ek.load_contest(folder)
    ranking = ek.rank(contest.scores, contest.rubric)
    alloc = ek.allocate(ranking.projects.join(contest.projects.set_index("id")), budget=contest.budget,
                        rule="greedy")
    for version in ("public", "internal"):
        page = render_html(build_report(contest, ranking, alloc, version=version))
        assert payload not in page and "onerror=\"" not in page, version
    assert "&lt;img src=x" in render_html(build_report(contest, ranking, alloc, version="internal"))
