"""Payment tranches (分期拨付): a contract's amount is split into tranches, each
released on signing or by an evaluation's grade (e.g. 40 % on signing, 40 % after a
passing mid-term evaluation, 20 % after a passing final one).

Money is counted in fen (分, integer cents): the tranches of a contract are its
percentages of the amount, rounded down to the fen, the last taking the
remainder, so they add up to the contract exactly and no decision can release
more than the contract.
"""
from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd

from ..errors import RubricError
from ..rubric import Rubric
from ..scores import require_columns
from ._rows import number, row_where, text
from .errors import MonitorError
from .grades import grade_rank, grade_text
from .messages import EVALUATIONS, evaluation_label, say
from .periods import month_index

AFTER = ("signing",) + EVALUATIONS
DECISIONS = ("released", "withheld", "pending")
DECISION_COLUMNS = ("project", "organisation", "tranche", "after", "percent", "amount", "min_grade", "grade",
                    "decision", "reason_zh", "reason_en")


def to_fen(amount: float, *, where=None, key="amount") -> int:
    """Yuan -> integer fen; more than two decimals is an error (no money is rounded away)."""
    d = Decimal(repr(float(amount))) * 100
    if d != d.to_integral_value():
        raise MonitorError(f"{amount} has more than two decimals", where=where, key=key,
                           expected="yuan with at most 2 decimals (fen)", found=amount,
                           zh=f"金额 {amount} 的小数多于两位（应以元为单位，精确到分）")
    return int(d)


def split_amount(amount: float, percents, *, where=None) -> list[float]:
    """The tranche amounts (yuan) of ``amount`` split by ``percents`` (summing to 100):
    each rounded down to the fen, the last taking the remainder; they sum to ``amount``."""
    fen = to_fen(amount, where=where)
    shares = [Decimal(repr(float(p))) for p in percents]
    if any(s <= 0 for s in shares) or sum(shares) != 100:
        raise MonitorError(f"tranche percentages sum to {float(sum(shares)):g}", where=where, key="percent",
                           expected="positive percentages summing to 100", found=[float(s) for s in shares],
                           zh=f"分期拨付比例合计为 {float(sum(shares)):g}，应为合计 100 的正数")
    parts = [int(fen * s / 100) for s in shares[:-1]]
    parts.append(fen - sum(parts))
    return [p / 100 for p in parts]


def read_tranches(contracts: pd.DataFrame, tranches: pd.DataFrame, rubric: Rubric, *,
                  name: str = "tranches") -> pd.DataFrame:
    """Validate the tranche plan against the contracts; returns one row per tranche
    with its amount: project, organisation, tranche, after, percent, amount, min_grade."""
    require_columns(tranches, ("project", "tranche", "percent", "after"), where=tranches.attrs.get("file", name))
    amounts = dict(zip(contracts["project"], contracts["amount"]))
    orgs = dict(zip(contracts["project"], contracts["organisation"]))
    default_grade = _lowest_pass(rubric)
    per: dict[str, list] = {}
    for i, r in enumerate(tranches.to_dict("records")):
        where = row_where(tranches, i, name)
        project, tid, after = text(r.get("project")), text(r.get("tranche")), text(r.get("after"))
        if project not in amounts:
            raise MonitorError(f"no contract for project '{project}'", where=where, key="project",
                               expected="a project in contracts.csv", found=project, zh=f"项目 '{project}' 没有协议")
        if not tid:
            raise MonitorError("the tranche id is empty", where=where, key="tranche", expected="an id", found="nothing",
                               zh="拨款批次编号为空")
        if after not in AFTER:
            raise MonitorError(f"unknown release point '{after}'", where=where, key="after",
                               expected="one of " + ", ".join(AFTER), found=after,
                               zh=f"未知的拨付时点 '{after}'，应为 {' / '.join(AFTER)}（签约 / 中期 / 结项）")
        if any(t["tranche"] == tid for t in per.get(project, [])):
            raise MonitorError(f"tranche '{tid}' of {project} appears twice", where=where, key="tranche",
                               expected="unique tranche ids per contract", found=tid,
                               zh=f"项目 {project} 的拨款批次 '{tid}' 出现两次")
        if any(t["after"] == after and after != "signing" for t in per.get(project, [])):
            raise MonitorError(f"{project} has two tranches released by the {after} evaluation", where=where,
                               key="after", expected="one tranche per evaluation", found=after,
                               zh=f"项目 {project} 有两批拨款都在{evaluation_label(after).zh}评估后拨付")
        min_grade = text(r.get("min_grade")) or default_grade
        try:
            min_grade = grade_text(rubric, min_grade).zh
        except RubricError as exc:
            raise MonitorError(str(getattr(exc, "message", exc)), where=where, key="min_grade",
                               expected="a grade of " + rubric.id, found=min_grade, zh=exc.zh) from None
        per.setdefault(project, []).append(dict(project=project, organisation=orgs[project], tranche=tid, after=after,
                                                percent=number(r.get("percent"), where=where, key="percent",
                                                               error_cls=MonitorError, positive=True),
                                                min_grade=min_grade, where=where))
    rows = []
    for project in amounts:
        plan = per.get(project)
        if not plan:
            raise MonitorError(f"the contract of {project} has no tranches", where=tranches.attrs.get("file", name),
                               key="project", expected="tranches for every contract", found="none",
                               zh=f"项目 {project} 的协议没有分期拨付计划")
        for t, amount in zip(plan, split_amount(amounts[project], [t["percent"] for t in plan], where=plan[-1]["where"])):
            rows.append({k: v for k, v in t.items() if k != "where"} | dict(amount=amount))
    return pd.DataFrame(rows, columns=["project", "organisation", "tranche", "after", "percent", "amount", "min_grade"])


