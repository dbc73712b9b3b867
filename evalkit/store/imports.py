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
    """See :meth:`evalkit.store.Store.import_scores`.

    The plan is made again inside the write transaction, against what the store
    holds at that moment: a judge's phone may record a score between a dry run and
    the import, and that score is then a correction (the one rule of
    ``Store._same_as_recorded``: secretary's rights and a reason), never silently
    overwritten."""
    contest = store.contest
    if isinstance(scores, (str, Path)):
        df = read_scores_csv(scores, contest)
    else:
        df = validate_scores(scores, contest.rubric, contest)
        if "round" not in df:
            df["round"] = contest.default_round
        df["round"] = df["round"].fillna(contest.default_round)
    if dry_run:
        return plan_import(store, df)
    if store.has_pin:
        store._require_secretary("importing scores")
    rows = [(r.judge, r.project, r.criterion, store._round(r.round), float(r.score)) for r in df.itertuples(index=False)]
    where = str(store.path)

    def tx(c):
        for rid in sorted({r[3] for r in rows}):
            store._refuse_if_locked(c, rid)
        plan, events = [], []
        changes = 0
        for judge, project, criterion, round_id, new in rows:
            key = (judge, project, criterion, round_id)
            old = store._recorded(c, key)
            if old is not None and old != new:
                changes += 1
                if not reason:
                    continue        # refused below, with every change counted
            same = store._same_as_recorded(c, key, new, reason, by_judge=False, where=where)
            plan.append(key + (old, new, "same" if same else "add" if old is None else "change"))
            if not same:
                events.append(dict(kind="score", judge=judge, project=project, criterion=criterion, round=round_id,
                                   score=new, entered_by=entered_by, reason=reason))
        if changes and not reason:
            store._require_secretary("changing recorded scores by import")
            raise ScoreError("the import changes recorded scores and needs a reason", where=where, key="reason",
                             expected="a reason", found=f"{changes} changes",
                             zh=f"此次导入会更改 {changes} 个已保存的分数，需要填写更正理由")
        if events:
            _insert_chained(c, events)
        return pd.DataFrame(plan, columns=PLAN_COLUMNS)
    return store._write(tx)
