"""Mid-term (中期评估) and final (结项评估) evaluations: several evaluators score a
project on an indicator rubric (rubrics/xiangmu-pinggu.yaml); their weighted
totals are combined by the rubric's own rule through :func:`evalkit.rank` (the
same code as the roadshow), graded by the rubric's bands, and shown with the
indicators that missed their targets and why."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
import pandas as pd

from .._params import SEED, Interval, validate_params
from ..aggregate import rank
from ..errors import ScoreError
from ..rubric import Rubric
from ..scores import require_columns, validate_scores
from .grades import grade_of
from .indicators import indicator_table
from .messages import EVALUATIONS

RESULT_COLUMNS = ("project", "evaluation", "total", "grade", "grade_en", "n_evaluators", "below_target",
                  "explanations")


@dataclass
class Evaluation:
    """The result of :func:`evaluate`. ``table``: one row per project and
    evaluation: total (the rule's value on the rubric's 0–100 scale), grade /
    grade_en (on the total as published), n_evaluators, below_target (ids of the
    indicators that missed their targets), explanations (their explanations, same
    order). ``indicators``: the indicator rows (see
    :func:`evalkit.monitor.indicators.indicator_table`); ``notes`` from the rule."""
    table: pd.DataFrame
    indicators: pd.DataFrame
    rubric: Rubric
    notes: list = field(default_factory=list)

    def result(self, project: str, evaluation: str = "final") -> pd.Series:
        row = self.table[(self.table["project"] == project) & (self.table["evaluation"] == evaluation)]
        if row.empty:
            raise KeyError((project, evaluation))
        return row.iloc[0]

    def grades(self, evaluation: str = "final") -> dict[str, str]:
        t = self.table[self.table["evaluation"] == evaluation]
        return dict(zip(t["project"], t["grade"]))


def evaluate(scores: pd.DataFrame, rubric: Rubric, plan: pd.DataFrame | None = None,
             actuals: pd.DataFrame | None = None, *, evaluator: str = "evaluator", project: str = "project",
             evaluation: str = "evaluation", criterion: str = "criterion", score: str = "score",
             name: str = "evaluation scores") -> Evaluation:
    """Combine the evaluators' scores per project and evaluation.

    ``scores``: long, one row per (evaluator, project, evaluation, criterion);
    validated against the rubric (scale, decimals, duplicates; ScoreError naming
    the row). ``plan``/``actuals``: the indicator plan and the reported values
    (optional); a missed target without an explanation raises IndicatorError.
    """
    require_columns(scores, (evaluator, project, evaluation, criterion, score), where=scores.attrs.get("file", name))
    df = scores.rename(columns={evaluator: "judge", project: "project", evaluation: "round", criterion: "criterion",
                                score: "score"})[["judge", "project", "round", "criterion", "score"]]
    df.attrs = dict(scores.attrs)
    lines = scores.attrs.get("lines")
    df = validate_scores(df, rubric, file=scores.attrs.get("file", name), rows=lines,
                         row_offset=0 if lines is None else 2)
    for i, ev in enumerate(df["round"]):
        if ev not in EVALUATIONS:
            where = f"{scores.attrs.get('file', name)} row {lines[i] if lines else df.index[i]}"
            raise ScoreError(f"unknown evaluation '{ev}'", where=where, key=evaluation, expected="mid or final",
                             found=ev, zh=f"未知的评估 '{ev}'，应为 mid（中期）或 final（结项）")
    ind = (indicator_table(plan, actuals) if plan is not None and actuals is not None
           else pd.DataFrame(columns=["project", "evaluation", "indicator", "met", "explanation"]))
    rows, notes = [], []
    for ev in [e for e in EVALUATIONS if e in set(df["round"])]:
        r = rank(df[df["round"] == ev].drop(columns="round"), rubric, method=rubric.rule.method)
        notes += [f"[{ev}] {n}" for n in r.notes]
        for pid, p in r.projects.iterrows():
            g = grade_of(rubric, p["score"])
            missed = ind[(ind["project"] == pid) & (ind["evaluation"] == ev) & ~ind["met"].astype(bool)]
            rows.append(dict(project=pid, evaluation=ev, total=float(p["score"]), grade=g.zh if g else None,
                             grade_en=g.en if g else None, n_evaluators=int(p["n_judges"]),
                             below_target=list(missed["indicator"]), explanations=list(missed["explanation"])))
    table = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    if len(table):
        table = table.sort_values(["project", "evaluation"], key=lambda s: s.map(
            {e: i for i, e in enumerate(EVALUATIONS)}) if s.name == "evaluation" else s, ignore_index=True)
    return Evaluation(table, ind, rubric, notes)


@validate_params({"share": Interval(Real, 0, 1, closed="right"), "seed": SEED})
def spot_check(projects, share: float = 0.3, *, seed=None) -> list[str]:
    """A random sample of at least ``share`` of the projects (rounded up) for an
    on-site spot check (抽查不少于30%); ``seed`` makes it reproducible. Sorted."""
    ids = sorted(dict.fromkeys(map(str, projects)))
    k = math.ceil(share * len(ids) - 1e-9)
    return sorted(np.random.default_rng(seed).choice(ids, size=k, replace=False).tolist()) if k else []