def _lowest_pass(rubric: Rubric) -> str:
    """The lowest band above the bottom one (合格 on xiangmu-pinggu): the default bar."""
    bands = sorted(rubric.grades, key=lambda g: g.min)
    if not bands:
        raise MonitorError("the evaluation rubric has no grade bands", where=rubric.path, key="grades",
                           expected="grade bands (e.g. Excellent/Good/Pass/Fail)", found="none",
                           zh="评估细则没有等级划分（如 优秀/良好/合格/不合格）")
    return (bands[1] if len(bands) > 1 else bands[0]).label.zh


def decide_tranches(plan: pd.DataFrame, grades: dict, rubric: Rubric, *, exits: dict | None = None,
                    due: dict | None = None) -> pd.DataFrame:
    """Release or withhold each tranche.

    ``plan``: :func:`read_tranches`' table. ``grades``: {(project, evaluation): grade
    label} (e.g. from :meth:`Evaluation.grades`). ``exits``: {organisation:
    exit month 'YYYY-MM'} of organisations made to leave by the exit rule.
    ``due``: {(project, evaluation): due month} from the schedule.

    A signing tranche is released. An evaluation tranche is withheld when the
    organisation had to exit before (or in) the evaluation's month (every
    evaluation, without a schedule); else released when the grade reaches the
    tranche's ``min_grade``, withheld when below, pending while not graded. Each
    decision carries its reason in Chinese and English.
    """
    exits, due = exits or {}, due or {}
    out = []
    for t in plan.to_dict("records"):
        ev, org, project = t["after"], t["organisation"], t["project"]
        grade = grades.get((project, ev)) if ev != "signing" else None
        if isinstance(grade, float) and math.isnan(grade):
            grade = None
        exit_month = exits.get(org)
        if ev == "signing":
            decision, reason = "released", say("tranche.signing")
        elif exit_month is not None and ((project, ev) not in due
                                         or month_index(due[(project, ev)]) >= month_index(exit_month)):
            decision, reason = "withheld", say("tranche.exit", period=exit_month)
        elif grade is None:
            lab = evaluation_label(ev)
            decision, reason = "pending", say("tranche.pending", evaluation=lab.zh, evaluation_en=lab.en)
        else:
            g, m, lab = grade_text(rubric, grade), grade_text(rubric, t["min_grade"]), evaluation_label(ev)
            ok = grade_rank(rubric, grade) >= grade_rank(rubric, t["min_grade"])
            decision = "released" if ok else "withheld"
            reason = say("tranche.released" if ok else "tranche.withheld_grade", evaluation=lab.zh,
                         evaluation_en=lab.en, grade=g.zh, grade_en=g.en, min_grade=m.zh, min_grade_en=m.en)
        out.append(t | dict(grade=grade, decision=decision, reason_zh=reason.zh, reason_en=reason.en))
    return pd.DataFrame(out, columns=list(DECISION_COLUMNS))


def money_summary(decisions: pd.DataFrame) -> pd.DataFrame:
    """Per project: contract (sum of its tranches), released, withheld, pending (yuan,
    added in fen, so released + withheld + pending == contract exactly)."""
    fen = decisions.assign(fen=[to_fen(a) for a in decisions["amount"]])
    table = fen.pivot_table(index="project", columns="decision", values="fen", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=list(DECISIONS), fill_value=0)
    table["contract"] = table[list(DECISIONS)].sum(axis=1)
    table.columns.name = None
    return (table[["contract"] + list(DECISIONS)] / 100).reindex(list(dict.fromkeys(decisions["project"])))
