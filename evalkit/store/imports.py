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


def _plan(store, c, rows) -> list[tuple]:
    """(judge, project, criterion, round, old, new, action) per row, against what the
    connection ``c`` sees: the one classification the dry run and the write share."""
    plan = []
    for judge, project, criterion, round_id, new in rows:
        key = (judge, project, criterion, round_id)
        old = store._recorded(c, key)
        plan.append(key + (old, new, "add" if old is None else "same" if old == new else "change"))
    return plan


def _rows(store, df: pd.DataFrame) -> list[tuple]:
    return [(r.judge, r.project, r.criterion, store._round(r.round), float(r.score)) for r in df.itertuples(index=False)]


def plan_import(store, df: pd.DataFrame) -> pd.DataFrame:
    """What importing the validated table ``df`` into ``store`` changes: one row per
    score with old, new and action ('add', 'change', 'same')."""
    rows = _rows(store, df)
    with store._lock:
        return pd.DataFrame(_plan(store, store._conn, rows), columns=PLAN_COLUMNS)


def import_scores(store, scores: pd.DataFrame | str | Path, *, dry_run: bool = False, entered_by="import",
                  reason: str | None = None) -> pd.DataFrame:
    """See :meth:`evalkit.store.Store.import_scores`.

    The plan is made again inside the write transaction, against what the store
    holds at that moment: a judge's phone may record a score between a dry run and
    the import, and that score is then a correction (secretary's rights and a
    reason, as for any correction), never silently overwritten."""
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
    rows = _rows(store, df)
    where = str(store.path)

    def tx(c):
        for rid in sorted({r[3] for r in rows}):
            store._refuse_if_locked(c, rid)
        plan = _plan(store, c, rows)
        changes = sum(p[6] == "change" for p in plan)
        if changes:
            store._require_secretary("changing recorded scores by import")
            if not reason:
                raise ScoreError("the import changes recorded scores and needs a reason", where=where, key="reason",
                                 expected="a reason", found=f"{changes} changes",
                                 zh=f"此次导入会更改 {changes} 个已保存的分数，需要填写更正理由")
        events = [dict(kind="score", judge=j, project=p, criterion=cr, round=r, score=new, entered_by=entered_by,
                       reason=reason) for j, p, cr, r, _, new, action in plan if action != "same"]
        if events:
            _insert_chained(c, events)
        return pd.DataFrame(plan, columns=PLAN_COLUMNS)
    return store._write(tx)
