"""The secretary's progress board: every project that has pitched x every judge
(complete, partial, missing, conflict), each judge's progress, and which judges'
phones are connected to the venue server now, and who has checked in (a judge's
first connection; :func:`check_in`).

The venue server keeps the phones' presence in a small file beside the store
(``<store>-presence.json``, readable by the secretary's account only), so the
secretary's workbench, another process, can show it without a network call.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..io.private import write_private

PRESENCE_SUFFIX = "-presence.json"


def presence_path(store_path) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + PRESENCE_SUFFIX)


def write_presence(store_path, online: dict[str, int], seen: dict[str, str],
                   checked_in: dict[str, str] | None = None) -> None:
    """Record which judges' phones are connected (``online``: judge -> open pages),
    when each was last seen and when each first connected (``checked_in``; UTC ISO).
    Written whole and renamed into place."""
    checked_in = checked_in or {}
    body = {"updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "judges": {j: {"online": online.get(j, 0) > 0, "last_seen": seen.get(j), "checked_in": checked_in.get(j)}
                       for j in set(online) | set(seen) | set(checked_in)}}
    write_private(presence_path(store_path), json.dumps(body, ensure_ascii=False))


def read_presence(store_path) -> dict:
    """{judge: {"online": bool, "last_seen": iso or None}}; empty when no venue server
    has written one (the phones are not served, or the file is unreadable)."""
    try:
        return json.loads(presence_path(store_path).read_text("utf-8")).get("judges", {})
    except (OSError, ValueError, AttributeError):
        return {}


def check_in(entry: dict | None) -> tuple[str, str | None]:
    """A judge's check-in state from their presence entry: ("absent", None) before
    the first connection (未签到), ("online", None), or ("offline", last seen UTC ISO)."""
    entry = entry or {}
    if entry.get("online"):
        return "online", None
    if entry.get("checked_in") or entry.get("last_seen"):
        return "offline", entry.get("last_seen")
    return "absent", None


def progress(scores: pd.DataFrame, contest, projects) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(board, judges) for ``projects`` (those that have pitched, in order).

    ``board``: index project, one column per judge, values 'complete', 'partial',
    'missing' or 'conflict' (from :meth:`Contest.completeness`). ``judges``: index
    judge; done (complete sheets), owed (sheets the judge owes: pitched projects
    without conflict), missing (project ids still owed, in pitch order)."""
    projects = list(projects)
    comp = contest.completeness(scores)
    comp = comp[comp["project"].isin(projects)]
    board = (comp.pivot(index="project", columns="judge", values="state")
             .reindex(index=projects, columns=contest.judge_ids))
    rows = []
    for j in contest.judge_ids:
        col = board[j] if len(board) else pd.Series(dtype=object)
        owed = [p for p in projects if col.get(p) != "conflict"]
        missing = [p for p in owed if col.get(p) != "complete"]
        rows.append((j, len(owed) - len(missing), len(owed), missing))
    judges = pd.DataFrame(rows, columns=["judge", "done", "owed", "missing"]).set_index("judge")
    return board, judges
