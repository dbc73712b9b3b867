"""The pages' widgets without a browser: entries, acknowledgements, conflicts, lock,
corrections, confirmation, the screen following the store, PIN, language."""
import pytest

import evalkit as ek
from evalkit.ui import AppState
from evalkit.ui.app import Roadshow
from evalkit.ui.judge import JudgePage
from evalkit.ui.live import LiveTab
from evalkit.ui.screen import Screen


def sheet(contest, judge, base):
    """A full sheet for ``judge``: each criterion at ``base`` share of its max."""
    return {f"{judge}|{c.id}": round(c.max * base, c.decimals) for c in contest.rubric.criteria}


def test_judge_submits_and_the_screen_follows(live):
    contest, store = live
    tokens = store.judge_tokens()
    screen_state = AppState(contest, store)
    screen = Screen(screen_state)
    pages = {j: JudgePage(AppState(contest, store), tokens[j]) for j in ("J1", "J2", "J4")}
    for j, base in zip(pages, (0.9, 0.7, 0.5)):
        pages[j].grid.submit(sheet(contest, j, base))
        assert "已提交" in pages[j].status.value
        assert all(a["state"] == "ok" for a in pages[j].grid.acks.values())
    got = store.scores()
    assert len(got) == 3 * len(contest.rubric.criteria)
    assert set(got["judge"]) == {"J1", "J2", "J4"} and set(got["project"]) == {"P03"}
    assert screen_state.refresh()
    board = screen.last_board
    done = board.rows[board.rows["complete"]]
    assert list(done["judge"]) == ["J1", "J2", "J4"]
    # the highest (J1) and the lowest (J4) are struck; the result is J2's total
    assert list(done["dropped"]) == [True, False, True]
    assert board.result == pytest.approx(done["total"].iloc[1])
    assert screen.board.value.count("evalkit-dropped") == 2
    assert f"{board.result:.2f}" in screen.board.value
    assert "评委2" in screen.board.value and "王建国" not in screen.board.value
    # the leaderboard shows P03 only once three sheets are complete
    assert 'data-project="P03"' in screen.leaderboard.html.value


def test_judge_entry_ack_and_own_scores_only(live):
    contest, store = live
    tokens = store.judge_tokens()
    page = JudgePage(AppState(contest, store), tokens["J1"])
    assert page.grid.enter("J1", "need", "12.5") == ("ok", "已保存 ✓")
    assert page.grid.acks["J1|need"]["state"] == "ok"
    assert page.grid.enter("J1", "need", "abc")[0] == "error"
    assert page.grid.enter("J1", "need", "99")[0] == "error"       # outside 0..15
    store.record("J2", "P03", "need", 3.0)
    page.state.refresh(force=True)
    assert page.grid.values == {"J1|need": 12.5}                    # J2's score is not shown
    # a judge corrects their own score without a reason
    assert page.grid.enter("J1", "need", "11")[0] == "ok"
    assert store.scores(judge="J1")["score"].tolist() == [11.0]


def test_conflicted_judge_is_refused(live):
    contest, store = live
    tokens = store.judge_tokens()
    page = JudgePage(AppState(contest, store), tokens["J3"])       # J3 must not score P03 (回避)
    assert "回避" in page.grid.banner
    assert page.grid.rows[0]["disabled"]
    page.grid.submit(sheet(contest, "J3", 0.8))
    assert page.grid.enter("J3", "need", "10")[0] == "error"
    assert store.scores().empty
    assert "evalkit-status-error" in page.status.value


def test_bad_token_and_lock(live):
    contest, store = live
    bad = JudgePage(AppState(contest, store), "not-a-token")
    assert bad.judge is None and "evalkit-bad-link" in bad.header.value
    tokens = store.judge_tokens()
    page = JudgePage(AppState(contest, store), tokens["J1"])
    store.lock()
    page.state.refresh()
    assert page.grid.locked and "锁定" in page.status.value
    assert page.grid.enter("J1", "need", "10")[0] == "error"
    assert store.scores().empty


def test_judge_page_follows_current_project(live):
    contest, store = live
    page = JudgePage(AppState(contest, store), store.judge_tokens()["J3"])
    assert page.grid.rows[0]["disabled"]
    store.set_current("P02")
    assert page.state.refresh()
    assert page.project == "P02" and not page.grid.rows[0]["disabled"] and page.grid.banner == ""


