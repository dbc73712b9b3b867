"""Grade bands of a rubric (优秀 / 良好 / 合格 / 不合格; 五星 … 一星), read on the
total as published: rounded to the rule's decimals (四舍五入, evalkit.display), so
a grade never contradicts the number shown beside it (89.96 shows as 90.0 and is
优秀)."""
from __future__ import annotations

import math

from ..display import display_round
from ..errors import RubricError
from ..rubric import Rubric
from ..text import Text


def grade_of(rubric: Rubric, total: float) -> Text | None:
    """The grade of a total on ``rubric`` (None for a missing total or below every band)."""
    if total is None or not math.isfinite(total):
        return None
    return rubric.grade(display_round(total, rubric.rule.decimals))


def grade_rank(rubric: Rubric, label: str) -> float:
    """The lower bound of the band named ``label`` (zh or en), to compare grades."""
    for g in rubric.grades:
        if label in (g.label.zh, g.label.en):
            return g.min
    raise RubricError(f"'{label}' is not a grade of rubric {rubric.id}", where=rubric.path, key="grades",
                      expected="one of " + ", ".join(g.label.zh for g in rubric.grades), found=label,
                      zh=f"'{label}' 不是评分细则 {rubric.id} 的等级（可选：{'、'.join(g.label.zh for g in rubric.grades)}）")


def grade_text(rubric: Rubric, label: str) -> Text:
    grade_rank(rubric, label)
    return next(g.label for g in rubric.grades if label in (g.label.zh, g.label.en))
