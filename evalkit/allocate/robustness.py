"""How robust a fund split is to the choice of judges: resample the panel with
replacement (bootstrap over judges, within each panel when a panel column exists),
rerun the ranking and the allocation, and report per project how often it is funded
and the range of its amount. Projects funded in some resamples and not in others
are flagged as on the margin.

Bootstrap over raters: Efron & Tibshirani (1993), An Introduction to the Bootstrap,
ch. 6; resampling judges (not scores) keeps each judge's scores together, as in
generalizability-theory resampling (Brennan 2001, ch. 6).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._params import CONFIDENCE, N_BOOT, SEED, Column, Frame, InstanceOf, NoneOr, Options, validate_params
from ..aggregate.bootstrap import judge_bootstrap
from ..errors import EvalkitError
from .core import Allocation, allocate
from .problem import project_ids

__all__ = ["Robustness", "robustness"]


@dataclass
class Robustness:
    """``projects``: one row per project (index project): funded_base, amount_base
    (the allocation on all judges), p_funded (share of resamples funding it),
    amount_mean, amount_low, amount_high (the central ``confidence`` range), amount_min,
    amount_max, margin (bool: p_funded strictly between the ``margin`` bounds).
    ``amounts``: resamples x projects frame of amounts; ``base``: the Allocation on
    all judges; ``n_failed``: resamples whose ranking or allocation failed (e.g. an
    infeasible quota), left out of the shares."""
    projects: pd.DataFrame
    amounts: pd.DataFrame
    base: Allocation
    n: int
    n_failed: int
    seed: int | None
    notes: list = field(default_factory=list)

    @property
    def n_boot(self) -> int:
        """The number of resamples (the shared argument's name; ``n`` kept)."""
        return self.n

    @property
    def margin(self) -> list:
        return self.projects.index[self.projects["margin"]].tolist()

    def __repr__(self) -> str:
        return (f"Robustness(n={self.n}, failed={self.n_failed}, margin={self.margin})\n"
                + self.projects.round(3).to_string())


def _method_names():
    from ..aggregate.registry import METHODS
    return tuple(METHODS)


@validate_params({"scores": Frame(), "projects": Frame(), "judge": Column("scores"), "project": Column("scores"),
                  "value": Column("scores"), "method": Options(_method_names()), "n_boot": N_BOOT,
                  "seed": SEED, "confidence": CONFIDENCE,
                  "rank_options": NoneOr(InstanceOf(dict, "a dict of ek.rank options", "ek.rank 选项字典"))})
def robustness(scores, rubric=None, *, method="trimmed", budget, rule="optimal", projects, n_boot=1000, seed=None,
               judge="judge", project="project", value="score", confidence=0.9, margin=(0.05, 0.95),
               rank_options=None, **allocate_options) -> Robustness:
    """Bootstrap the judges, rerun ``ek.rank`` then ``ek.allocate``, and summarise.

    ``projects``: the projects frame allocate needs (id as column "project"/"id" or
    the index; requested, category, organisation ...); the ranking's score and
    excluded columns are joined to it on the project id. ``allocate_options`` go to
    ``ek.allocate`` (cost=, category=, org_cap=, ...); ``rank_options`` to ``ek.rank``.
    ``n_boot`` resamples (``n`` is accepted too), ``confidence`` of the amount range
    (``level`` too), ``seed`` for the resampling (``random_state``/``rng`` too).

    Example::

        rob = ek.robustness(contest.scores, contest.rubric, method="trimmed", budget=260_000,
                            rule="optimal", projects=contest.projects, n_boot=200, seed=1)
        rob.projects[["p_funded", "amount_low", "amount_high", "margin"]]
    """
    from ..aggregate.ranking import rank   # lazy: `import evalkit` loads this module eagerly

    rank_options = dict(rank_options or {})
    panel = rank_options.get("panel", "panel")
    panel = panel if panel in scores.columns else None
    base_frame = projects.copy()
    base_frame.index = project_ids(base_frame).to_numpy()
    base_frame = base_frame.drop(columns=[c for c in ("project", "id", "score", "excluded") if c in base_frame])
    allocate_options.setdefault("compare_optimal", False)

    def run(sc):
        ranking = rank(sc, rubric, method=method, judge=judge, project=project, value=value, **rank_options)
        frame = base_frame.join(ranking.projects[["score", "excluded"]], how="left")
        frame["score"] = frame["score"].fillna(0.0)
        frame["excluded"] = frame["excluded"].fillna("")
        return allocate(frame, budget, rule=rule, **allocate_options)

    base = run(scores)
    ids = base.table["project"].tolist()
    rng = np.random.default_rng(seed)
    rows, failed, cache = [], 0, {}
    # the judge bootstrap (within panels); a drawn judge's copy is a judge of its own
    boot, drawn = judge_bootstrap(scores, n_boot, rng, judge=judge, panel=panel, replicate="_replicate")
    samples = dict(iter(boot.groupby("_replicate", sort=True)))
    for b in range(n_boot):
        key = tuple(sorted(map(str, drawn[b])))
        if key not in cache:  # the same multiset of judges gives the same result
            try:
                sample = samples[b].drop(columns="_replicate")
                sample[judge] = sample[judge].astype(str)
                t = run(sample).table
                cache[key] = dict(zip(t["project"], t["amount"]))
            except EvalkitError:
                cache[key] = None
        if cache[key] is None:
            failed += 1
            continue
        rows.append(cache[key])
    amounts = pd.DataFrame(rows, columns=ids, dtype=float)
    bt = base.table.set_index("project")
    lo, hi = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    out = pd.DataFrame({
        "funded_base": bt["funded"], "amount_base": bt["amount"],
        "p_funded": (amounts > 0).mean() if len(amounts) else np.nan,
        "amount_mean": amounts.mean(), "amount_low": amounts.quantile(lo), "amount_high": amounts.quantile(hi),
        "amount_min": amounts.min(), "amount_max": amounts.max(),
    }, index=pd.Index(ids, name="project"))
    out["margin"] = (out["p_funded"] > margin[0]) & (out["p_funded"] < margin[1])
    notes = []
    if failed:
        notes.append(f"{failed} 次重抽样无法排名或分配，已略去 ({failed} resamples could not be ranked or "
                     "allocated and are left out)")
    return Robustness(projects=out, amounts=amounts, base=base, n=n_boot, n_failed=failed, seed=seed, notes=notes)
