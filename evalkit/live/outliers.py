"""Whether a new entry puts a judge's total far from the panel (the secretary is
asked to confirm it before it is saved)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scores import totals


@dataclass
class OutOfLine:
    """A judge's total that lies far outside the rest of the panel on one project.

    ``value``: the criterion score being confirmed; ``total``: the judge's total with
    it; ``low``/``high``: the band the other judges' totals allow; ``median`` and
    ``others``: the other judges' median total and how many complete sheets it uses.
    """
    judge: str
    project: str
    criterion: str
    value: float
    total: float
    low: float
    high: float
    median: float
    others: int


def out_of_line(scores: pd.DataFrame, contest, judge: str, project: str, criterion: str, value: float, *,
                floor: float = 0.15, min_others: int = 3) -> OutOfLine | None:
    """Whether entering ``value`` makes the judge's total on ``project`` far from the
    other judges' totals (the secretary is asked to confirm); None when it is not, or
    while the judge's sheet is incomplete or the judge's panel has fewer than
    ``min_others`` other complete sheets.

    Rule: the total is out of line when it lies outside the others' range widened on
    each side by ``margin = max(1.4826 * MAD, floor * scale)``: below
    ``min(others) - margin`` or above ``max(others) + margin``. MAD is the others'
    median absolute deviation (1.4826 * MAD estimates their standard deviation,
    Leys et al. 2013, J. Exp. Soc. Psych. 49:764), ``scale`` the rubric's total
    (100) and ``floor`` 15 % of it. Why this rule: the sheet under test is left out
    of the reference, so a wild sheet cannot widen its own yardstick; and the
    panel's own range is the reference, so a small or split panel still flags a
    sheet far below all of it. The former robust z over every sheet (|z| > 3.5,
    >= 4 sheets) let a 20/100 sheet pass against a panel of 58-92, because with a
    handful of sheets the outlier inflates the spread it is measured by. The floor
    keeps a tight panel (MAD near 0) from flagging ordinary differences: against a
    unanimous 80 a total needs to be more than 15 points off. With 15 % the rule asks
    about none of the 230 sheets of the two demo contests (with 10 % it asked about
    6, the demo's lenient and harsh judges) and still catches a 20 against 58-92.
    Only judges of the same panel (e.g. experts vs. public) are compared.
    """
    rubric = contest.rubric
    sc = scores[(scores["project"] == project)
                & ~((scores["judge"] == judge) & (scores["criterion"] == criterion))]
    new = pd.DataFrame([{"judge": judge, "project": project, "criterion": criterion, "score": float(value)}])
    sc = pd.concat([sc[["judge", "project", "criterion", "score"]], new], ignore_index=True)
    tot = totals(sc, rubric)
    if judge not in set(tot["judge"]):
        return None
    panel = {j: p if isinstance(p, str) else "" for j, p in contest.judge_panels().items()}
    same = tot["judge"].map(panel) == panel.get(judge, "")
    others = tot.loc[same & (tot["judge"] != judge), "total"].to_numpy(float)
    if len(others) < min_others:
        return None
    total = float(tot.loc[tot["judge"] == judge, "total"].iloc[0])
    median = float(np.median(others))
    mad = float(np.median(np.abs(others - median)))
    margin = max(1.4826 * mad, floor * rubric.total_max)
    low, high = float(others.min()) - margin, float(others.max()) + margin
    if low <= total <= high:
        return None
    return OutOfLine(judge, project, criterion, float(value), total, low, high, median, len(others))
