"""The decision record: the settings a contest's result depends on, kept in the
store as events, and the one computation of ranking and allocation from them.

A public fund's decision must read the same on every surface (the Allocation
tab, the big screen, the 公示, ``evalkit report``, ``evalkit replay``) and be
provable afterwards. So the settings (:mod:`evalkit.decision.settings`) are not held by any one surface: the
Allocation tab, ``evalkit settings`` and the API write them with
:func:`set_allocation` (one ``setting`` event, key :data:`SETTING`, holding every
setting resolved, so the event alone says what was decided), every surface reads
them with :func:`allocation_settings`, and computes the result with
:func:`decide` / :func:`decision` — the only place that ranks and allocates for
a decision. :func:`result_digest` is the SHA-256 printed in the 公示 and by
``evalkit replay``.

Settings (``None`` = the default):

- ``method``, ``trim``: the contest rule (sum, mean, trimmed, median; default the
  rubric's); ``decimals``: display and tie decimals (default the rubric's);
- ``rule``: the allocation rule (default "optimal"); ``budget`` (default the contest's);
- ``threshold``: projects scoring below it are not funded (0 = none);
- ``category_min_share`` / ``category_max_share``: share of the fund per category,
  a number for every category or {category: share} (0 / 1 = none);
- ``org_cap``: money per organisation, a number or {organisation: money};
- ``min_fraction``: the smallest partial share (0 = all or nothing);
- ``tie_break``: project ids in priority order for equal scores.

Example::

    from evalkit.decision import set_allocation, decision
    with contest.open_store(pin=PIN) as store:
        set_allocation(store, threshold=75)      # or store.set_allocation(threshold=75)
        d = decision(contest, store)
    d.allocation.table, d.digest
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..aggregate.ready import live_ranking
from ..allocate import allocate
from ..display import display_round
from ..errors import DataError
from .settings import *  # noqa: F401,F403  (the settings' names stay importable from here)
from .settings import __all__ as _settings_names
from .settings import allocation_settings, resolve

__all__ = list(_settings_names) + ["DIGEST_DECIMALS", "ruled_contest", "allocation_options", "Decision",
                                   "result_digest", "decide", "decision"]

#: decimals of the scores and amounts the digest covers
DIGEST_DECIMALS = 6


# --- the decision ------------------------------------------------------------------

def ruled_contest(contest, settings: dict):
    """The contest with its rubric's rule set to the settings' method, trim and
    decimals (what the screen, the leaderboard and the 公示 show)."""
    rule = contest.rubric.rule
    new = dataclasses.replace(rule, method=settings.get("method") or rule.method,
                              trim=rule.trim if settings.get("trim") is None else int(settings["trim"]),
                              decimals=rule.decimals if settings.get("decimals") is None else int(settings["decimals"]))
    if new == rule:
        return contest
    return dataclasses.replace(contest, rubric=dataclasses.replace(contest.rubric, rule=new))


def allocation_options(settings: dict) -> dict:
    """The settings as ``ek.allocate`` keyword arguments (budget and rule included)."""
    opts = {"budget": settings["budget"], "rule": settings["rule"], "category": "category",
            "organisation": "organisation"}
    for key in ("threshold", "category_min_share", "category_max_share", "org_cap", "min_fraction", "tie_break"):
        if settings.get(key) is not None:
            opts[key] = settings[key]
    return opts


@dataclass
class Decision:
    """A contest's decided result. ``contest``: the contest under the settings' rule;
    ``settings``: every setting used; ``scores``: the round's scores; ``ranking``
    (``ek.rank``'s Ranking of the projects with enough sheets) and ``allocation``
    (``ek.allocate``'s Allocation, None when not asked); ``waiting``: projects not yet
    rankable; ``digest``: :func:`result_digest`."""
    contest: object
    settings: dict
    round: str
    scores: pd.DataFrame
    ranking: object
    allocation: object
    waiting: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    amendments: list = field(default_factory=list)  # the running contest's changes (evalkit.live.amendments.decode)

    @property
    def ranking_table(self) -> pd.DataFrame:
        """project, score, rank, excluded: what the digest covers of the ranking."""
        t = self.ranking.projects.reset_index()
        t["project"] = t["project"].astype(str)
        return t[["project", "score", "rank", "excluded"]]

    @property
    def allocation_table(self) -> pd.DataFrame:
        """project, score, requested, funded, amount (empty without an allocation)."""
        cols = ["project", "score", "requested", "funded", "amount"]
        return self.allocation.table[cols] if self.allocation is not None else pd.DataFrame(columns=cols)

    @property
    def digest(self) -> str:
        return result_digest(self.ranking_table, self.allocation_table)


def result_digest(ranking: pd.DataFrame, allocation: pd.DataFrame) -> str:
    """SHA-256 over the canonical JSON of the ranking (project, score to 6 decimals,
    rank, excluded) and the allocation (project, funded, amount): a result that
    moves changes it; the same result always gives the same digest."""
    def nums(values):
        return [None if x != x else x for x in np.atleast_1d(display_round(values, DIGEST_DECIMALS)).tolist()]
    rank_rows = [[str(p), s, None if pd.isna(r) else int(r), str(e or "")]
                 for p, s, r, e in zip(ranking["project"], nums(ranking["score"].to_numpy(float)),
                                       ranking["rank"], ranking["excluded"].fillna(""))]
    alloc_rows = [[str(p), bool(f), a] for p, f, a in zip(allocation["project"], allocation["funded"],
                                                          nums(allocation["amount"].to_numpy(float)))]
    body = json.dumps({"ranking": rank_rows, "allocation": alloc_rows}, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def decide(contest, scores: pd.DataFrame, settings: dict | None = None, *, round: str | None = None,
           with_allocation: bool = True) -> Decision:
    """Rank and allocate ``scores`` under ``settings`` (checked; defaults filled
    in): the one computation every surface shows. ``round`` (default the contest's
    first) picks the round's rows when the scores have a ``round`` column. Projects
    without enough complete sheets for the rule wait (``Decision.waiting``), as on
    the live board. Raises DataError when no project can be ranked yet."""
    settings = resolve(settings or {}, contest)
    ruled = ruled_contest(contest, settings)
    round_id = round or contest.default_round
    if "round" in scores:
        scores = scores[scores["round"] == round_id]
    scores = contest.with_panels(scores.reset_index(drop=True))
    ranking, waiting, error = live_ranking(scores, ruled)
    if ranking is None:
        raise DataError(error or "no project has enough complete score sheets yet",
                        where=str(getattr(contest, "dir", "contest")), key="scores",
                        expected="complete sheets for the contest rule", found=f"{len(scores)} scores",
                        zh=f"尚无法排名：{error}" if error else "尚无可排名的项目：没有项目有足够的完整评分表")
    allocation = None
    if with_allocation:
        allocation = allocate(ranking.projects.join(contest.projects.set_index("id")), **allocation_options(settings))
    return Decision(ruled, settings, round_id, scores, ranking, allocation, waiting, list(ranking.notes))


def decision(contest, store, *, round: str | None = None, with_allocation: bool = True) -> Decision:
    """The decision on the store's current scores and settings (``round`` default:
    the round now running)."""
    round_id = round or store.current()[1]
    from ..store.amendments import decode
    if getattr(contest, "dir", None) == store.contest.dir:
        contest = store.contest  # the contest with the store's amendments (judges, conflicts)
    d = decide(contest, store.scores(round_id), allocation_settings(store), round=round_id,
               with_allocation=with_allocation)
    d.amendments = [decode(r) for r in store.amendment_events()]
    return d
