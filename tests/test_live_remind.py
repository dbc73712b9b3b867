"""One click to remind (issue 17): the secretary's reminder is a store event (secretary
rights checked by the store), the venue server pushes it to the reminded judge's
phone only, once per click burst, again to a phone that reconnects while the sheet is
still missing, and never after it is submitted; a phone cannot send one. The progress
board shows check-in (未签到 / 在线 / 离线) and 已提醒 hh:mm."""
import asyncio
import json

import pytest

import evalkit as ek
from evalkit.errors import AccessError, RoundLockedError, ScoreError
from evalkit.live.progress import check_in, read_presence, write_presence
from evalkit.live.remind import RemindGate, standing_reminders

from test_live_server import Phone, sheet

PIN = "246813"


def full(contest):
    return {c.id: c.max for c in contest.rubric.criteria}


def test_a_reminder_is_a_secretary_event_and_refused_without_the_pin(live, tmp_path):
    contest, store = live
    event = store.remind("J2", "P03", round="final")
    got = store.reminders()
    assert got[["seq", "judge", "project", "round"]].values.tolist() == [[event["seq"], "J2", "P03", "final"]]
    hist = store.history(judge="J2", project="P03")
    assert hist.loc[hist["kind"] == "remind", "entered_by"].tolist() == ["secretary"]
    assert store.verify()["ok"]
    with pytest.raises(ScoreError):
        store.remind("J3", "P03")          # J3 回避 on P03: owes no sheet
    with pytest.raises(ScoreError):
        store.remind("J9", "P03")
    with pytest.raises(ScoreError) as info:
        store.remind("J2", "P05")          # P05 has not pitched: no sheet is owed yet
    assert "项目 P05 本轮尚未路演" in info.value.text("zh") and "not pitched" in str(info.value)
    store.lock("final")
    with pytest.raises(RoundLockedError):
        store.remind("J4", "P03")          # the round is closed: nothing more to remind of
    store.unlock("final", reason="test: reopened")
    assert len(store.reminders()) == 1
    store.set_pin(PIN)
    with contest.open_store(store.path) as judge_side:   # no PIN: no secretary rights
        with pytest.raises(AccessError):
            judge_side.remind("J2", "P03")
    with contest.open_store(store.path, pin=PIN) as secretary:
        secretary.remind("J4", "P03")
    assert store.reminders()["judge"].tolist() == ["J2", "J4"]


def test_standing_reminders_end_with_the_sheet_and_the_gate_sends_once(live):
    contest, store = live
    store.remind("J2", "P03")
    store.remind("J2", "P03")
    assert [m["project"] for m in standing_reminders(store, store.scores(), "J2")] == ["P03"]  # newest only
    assert standing_reminders(store, store.scores(), "J4") == []
    store.record_sheet("J2", "P03", "final", full(contest))
    assert standing_reminders(store, store.scores(), "J2") == []
    now = [0.0]
    gate = RemindGate(interval=60, clock=lambda: now[0])
    assert gate.allow("J2", "P03", "final") and not gate.allow("J2", "P03", "final")
    assert gate.allow("J4", "P03", "final")
    now[0] = 61.0
    assert gate.allow("J2", "P03", "final")


async def _reminders(phone, wait=1.0):
    """Every remind message that reaches ``phone`` within ``wait`` seconds."""
    got = []
    while True:
        try:
            got.append(await phone.next("remind", timeout=wait))
        except TimeoutError:
            return got


