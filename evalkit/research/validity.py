"""Predictive validity: do roadshow scores predict how well a funded project does later?"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._params import CONFIDENCE, SEED, Column, Frame, count, validate_params
from ..errors import DataError
from ..scores import require_columns
from ._common import SCORES, _progress, judge_totals, project_scores

DEFAULT_METHODS = ("trimmed", "mean", "zscore", "additive")
COLUMNS = ["method", "outcome", "rho", "ci_low", "ci_high", "n_projects", "n_contests"]


def _spearman_boot(x: np.ndarray, y: np.ndarray, group: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """Spearman's rho on ``n_boot`` cluster-bootstrap resamples of the groups (contests)."""
    gc, _ = pd.factorize(group, sort=True)     # resamples do not depend on row order
    n_g = gc.max() + 1
    members = [np.flatnonzero(gc == g) for g in range(n_g)]
    out = np.empty(n_boot)
    for b in range(n_boot):
        idx = np.concatenate([members[g] for g in rng.integers(0, n_g, n_g)])
        out[b] = _spearman(x[idx], y[idx])
    return out


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho: Pearson's r of the mid-ranks (same as scipy.stats.spearmanr, less overhead)."""
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return np.nan
    return float(np.corrcoef(rx, ry)[0, 1])


@validate_params({**SCORES, "outcomes": Frame(), "outcome": Column("outcomes"), "outcome_value": Column("outcomes"),
                  "n_boot": count(0), "confidence": CONFIDENCE, "seed": SEED})
def predictive_validity(scores: pd.DataFrame, outcomes: pd.DataFrame, rubric=None, *,
                        methods=DEFAULT_METHODS, contest: str = "contest", judge: str = "judge",
                        project: str = "project", criterion: str = "criterion", value: str = "score",
                        outcome: str = "outcome", outcome_value: str = "value", n_boot: int = 1000,
                        confidence: float = 0.95, seed=None, progress: bool = False) -> pd.DataFrame:
    """Spearman rank correlation between the roadshow score and each later outcome,
    with a cluster-bootstrap interval, per aggregation method.

    Each contest's projects are scored by ``method`` (as :func:`evalkit.rank`) and the
    score turned into the project's standing within its contest (percentile, 1 =
    best), so contests of different size and leniency pool. Each project's outcome is
    the mean of its ``outcome_value`` rows per ``outcome`` (e.g. the mean monthly
    evaluation, the end-of-year rating). Projects without outcomes (usually the
    unfunded) drop out, so the correlation is on a restricted range and understates
    the link in the whole field (Thorndike 1949 case 2).

    The interval resamples contests with replacement (a cluster bootstrap: projects of
    one contest share judges), percentile method (Efron & Tibshirani 1993, ch. 13).

    Returns a tidy frame, a row per (method, outcome): method, outcome, rho, ci_low,
    ci_high (``confidence``; ``level`` is accepted too; no interval with n_boot=0),
    n_projects, n_contests.

    Example
    -------
    >>> cs = ek.io.read_contests("data/research-multi")                              # doctest: +SKIP
    >>> ek.research.predictive_validity(cs.scores, cs.outcomes, cs.rubric, seed=1)   # doctest: +SKIP
    """
    require_columns(outcomes, (contest, project), where="outcomes")
    out_mean = (outcomes.assign(_v=pd.to_numeric(outcomes[outcome_value], errors="coerce"),
                                _c=outcomes[contest].astype(str), _p=outcomes[project].astype(str))
                .groupby(["_c", "_p", outcome])["_v"].mean().rename("y").reset_index()
                .rename(columns={"_c": "contest", "_p": "project", outcome: "outcome"}))
    t = judge_totals(scores, rubric, contest=contest, judge=judge, project=project, criterion=criterion, value=value)
    trim = (rubric.rule.trim if rubric is not None and rubric.rule.method == "trimmed" else 1) or 1
    rng = np.random.default_rng(seed)
    rows = []
    for m in _progress(methods, progress, "methods"):
        ps = project_scores(t, m, trim=trim, progress=progress)
        both = out_mean.merge(ps, on=["contest", "project"])
        if both.empty:
            raise DataError("no project has both scores and outcomes",
                            where="outcomes", key=project, expected="the scored projects' ids", found="no match",
                            zh=f"没有项目同时有评分与后续评估结果（按 '{project}' 列匹配）")
        for name, g in both.groupby("outcome", sort=True):
            x, y = g["percentile"].to_numpy(), g["y"].to_numpy()
            rho = _spearman(x, y) if len(g) > 2 else np.nan
            lo = hi = np.nan
            if n_boot and g["contest"].nunique() > 1:
                boot = _spearman_boot(x, y, g["contest"].to_numpy(), n_boot, rng)
                lo, hi = np.nanquantile(boot, [(1 - confidence) / 2, (1 + confidence) / 2])
            rows.append({"method": m, "outcome": name, "rho": rho, "ci_low": lo, "ci_high": hi,
                         "n_projects": len(g), "n_contests": g["contest"].nunique()})
    return pd.DataFrame(rows, columns=COLUMNS)
