"""The secretary's progress board: projects pitched x judges, each judge's progress,
and which phones are connected (written by the venue server beside the store)."""
import asyncio
import json
import time

from tornado.websocket import websocket_connect

import evalkit as ek
from evalkit.live.progress import progress, read_presence


def test_progress_board_states_and_judge_progress(demo_copy):
    contest = ek.load_contest(demo_copy(scores=False))
    full = {c.id: c.max for c in contest.rubric.criteria}
    with contest.open_store() as store:
        for p in ("P01", "P02"):
            store.set_current(p)
        store.record_sheet("J1", "P01", "final", full)
        store.record_sheet("J1", "P02", "final", dict(list(full.items())[:3]))
        store.record_sheet("J2", "P02", "final", full)
        board, judges = progress(store.scores(), contest, store.pitched())
    assert list(board.index) == ["P01", "P02"] and list(board.columns) == contest.judge_ids
    assert board.loc["P01", "J1"] == "complete" and board.loc["P02", "J1"] == "partial"
    assert board.loc["P01", "J2"] == "missing" and board.loc["P01", "J3"] == "conflict"   # J3 回避 on P01
    assert judges.loc["J1", ["done", "owed"]].tolist() == [1, 2] and judges.loc["J1", "missing"] == ["P02"]
    assert judges.loc["J3", "owed"] == 1                                                     # P01 is not owed


def test_the_venue_server_reports_which_phones_are_connected(venue):
    folder, links, _ = venue
    contest = ek.load_contest(folder)
    store_path = folder / "evalkit.db"
    url = links["screen"].rsplit("/", 1)[0].replace("http://", "ws://") + "/ws/judge?token=" + \
        links["judges"]["J2"].split("token=", 1)[1]

    def wait_for(cond):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if cond(read_presence(store_path)):
                return True
            time.sleep(0.05)
        return False

    assert not any(v["online"] for v in read_presence(store_path).values())

    async def go():
        ws = await websocket_connect(url)
        await ws.read_message()
        online = wait_for(lambda p: p.get("J2", {}).get("online"))
        ws.close()
        return online
    assert asyncio.run(go())
    assert wait_for(lambda p: p.get("J2", {}).get("online") is False and p["J2"]["last_seen"])
    assert (store_path.with_name("evalkit.db-presence.json").stat().st_mode & 0o777) == 0o600
    # the secretary's Live tab draws the board with the phone's dot
    from evalkit.ui import AppState
    from evalkit.ui.live import LiveTab
    with contest.open_store() as store:
        store.set_current("P01")
        tab = LiveTab(AppState(contest, store))
        html = tab.progress.value
    assert 'data-project="P01"' in html and "evalkit-dot evalkit-off" in html
    assert json.loads(store_path.with_name("evalkit.db-presence.json").read_text())["judges"]["J2"]["online"] is False
