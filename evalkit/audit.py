"""Who changed which score from what to what: the store's score events read as changes.

The store keeps every score as an append-only event (``Store.history()``); a
correction is a later event for the same (judge, project, criterion, round). The
secretary's Live tab and the report's audit sheet show the same reading of it,
:func:`change_log`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .store.amendments import ACTIONS, KIND, decode
from .text import Text

KEY = ["judge", "project", "criterion", "round"]
COLUMNS = ["seq", "ts", "kind", "change", "judge", "project", "criterion", "round", "old", "new", "entered_by",
           "reason"]
#: how each kind of change reads on a page or in the report
CHANGE_LABELS = {"new": Text("录入", "entered"), "correction": Text("更正", "corrected"),
                 "same": Text("未变", "unchanged"), "retract": Text("撤回", "retracted"), **ACTIONS}


def change_log(source, *, judge=None, project=None) -> pd.DataFrame:
    """One row per score event and per amendment of the running contest, oldest first.

    ``source``: a Store (its ``history(judge=, project=)`` is read) or a history
    frame with the store's event fields. Columns: seq, ts, kind ('score' or
    'retract', or 'amend' with change the action of evalkit.live.amend), change ('new': first score of the cell or after a retraction;
    'correction': a different value; 'same': the value again; 'retract'), judge,
    project, criterion, round, old (the cell's value before the event, NaN when it
    had none), new (NaN for a retraction), entered_by, reason.
    """
    history = source.history(judge=judge, project=project) if hasattr(source, "history") else source
    if history is None or not len(history):
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("old", "new") else object) for c in COLUMNS})
    h = history[history["kind"].isin(["score", "retract"])]
    for col, val in (("judge", judge), ("project", project)):
        if val is not None:
            h = h[h[col] == str(val)]
    h = h.sort_values("seq", kind="stable").reset_index(drop=True)
    new = pd.to_numeric(h["score"], errors="coerce").where(h["kind"] == "score")
    # the value a cell held before each event: the previous event's value (NaN after a
    # retraction, since a retraction's value is NaN)
    old = new.groupby([h[k] for k in KEY], sort=False, dropna=False).shift(1)
    change = np.select([h["kind"] == "retract", old.isna(), old == new], ["retract", "new", "same"], "correction")
    out = h.assign(old=old.to_numpy(float), new=new.to_numpy(float), change=change)[COLUMNS]
    # amendments of the running contest (evalkit.live.amend): change = the action, reason = the secretary's
    a = history[history["kind"] == KIND]
    for col, val in (("judge", judge), ("project", project)):
        if val is not None:
            a = a[a[col] == str(val)]
    if len(a):
        decoded = [decode(r) for r in a.to_dict("records")]
        a = a.assign(change=[d["action"] for d in decoded], reason=[d["reason"] for d in decoded],
                     old=np.nan, new=np.nan)[COLUMNS]
        out = pd.concat([out, a]).sort_values("seq", kind="stable").reset_index(drop=True)
    return out


def corrections(source, **filters) -> pd.DataFrame:
    """The rows of :func:`change_log` that changed a recorded value (corrections and
    retractions), newest first: what the secretary reviews during the show."""
    log = change_log(source, **filters)
    return log[log["change"].isin(["correction", "retract"])].iloc[::-1].reset_index(drop=True)
