"""Paper scores typed into a workbook or a CSV: checked (what changes, every problem
by sheet and cell, in the page's language), then imported; the store plans again
inside its write, so a score a phone sends between the check and the import is
never overwritten without a reason. evalkit.live.paper, the Import tab, `evalkit
import`."""
import re
import tempfile

import pytest

import evalkit as ek
from evalkit.cli import main
from evalkit.errors import AccessError, ScoreError
from evalkit.live.paper import check_score_file, import_checked
from evalkit.ui import AppState
from evalkit.ui.paper_import import ImportTab
from conftest import DATA
from test_excel import PROJECTS, expected
from test_excel import make_workbook as _make_workbook

CJK = re.compile(r"[\u3400-\u9fff]")
DEMO = ek.load_contest(DATA / "demo-huaihe")    # the demo's own scores: what the judges wrote on paper


def make_workbook(path, contest, **kwargs):
    return _make_workbook(path, DEMO, **kwargs)
N_GOOD = 2 * len(PROJECTS) * 8            # two judge sheets, four projects, eight criteria


@pytest.fixture
def empty(demo_copy, tmp_path):
    """The demo contest with an empty store (no PIN) and its pitched projects."""
    contest = ek.load_contest(demo_copy(scores=False))
    store = contest.open_store(tmp_path / "s.db")
    yield contest, store
    store.close()


def _bad_book(tmp_path, contest, name="book.xlsx"):
    return make_workbook(tmp_path / name, contest, edit=lambda wb: wb["评委1"].cell(7, 3, 18))   # 18 > 15


def test_check_lists_problems_and_plans_the_valid_scores(empty, tmp_path):
    contest, store = empty
    check = check_score_file(store, _bad_book(tmp_path, contest))
    assert [e.where for e in check.problems] == ["评委1!C7"]
    assert check.counts == {"add": N_GOOD - 1, "change": 0, "same": 0} and not check.ok
    assert store.last_seq == 0                                         # a check writes nothing
    with pytest.raises(ScoreError) as info:                            # problems: refused unless only_valid
        import_checked(store, check)
    assert "1 处问题" in info.value.text("zh") and "1 problem" in info.value.text("en")
    assert store.last_seq == 0
    done = import_checked(store, check, only_valid=True)
    assert (done["action"] == "add").sum() == N_GOOD - 1 and len(store.scores()) == N_GOOD - 1
    want = expected(DEMO).set_index(["judge", "project", "criterion"])["score"]
    got = store.scores().set_index(["judge", "project", "criterion"])["score"]
    assert (got == want.loc[got.index]).all()                          # what each judge typed, once
    seq = store.last_seq
    again = import_checked(store, check_score_file(store, _bad_book(tmp_path, contest)), only_valid=True)
    assert set(again["action"]) == {"same"} and store.last_seq == seq  # a second import writes nothing


def test_a_phone_score_between_check_and_import_is_not_overwritten(empty, tmp_path):
    contest, store = empty
    path = make_workbook(tmp_path / "book.xlsx", contest)
    check = check_score_file(store, path)
    assert check.counts["add"] == N_GOOD
    paper = float(expected(DEMO).set_index(["judge", "project", "criterion"]).at[("J1", "P01", "need"), "score"])
    typed = 3.0 if paper != 3.0 else 4.0
    store.set_current("P01")
    store.judge_session(store.judge_tokens()["J1"]).record("P01", "need", typed)   # the judge's phone, after the check
    seq = store.last_seq
    with pytest.raises(ScoreError) as info:                            # the plan said "add": now it is a correction
        import_checked(store, check)
    assert info.value.key == "reason" and "理由" in info.value.text("zh")
    assert store.last_seq == seq                                       # all or nothing
    assert store.scores().set_index(["judge", "project", "criterion"]).at[("J1", "P01", "need"), "score"] == typed
    done = import_checked(store, check, reason="纸质评分表为准")
    row = done[(done["judge"] == "J1") & (done["project"] == "P01") & (done["criterion"] == "need")].iloc[0]
    assert (row["action"], row["old"], row["new"]) == ("change", typed, paper)
    assert (done["action"] == "add").sum() == N_GOOD - 1


