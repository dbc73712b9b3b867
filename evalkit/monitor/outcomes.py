"""The monitoring year as research outcomes: the long frame
:func:`evalkit.research.predictive_validity` takes (contest, project, outcome,
period, value), so final evaluation grades can be the outcome that roadshow
scores are checked against."""
from __future__ import annotations

import pandas as pd

from .grades import grade_rank
from .periods import month_index

OUTCOME_COLUMNS = ("contest", "project", "outcome", "period", "value")


def outcomes(monitoring, evaluation=None) -> pd.DataFrame:
    """Rows per funded project: ``final_total`` (the final evaluation's total),
    ``final_grade`` (its band as an ordinal: the band's lower bound, 0/60/80/90 on
    xiangmu-pinggu — Spearman's rho uses only the order) and ``monthly`` (its
    organisation's complete month scores, period = month number in the year)."""
    ev = (evaluation or monitoring.evaluate()).table
    final = ev[ev["evaluation"] == "final"]
    cid = monitoring.contest.id
    rows = [(cid, p, "final_total", 1, float(t)) for p, t in zip(final["project"], final["total"])]
    rows += [(cid, p, "final_grade", 1, float(grade_rank(monitoring.evaluation_rubric, g)))
             for p, g in zip(final["project"], final["grade"]) if isinstance(g, str)]
    months = monitoring.month_scores().dropna(subset=["score"])
    first = month_index(monitoring.start)
    for p, org in zip(monitoring.contracts["project"], monitoring.contracts["organisation"]):
        mine = months[months["organisation"] == org]
        rows += [(cid, p, "monthly", month_index(m) - first + 1, float(s)) for m, s in zip(mine["period"], mine["score"])]
    return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
