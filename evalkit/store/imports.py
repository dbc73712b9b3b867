"""Importing a score table into a store: plan what changes (add, change, same) for a
validated table, then write it in one transaction (all or nothing).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ScoreError
from ..io.scores import read_scores_csv
from ..scores import validate_scores
from .chain import _insert_chained

PLAN_COLUMNS = ["judge", "project", "criterion", "round", "old", "new", "action"]


def plan_import(store, df: pd.DataFrame) -> pd.DataFrame:
    """What importing the validated table ``df`` into ``store`` changes: one row per
    score with old, new and action ('add', 'change', 'same')."""
    current = store.scores().set_index(["judge", "project", "criterion", "round"])["score"]
    plan = []
    for r in df.itertuples(index=False):
        key = (r.judge, r.project, r.criterion, store._round(r.round))
        old = current.get(key)
        action = "add" if old is None else ("same" if float(old) == float(r.score) else "change")
        plan.append(key + (old, float(r.score), action))
    return pd.DataFrame(plan, columns=PLAN_COLUMNS)


def import_scores(store, scores: pd.DataFrame | str | Path, *, dry_run: bool = False, entered_by="import",
                  reason: str | None = None) -> pd.DataFrame:
    """See :meth:`evalkit.store.Store.import_scores`."""
    contest = store.contest
    if isinstance(scores, (str, Path)):
        df = read_scores_csv(scores, contest)
    else:
        df = validate_scores(scores, contest.rubric, contest)
        if "round" not in df:
            df["round"] = contest.default_round
        df["round"] = df["round"].fillna(contest.default_round)
    report = plan_import(store, df)
    if dry_run:
        return report
    if store.has_pin:
        store._require_secretary("importing scores")
    if (report["action"] == "change").any():
        store._require_secretary("changing recorded scores by import")
        if not reason:
            raise ScoreError("the import changes recorded scores and needs a reason", where=str(store.path),
                             key="reason", expected="a reason", found=f"{(report['action'] == 'change').sum()} changes")
    todo = report[report["action"] != "same"]

    def tx(c):
        for rid in set(todo["round"]):
            store._refuse_if_locked(c, rid)
        _insert_chained(c, [dict(kind="score", judge=r.judge, project=r.project, criterion=r.criterion,
                                 round=r.round, score=r.new, entered_by=entered_by, reason=reason)
                            for r in todo.itertuples(index=False)])
    if len(todo):
        store._write(tx)
    return report
