"""The secretary's one-click reminder, UI-free.

The secretary records a reminder in the store (:meth:`Store.remind`, secretary
rights checked there); the venue server, which follows the store, pushes it to that
judge's phone(s). What reaches a phone is built here from the store alone: the
event's number, its project and round, and the project's label. A reminder stands
while the judge's sheet for that project is still missing and the round is open; a
phone that connects later receives the reminders that still stand. Repeated clicks
within :data:`REMIND_INTERVAL` seconds reach the phone once (:class:`RemindGate`).
"""
from __future__ import annotations

import time

import pandas as pd

from .views import project_text

REMIND_INTERVAL = 60.0  # seconds: a second click on the same judge and project within this is not sent again


def sheet_missing(scores: pd.DataFrame, contest, judge: str, project: str, round_id: str) -> bool:
    """Whether ``judge`` still owes the sheet for ``project`` in ``round_id`` (not
    complete, and not a conflict of interest), by :meth:`Contest.completeness`."""
    if contest.is_conflicted(judge, project):
        return False
    mine = scores[(scores["judge"] == judge) & (scores["project"] == project) & (scores["round"] == round_id)]
    comp = contest.completeness(mine)
    state = comp.loc[(comp["judge"] == judge) & (comp["project"] == project), "state"]
    return state.iloc[0] != "complete" if len(state) else True


def remind_message(contest, event) -> dict:
    """The phone's message for one reminder event (a row of :meth:`Store.reminders`)."""
    return {"t": "remind", "id": int(event.seq), "project": str(event.project), "round": str(event.round),
            "label": project_text(contest, str(event.project)), "at": str(event.ts)}


def standing_reminders(store, scores: pd.DataFrame, judge: str) -> list[dict]:
    """The reminders a phone of ``judge`` should show now: the newest per project and
    round, while that sheet is missing and the round is open (oldest first)."""
    events = store.reminders()
    events = events[events["judge"] == judge].drop_duplicates(["project", "round"], keep="last")
    return [remind_message(store.contest, e) for e in events.itertuples()
            if not store.is_locked(e.round) and sheet_missing(scores, store.contest, judge, e.project, e.round)]


def missing_judges(scores: pd.DataFrame, contest, project: str, round_id: str) -> list[str]:
    """The judges who still owe the sheet for ``project`` in ``round_id``, in contest order."""
    return [j for j in contest.judge_ids if sheet_missing(scores, contest, j, project, round_id)]


def remind_missing(store, scores: pd.DataFrame, project: str, round_id: str) -> list[str]:
    """"Remind all missing": one reminder event per judge who still owes ``project``'s
    sheet (secretary rights checked by the store). Returns the judges reminded."""
    judges = missing_judges(scores, store.contest, project, round_id)
    for j in judges:
        store.remind(j, project, round=round_id)
    return judges


def last_reminded(store, round_id: str) -> dict[str, str]:
    """{judge: UTC ISO time of the newest reminder in ``round_id``} for the board's 已提醒 hh:mm."""
    events = store.reminders()
    events = events[events["round"] == round_id]
    return dict(zip(events["judge"], events["ts"]))


class RemindGate:
    """The server-side rate: one push per (judge, project, round) within ``interval``
    seconds, however often the secretary clicks."""

    def __init__(self, interval: float = REMIND_INTERVAL, clock=time.monotonic):
        self.interval, self.clock = float(interval), clock
        self._sent: dict[tuple, float] = {}

    def allow(self, judge: str, project: str, round_id: str) -> bool:
        now, key = self.clock(), (judge, project, round_id)
        if now - self._sent.get(key, float("-inf")) < self.interval:
            return False
        self._sent[key] = now
        return True
