"""Output and outcome indicators (产出指标 / 效果指标): each with a target, the
actual value, the share achieved and whether it was met; a missed target needs
an explanation.

The plan (monitoring/indicators.csv): project, indicator, kind ('output' or
'outcome'), label, label_en, unit, target, mid_target (optional: the target at the
mid-term evaluation; an indicator without one is assessed at the final only).
The actuals (per evaluation): project, evaluation ('mid' or 'final'), indicator,
actual, explanation. Targets are "at least": met means actual >= target.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..scores import require_columns
from ..text import Text, term
from ._rows import blank, number, row_where, text
from .errors import IndicatorError
from .messages import EVALUATIONS, evaluation_label, say

KINDS = ("output", "outcome")
KIND_LABELS = {"output": Text("产出指标", "output"), "outcome": Text("效果指标", "outcome")}
PLAN_COLUMNS = ("project", "indicator", "kind", "label", "label_en", "unit", "target", "mid_target")
TABLE_COLUMNS = ("project", "evaluation", "indicator", "kind", "label", "label_en", "unit", "target", "actual",
                 "share", "met", "explanation", "note_zh", "note_en")


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator at one evaluation. ``actual`` is None when not reported.

    A row whose target is missed must carry an explanation: building one without
    raises :class:`IndicatorError` naming ``where`` (the file and row)."""
    project: str
    evaluation: str
    indicator: str
    target: float
    actual: float | None
    explanation: str = ""
    kind: str = "output"
    label: Text = Text("")
    unit: str = ""
    where: str | None = None

    def __post_init__(self):
        if not (isinstance(self.target, (int, float)) and math.isfinite(self.target) and self.target > 0):
            raise IndicatorError("the target must be a positive number", where=self.where, key="target",
                                 expected="> 0", found=self.target, zh=f"指标目标值须为正数，实际为 {self.target}")
        if self.actual is not None and not (self.actual >= 0 and math.isfinite(self.actual)):
            raise IndicatorError("the actual value must be a number >= 0", where=self.where, key="actual",
                                 expected=">= 0", found=self.actual, zh=f"指标实际值须为不小于 0 的数字，实际为 {self.actual}")
        if self.actual is not None and not self.met and not self.explanation.strip():
            raise IndicatorError(f"indicator '{self.indicator}' of {self.project} missed its target "
                                 f"({self.actual:g} of {self.target:g}) and needs an explanation",
                                 where=self.where, key="explanation",
                                 expected="an explanation of why the target was missed", found="nothing",
                                 zh=f"项目 {self.project} 的指标 '{self.indicator}' 未达到目标值"
                                    f"（{self.actual:g} / {self.target:g}），须说明原因")

    @property
    def reported(self) -> bool:
        return self.actual is not None

    @property
    def share(self) -> float:
        """The share of the target achieved (1.0 = 100 %); NaN when not reported."""
        return self.actual / self.target if self.actual is not None else math.nan

    @property
    def met(self) -> bool:
        return self.actual is not None and self.actual >= self.target

    @property
    def note(self) -> Text:
        if self.met:
            return say("indicator.met")
        if self.actual is None:
            return Text("未报告实际值", "no actual value reported")
        return say("indicator.missed", explanation=self.explanation)


def read_plan(plan: pd.DataFrame, *, name: str = "indicator plan", projects=None) -> pd.DataFrame:
    """Validate an indicator plan frame; returns it clean (targets as floats)."""
    require_columns(plan, ("project", "indicator", "target"), where=plan.attrs.get("file", name))
    rows, seen = [], set()
    for i, r in enumerate(plan.to_dict("records")):
        where = row_where(plan, i, name)
        project, ind = text(r.get("project")), text(r.get("indicator"))
        for key, val in (("project", project), ("indicator", ind)):
            if not val:
                raise IndicatorError(f"{key} is empty", where=where, key=key, expected=f"a {key} id", found="nothing",
                                     zh=f"{term(key)}编号为空")
        if projects is not None and project not in projects:
            raise IndicatorError(f"unknown project '{project}'", where=where, key="project",
                                 expected="a project with a contract", found=project, zh=f"未知项目 '{project}'（没有协议）")
        if (project, ind) in seen:
            raise IndicatorError(f"indicator '{ind}' of {project} appears twice", where=where, key="indicator",
                                 expected="one row per project and indicator", found=ind,
                                 zh=f"项目 {project} 的指标 '{ind}' 出现两次")
        seen.add((project, ind))
        kind = text(r.get("kind")) or "output"
        if kind not in KINDS:
            raise IndicatorError(f"unknown indicator kind '{kind}'", where=where, key="kind",
                                 expected="output or outcome", found=kind,
                                 zh=f"未知的指标类别 '{kind}'，应为 output（产出）或 outcome（效果）")
        target = number(r.get("target"), where=where, key="target", error_cls=IndicatorError, positive=True)
        mid = number(r.get("mid_target"), where=where, key="mid_target", error_cls=IndicatorError, required=False,
                     positive=not blank(r.get("mid_target")))
        label = text(r.get("label")) or ind
        rows.append(dict(project=project, indicator=ind, kind=kind, label=label, label_en=text(r.get("label_en")) or label,
                         unit=text(r.get("unit")), target=target, mid_target=mid))
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))


