"""The served roadshow in a real browser (Debian chromium driven by Playwright):
`evalkit serve --json` on a copy of the demo contest; the secretary starts P01;
three judges submit their sheets from their own links; the conflicted judge (J3,
whose organisation pitches P01) is refused; the screen shows the three totals, the
highest and lowest struck through and the trimmed result; the secretary's
leaderboard shows it; the store holds exactly the submitted scores.
Screenshots go to test-artifacts/."""
import evalkit as ek
from evalkit.roadshow import project_board

from conftest import ARTIFACTS, browser_context, needs_chromium

pytestmark = needs_chromium


def sheet(rubric, share):
    return {c.id: round(c.max * share, c.decimals) for c in rubric.criteria}


def _paper_sheet(path, contest, scores):
    """A long sheet (评委, 项目, 指标, 分数) of J5's paper scores for P01, "need" typed as 99."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "纸质"
    ws.append(["评委", "项目", "指标", "分数"])
    for c in contest.rubric.criteria:
        ws.append(["J5", "P01", c.label.zh, 99 if c.id == "need" else scores[c.id]])
    wb.save(path)
    return path


def test_live_roadshow_in_browser(served):
    from playwright.sync_api import expect, sync_playwright
    folder, links, proc = served
    assert set(links) == {"secretary", "screen", "judges"}
    assert set(links["judges"]) == {"J1", "J2", "J3", "J4", "J5", "J6", "J7"}
    assert (folder / "judge-links.html").read_text("utf-8").count("<svg") == 7   # the QR sheet
    contest = ek.load_contest(folder)
    shares = {"J1": 0.9, "J2": 0.7, "J4": 0.5}
    paper = sheet(contest.rubric, 0.6)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser, ctx = browser_context(pw)
        expect.set_options(timeout=30_000)
        pages = {"secretary": ctx.new_page(), "screen": ctx.new_page()}
        for j in ("J1", "J2", "J4", "J3"):
            pages[j] = ctx.new_page()
        pages["secretary"].goto(links["secretary"], wait_until="commit")
        pages["screen"].goto(links["screen"], wait_until="commit")
        for j in ("J1", "J2", "J4", "J3"):
            pages[j].goto(links["judges"][j], wait_until="commit")
            pages[j].set_viewport_size({"width": 390, "height": 844})          # a phone
        sec = pages["secretary"]
        sec.locator(".evalkit-next").click()                                   # P01 starts pitching
        expect(sec.locator(".evalkit-live .evalkit-now")).to_contain_text("P01")
        for j, share in shares.items():
            page = pages[j]
            expect(page.locator(".evalkit-now")).to_contain_text("P01")
            for cid, value in sheet(contest.rubric, share).items():
                page.locator(f'input.evalkit-cell[data-col="{cid}"]').fill(str(value))
            page.locator(".evalkit-submit").click()
            expect(page.locator(".evalkit-status")).to_contain_text("已提交")
        pages["J1"].screenshot(path=str(ARTIFACTS / "judge-J1.png"))
        # the conflicted judge sees 回避 and cannot enter anything
        j3 = pages["J3"]
        expect(j3.locator(".evalkit-grid-banner")).to_contain_text("回避")
        expect(j3.locator("input.evalkit-cell").first).to_be_disabled()
        expect(j3.locator(".evalkit-submit")).to_be_hidden()
        j3.screenshot(path=str(ARTIFACTS / "judge-J3-conflict.png"))
        # the screen: three totals, highest and lowest struck, the trimmed result
        with contest.open_store(folder / "evalkit.db") as store:
            scores = store.scores()
        board = project_board(scores, contest, "P01")
        result = f"{board.result:.2f}"
        scr = pages["screen"]
        expect(scr.locator(".evalkit-screen-score")).to_have_count(3)
        expect(scr.locator(".evalkit-screen-score.evalkit-dropped")).to_have_count(2)
        expect(scr.locator(".evalkit-screen-result")).to_have_text(result)
        expect(scr.locator(".evalkit-screen-score:not(.evalkit-dropped)")).to_contain_text("评委2")
        scr.screenshot(path=str(ARTIFACTS / "screen.png"))
        # the secretary's progress board: P01 x judges, the three sheets complete, phones connected
        board = sec.locator(".evalkit-progress-board")
        expect(board.locator('tr[data-project="P01"] td.evalkit-state-complete')).to_have_count(3)
        expect(board.locator('tr[data-project="P01"] td.evalkit-state-conflict')).to_have_count(1)
        expect(board.locator(".evalkit-dot.evalkit-on")).to_have_count(4)        # J1, J2, J4, J3's phones
        sec.set_viewport_size({"width": 1920, "height": 1080})
        sec.screenshot(path=str(ARTIFACTS / "secretary-live-1920.png"), full_page=True)
        # the secretary's leaderboard
        sec.locator(".lm-TabBar-tab", has_text="排行榜").click()
        row = sec.locator('.evalkit-leaderboard tr[data-project="P01"]')
        expect(row.locator(".evalkit-lb-score")).to_have_text(result)
        sec.screenshot(path=str(ARTIFACTS / "secretary-leaderboard.png"))
        # the Consistency and Allocation tabs in words (issue 17): looked at in CI's artifacts
        sec.locator(".lm-TabBar-tab", has_text="一致性").click()
        expect(sec.locator(".evalkit-consistency")).to_be_visible(timeout=60_000)
        sec.screenshot(path=str(ARTIFACTS / "secretary-consistency-1920.png"), full_page=True)
        sec.locator(".lm-TabBar-tab", has_text="资金分配").click()
        table = sec.locator(".evalkit-allocation-table")
        expect(table).to_be_visible(timeout=60_000)
        expect(table.locator("th", has_text="资助金额（元）")).to_have_count(1)
        expect(table.locator("td", has_text="P01 银龄互助")).to_have_count(1)
        options = sec.locator(".evalkit-allocation select option").all_inner_texts()
        assert options and not set(options) & {"optimal", "greedy", "greedy_stop", "trimmed", "mean"}, options
        sec.screenshot(path=str(ARTIFACTS / "secretary-allocation-1920.png"), full_page=True)
        # J5 scored P01 on paper: the sheet, typed into a workbook, is uploaded in the Import tab;
        # the cell above the maximum is listed by sheet and cell and stays out
        assert not contest.is_conflicted("J5", "P01")
        book = _paper_sheet(folder / "J5-paper.xlsx", contest, paper)
        sec.locator(".lm-TabBar-tab", has_text="导入评分").click()
        with sec.expect_file_chooser() as chooser:           # the upload button opens the system's file dialog
            sec.locator(".evalkit-upload").click()
        chooser.value.set_files(str(book))
        report = sec.locator(".evalkit-import-report")
        expect(report).to_contain_text(f"新增 {len(paper) - 1} 个分数", timeout=60_000)
        expect(report).to_contain_text("纸质!D2")
        sec.screenshot(path=str(ARTIFACTS / "secretary-import-check-1920.png"), full_page=True)
        sec.locator(".evalkit-only-valid input").check()
        sec.locator(".evalkit-import-button").click()
        expect(sec.locator(".evalkit-import .evalkit-status")).to_contain_text("已导入")
        expect(sec.locator(".evalkit-upload")).not_to_contain_text("(1)")   # ready for the next sheet
        sec.set_viewport_size({"width": 1366, "height": 768})                 # a laptop
        sec.screenshot(path=str(ARTIFACTS / "secretary-import-1366.png"))
        # the laptop's page reloads (a new kernel) and the same sheet is chosen again: the
        # check finds every valid score already saved, so importing it twice adds nothing
        sec.reload(wait_until="commit")
        sec.locator(".lm-TabBar-tab", has_text="导入评分").click(timeout=60_000)
        with sec.expect_file_chooser() as chooser:
            sec.locator(".evalkit-upload").click()
        chooser.value.set_files(str(book))
        expect(report).to_contain_text(f"新增 0 个分数，更改 0 个，与已保存相同 {len(paper) - 1} 个", timeout=60_000)
        browser.close()
    with contest.open_store(folder / "evalkit.db") as store:
        scores = store.scores()
    # exactly the submitted scores and the valid paper ones, nothing from J3
    expected = {(j, "P01", c): v for j, s in shares.items() for c, v in sheet(contest.rubric, s).items()}
    expected.update({("J5", "P01", c): v for c, v in paper.items() if c != "need"})
    got = {(r.judge, r.project, r.criterion): r.score for r in scores.itertuples()}
    assert got == expected
    assert proc.poll() is None                                                 # still serving until stopped
