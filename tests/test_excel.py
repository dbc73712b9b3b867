"""read_score_workbook: the sheets secretaries keep (merged two-row headers, Chinese
headers with maxima, judge named by sheet or by a cell), every kind of bad cell
reported by sheet and cell, all-or-nothing vs partial."""
import re
import openpyxl
import pandas as pd
import pytest

import evalkit as ek
from evalkit.errors import DataError, ScoreError

from conftest import DATA

PROJECTS = ["P01", "P02", "P04", "P05"]     # rows 5..8 of each sheet


@pytest.fixture(scope="module")
def contest():
    return ek.load_contest(DATA / "demo-huaihe")


def _headers(rubric):
    out = []
    for c in rubric.criteria:
        if c.id == "design":
            out.append(c.label.en)              # English label
        elif c.id == "innovation":
            out.append(c.id)                    # the id
        else:
            out.append(f"{c.label.zh}（{c.max:g}分）")   # Chinese with the maximum
    return out


def make_workbook(path, contest, sheets=(("评委1", "J1", True), ("李秀兰", "J2", False)), edit=None):
    """A secretary's workbook: per judge a merged title row, the judge in A2 (when
    asked), a two-row header (项目编号/项目名称 merged down, 评分项目 merged across),
    projects P01, P02, P04, P05 in rows 5-8, each judge's demo scores."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    names = dict(zip(contest.judges["id"], contest.judges["name"]))
    pnames = dict(zip(contest.projects["id"], contest.projects["name"]))
    crit = contest.rubric.criteria
    last = 2 + len(crit) + 1
    for title, judge, judge_cell in sheets:
        ws = wb.create_sheet(title)
        ws.cell(1, 1, f"{contest.name.zh} 评分表")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
        if judge_cell:
            ws.cell(2, 1, f"评委：{names[judge]}")
        ws.cell(3, 1, "项目编号")
        ws.merge_cells("A3:A4")
        ws.cell(3, 2, "项目名称")
        ws.merge_cells("B3:B4")
        ws.cell(3, 3, "评分项目")
        ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=2 + len(crit))
        for j, h in enumerate(_headers(contest.rubric), start=3):
            ws.cell(4, j, h)
        ws.cell(3, last, "总分")
        ws.merge_cells(start_row=3, start_column=last, end_row=4, end_column=last)
        mine = contest.scores[contest.scores["judge"] == judge].set_index(["project", "criterion"])["score"]
        for i, p in enumerate(PROJECTS, start=5):
            ws.cell(i, 1, p)
            ws.cell(i, 2, pnames[p])
            for j, c in enumerate(crit, start=3):
                ws.cell(i, j, float(mine[(p, c.id)]))
        ws.cell(10, 1, "评委签名：__________")
    if edit:
        edit(wb)
    wb.save(path)
    return path


def expected(contest, judges=("J1", "J2")):
    s = contest.scores
    s = s[s["judge"].isin(judges) & s["project"].isin(PROJECTS)]
    return s[["judge", "project", "criterion", "score"]].sort_values(["judge", "project", "criterion"]).reset_index(drop=True)


def _sorted(df):
    return df[["judge", "project", "criterion", "score"]].sort_values(["judge", "project", "criterion"]).reset_index(drop=True)


def test_reads_merged_two_row_headers_and_judges(tmp_path, contest):
    df = ek.io.read_score_workbook(make_workbook(tmp_path / "a.xlsx", contest), contest)
    assert list(df.columns) == ["judge", "project", "criterion", "score", "round"]
    assert df["score"].dtype == float
    assert (df["round"] == "final").all()
    pd.testing.assert_frame_equal(_sorted(df), expected(contest), check_dtype=False)
    assert df.attrs["cells"][0] == "评委1!C5"
    assert df.attrs["skipped"].empty


def test_numbers_typed_as_text_are_read(tmp_path, contest):
    path = make_workbook(tmp_path / "a.xlsx", contest, edit=lambda wb: wb["评委1"].cell(5, 3, " 12.5 "))
    df = ek.io.read_score_workbook(path, contest)
    assert df.set_index(["judge", "project", "criterion"]).at[("J1", "P01", "need"), "score"] == 12.5


@pytest.mark.parametrize("typed, value", [("12,5", 12.5), ("１２．５分", 12.5), ("12.5 分", 12.5)])
def test_numbers_typed_as_text_read_as_on_the_phones(tmp_path, contest, typed, value):
    # the same reading as every entry box (evalkit.numbers.read_number): comma decimal, full width, 分
    path = make_workbook(tmp_path / "a.xlsx", contest, edit=lambda wb: wb["评委1"].cell(5, 3, typed))
    df = ek.io.read_score_workbook(path, contest)
    assert df.set_index(["judge", "project", "criterion"]).at[("J1", "P01", "need"), "score"] == value


def test_ambiguous_text_number_is_refused_not_guessed(tmp_path, contest):
    # "1,000" could be one thousand or 1.000: refused with the reason, as on the phones
    path = make_workbook(tmp_path / "a.xlsx", contest, edit=lambda wb: wb["评委1"].cell(5, 3, "1,000"))
    with pytest.raises(ScoreError) as info:
        ek.io.read_score_workbook(path, contest)
    assert str(info.value).startswith("评委1!C5: '1,000' is ambiguous"), str(info.value)


def _put(sheet, cell, value):
    def edit(wb):
        wb[sheet][cell] = value
    return edit


def _rename(wb):
    ws = wb["评委1"]
    ws.title = "评委9"
    ws["A2"] = None


def _header(wb):
    wb["评委1"]["D4"] = "影响力"


BAD = [
    ("above max", _put("评委1", "C7", 18), "评委1!C7, score: 18 is above the maximum 15 of Need analysis"),
    ("below min", _put("评委1", "C7", -1), "评委1!C7, score: -1 is below the minimum 0 of Need analysis"),
    ("decimals", _put("评委1", "E6", 7.25), "评委1!E6, score: 7.25 has more than 1 decimal(s) allowed for Innovation"),
    ("text", _put("李秀兰", "F8", "优秀"), "李秀兰!F8: '优秀' is not a number"),
    ("formula", _put("评委1", "C5", "=10+2"), "评委1!C5: a formula is not accepted"),
    ("criterion header", _header, "评委1!D4: unknown criterion header '影响力'"),
    ("project", _put("评委1", "A6", "P99"), "评委1!A6: unknown project 'P99'"),
    ("judge sheet", _rename, "评委9: unknown judge sheet '评委9'"),
    ("duplicate", _put("评委1", "A6", "银龄互助·幸福食堂"), "评委1!C6: duplicate score for (J1, P01, need), first at 评委1!C5"),
]


@pytest.mark.parametrize("kind, edit, message", BAD, ids=[b[0] for b in BAD])
def test_each_bad_cell_is_reported_by_sheet_and_cell(tmp_path, contest, kind, edit, message):
    path = make_workbook(tmp_path / "bad.xlsx", contest, edit=edit)
    with pytest.raises(ScoreError) as info:
        ek.io.read_score_workbook(path, contest)
    assert str(info.value).startswith(message), str(info.value)
    # partial mode: the rest is read, the bad part listed
    df = ek.io.read_score_workbook(path, contest, partial=True)
    skipped = df.attrs["skipped"]
    head, text = message.split(": ", 1)          # "sheet!cell[, key]: message"
    assert any(w == head.split(", ")[0] and m.startswith(text) for w, m in zip(skipped["where"], skipped["message"]))
    full = expected(contest)
    assert 0 < len(df) < len(full) or kind in ("criterion header",)
    got = _sorted(df).merge(full, on=["judge", "project", "criterion"], suffixes=("", "_x"))
    assert (got["score"] == got["score_x"]).all()     # what was read is right


def test_conflict_of_interest_cell(tmp_path, contest):
    # J3 (张伟) is conflicted with the projects of 淮河社工服务中心, P01 among them
    path = make_workbook(tmp_path / "c.xlsx", contest, sheets=(("张伟", "J2", False),))
    with pytest.raises(ScoreError, match=r"张伟!C5, judge: judge 'J3' has a conflict of interest with project 'P01'"):
        ek.io.read_score_workbook(path, contest)


def test_all_problems_at_once_and_nothing_imported(tmp_path, contest, demo_copy):
    def edit(wb):
        wb["评委1"]["C7"] = 18
        wb["评委1"]["E6"] = "=1+1"
        wb["李秀兰"]["A8"] = "不存在的项目"
    path = make_workbook(tmp_path / "m.xlsx", contest, edit=edit)
    with pytest.raises(ScoreError) as info:
        ek.io.read_score_workbook(path, contest)
    # reading order: sheet by sheet, row by row
    assert [e.where for e in info.value.errors] == ["评委1!E6", "评委1!C7", "李秀兰!A8"]
    folder = demo_copy("demo-huaihe", scores=False)
    c2 = ek.load_contest(folder)
    df = ek.io.read_score_workbook(path, c2, partial=True)
    assert len(df) == len(expected(contest)) - 2 - len(contest.rubric.criteria)
    with c2.open_store() as store:
        report = store.import_scores(df)
        assert (report["action"] == "add").sum() == len(df)
        assert len(store.scores()) == len(df)


def test_long_sheet(tmp_path, contest):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总录入"
    ws.append(["评委", "项目", "指标", "分数"])
    ws.append(["王建国", "P01", "需求分析", 12.5])
    ws.append(["J2", "长者智能手机课堂", "Innovation", 8])
    ws.append(["J2", "P02", "pitch", 6])              # above 5
    ws.append(["赵六", "P02", "pitch", 4])            # unknown judge
    wb.save(tmp_path / "long.xlsx")
    with pytest.raises(ScoreError) as info:
        ek.io.read_score_workbook(tmp_path / "long.xlsx", contest)
    assert [(e.where, e.message.split(" (and")[0]) for e in info.value.errors] == [
        ("汇总录入!D4", "6 is above the maximum 5 of Roadshow presentation"),
        ("汇总录入!A5", "unknown judge '赵六'")]
    df = ek.io.read_score_workbook(tmp_path / "long.xlsx", contest, partial=True)
    assert _sorted(df).values.tolist() == [["J1", "P01", "need", 12.5], ["J2", "P02", "innovation", 8.0]]


def test_missing_file_and_empty_workbook(tmp_path, contest):
    with pytest.raises(DataError, match="no such workbook"):
        ek.io.read_score_workbook(tmp_path / "none.xlsx", contest)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "说明"
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(DataError, match="holds no score sheet"):
        ek.io.read_score_workbook(tmp_path / "empty.xlsx", contest)


_CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("kind, edit, message", BAD, ids=[b[0] for b in BAD])
def test_each_problem_reads_in_chinese_and_in_english(tmp_path, contest, kind, edit, message):
    # a page shows err.text(lang): Chinese first, English when switched (issue 15, item 5)
    path = make_workbook(tmp_path / "bad.xlsx", contest, edit=edit)
    with pytest.raises(ScoreError) as info:
        ek.io.read_score_workbook(path, contest)
    for err in info.value.errors:
        zh, en = err.text("zh"), err.text("en")
        assert _CJK.search(zh) and zh != en, (kind, zh)
        # English: no Chinese beyond what the workbook holds (quoted names, sheet!cell) and the 评委： hint
        assert not _CJK.search(re.sub(r"'[^']*'|\([^)]*\)|[^\s!]+![A-Z]+\d+|评委：", "", en)), (kind, en)


def test_workbook_level_problems_read_in_both_languages(tmp_path, contest):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "说明"
    wb.save(tmp_path / "empty.xlsx")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    cases = [dict(path=tmp_path / "none.xlsx"), dict(path=tmp_path / "empty.xlsx"),
             dict(path=tmp_path / "junk.xlsx"), dict(path=tmp_path / "empty.xlsx", sheets=["评委7"]),
             dict(path=tmp_path / "empty.xlsx", round="semifinal-x")]
    for case in cases:
        with pytest.raises(DataError) as info:
            ek.io.read_score_workbook(contest=contest, **case)
        assert _CJK.search(info.value.text("zh")) and not _CJK.search(info.value.text("en").replace("评委7", "")), case
    # several problems: the count follows in both languages
    path = make_workbook(tmp_path / "two.xlsx", contest,
                         edit=lambda wb: (wb["评委1"].cell(7, 3, 18), wb["评委1"].cell(8, 3, 19)))
    with pytest.raises(ScoreError) as info:
        ek.io.read_score_workbook(path, contest)
    assert "另有 1 处问题" in info.value.text("zh") and "1 more problem" in info.value.text("en")