def test_csv_files_are_checked_row_by_row(empty, tmp_path):
    contest, store = empty
    good = tmp_path / "scores.csv"
    good.write_text("judge,project,criterion,score\nJ1,P01,need,10.5\nJ2,P01,need,11\n", encoding="utf-8")
    check = check_score_file(store, good)
    assert check.ok and check.counts == {"add": 2, "change": 0, "same": 0}
    bad = tmp_path / "bad.csv"
    bad.write_text("judge,project,criterion,score,round\nJ1,P01,need,10.5,final\nJ9,P01,need,11,final\n"
                   "J2,P01,need,99,final\nJ2,P01,design,12,semi\nJ1,P01,need,10.5,final\nJ4,P02,need,8,final\n",
                   encoding="gbk")
    check = check_score_file(store, bad)
    assert [e.where for e in check.problems] == [f"{bad} row {n}" for n in (3, 4, 5, 6)]   # in the file's order
    assert check.problems[0].text("zh") == "未知评委「J9」" and "未知评审轮次「semi」" in check.problems[2].text("zh")
    assert check.scores[["judge", "project", "criterion", "score"]].values.tolist() == [
        ["J1", "P01", "need", 10.5], ["J4", "P02", "need", 8.0]]                        # the rest is kept
    with pytest.raises(ScoreError):
        import_checked(store, check)                                # problems: only on request
    done = import_checked(store, check, only_valid=True)
    assert (done["action"] == "add").sum() == 2 and len(store.scores()) == 2
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("judge,project,criterion,score\nJ9,P01,need,11\n", encoding="utf-8")
    with pytest.raises(ScoreError) as info:
        import_checked(store, check_score_file(store, nothing), only_valid=True)
    assert "没有可导入的分数" in info.value.text("zh")
    with pytest.raises(ScoreError) as info:
        check_score_file(store, tmp_path / "notes.docx")
    assert "notes.docx" in info.value.text("zh") and ".xlsx" in info.value.text("en")
    with pytest.raises(ScoreError) as info:
        check_score_file(store, tmp_path / "评分.xls")            # WPS and old Excel books
    assert "另存为 .xlsx" in info.value.text("zh") and "save this book as .xlsx" in info.value.text("en")


def test_the_import_tab_checks_then_imports_in_the_pages_language(empty, tmp_path):
    contest, store = empty
    state = AppState(contest, store)
    tab = ImportTab(state)
    assert tab.import_button.disabled and "尚未选择文件" in tab.report.value
    tab.choose("评分汇总.xlsx", _bad_book(tmp_path, contest).read_bytes())
    report = tab.report.value
    assert "评分汇总.xlsx" in report and "评委1!C7, 分数: 18 高于「需求分析」的最高分 15" in report
    assert f"新增 {N_GOOD - 1} 个分数" in report and tempfile.gettempdir() not in report
    assert not tab.import_button.disabled and tab.import_button.description == f"导入 {N_GOOD - 1} 个分数"
    state.set_lang("en")
    assert "评委1!C7, score: 18 is above the maximum 15 of Need analysis" in tab.report.value and not CJK.search(
        re.sub(r"评分汇总\.xlsx|评委1!C7", "", tab.report.value))
    assert tab.import_button.description == f"Import {N_GOOD - 1} scores"
    state.set_lang("zh")
    assert tab.run_import() is None and "1 处问题" in tab.status.value and store.last_seq == 0
    tab.only_valid.value = True
    done = tab.run_import()
    assert (done["action"] == "add").sum() == N_GOOD - 1 and len(store.scores()) == N_GOOD - 1
    assert f"新增 {N_GOOD - 1} 个" in tab.status.value and tab.check is None and tab.import_button.disabled
    # the corrected sheet comes back: the change is shown and needs a reason
    fixed = make_workbook(tmp_path / "fixed.xlsx", contest,
                          edit=lambda wb: (wb["评委1"].cell(7, 3, 14), wb["评委1"].cell(5, 3, 1)))
    tab.choose("fixed.xlsx", fixed.read_bytes())
    assert 'class="evalkit-import-changes"' in tab.report.value and "需填写理由" in tab.report.value
    assert tab.check.counts["change"] == 1 and tab.check.counts["add"] == 1
    seq = store.last_seq
    assert tab.run_import() is None and "理由" in tab.status.value and store.last_seq == seq
    tab.reason.value = "评委当场更正"
    done = tab.run_import()
    assert done is not None and store.scores().set_index(["judge", "project", "criterion"]).at[
        ("J1", "P01", "need"), "score"] == 1
    assert tab.reason.value == "" and "评委当场更正" in set(store.history()["reason"].dropna())


