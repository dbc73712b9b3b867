"""Year-end star ratings of organisations (星级评定) on the organisation rubric
(rubrics/shehui-zuzhi-xingji.yaml: party building first, organisational vitality,
community influence): several assessors' sheets combined by the rubric's rule
through :func:`evalkit.rank`, the stars read from its grade bands on the total as
published, ties broken by the rubric's tie-break (party building)."""
from __future__ import annotations

import pandas as pd

from ..aggregate import rank
from ..rubric import Rubric
from ..scores import require_columns, validate_scores
from .grades import grade_of

STAR_COLUMNS = ("total", "stars", "stars_en", "rank", "n_evaluators")


def star_ratings(scores: pd.DataFrame, rubric: Rubric, *, evaluator: str = "evaluator",
                 organisation: str = "organisation", criterion: str = "criterion", score: str = "score",
                 name: str = "star scores") -> pd.DataFrame:
    """One row per organisation (index), best first: total, stars / stars_en (None
    below every band), rank, n_evaluators, and the combined score of each criterion
    (its column named by the criterion id, in rubric order)."""
    require_columns(scores, (evaluator, organisation, criterion, score), where=scores.attrs.get("file", name))
    df = scores.rename(columns={evaluator: "judge", organisation: "project", criterion: "criterion", score: "score"})
    df = df[["judge", "project", "criterion", "score"]]
    lines = scores.attrs.get("lines")
    df = validate_scores(df, rubric, file=scores.attrs.get("file", name), rows=lines,
                         row_offset=0 if lines is None else 2)
    cols = list(STAR_COLUMNS) + rubric.criterion_ids
    if df.empty:
        return pd.DataFrame(columns=cols).rename_axis(organisation)
    r = rank(df, rubric, method=rubric.rule.method)
    out = pd.DataFrame(index=r.projects.index)
    out["total"] = r.projects["score"]
    grades = [grade_of(rubric, t) for t in out["total"]]
    out["stars"] = [g.zh if g else None for g in grades]
    out["stars_en"] = [g.en if g else None for g in grades]
    out["rank"] = r.projects["rank"]
    out["n_evaluators"] = r.projects["n_judges"].astype(int)
    per = df.pivot_table(index="project", columns="criterion", values="score", aggfunc="mean")
    for c in rubric.criterion_ids:
        out[c] = per[c].reindex(out.index) if c in per else float("nan")
    out.index.name = organisation
    return out[cols]
