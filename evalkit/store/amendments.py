"""The running contest's amendments read from the store's "amend" events, and the
contest they make (the part the store itself needs: no import of the decision).

An "amend" event: ``criterion`` the action, ``judge``/``project`` what it concerns,
``reason`` JSON with the secretary's reason and the new values. Scores of a judge
withdrawn, or of a judge for a project they were later declared conflicted with,
stay in the event log but leave the current score table (:func:`allowed_scores`),
so they are not ranked. Changing: :mod:`evalkit.live.amend`. It lives with the store,
which checks every score against the amended contest.
"""
from __future__ import annotations

import dataclasses
import json

import pandas as pd

from ..text import Text

KIND = "amend"
#: the actions an "amend" event records, with how the change log reads them
ACTIONS: dict[str, Text] = {
    "judge_add": Text("增加评委", "judge added"),
    "judge_withdraw": Text("评委缺席/退出", "judge withdrawn"),
    "judge_rename": Text("评委改名", "judge renamed"),
    "conflict_declare": Text("申报回避", "conflict declared"),
    "conflict_lift": Text("取消回避", "conflict lifted"),
    "pin": Text("更改秘书PIN", "secretary PIN changed"),
    "rule": Text("更改评分规则", "contest rule changed"),
}


def decode(row: dict) -> dict:
    """One amend event as {seq, ts, action, judge, project, reason, value}."""
    try:
        body = json.loads(row.get("reason") or "{}")
    except ValueError:
        body = {"reason": row.get("reason")}
    reason = body.pop("reason", None) if isinstance(body, dict) else None
    return dict(seq=row.get("seq"), ts=row.get("ts"), action=row.get("criterion"), judge=row.get("judge"),
                project=row.get("project"), reason=reason, value=body if isinstance(body, dict) else {})


def apply_amendments(contest, events: list[dict]):
    """``contest`` with the amendments applied: a new Contest (the files' one is left
    as it is); withdrawn judges leave ``judges``, added ones join it."""
    if not events:
        return contest
    judges = contest.judges.copy()
    conflicts = {j: set(c) for j, c in contest._conflicts.items()}
    for ev in events:
        judge, action, value = ev["judge"], ev["action"], ev["value"]
        if action == "judge_add":
            row = {c: None for c in judges.columns}
            row.update(id=judge, name=value.get("name") or judge, panel=value.get("panel") or _default_panel(judges),
                       conflicts=())
            judges = pd.concat([judges[judges["id"] != judge], pd.DataFrame([row])], ignore_index=True)
        elif action == "judge_withdraw":
            judges = judges[judges["id"] != judge].reset_index(drop=True)
        elif action == "judge_rename":
            judges.loc[judges["id"] == judge, "name"] = value.get("name")
        elif action == "conflict_declare":
            conflicts.setdefault(judge, set()).add(ev["project"])
        elif action == "conflict_lift":
            org = dict(zip(contest.projects["id"], contest.projects["organisation"])).get(ev["project"])
            conflicts.get(judge, set()).difference_update({ev["project"], org})
    out = dataclasses.replace(contest, judges=judges.reset_index(drop=True))
    out._conflicts = conflicts
    return out


def _default_panel(judges: pd.DataFrame):
    panels = judges["panel"].dropna()
    return panels.iloc[0] if len(panels) else "expert"


def allowed_scores(scores: pd.DataFrame, contest) -> pd.DataFrame:
    """The rows of a long score table the running contest counts: its judges, for
    projects they are not conflicted with (the others stay in the event log only)."""
    if not len(scores):
        return scores
    judges = set(contest.judge_ids)
    pairs = set(contest.conflicted_pairs())
    keep = [j in judges and (j, p) not in pairs for j, p in zip(scores["judge"], scores["project"])]
    return scores if all(keep) else scores[keep].reset_index(drop=True)
