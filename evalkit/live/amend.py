"""Amending the running contest: judges added, withdrawn or renamed, conflicts of
interest declared or lifted on the day, the secretary's PIN changed.

Each change is one "amend" event of the store's hash chain (``criterion``: the
action, ``judge``/``project``: what it concerns, ``reason``: JSON with the
secretary's reason and the new values). Before the first score they are free (still
recorded); afterwards the store refuses one without a reason (:meth:`Store.amend`).

The running contest is the contest files + these amendments (what the store checks
every score against: ``Store.contest``) + the decision's settings (the contest rule
from :mod:`evalkit.decision`): :func:`evalkit.live.settings.running_contest`
(alias ``amended_contest``), the one function every page uses. The defined way for scores given before a change: scores of a judge withdrawn,
or of a judge for a project they were later declared conflicted with, stay in the
event log (the audit trail) but leave the current score table, so they are not
ranked (:func:`allowed_scores`); a conflict event records how many it excluded.
"""
from __future__ import annotations

import pandas as pd

from ..errors import SettingError
from .settings import running_contest
from ..store.amendments import ACTIONS, KIND, allowed_scores, apply_amendments, decode  # noqa: F401 (re-exported)

# --- reading ---------------------------------------------------------------------------

def amendments(store) -> list[dict]:
    """The store's amendments, oldest first (see :func:`decode`)."""
    return [decode(r) for r in store.amendment_events()]


amended_contest = running_contest  # the one running contest (evalkit.live.settings)


# --- changing ------------------------------------------------------------------------

def _refuse(message, zh, key, expected, found, store):
    raise SettingError(message, where=str(store.path), key=key, expected=expected, found=found, zh=zh)


def _known_judge(store, judge) -> str:
    judge = str(judge).strip()
    if judge not in store.contest.judge_ids:
        _refuse(f"unknown judge '{judge}'", f"未知评委「{judge}」", "judge", "a judge of the running contest", judge,
                store)
    return judge


def _known_project(store, project) -> str:
    project = str(project).strip()
    if project not in store.contest.project_ids:
        _refuse(f"unknown project '{project}'", f"未知项目「{project}」", "project", "a project of the contest",
                project, store)
    return project


def add_judge(store, judge, name, *, panel=None, reason=None) -> dict:
    """A judge who arrives: joins the running contest (gets a link with
    ``store.judge_tokens()``, shows on the progress board)."""
    judge, name = str(judge or "").strip(), str(name or "").strip()
    if not judge or not name:
        _refuse("a new judge needs an id and a name", "新评委需要编号和姓名", "judge", "id and name",
                f"{judge!r}, {name!r}", store)
    if judge in store.contest.judge_ids:
        _refuse(f"judge '{judge}' is already on the panel", f"评委「{judge}」已在评委名单中", "judge", "a new id",
                judge, store)
    panels = set(store.contest.judges["panel"].dropna())
    if panel is not None and panels and panel not in panels:
        _refuse(f"unknown panel '{panel}'", f"未知评审组「{panel}」", "panel", ", ".join(sorted(map(str, panels))),
                panel, store)
    value = {"name": name} | ({"panel": panel} if panel is not None else {})
    return store.amend("judge_add", judge=judge, value=value, reason=reason)


def withdraw_judge(store, judge, *, reason=None) -> dict:
    """A judge absent or leaving: off the panel; their link stops working; scores
    they gave stay in the log, outside the ranking."""
    judge = _known_judge(store, judge)
    excluded = int((store.scores()["judge"] == judge).sum())
    return store.amend("judge_withdraw", judge=judge, value={"excluded_scores": excluded}, reason=reason)


def amend_judge(store, judge, *, name, reason=None) -> dict:
    """Rename a judge (the id, and so their link and scores, stay)."""
    judge, name = _known_judge(store, judge), str(name or "").strip()
    if not name:
        _refuse("a judge needs a name", "评委需要姓名", "name", "a name", name, store)
    return store.amend("judge_rename", judge=judge, value={"name": name}, reason=reason)


def declare_conflict(store, judge, project, *, reason=None) -> dict:
    """A conflict of interest declared on the day: the judge can no longer score the
    project; scores already given to it leave the ranking (the event says how many)."""
    judge, project = _known_judge(store, judge), _known_project(store, project)
    if store.contest.is_conflicted(judge, project):
        _refuse("the conflict is already recorded", f"评委「{judge}」已回避项目「{project}」", "project",
                "a project the judge may score", project, store)
    sc = store.scores()
    excluded = int(((sc["judge"] == judge) & (sc["project"] == project)).sum())
    return store.amend("conflict_declare", judge=judge, project=project, value={"excluded_scores": excluded},
                       reason=reason)


def lift_conflict(store, judge, project, *, reason=None) -> dict:
    """Lift a conflict (one from the files or declared on the day): the judge may
    score the project again; earlier scores count again."""
    judge, project = _known_judge(store, judge), _known_project(store, project)
    if not store.contest.is_conflicted(judge, project):
        _refuse("no such conflict", f"评委「{judge}」与项目「{project}」没有回避记录", "project",
                "a project the judge is conflicted with", project, store)
    return store.amend("conflict_lift", judge=judge, project=project, reason=reason)


def change_pin(store, pin, *, reason=None) -> None:
    """Change the secretary's PIN (recorded as the PIN's hash and an amend event)."""
    store.change_pin(pin, reason=reason)