def test_the_server_pushes_a_reminder_to_that_judges_phone_once(venue):
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    with contest.open_store() as store:
        store.set_current("P01")

    async def go():
        j2, j4 = await Phone(links, "J2").open(), await Phone(links, "J4").open()
        with contest.open_store() as store:       # the secretary's workbench: another process
            for _ in range(3):                    # repeated clicks within the rate interval
                store.remind("J2", "P01")
        first = await _reminders(j2, wait=2.0)
        others = await _reminders(j4, wait=0.5)
        # a phone cannot send a reminder: refused, nothing recorded, nobody reminded
        j4.ws.write_message(json.dumps({"t": "remind", "judge": "J2", "project": "P01"}))
        refused = await j4.next("error")
        crafted = await _reminders(j2, wait=1.0)
        j2.ws.close()
        # offline while a reminder is recorded: the phone gets it when it reconnects
        with contest.open_store() as store:
            store.set_current("P02")
            store.remind("J2", "P02")
        back = await Phone(links, "J2").open()
        again = await _reminders(back, wait=1.5)
        ack = await back.submit("P01", sheet(contest.rubric, 0.7))
        back.ws.close()
        later = await Phone(links, "J2").open()
        after = await _reminders(later, wait=1.5)
        later.ws.close()
        j4.ws.close()
        return first, others, refused, crafted, again, ack, after

    first, others, refused, crafted, again, ack, after = asyncio.run(go())
    assert len(first) == 1 and first[0]["project"] == "P01" and first[0]["round"] == "final"
    assert set(first[0]) == {"t", "id", "project", "round", "label", "at"}
    assert others == [] and crafted == []
    assert refused["message"]["zh"] == "无法识别的请求"
    assert sorted(m["project"] for m in again) == ["P01", "P02"]
    assert ack["t"] == "ack"
    assert [m["project"] for m in after] == ["P02"]          # P01 submitted: no longer reminded
    with contest.open_store() as store:
        assert store.reminders()["judge"].tolist() == ["J2"] * 4


def test_check_in_states_survive_a_restart_of_the_presence(tmp_path):
    path = tmp_path / "x.db"
    assert check_in(None) == ("absent", None)
    write_presence(path, {"J1": 1, "J2": 0}, {"J1": "2026-01-01T09:00:00+00:00", "J2": "2026-01-01T09:05:00+00:00"},
                   {"J1": "2026-01-01T08:50:00+00:00", "J2": "2026-01-01T08:55:00+00:00"})
    here = read_presence(path)
    assert check_in(here["J1"]) == ("online", None)
    assert check_in(here["J2"]) == ("offline", "2026-01-01T09:05:00+00:00")
    assert check_in(here.get("J3")) == ("absent", None)


def test_the_progress_board_shows_check_in_and_remind_buttons(live, tmp_path):
    from evalkit.ui import AppState
    from evalkit.ui.live import LiveTab
    contest, store = live
    write_presence(store.path, {"J1": 1, "J2": 0}, {"J1": "2026-01-01T09:00:00+00:00",
                                                    "J2": "2026-01-01T09:05:00+00:00"},
                   {"J1": "2026-01-01T08:50:00+00:00", "J2": "2026-01-01T08:55:00+00:00"})
    store.record_sheet("J1", "P03", "final", full(contest))
    tab = LiveTab(AppState(contest, store))
    html = tab.progress.value
    assert 'data-judge="J1" data-checkin="online"' in html and "在线" in html
    assert 'data-judge="J2" data-checkin="offline"' in html and "离线" in html
    assert 'data-judge="J4" data-checkin="absent"' in html and "未签到" in html
    buttons = {b.description: b for b in tab.board.buttons.children}
    owing = [j for j in contest.judge_ids if j not in ("J1", "J3")]   # J1 done, J3 回避
    assert len(buttons) == len(owing) + 1 and "提醒全部未评（P03）" in buttons
    assert not any("张伟" in d for d in buttons)                       # J3 owes nothing
    name2 = contest.judges.set_index("id").loc["J2", "name"]
    buttons[f"提醒 {name2}（缺 1 份）"].click()
    assert store.reminders()[["judge", "project"]].values.tolist() == [["J2", "P03"]]
    assert "已提醒 " in tab.progress.value and tab.progress.value.count("evalkit-reminded") == 1
    next(b for b in tab.board.buttons.children if b.description.startswith("提醒全部")).click()
    assert sorted(store.reminders()["judge"]) == sorted(["J2"] + owing)
    # a page without the secretary's rights is refused by the store and records nothing
    store.set_pin(PIN)
    with contest.open_store(store.path) as plain:
        other = LiveTab(AppState(contest, plain))
        n = len(store.reminders())
        next(b for b in other.board.buttons.children if b.description.startswith("提醒全部")).click()
        assert len(store.reminders()) == n and "evalkit-status-error" in other.status.value
    state = AppState(contest, store)
    state.lang = "en"
    en = LiveTab(state).progress.value
    assert "not checked in" in en and "offline since" in en and "reminded" in en
