"""The judge bootstrap: panels of judges drawn with replacement from the contest's
panel, the one resampling behind rank stability
(:func:`evalkit.research.rank_stability`) and the robustness of a fund split
(:func:`evalkit.allocate.robustness.robustness`).

Judges are resampled, not scores, so each judge's scores stay together: the panel
is a sample from the pool of possible judges (Efron & Tibshirani 1993, An
Introduction to the Bootstrap, ch. 6; raters as the facet resampled: Brennan 2001,
Generalizability Theory, ch. 6).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["judge_bootstrap"]


def judge_bootstrap(frame: pd.DataFrame, n_boot: int, rng, *, judge: str = "judge", panel: str | None = None,
                    replicate: str = "replicate") -> tuple[pd.DataFrame, np.ndarray]:
    """``n_boot`` panels drawn with replacement from the judges of ``frame``, each
    the size of the original (with ``panel``: each panel's judges drawn from that
    panel, so every replicate keeps the panels' sizes).

    Returns ``(table, drawn)``. ``table``: the frame's rows of every drawn judge,
    replicate by replicate, with a ``replicate`` column (0 .. n_boot - 1) and the
    judge column holding each draw's own number (replicate * n_judges + slot), so a
    judge drawn twice counts as two judges. ``drawn``: the judge ids drawn, an
    ``(n_boot, n_judges)`` array. Judges are coded in sorted id order and panels
    taken in sorted order; with no panel, draw ``b``'s slot ``k`` is the
    ``b * n_judges + k``-th value of one ``rng.integers(0, n_judges, n_boot * n_judges)``.
    """
    jc, jids = pd.factorize(frame[judge], sort=True)
    n_j = len(jids)
    if panel is None:
        draws = rng.integers(0, n_j, n_boot * n_j).reshape(n_boot, n_j)
    else:
        panel_of = pd.Series(frame[panel].to_numpy()).groupby(jc).first().to_numpy()   # a judge's (first) panel
        draws, col = np.empty((n_boot, n_j), np.int64), 0
        for p in np.unique(panel_of):
            members = np.flatnonzero(panel_of == p)
            draws[:, col:col + len(members)] = members[rng.integers(0, len(members), (n_boot, len(members)))]
            col += len(members)
    # rows of each drawn judge: judge j's rows are order[start[j] : start[j] + count[j]]
    order = np.argsort(jc, kind="stable")
    count = np.bincount(jc, minlength=n_j)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    flat = draws.ravel()
    n = count[flat]
    slot = np.repeat(np.arange(len(flat)), n)
    rows = order[np.repeat(start[flat], n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)]
    table = pd.DataFrame({c: frame[c].to_numpy()[rows] for c in frame.columns if c != replicate})
    table[judge] = slot
    table[replicate] = slot // n_j
    return table, np.asarray(jids)[draws]
