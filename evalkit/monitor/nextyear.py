"""The link to next year's contest (考评结果与第二年项目资金挂钩): an organisation
whose project was graded 不合格 at the final evaluation, or that was made to exit
by the monthly rule, may not apply next year; prior grades can add points or be
shown beside next year's roadshow scores."""
from __future__ import annotations

import pandas as pd

from ..errors import ContestError, raise_all
from ..rubric import Rubric
from .grades import grade_rank
from .messages import evaluation_label, say

NEXT_COLUMNS = ("eligible", "rule_zh", "rule_en", "prior_grade", "prior_grade_en", "exit_period", "stars",
                "adjustment")


def next_year(evaluations: pd.DataFrame, contracts: pd.DataFrame, rubric: Rubric, watch: pd.DataFrame | None = None, *,
              stars: pd.DataFrame | None = None, barred_grades=("不合格",), bonus: dict | None = None,
              evaluation: str = "final", threshold: float = 6.0, run: int = 3) -> pd.DataFrame:
    """Next year's eligibility and adjustments, one row per organisation (index).

    ``evaluations``: an Evaluation's ``table`` (project, evaluation, grade,
    grade_en); ``contracts``: project -> organisation; ``rubric``: the evaluation
    rubric (its bands order the grades); ``watch``: the year's :func:`exit_watch`
    frame; ``stars``: :func:`star_ratings`' frame. An organisation's
    ``prior_grade`` is the lowest ``evaluation`` grade of its projects. Barred: a
    prior grade in ``barred_grades`` or an exit; ``rule_zh``/``rule_en`` name the
    rule. ``bonus``: {grade: points} added to next year's application
    (``adjustment``; 0 without), e.g. {"优秀": 2, "良好": 1}.
    """
    ev = evaluations[evaluations["evaluation"] == evaluation]
    org_of = dict(zip(contracts["project"], contracts["organisation"]))
    bonus = bonus or {}
    exits = {} if watch is None else {o: p for o, p, e in zip(watch.index, watch["exit_period"], watch["exit"]) if e}
    rows = []
    for org in sorted(set(org_of.values())):
        mine = ev[ev["project"].map(org_of) == org]
        graded = [(g, e) for g, e in zip(mine["grade"], mine["grade_en"]) if isinstance(g, str)]
        prior = min(graded, key=lambda t: grade_rank(rubric, t[0])) if graded else (None, None)
        barred = prior[0] in barred_grades
        lab = evaluation_label(evaluation)
        if org in exits:
            eligible, rule = False, say("next.barred_exit", run=run, threshold=threshold, period=exits[org])
        elif barred:
            eligible, rule = False, say("next.barred_grade", evaluation=lab.zh, evaluation_en=lab.en, grade=prior[0],
                                        grade_en=prior[1])
        else:
            eligible, rule = True, say("next.eligible")
        points = float(bonus.get(prior[0], 0)) if eligible else 0.0
        if eligible and points:
            rule = say("next.adjust", evaluation=lab.zh, evaluation_en=lab.en, grade=prior[0], grade_en=prior[1],
                       points=points)
        star = None
        if stars is not None and org in stars.index:
            star = stars.loc[org, "stars"]
        rows.append(dict(organisation=org, eligible=eligible, rule_zh=rule.zh, rule_en=rule.en, prior_grade=prior[0],
                         prior_grade_en=prior[1], exit_period=exits.get(org), stars=star, adjustment=points))
    return pd.DataFrame(rows, columns=("organisation",) + NEXT_COLUMNS).set_index("organisation")


def check_applicants(projects: pd.DataFrame, eligibility: pd.DataFrame, *, strict: bool = True,
                     name: str = "projects.csv") -> pd.DataFrame:
    """Next year's applicants beside last year's results.

    ``projects``: next year's projects (with ``organisation``); ``eligibility``:
    :func:`next_year`'s frame. Returns the projects with eligible, rule_zh,
    rule_en, prior_grade, stars and adjustment (organisations new to the scheme
    are eligible with no adjustment). ``strict=True`` refuses barred applicants:
    ContestError naming each one's row, organisation and the rule.
    """
    out = projects.copy()
    known = eligibility.reindex(out["organisation"])
    out["eligible"] = known["eligible"].fillna(True).astype(bool).to_numpy()
    new = say("next.eligible")
    out["rule_zh"] = known["rule_zh"].fillna(new.zh).to_numpy()
    out["rule_en"] = known["rule_en"].fillna(new.en).to_numpy()
    for col in ("prior_grade", "stars"):
        out[col] = known[col].to_numpy()
    out["adjustment"] = known["adjustment"].fillna(0.0).to_numpy()
    if strict:
        lines = projects.attrs.get("lines")
        errors = []
        for i, (org, ok, rule) in enumerate(zip(out["organisation"], out["eligible"], out["rule_zh"])):
            if not ok:
                where = f"{projects.attrs.get('file', name)} row {lines[i] if lines else i + 2}"
                errors.append(ContestError(f"{org} may not apply: {out['rule_en'].iloc[i]}", where=where,
                                           key="organisation", expected="an organisation not barred by last year's "
                                           "results", found=org, zh=f"{org} 不能申报：{rule}"))
        raise_all(errors)
    return out
