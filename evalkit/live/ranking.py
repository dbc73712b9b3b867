"""The live leaderboard: the projects with enough complete sheets ranked by the
contest's rule (or a calibration model), and how places moved between two rankings."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .board import min_judges


def place_changes(new: pd.DataFrame, old: pd.DataFrame | None) -> pd.Series:
    """Places gained per project (old rank - new rank; positive = moved up, 0 for new
    or unranked projects), indexed like ``new`` (a Ranking.projects frame)."""
    if old is None or not len(old):
        return pd.Series(0, index=new.index, dtype=int)
    before = pd.to_numeric(old["rank"], errors="coerce").reindex(new.index)
    now = pd.to_numeric(new["rank"], errors="coerce")
    return (before - now).fillna(0).astype(int)


def live_ranking(scores: pd.DataFrame, contest, method: str | None = None):
    """Rank the projects that have enough complete sheets for ``method`` (default the
    contest's rule); the others wait. Returns (Ranking or None, waiting project ids,
    error text or ""): a calibration model that cannot fit yet (too few scores, a
    disconnected design) gives its reason instead of raising during a live show."""
    from ..aggregate import rank
    from ..errors import EvalkitError
    rubric = contest.rubric
    method = method or rubric.rule.method
    # complete sheets per project, counted on integer codes without computing totals
    # (rank does that; this runs on every write)
    crit = scores["criterion"].isin(rubric.criterion_ids).to_numpy()
    pc, pids = pd.factorize(scores["project"])
    jc, jids = pd.factorize(scores["judge"])
    sheet = pc[crit] * len(jids) + jc[crit]
    per_sheet = np.bincount(sheet, minlength=len(pids) * len(jids)).reshape(len(pids), len(jids))
    counts = dict(zip(pids, (per_sheet == len(rubric.criteria)).sum(axis=1)))
    need = min_judges(rubric) if method == rubric.rule.method else 2
    ready = [p for p in contest.project_ids if counts.get(p, 0) >= need]
    waiting = [p for p in contest.project_ids if p not in ready]
    if not ready:
        return None, waiting, ""
    present = set(pids)
    try:
        ranking = rank(scores if present <= set(ready) else scores[scores["project"].isin(ready)], rubric,
                       method=method)
    except EvalkitError as exc:
        return None, waiting, str(exc)
    return ranking, waiting, ""