def test_the_import_tab_refuses_junk_and_needs_the_secretary(empty, tmp_path):
    contest, store = empty
    tab = ImportTab(AppState(contest, store))
    assert tab.choose("photo.jpg", b"\xff\xd8\xff") is None and "photo.jpg" in tab.report.value
    assert tab.import_button.disabled
    assert tab.choose("book.xlsx", b"PK\x03\x04 broken") is None and "无法读取" in tab.report.value
    assert tab.choose("big.xlsx", b"0" * 6_000_000) is None and "太大" in tab.report.value
    assert tab.choose("../../etc/评分.csv", "judge,project,criterion,score\nJ1,P01,need,9\n".encode()) is not None
    assert tab.check.file == "评分.csv" and not list(tmp_path.glob("*评分*"))   # kept nowhere, named by its name
    store.set_pin("246813")
    judge_side = contest.open_store(store.path)                         # without the PIN
    try:
        page = ImportTab(AppState(contest, judge_side))
        assert page.choose("book.xlsx", _bad_book(tmp_path, contest).read_bytes()) is None
        assert judge_side.last_seq == store.last_seq
        with pytest.raises(AccessError):
            import_checked(judge_side, check_score_file(judge_side, _bad_book(tmp_path, contest)), only_valid=True)
    finally:
        judge_side.close()


def test_a_workbook_that_unpacks_to_far_more_than_a_score_sheet_is_refused_unread(empty, tmp_path, monkeypatch):
    # a few MB on the USB stick that unpack to gigabytes would take the secretary's
    # kernel down mid-show: the zip's own directory is read first
    import zipfile
    import evalkit.io.excel as excel
    contest, store = empty
    book = make_workbook(tmp_path / "book.xlsx", contest)
    with zipfile.ZipFile(book, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"0" * 3_000_000)        # compresses to a few kB
    assert book.stat().st_size < 100_000
    monkeypatch.setattr(excel, "MAX_UNPACKED_BYTES", 2_000_000)
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(a))
    tab = ImportTab(AppState(contest, store))
    assert tab.choose("book.xlsx", book.read_bytes()) is None and not opened
    assert "解压后有 3 MB" in tab.report.value and tab.import_button.disabled and store.last_seq == 0
    monkeypatch.undo()
    assert len(check_score_file(store, book).scores) == N_GOOD               # under the real limit it reads


def test_cli_imports_a_workbook_listing_its_problems(empty, tmp_path, capsys):
    contest, store = empty
    store.close()
    book = _bad_book(tmp_path, contest)
    assert main(["import", str(book), "--contest", str(contest.dir), "--dry-run"]) == 1
    out = capsys.readouterr()
    assert f"would import: {N_GOOD - 1} new" in out.out and "评委1!C7: 18 高于「需求分析」的最高分 15" in out.err
    assert main(["import", str(book), "--contest", str(contest.dir)]) == 1
    assert "1 处问题" in capsys.readouterr().err
    assert main(["import", str(book), "--contest", str(contest.dir), "--only-valid"]) == 0
    assert f"imported: {N_GOOD - 1} new" in capsys.readouterr().out
    with contest.open_store() as s:
        assert len(s.scores()) == N_GOOD - 1
