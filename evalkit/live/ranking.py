"""The live leaderboard: the projects with enough complete sheets ranked by the
contest's rule or a calibration model (:func:`live_ranking`, from
:mod:`evalkit.aggregate.ready`, the one the decision record uses), and how places
moved between two rankings."""
from __future__ import annotations

import pandas as pd

from ..aggregate.ready import live_ranking  # noqa: F401  (re-exported: the leaderboard's ranking)

__all__ = ["live_ranking", "place_changes"]


def place_changes(new: pd.DataFrame, old: pd.DataFrame | None) -> pd.Series:
    """Places gained per project (old rank - new rank; positive = moved up, 0 for new
    or unranked projects), indexed like ``new`` (a Ranking.projects frame)."""
    if old is None or not len(old):
        return pd.Series(0, index=new.index, dtype=int)
    before = pd.to_numeric(old["rank"], errors="coerce").reindex(new.index)
    now = pd.to_numeric(new["rank"], errors="coerce")
    return (before - now).fillna(0).astype(int)