def test_live_tab_entry_correction_confirmation_lock(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    assert [r["id"] for r in tab.grid.rows] == contest.judge_ids
    assert tab.grid.rows[2]["disabled"]                               # J3 conflicted with P03
    assert tab.grid.cols[0]["max"] == 15 and tab.grid.cols[0]["step"] == pytest.approx(0.1)
    assert "12" in tab.grid.cols[0]["hint"]                           # descriptors at hand
    state, text = tab.grid.enter("J1", "need", "12")
    assert state == "ok" and "12" in text
    assert store.scores()["score"].tolist() == [12.0]
    assert 'data-count="6"' in tab.pending.value                      # everyone but J3 still owes
    # a correction needs a reason
    assert tab.grid.enter("J1", "need", "13") == ("error", "更正已保存的分数需要填写理由")
    tab.reason.value = "录入错误"
    assert tab.grid.enter("J1", "need", "13")[0] == "ok"
    hist = store.history(judge="J1")
    assert hist["reason"].tolist()[-1] == "录入错误"
    # the conflicted judge's cell is refused by the store
    assert tab.grid.enter("J3", "need", "10")[0] == "error"
    # lock (asked twice: the lock ends every correction) and unlock
    tab.lock_button.click()
    assert not store.is_locked() and "再点一次" in tab.lock_button.description
    tab.lock_button.click()
    assert store.is_locked() and tab.grid.locked and tab.lock_button.description == "解锁本轮"
    assert tab.grid.enter("J2", "need", "10")[0] == "error"
    tab.lock_button.click()
    assert not store.is_locked()


def test_live_tab_out_of_line_asks_first(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    for j, base in (("J1", 0.8), ("J2", 0.82), ("J4", 0.78), ("J5", 0.8)):
        for key, v in sheet(contest, j, base).items():
            store.record(j, "P03", key.split("|")[1], v)
    for key, v in sheet(contest, "J6", 0.1).items():                  # J6: far below the others
        c = key.split("|")[1]
        if c != "pitch":
            store.record("J6", "P03", c, v)
    tab.state.refresh()
    state, text = tab.grid.enter("J6", "pitch", "0.5")
    assert state == "confirm" and "确认保存 0.5" in text and "总分为 10.00" in text
    assert tab.confirm_box.layout.display is None
    assert "pitch" not in set(store.scores(judge="J6")["criterion"])  # nothing saved yet
    tab.confirm_button.click()
    assert "pitch" in set(store.scores(judge="J6")["criterion"])
    assert tab.grid.acks["J6|pitch"]["state"] == "ok"
    assert tab.confirm_box.layout.display == "none"


def test_live_tab_advance(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    tab.next_button.click()
    assert store.current()[0] == "P04"
    assert tab.project.value == "P04" and 'data-project="P04"' in tab.now.value
    tab.project.value = "P02"                  # picking a past project shows it for a correction ...
    assert store.current()[0] == "P04"         # ... without moving the room
    assert 'data-project="P04"' in tab.now.value and 'evalkit-editing" data-project="P02"' in tab.now.value
    assert tab.grid.context == "P02" and tab.stage_button.layout.display is None
    tab.reason.value = "评委更正"
    assert tab.grid.enter("J1", "need", "9")[0] == "ok"
    assert store.scores().query("judge == 'J1' and criterion == 'need'").set_index("project").loc["P02", "score"] == 9
    assert store.current()[0] == "P04"
    tab.stage_button.click()                   # "put on stage" moves the room
    assert store.current()[0] == "P02" and tab.stage_button.layout.display == "none"
    tab.next_button.click()                    # the next project after it; the grid follows the stage again
    assert store.current()[0] == "P03" and tab.grid.context == "P03"


def test_roadshow_pin_and_language(live):
    contest, store = live
    store.set_pin("246813")
    store.close()
    locked = contest.open_store(store.path)                             # opened without the PIN
    app = Roadshow(AppState(contest, locked), follow=False)
    assert app.body.children[0] is app.pin_status
    assert not app.unlock_with_pin("000000") and "PIN码错误" in app.pin_status.value
    assert app.unlock_with_pin("246813")
    assert app.body.children == (app.tabs,)
    live_tab = app.view("live")
    live_tab.lock_button.click()                                        # secretary rights now
    live_tab.lock_button.click()                                        # (the lock asks twice)
    assert app.state.store.is_locked()
    app.state.set_lang("en")
    assert app.tabs.get_title(1) == "Live" and live_tab.next_button.description.startswith("Next")
    lb = app.view("leaderboard")
    assert "No project can be ranked yet" in lb.html.value
    app.state.store.close()


def test_leaderboard_highlights_changes(live):
    contest, store = live
    from evalkit.ui.leaderboard import Leaderboard
    board = Leaderboard(AppState(contest, store))
    for p, share in (("P01", 0.8), ("P02", 0.6)):
        for j in ("J1", "J2", "J4"):
            for key, v in sheet(contest, j, share).items():
                store.record(j, p, key.split("|")[1], v)
    board.state.refresh()
    assert list(board.ranking.projects.index) == ["P01", "P02"]
    assert "evalkit-moved" not in board.html.value
    # P02 is re-scored above P01: the rows that moved are highlighted
    for j in ("J1", "J2", "J4"):
        for key, v in sheet(contest, j, 0.95).items():
            store.record(j, "P02", key.split("|")[1], v, reason="re-scored")
    board.state.refresh()
    assert list(board.ranking.projects.index) == ["P02", "P01"]
    assert 'class="evalkit-moved-up" data-project="P02"' in board.html.value
    assert 'class="evalkit-moved-down" data-project="P01"' in board.html.value


def test_leaderboard_shows_ties(live):
    contest, store = live
    from evalkit.ui.leaderboard import Leaderboard
    for p in ("P01", "P02"):                        # identical sheets: the tie-break cannot separate them
        for j in ("J1", "J2", "J4"):
            for key, v in sheet(contest, j, 0.7).items():
                store.record(j, p, key.split("|")[1], v)
    board = Leaderboard(AppState(contest, store))
    assert board.ranking.projects["tied"].all()
    assert board.html.value.count('<span class="evalkit-tied">并列</span>') == 2


def test_resync_sends_every_widget_state(live):
    contest, store = live
    state = AppState(contest, store)
    page = JudgePage(state, store.judge_tokens()["J1"])
    sent = []
    for wdg in (page.header, page.grid):
        wdg.send_state = lambda key=None, wdg=wdg: sent.append(wdg)
    state.keep_in_sync(page.widget)
    state.resync()
    assert page.header in sent and page.grid in sent
