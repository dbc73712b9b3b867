"""Rank stability: bootstrap over judges, the probability that each project's rank
falls in each band (top 3, 4-10, ...)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..aggregate.bootstrap import judge_bootstrap
from .._params import CONFIDENCE, N_BOOT, SEED, Column, validate_params
from ..errors import DataError
from ._common import SCORES, _progress, judge_totals, project_scores

COLUMNS = ["contest", "project", "rank", "band", "probability", "rank_low", "rank_high"]


def _bands(bands, n: int) -> list[tuple[int, int, str]]:
    edges = sorted({int(b) for b in bands if 0 < int(b) < n})
    out, lo = [], 1
    for e in edges + [n]:
        out.append((lo, e, f"{lo}-{e}" if e > lo else f"{lo}"))
        lo = e + 1
    return out


def _replicates(t: pd.DataFrame, n_boot: int, rng) -> pd.DataFrame:
    """``n_boot`` panels of judges drawn with replacement from the contest's panel, as one
    long table keyed by replicate in the contest column (a judge drawn twice counts twice,
    under two ids): :func:`evalkit.aggregate.bootstrap.judge_bootstrap`."""
    return judge_bootstrap(t[["judge", "project", "total"]], n_boot, rng, replicate="contest")[0]


def _chunks(groups, n_boot: int, rows: int = 2_000_000):
    """Consecutive runs of contests whose replicates hold about ``rows`` rows together."""
    chunk, size = [], 0
    for item in groups:
        chunk.append(item)
        size += len(item[1]) * n_boot
        if size >= rows:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _band_frames(cid, obs: pd.Series, ranks: np.ndarray, bands, level: float) -> list[pd.DataFrame]:
    lo_q, hi_q = np.quantile(ranks, [(1 - level) / 2, (1 + level) / 2], axis=0, method="lower")
    out = []
    for lo, hi, label in _bands(bands, len(obs)):
        p = ((ranks >= lo) & (ranks <= hi)).mean(axis=0)
        out.append(pd.DataFrame({"contest": cid, "project": obs.index, "rank": obs.to_numpy(), "band": label,
                                 "probability": p, "rank_low": lo_q, "rank_high": hi_q}))
    return out


@validate_params({**SCORES, "contest": Column("scores", optional=True), "n_boot": N_BOOT, "confidence": CONFIDENCE,
                  "seed": SEED})
def rank_stability(scores: pd.DataFrame, rubric=None, *, method: str = "trimmed", bands=(3, 10),
                   n_boot: int = 500, confidence: float = 0.95, contest: str | None = None, judge: str = "judge",
                   project: str = "project", criterion: str = "criterion", value: str = "score", seed=None,
                   progress: bool = False) -> pd.DataFrame:
    """How stable each project's rank is under another draw of judges.

    Judges are resampled with replacement (the panel as a sample from the pool of
    possible judges; Efron & Tibshirani 1993 ch. 6), the projects re-ranked by
    ``method`` each time (as :func:`evalkit.rank`: contest rules in one vectorised pass
    over all replicates, other methods one call a replicate), and the share of
    replicates that put each project in each rank band counted. A project no
    resampled judge scored in a replicate counts as last there.

    bands : upper edges of the rank bands: (3, 10) gives 1-3, 4-10 and 11-n.
    contest : column of contest ids to study many contests at once (None: one contest).

    Returns a tidy frame, a row per (contest, project, band): contest, project, rank
    (observed), band, probability, rank_low, rank_high (the ``confidence`` percentile
    interval of the bootstrap ranks; ``level`` is accepted too).

    Example
    -------
    >>> rs = ek.research.rank_stability(contest.scores, contest.rubric, n_boot=200, seed=1)  # doctest: +SKIP
    >>> rs.pivot(index="project", columns="band", values="probability")                     # doctest: +SKIP
    """
    if isinstance(bands, (int, np.integer)):
        bands = (bands,)
    t = judge_totals(scores, rubric, contest=contest, judge=judge, project=project, criterion=criterion, value=value)
    if t["judge"].nunique() < 2:
        raise DataError("rank stability needs at least two judges", key=judge, expected=">= 2 judges",
                        found=t["judge"].nunique(), zh=f"排名稳定性至少需要两位评委，实际只有 {t['judge'].nunique()} 位")
    trim = (rubric.rule.trim if rubric is not None and rubric.rule.method == "trimmed" else 1) or 1
    rng = np.random.default_rng(seed)
    observed = project_scores(t, method, trim=trim)
    frames = []
    groups = list(t.groupby("contest", sort=True))
    for chunk in _progress(list(_chunks(groups, n_boot)), progress, "bootstrap"):
        # replicates play the part of contests: the rules score a whole chunk of
        # contests' replicates in one vectorised call (replicate id = position * n_boot + b)
        reps = pd.concat([_replicates(g, n_boot, rng).assign(contest=lambda d, i=i: d["contest"] + i * n_boot)
                          for i, (_, g) in enumerate(chunk)], ignore_index=True)
        boot = project_scores(reps, method, trim=trim)
        boot["_pos"] = boot["contest"].to_numpy() // n_boot
        for i, (cid, _) in enumerate(chunk):
            obs = observed[observed["contest"] == cid].set_index("project")["rank"]
            mine = boot[boot["_pos"] == i]
            ranks = (mine.pivot(index="contest", columns="project", values="rank")
                     .reindex(columns=obs.index).fillna(len(obs)).to_numpy())     # replicates x projects
            frames += _band_frames(cid, obs, ranks, bands, confidence)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["contest", "rank", "project"], kind="mergesort", ignore_index=True)
    if contest is None:
        out = out.drop(columns="contest")
    return out
