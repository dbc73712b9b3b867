"""One project's scores as the big screen shows them: each judge's total under an
anonymous name, the totals the contest rule drops, the rule's result; who still owes
a sheet; how many sheets a project needs."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..aggregate.ready import min_judges  # noqa: F401  (re-exported: sheets a project needs)
from ..aggregate.rules import dropped_mask
from ..scores import totals


def alias(contest, judge: str, lang: str = "zh") -> str:
    """The anonymous name of a judge on the big screen: 评委1, 评委2 … (contest order)."""
    i = contest.judge_ids.index(judge) + 1
    return f"评委{i}" if lang == "zh" else f"Judge {i}"


def pending(scores: pd.DataFrame, contest, project: str) -> pd.DataFrame:
    """Judges who still owe scores on ``project`` (conflicted judges are not owed).

    Returns judge, name, scored, of, state ('missing' or 'partial'), contest order.
    """
    comp = contest.completeness(scores)
    comp = comp[(comp["project"] == project) & comp["state"].isin(["missing", "partial"])]
    names = dict(zip(contest.judges["id"], contest.judges["name"]))
    out = comp.assign(name=comp["judge"].map(names))
    return out[["judge", "name", "scored", "of", "state"]].reset_index(drop=True)


@dataclass
class Board:
    """One project's scores as the screen shows them.

    ``rows``: judge, alias, panel, total (NaN until the sheet is complete), complete,
    dropped (True when the rule leaves this total out), conflict. ``result``: the
    rule's score from the complete sheets (NaN when there are none), ``kept``: how
    many totals the result uses.
    """
    project: str
    method: str
    rows: pd.DataFrame
    result: float
    kept: int


def _rule_value(x: np.ndarray, method: str) -> float:
    if len(x) == 0:
        return math.nan
    if method == "sum":
        return float(x.sum())
    return float(x.mean())  # mean, and trimmed/median over what they keep


def project_board(scores: pd.DataFrame, contest, project: str, *, lang: str = "zh") -> Board:
    """The big screen's view of one project under the contest's rule.

    With panels (e.g. expert and public), the rule runs within each panel and the
    panel results are combined by the rubric's panel weights, as ``evalkit.rank`` does.
    Bonus points and vetoes are not part of the board (the leaderboard shows them).
    """
    rubric = contest.rubric
    method, trim = rubric.rule.method, rubric.rule.trim
    sc = scores[scores["project"] == project]
    tot = totals(sc, rubric) if len(sc) else pd.DataFrame(columns=["judge", "project", "total"])
    by_judge = dict(zip(tot["judge"], tot["total"]))
    judges = contest.judge_ids
    panels = contest.judge_panels()
    panel = np.array([panels.get(j) for j in judges], object)
    total = np.array([by_judge.get(j, np.nan) for j in judges], float)
    complete = ~np.isnan(total)
    dropped = np.zeros(len(judges), bool)
    idx = np.flatnonzero(complete)
    results, kept = {}, 0
    if len(idx):
        # one call for every panel: each panel is its own group (the rule runs within panels)
        frame = pd.DataFrame({"judge": [judges[i] for i in idx], "project": project, "total": total[idx],
                              "panel": panel[idx].astype(str)})
        drop = dropped_mask(frame, method, trim)
        dropped[idx[drop]] = True
        for p in dict.fromkeys(panel[idx]):
            here = panel[idx] == p
            results[p] = _rule_value(total[idx][here & ~drop], method)
            kept += int((here & ~drop).sum())
    rows = pd.DataFrame({"judge": judges, "alias": [alias(contest, j, lang) for j in judges], "panel": panel,
                         "total": total, "complete": complete,
                         "conflict": [contest.is_conflicted(j, project) for j in judges], "dropped": dropped})
    weights = rubric.panel_weights() if rubric.panels else {}
    if weights:
        have = {p: w for p, w in weights.items() if p in results}
        total_w = sum(have.values())
        result = sum(results[p] * w for p, w in have.items()) / total_w if total_w else math.nan
    else:
        result = next(iter(results.values()), math.nan)
    return Board(project=project, method=method, rows=rows, result=float(result), kept=kept)