def indicator_rows(plan: pd.DataFrame, actuals: pd.DataFrame, *, name: str = "indicator actuals") -> list[IndicatorRow]:
    """One :class:`IndicatorRow` per planned indicator and evaluation that has
    actuals for its project. A missed target without an explanation, an actual for
    an indicator not in the plan, or a repeated row raises IndicatorError naming
    the actuals' row."""
    require_columns(actuals, ("project", "evaluation", "indicator", "actual"), where=actuals.attrs.get("file", name))
    plan = read_plan(plan)  # idempotent: a plan already read passes unchanged
    planned = {(p, i): r for p, i, r in zip(plan["project"], plan["indicator"], plan.to_dict("records"))}
    given: dict = {}
    for k, r in enumerate(actuals.to_dict("records")):
        where = row_where(actuals, k, name)
        project, ind, ev = text(r.get("project")), text(r.get("indicator")), text(r.get("evaluation"))
        if ev not in EVALUATIONS:
            raise IndicatorError(f"unknown evaluation '{ev}'", where=where, key="evaluation",
                                 expected="mid or final", found=ev,
                                 zh=f"未知的评估 '{ev}'，应为 mid（中期）或 final（结项）")
        if (project, ind) not in planned:
            raise IndicatorError(f"indicator '{ind}' is not in the plan of {project}", where=where, key="indicator",
                                 expected="an indicator of the project's plan", found=ind,
                                 zh=f"指标 '{ind}' 不在项目 {project} 的指标计划中")
        if (project, ev, ind) in given:
            raise IndicatorError(f"indicator '{ind}' of {project} is reported twice for the {ev} evaluation",
                                 where=where, key="indicator", expected="one row per evaluation", found=ind,
                                 zh=f"项目 {project} 的指标 '{ind}' 在{evaluation_label(ev).zh}评估中报告了两次")
        actual = number(r.get("actual"), where=where, key="actual", error_cls=IndicatorError)
        given[(project, ev, ind)] = (actual, text(r.get("explanation")), where)
    out = []
    for project, ev in sorted({(p, e) for p, e, _ in given}, key=lambda t: (t[0], EVALUATIONS.index(t[1]))):
        for (p, ind), r in planned.items():
            if p != project:
                continue
            target = r["target"] if ev == "final" else r["mid_target"]
            if target is None or (isinstance(target, float) and math.isnan(target)):
                continue  # not assessed at the mid-term
            actual, explanation, where = given.get((project, ev, ind), (None, "", None))
            out.append(IndicatorRow(project, ev, ind, float(target), actual, explanation, r["kind"],
                                    Text(r["label"], r["label_en"]), r["unit"], where))
    return out


def indicator_table(plan: pd.DataFrame, actuals: pd.DataFrame, *, name: str = "indicator actuals") -> pd.DataFrame:
    """The indicator rows as a frame: project, evaluation, indicator, kind, label,
    label_en, unit, target, actual, share, met, explanation, note_zh, note_en."""
    rows = indicator_rows(plan, actuals, name=name)
    return pd.DataFrame([dict(project=r.project, evaluation=r.evaluation, indicator=r.indicator, kind=r.kind,
                              label=r.label.zh, label_en=r.label.en, unit=r.unit, target=r.target,
                              actual=math.nan if r.actual is None else r.actual, share=r.share, met=r.met,
                              explanation=r.explanation, note_zh=r.note.zh, note_en=r.note.en) for r in rows],
                        columns=list(TABLE_COLUMNS)).astype({"met": bool})
