"""The secretary's Live tab under venue conditions, through the widget objects (no
browser): typed numbers read by evalkit.numbers.read_number, the out-of-line rule
and its prompt, the reason box, and the corrections log (evalkit.audit)."""
import statistics

import pandas as pd
import pytest

import evalkit as ek
import evalkit.roadshow as rs
from evalkit.agreement import outliers
from evalkit.audit import change_log, corrections
from evalkit.report.tables import audit_table
from evalkit.ui import AppState
from evalkit.ui.entry_grid import EntryGrid
from evalkit.ui.live import LiveTab
from evalkit.ui.messages import t
from conftest import DATA


def sheet_for_total(rubric, total):
    """Criterion scores (one decimal) whose weighted total is ``total`` (weights are the maxima)."""
    s = {c.id: round(c.max * total / 100, 1) for c in rubric.criteria}
    s["need"] = round(s["need"] + total - sum(s.values()), 1)
    return s


def long_table(rubric, project, totals):
    return pd.DataFrame([dict(judge=j, project=project, criterion=c, score=v)
                         for j, total in totals.items() for c, v in sheet_for_total(rubric, total).items()])


# --- number entry ---------------------------------------------------------------------

def test_grid_reads_comma_decimals_full_width_and_refuses_ambiguous_text(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    assert tab.grid.enter("J1", "innovation", "8,5")[0] == "ok"            # 0–10 item
    assert tab.grid.enter("J2", "pitch", "0,5")[0] == "ok"                 # 0–5 item
    assert tab.grid.enter("J4", "innovation", "８．５分")[0] == "ok"
    assert tab.grid.enter("J5", "innovation", " 7.5 分 ")[0] == "ok"
    got = store.scores().set_index(["judge", "criterion"])["score"]
    assert got[("J1", "innovation")] == 8.5 and got[("J2", "pitch")] == 0.5
    assert got[("J4", "innovation")] == 8.5 and got[("J5", "innovation")] == 7.5
    n = len(store.history())
    # '1,000': one thousand or 1.000? refused beside that cell, nothing recorded, the text stays
    assert tab.grid.enter("J6", "innovation", "1,000") == ("error", t("ambiguous", "zh"))
    ack = tab.grid.acks["J6|innovation"]
    assert ack == {"state": "error", "text": t("ambiguous", "zh"), "show": "1,000"}
    assert len(store.history()) == n and "J6" not in set(store.scores()["judge"])
    assert tab.grid.enter("J6", "innovation", "八")[0] == "error"
    assert tab.grid.acks["J6|innovation"]["text"] == t("not_number", "zh")
    # clearing a saved cell changes nothing and says so; clearing an empty one says nothing
    assert tab.grid.enter("J1", "innovation", "") == ("error", t("empty", "zh"))
    assert tab.grid.enter("J7", "innovation", " ") == ("", "")
    assert len(store.history()) == n
    # the page's language
    tab.state.set_lang("en")
    assert tab.grid.enter("J6", "innovation", "1,000") == ("error", t("ambiguous", "en"))
    assert "decimal point" in t("ambiguous", "en") and "小数点" in t("ambiguous", "zh")


def test_grid_boxes_are_text_boxes_with_a_decimal_keypad():
    esm = EntryGrid._esm
    assert 'input.type = "text"' in esm and 'type = "number"' not in esm
    assert 'input.inputMode = "decimal"' in esm
    assert "a.show" in esm and "a.reset" in esm     # refused text stays; a reset cell shows its saved value


# --- out-of-line rule -----------------------------------------------------------------

@pytest.mark.parametrize("panel", [[58, 66, 75, 84, 92], [58, 60, 90, 92], [58, 75, 92], [92, 58, 70, 80, 61, 88]])
def test_a_20_against_a_panel_of_58_to_92_is_out_of_line(panel):
    contest = ek.load_contest(DATA / "demo-huaihe")
    others = {f"J{i}": v for i, v in zip((1, 2, 4, 5, 6, 7), panel)}
    table = pd.concat([long_table(contest.rubric, "P05", others), long_table(contest.rubric, "P05", {"J3": 20})])
    last = sheet_for_total(contest.rubric, 20)["pitch"]
    far = rs.out_of_line(table, contest, "J3", "P05", "pitch", last)
    assert far is not None and far.total == pytest.approx(20) and far.value == last
    assert far.others == len(panel) and far.low > 20 and far.median == pytest.approx(statistics.median(panel))
    # the former rule (robust z over every sheet, |z| > 3.5) let it pass
    totals = pd.DataFrame({"judge": list(others) + ["J3"], "project": "P05", "total": list(panel) + [20]})
    assert not outliers(totals, threshold=3.5).set_index("judge").loc["J3", "is_outlier"]


@pytest.mark.parametrize("panel, total", [([62, 70, 75, 80, 88], 55), ([62, 70, 75, 80, 88], 99),
                                          ([80, 80, 81, 80], 70), ([80, 80, 81, 80], 92), ([58, 75, 92], 40)])
def test_a_sheet_within_a_normal_spread_is_not_out_of_line(panel, total):
    contest = ek.load_contest(DATA / "demo-huaihe")
    others = {f"J{i}": v for i, v in zip((1, 2, 4, 5, 6, 7), panel)}
    table = pd.concat([long_table(contest.rubric, "P05", others), long_table(contest.rubric, "P05", {"J3": total})])
    assert rs.out_of_line(table, contest, "J3", "P05", "need", sheet_for_total(contest.rubric, total)["need"]) is None


def test_out_of_line_needs_three_other_sheets_and_asks_about_no_demo_sheet():
    contest = ek.load_contest(DATA / "demo-huaihe")
    table = long_table(contest.rubric, "P05", {"J1": 80, "J2": 82, "J3": 10})
    assert rs.out_of_line(table, contest, "J3", "P05", "need", sheet_for_total(contest.rubric, 10)["need"]) is None
    for folder in ("demo-huaihe", "demo-xinan"):
        c = ek.load_contest(DATA / folder)
        sc = c.scores
        first = sc.groupby(["judge", "project"], sort=False).head(1)
        assert all(rs.out_of_line(sc, c, r.judge, r.project, r.criterion, r.score) is None
                   for r in first.itertuples()), folder


# --- the prompt, the reason box, the corrections log -----------------------------------

def _panel_and_low_sheet(contest, store):
    """J1, J2, J4, J5, J6 complete at 58..92 on P03; J7 complete but for pitch at a total of 20."""
    for j, total in zip(("J1", "J2", "J4", "J5", "J6"), (58, 66, 75, 84, 92)):
        for c, v in sheet_for_total(contest.rubric, total).items():
            store.record(j, "P03", c, v)
    low = sheet_for_total(contest.rubric, 20)
    for c, v in low.items():
        if c != "pitch":
            store.record("J7", "P03", c, v)
    return low["pitch"]


def test_prompt_shows_the_value_confirmed_and_clears_on_cancel(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    pitch = _panel_and_low_sheet(contest, store)
    tab.state.refresh()
    n = len(store.history())
    state, text = tab.grid.enter("J7", "pitch", "1,0")
    assert state == "confirm" and pitch == 1.0
    assert "路演表现 1" in text and "确认保存 1？" in text and "总分为 20.00" in text and "中位数 75.00" in text
    assert "确认保存 1？" in tab.confirm_text.value and tab.confirm_box.layout.display is None
    assert tab.grid.acks["J7|pitch"]["show"] == "1,0"                       # the box keeps what is confirmed
    assert len(store.history()) == n                                         # nothing saved yet
    tab.cancel_button.click()
    assert tab.confirm_box.layout.display == "none" and tab.confirm_text.value == ""
    assert tab.grid.acks["J7|pitch"] == {"state": "", "text": "", "reset": True}
    tab.confirm_button.click()                                               # nothing left to confirm
    assert len(store.history()) == n
    # asked again, confirmed: saved, the prompt gone
    assert tab.grid.enter("J7", "pitch", "1")[0] == "confirm"
    tab.confirm_button.click()
    assert store.scores(judge="J7").set_index("criterion").loc["pitch", "score"] == 1.0
    assert tab.grid.acks["J7|pitch"]["state"] == "ok" and tab.confirm_box.layout.display == "none"


def test_a_score_saved_elsewhere_replaces_a_refused_or_pending_text(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    _panel_and_low_sheet(contest, store)
    tab.state.refresh()
    assert tab.grid.enter("J1", "pitch", "1,000")[0] == "error"
    assert tab.grid.enter("J7", "pitch", "1")[0] == "confirm"
    tokens = store.judge_tokens()
    store.judge_session(tokens["J7"]).record("P03", "pitch", 4.0)          # the judge's phone, meanwhile
    tab.state.refresh()
    assert "J7|pitch" not in tab.grid.acks and tab._asking is None and tab.confirm_box.layout.display == "none"
    assert tab.grid.values["J7|pitch"] == 4.0
    assert tab.grid.acks["J1|pitch"]["show"] == "1,000"                    # J1's box is untouched


def test_a_new_prompt_or_an_in_line_value_drops_the_old_prompt(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    _panel_and_low_sheet(contest, store)
    tab.state.refresh()
    assert tab.grid.enter("J7", "pitch", "1")[0] == "confirm"
    # re-typed so that the total is in line: saved at once, no prompt left
    store.record("J7", "P03", "need", 15.0, reason="misread")   # the sheet is raised in the meantime
    store.record("J7", "P03", "design", 20.0, reason="misread")
    tab.state.refresh()
    state, _ = tab.grid.enter("J7", "pitch", "5")
    total = ek.totals(store.scores(), contest.rubric).set_index("judge").loc["J7", "total"]
    assert state == "ok" and total == pytest.approx(52) and tab._asking is None
    assert tab.confirm_box.layout.display == "none" and tab.confirm_text.value == ""


def test_reason_box_clears_after_each_correction_and_the_log_says_who_changed_what(live):
    contest, store = live
    tab = LiveTab(AppState(contest, store))
    assert tab.grid.enter("J1", "need", "12")[0] == "ok"
    assert tab.grid.enter("J2", "need", "11")[0] == "ok"
    assert 'data-count="0"' in tab.audit.value and "本轮尚无更正" in tab.audit.value
    tab.reason.value = "录入错误"
    assert tab.grid.enter("J1", "need", "13")[0] == "ok"
    assert tab.reason.value == ""                                           # emptied after the correction
    # a later, unrelated correction needs its own reason: never stored with the old one
    assert tab.grid.enter("J2", "need", "10") == ("error", t("needs_reason", "zh"))
    tab.reason.value = "评委口头更正"
    assert tab.grid.enter("J2", "need", "10")[0] == "ok" and tab.reason.value == ""
    hist = store.history()
    assert hist["reason"].tolist()[-2:] == ["录入错误", "评委口头更正"]
    # the Live tab's log: newest first, who, which score, from what to what, why
    assert 'data-count="2"' in tab.audit.value
    rows = tab.audit.value.split("<tr data-seq=")[1:]
    assert all(x in rows[0] for x in ("秘书", "P03", "李秀兰", "需求分析", "更正", "<td>11</td>", "<td>10</td>",
                                      "评委口头更正"))
    assert all(x in rows[1] for x in ("王建国", "<td>12</td>", "<td>13</td>", "录入错误"))
    # unlocking with a reason empties the box too
    tab.lock_button.click()
    tab.lock_button.click()        # the lock asks twice
    assert tab.state.store.is_locked()
    tab.reason.value = "补录"
    tab.lock_button.click()
    assert not store.is_locked() and tab.reason.value == ""
    tab.state.set_lang("en")
    assert "Corrections" in tab.audit.value and "Need analysis" in tab.audit.value and "secretary" in tab.audit.value


def test_change_log_reads_every_score_event(live):
    contest, store = live
    tokens = store.judge_tokens()
    store.record("J1", "P03", "need", 12.0)
    store.record("J1", "P03", "need", 12.0)                              # the same value again
    store.record("J1", "P03", "need", 13.5, reason="typo")
    store.judge_session(tokens["J2"]).record("P03", "need", 9.0)
    store.retract("J1", "P03", "need", reason="wrong judge")
    store.record("J1", "P03", "need", 11.0)
    store.lock()
    log = change_log(store)
    assert list(log.columns) == ["seq", "ts", "kind", "change", "judge", "project", "criterion", "round", "old",
                                 "new", "entered_by", "reason"]
    assert log["change"].tolist() == ["new", "same", "correction", "new", "retract", "new"]
    assert log["old"].tolist()[:3] == [pytest.approx(float("nan"), nan_ok=True), 12.0, 12.0]
    assert log["new"].tolist()[2] == 13.5 and log["reason"].tolist()[2] == "typo"
    assert log.iloc[4]["old"] == 13.5 and log.iloc[4]["new"] != log.iloc[4]["new"]      # retracted: NaN
    assert log.iloc[5]["old"] != log.iloc[5]["old"]                                     # after a retraction
    assert log.iloc[3]["entered_by"] == "judge:J2" and log.iloc[3]["judge"] == "J2"
    assert change_log(store, judge="J2")["seq"].tolist() == [log.iloc[3]["seq"]]
    assert corrections(store)["change"].tolist() == ["retract", "correction"]           # newest first
    assert change_log(store.history()).equals(log)                                     # a history frame works too
    assert change_log(store.history().iloc[:0]).empty


def test_report_audit_sheet_has_old_and_new_and_hides_judges_when_anonymised(live):
    contest, store = live
    tokens = store.judge_tokens()
    store.record("J1", "P03", "need", 12.0)
    store.judge_session(tokens["J2"]).record("P03", "need", 9.0)
    store.judge_session(tokens["J2"]).record("P03", "need", 9.5)
    store.record("J1", "P03", "need", 12.5, reason="录入错误")
    store.lock()
    table = audit_table(contest, store.history())
    f = table.frame
    last = f[f["事件"] == "score"].iloc[-1]
    assert (last["变更"], last["原分数"], last["分数"], last["原因"]) == ("更正", 12.0, 12.5, "录入错误")
    assert f[f["事件"] == "lock"]["变更"].tolist() == [""]
    anon = audit_table(contest, store.history(), anonymise=True).frame
    assert "judge:J2" not in set(anon["录入人"]) and "judge:评委2" in set(anon["录入人"])
    assert not anon["评委"].isin(["J1", "J2"]).any()


def test_a_score_is_retracted_with_a_reason_and_the_cell_shows_its_history(demo_copy):
    """Issue 17: delete a wrong score from the Live tab (a retraction with a reason,
    the old value kept in the history) and see a cell's change history."""
    contest = ek.load_contest(demo_copy(scores=False))
    with contest.open_store() as store:
        store.set_current("P01")
        tab = LiveTab(AppState(contest, store))
        assert tab.grid.enter("J1", "need", "12")[0] == "ok"
        tab.reason.value = "录入错误"
        assert tab.grid.enter("J1", "need", "13")[0] == "ok"
        tab.cell_judge.value, tab.cell_criterion.value = "J1", "need"
        tab.retract()                                        # no reason in the box: refused, nothing written
        assert "理由" in tab.status.value and len(store.scores()) == 1
        tab.reason.value = "评委弃权此项"
        tab.retract()
        assert store.scores().empty and tab.reason.value == ""
        html = tab.cell_history.value
        assert 'data-count="3"' in html
        for text in ("录入", "更正", "撤回", "录入错误", "评委弃权此项", "<td>12.00</td>", "<td>13.00</td>"):
            assert text in html, text
        assert store.verify()["ok"]
