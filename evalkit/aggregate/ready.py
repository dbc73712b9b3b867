"""Ranking while the sheets come in: how many complete sheets a project needs
before the contest rule can score it, and the ranking of the projects that have
them (the others wait). The decision record, the live leaderboard and the big
screen all rank through :func:`live_ranking`, so they wait for the same projects."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import EvalkitError
from .ranking import rank

__all__ = ["min_judges", "live_ranking"]


def min_judges(rubric) -> int:
    """Complete sheets a project needs before the contest rule can score it."""
    return 2 * rubric.rule.trim + 1 if rubric.rule.method == "trimmed" else 1


def live_ranking(scores: pd.DataFrame, contest, method: str | None = None):
    """Rank the projects that have enough complete sheets for ``method`` (default the
    contest's rule); the others wait. Returns (Ranking or None, waiting project ids,
    error text or ""): a calibration model that cannot fit yet (too few scores, a
    disconnected design) gives its reason instead of raising during a live show."""
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
