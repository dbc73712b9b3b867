"""A contest folder's optional monitoring part, ``monitoring/``:

monitoring.yaml::

    year: 2026
    months: {start: 2026-06, end: 2027-05}      # the contract year, 'YYYY-MM'
    exit_rule: {threshold: 6.0, run: 3}
    monthly_rubric: shifen-yuedu.yaml           # relative to monitoring/, else rubrics/
    evaluation_rubric: xiangmu-pinggu.yaml
    star_rubric: shehui-zuzhi-xingji.yaml
    evaluators: [{id: E1, name: 周敏}, ...]

contracts.csv   project, amount, start, end (organisation from projects.csv)
tranches.csv    project, tranche, percent, after (signing|mid|final), min_grade
indicators.csv  project, indicator, kind, label, label_en, unit, target, mid_target
schedule.csv    project, evaluation (mid|final), due ('YYYY-MM')
and, as entered so far (the store holds the live record, see records.py):
monthly.csv     organisation, period, item, score
evaluations.csv evaluator, project, evaluation, criterion, score
actuals.csv     project, evaluation, indicator, actual, explanation
stars.csv       evaluator, organisation, criterion, score

Every file is validated with errors naming the file, row, key, what was expected
and what was found (MonitorError, IndicatorError, ScoreError).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._yaml import read_yaml
from ..contest import Contest, _resolve_rubric, load_contest
from ..io.csvtext import read_csv_text
from ..rubric import Rubric, load_rubric
from ..scores import validate_scores
from ..text import term
from ._rows import number, row_where, text
from .errors import MonitorError
from .evaluations import Evaluation, evaluate
from .exit_rule import exit_watch
from .indicators import indicator_rows, read_plan
from .messages import EVALUATIONS, evaluation_label
from .monthly import check_items, check_scheme, month_totals
from .nextyear import check_applicants, next_year
from .periods import month_index
from .stars import star_ratings
from .tranches import decide_tranches, money_summary, read_tranches

FOLDER = "monitoring"


@dataclass
class Monitoring:
    """A contest's monitoring year: the plan (contracts, tranches, indicators,
    schedule) and what has been entered (monthly items, evaluation sheets,
    indicator actuals, star sheets). The methods compute the rules' results from
    whatever frames it holds, so :meth:`with_records` can swap in the store's."""
    dir: Path
    contest: Contest
    year: int
    start: str
    end: str
    threshold: float
    run: int
    monthly_rubric: Rubric
    evaluation_rubric: Rubric
    star_rubric: Rubric
    evaluators: pd.DataFrame
    contracts: pd.DataFrame
    tranches: pd.DataFrame
    indicators: pd.DataFrame
    schedule: pd.DataFrame
    monthly: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["organisation", "period", "item",
                                                                                "score"]))
    evaluations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["evaluator", "project", "evaluation", "criterion", "score"]))
    actuals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["project", "evaluation", "indicator", "actual", "explanation"]))
    stars: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["evaluator", "organisation", "criterion", "score"]))

    @property
    def organisations(self) -> list[str]:
        return sorted(set(self.contracts["organisation"]))

    @property
    def due(self) -> dict:
        return {(p, e): d for p, e, d in zip(self.schedule["project"], self.schedule["evaluation"],
                                             self.schedule["due"])}

    def with_records(self, **frames) -> "Monitoring":
        """A copy holding other entered frames (e.g. read back from the store)."""
        return dataclasses.replace(self, **frames)

    # --- the rules over the year's data ------------------------------------------
    def month_scores(self) -> pd.DataFrame:
        return month_totals(self.monthly, self.monthly_rubric)

    def watch(self, end: str | None = None) -> pd.DataFrame:
        """:func:`exit_watch` over the monthly scores (every contracted organisation
        listed; months expected from the contract year's start to ``end`` or the
        latest month entered)."""
        return exit_watch(self.month_scores(), self.threshold, self.run, start=self.start, end=end,
                          organisations=self.organisations)

    def evaluate(self) -> Evaluation:
        return evaluate(self.evaluations, self.evaluation_rubric, self.indicators, self.actuals)

    def tranche_decisions(self, evaluation: Evaluation | None = None, watch: pd.DataFrame | None = None):
        evaluation = evaluation or self.evaluate()
        watch = self.watch() if watch is None else watch
        grades = {(p, e): g for p, e, g in zip(evaluation.table["project"], evaluation.table["evaluation"],
                                               evaluation.table["grade"])}
        exits = {o: p for o, p, x in zip(watch.index, watch["exit_period"], watch["exit"]) if x}
        return decide_tranches(self.tranches, grades, self.evaluation_rubric, exits=exits, due=self.due)

    def money(self, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
        return money_summary(self.tranche_decisions() if decisions is None else decisions)

    def star_ratings(self) -> pd.DataFrame:
        return star_ratings(self.stars, self.star_rubric)

    def next_year(self, *, bonus: dict | None = None, evaluation: Evaluation | None = None,
                  watch: pd.DataFrame | None = None) -> pd.DataFrame:
        evaluation = evaluation or self.evaluate()
        return next_year(evaluation.table, self.contracts, self.evaluation_rubric,
                         self.watch() if watch is None else watch, stars=self.star_ratings(), bonus=bonus,
                         threshold=self.threshold, run=self.run)

    def outcomes(self, evaluation: Evaluation | None = None) -> pd.DataFrame:
        """The year as research outcomes (see :func:`evalkit.monitor.outcomes.outcomes`)."""
        from .outcomes import outcomes
        return outcomes(self, evaluation)

    def portfolio(self, evaluation: Evaluation | None = None, watch: pd.DataFrame | None = None) -> pd.DataFrame:
        from .portfolio import portfolio
        return portfolio(self, evaluation, watch)


def load_monitoring(contest) -> Monitoring:
    """Load and cross-check a contest's ``monitoring/`` folder (``contest``: a
    Contest or its folder). MonitorError when there is none."""
    contest = contest if isinstance(contest, Contest) else load_contest(contest)
    folder = Path(contest.dir) / FOLDER
    if not (folder / "monitoring.yaml").is_file():
        raise MonitorError("the contest has no monitoring part", where=str(folder),
                           expected="monitoring/monitoring.yaml", found="nothing",
                           zh="该大赛没有项目监管数据（缺少 monitoring/monitoring.yaml）")
    doc = read_yaml(folder / "monitoring.yaml", MonitorError)
    meta = doc.data if isinstance(doc.data, dict) else {}

    def need(*path):
        x = meta
        for p in path:
            x = x.get(p) if isinstance(x, dict) else None
        if x is None:
            raise MonitorError(f"'{'.'.join(path)}' is missing", where=doc.where(path[:1]), key=".".join(path),
                               expected="a value", found="nothing", zh=f"monitoring.yaml 缺少 '{'.'.join(path)}'")
        return x

    start, end = str(need("months", "start")), str(need("months", "end"))
    for key, m in (("months.start", start), ("months.end", end)):
        month_index(m, where=doc.where(("months",)), key=key, error_cls=MonitorError)
    if month_index(end) < month_index(start):
        raise MonitorError(f"the year ends ({end}) before it starts ({start})", where=doc.where(("months",)),
                           key="months.end", expected=f">= {start}", found=end,
                           zh=f"监管年度的结束月份（{end}）早于起始月份（{start}）")
    rule = meta.get("exit_rule") or {}
    threshold = number(rule.get("threshold", 6.0), where=doc.where(("exit_rule",)), key="exit_rule.threshold",
                       error_cls=MonitorError)
    run = rule.get("run", 3)
    if isinstance(run, bool) or not isinstance(run, int) or run < 1:
        raise MonitorError("the exit rule's run must be a whole number of months >= 1", where=doc.where(("exit_rule",)),
                           key="exit_rule.run", expected="an integer >= 1", found=run,
                           zh=f"退出规则的连续月数 exit_rule.run 须为不小于 1 的整数，实际为 {run!r}")
    rubrics = {k: load_rubric(_resolve_rubric(str(need(k)), folder))
               for k in ("monthly_rubric", "evaluation_rubric", "star_rubric")}
    check_scheme(rubrics["monthly_rubric"])
    evaluators = pd.DataFrame([{"id": str(e.get("id")), "name": str(e.get("name", e.get("id")))}
                               for e in (meta.get("evaluators") or []) if isinstance(e, dict) and e.get("id")],
                              columns=["id", "name"])
    contracts = _contracts(folder / "contracts.csv", contest, start, end)
    tranches = read_tranches(contracts, read_csv_text(folder / "tranches.csv", MonitorError,
                                                      required=("project", "tranche", "percent", "after")),
                             rubrics["evaluation_rubric"])
    projects = set(contracts["project"])
    plan_file = folder / "indicators.csv"
    indicators = read_plan(read_csv_text(plan_file, MonitorError, required=("project", "indicator", "target")),
                           projects=projects)
    schedule = _schedule(folder / "schedule.csv", contracts)
    m = Monitoring(dir=folder, contest=contest, year=int(meta.get("year", month_index(start) // 12)), start=start,
                   end=end, threshold=threshold, run=run, monthly_rubric=rubrics["monthly_rubric"],
                   evaluation_rubric=rubrics["evaluation_rubric"], star_rubric=rubrics["star_rubric"],
                   evaluators=evaluators, contracts=contracts, tranches=tranches, indicators=indicators,
                   schedule=schedule)
    orgs = set(contracts["organisation"])
    if (folder / "monthly.csv").exists():
        m.monthly = check_items(read_csv_text(folder / "monthly.csv", MonitorError,
                                              required=("organisation", "period", "item", "score")),
                                m.monthly_rubric, organisations=orgs, first=start, last=end)
    if (folder / "evaluations.csv").exists():
        m.evaluations = _sheets(folder / "evaluations.csv", ("evaluator", "project", "evaluation", "criterion", "score"),
                                m, "project", projects, m.evaluation_rubric)
    if (folder / "actuals.csv").exists():
        m.actuals = read_csv_text(folder / "actuals.csv", MonitorError,
                                  required=("project", "evaluation", "indicator", "actual"))
        indicator_rows(m.indicators, m.actuals)  # validates: missed targets need explanations
    if (folder / "stars.csv").exists():
        m.stars = _sheets(folder / "stars.csv", ("evaluator", "organisation", "criterion", "score"), m,
                          "organisation", orgs, m.star_rubric)
    return m


def _contracts(path: Path, contest: Contest, start: str, end: str) -> pd.DataFrame:
    df = read_csv_text(path, MonitorError, required=("project", "amount"))
    projects = contest.projects.set_index("id")
    rows, seen = [], set()
    for i, r in enumerate(df.to_dict("records")):
        where = row_where(df, i, "contracts")
        pid = text(r.get("project"))
        if pid not in projects.index:
            raise MonitorError(f"unknown project '{pid}'", where=where, key="project",
                               expected="a project of the contest (projects.csv)", found=pid,
                               zh=f"未知项目 '{pid}'（不在大赛的项目名单中）")
        if pid in seen:
            raise MonitorError(f"a second contract for {pid}", where=where, key="project",
                               expected="one contract per project", found=pid, zh=f"项目 {pid} 有第二份协议")
        seen.add(pid)
        amount = number(r.get("amount"), where=where, key="amount", error_cls=MonitorError, positive=True)
        requested = float(projects.loc[pid, "requested"])
        if amount > requested:
            raise MonitorError(f"the contract ({amount:g}) is above the amount requested ({requested:g})", where=where,
                               key="amount", expected=f"<= {requested:g}", found=amount,
                               zh=f"协议金额（{amount:g}）高于申请金额（{requested:g}）")
        s, e = text(r.get("start")) or start, text(r.get("end")) or end
        for key, v in (("start", s), ("end", e)):
            month_index(v, where=where, key=key, error_cls=MonitorError)
        if month_index(e) < month_index(s):
            raise MonitorError(f"the contract ends ({e}) before it starts ({s})", where=where, key="end",
                               expected=f">= {s}", found=e, zh=f"协议结束月份（{e}）早于起始月份（{s}）")
        rows.append(dict(project=pid, organisation=str(projects.loc[pid, "organisation"]), name=projects.loc[pid, "name"],
                         amount=amount, start=s, end=e))
    return pd.DataFrame(rows, columns=["project", "organisation", "name", "amount", "start", "end"])


def _schedule(path: Path, contracts: pd.DataFrame) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=["project", "evaluation", "due"])
    df = read_csv_text(path, MonitorError, required=("project", "evaluation", "due"))
    span = {p: (s, e) for p, s, e in zip(contracts["project"], contracts["start"], contracts["end"])}
    rows, seen = [], set()
    for i, r in enumerate(df.to_dict("records")):
        where = row_where(df, i, "schedule")
        pid, ev, due = text(r.get("project")), text(r.get("evaluation")), text(r.get("due"))
        if pid not in span:
            raise MonitorError(f"no contract for project '{pid}'", where=where, key="project",
                               expected="a project in contracts.csv", found=pid, zh=f"项目 '{pid}' 没有协议")
        if ev not in EVALUATIONS:
            raise MonitorError(f"unknown evaluation '{ev}'", where=where, key="evaluation", expected="mid or final",
                               found=ev, zh=f"未知的评估 '{ev}'，应为 mid（中期）或 final（结项）")
        m = month_index(due, where=where, key="due", error_cls=MonitorError)
        s, e = span[pid]
        if not month_index(s) <= m <= month_index(e):
            raise MonitorError(f"{due} is outside the contract {s}..{e}", where=where, key="due",
                               expected=f"{s}..{e}", found=due, zh=f"评估月份 {due} 不在协议期 {s}..{e} 内")
        if (pid, ev) in seen:
            raise MonitorError(f"{pid} has two {ev} evaluations", where=where, key="evaluation",
                               expected="one per project", found=ev, zh=f"项目 {pid} 有两次{evaluation_label(ev).zh}评估")
        seen.add((pid, ev))
        rows.append(dict(project=pid, evaluation=ev, due=due))
    return pd.DataFrame(rows, columns=["project", "evaluation", "due"])


def _sheets(path: Path, columns, m: Monitoring, target: str, targets: set, rubric: Rubric) -> pd.DataFrame:
    """Evaluation or star sheets: known evaluators and targets, scores on the rubric."""
    df = read_csv_text(path, MonitorError, required=columns)
    evaluators = set(m.evaluators["id"])
    for i, r in enumerate(df.to_dict("records")):
        where = row_where(df, i, path.stem)
        if text(r.get("evaluator")) not in evaluators:
            raise MonitorError(f"unknown evaluator '{r.get('evaluator')}'", where=where, key="evaluator",
                               expected="an evaluator of monitoring.yaml", found=r.get("evaluator"),
                               zh=f"未知的评估员 '{r.get('evaluator')}'（不在 monitoring.yaml 中）")
        if text(r.get(target)) not in targets:
            raise MonitorError(f"unknown {target} '{r.get(target)}'", where=where, key=target,
                               expected=f"a {target} with a contract", found=r.get(target),
                               zh=f"未知的{term(target)} '{r.get(target)}'（没有协议）")
        if "evaluation" in columns and text(r.get("evaluation")) not in EVALUATIONS:
            raise MonitorError(f"unknown evaluation '{r.get('evaluation')}'", where=where, key="evaluation",
                               expected="mid or final", found=r.get("evaluation"),
                               zh=f"未知的评估 '{r.get('evaluation')}'，应为 mid（中期）或 final（结项）")
    keyed = df.rename(columns={"evaluator": "judge", target: "project"})
    if "evaluation" in keyed:
        keyed = keyed.rename(columns={"evaluation": "round"})
    clean = validate_scores(keyed, rubric, file=str(path), rows=df.attrs["lines"])
    out = clean.rename(columns={"judge": "evaluator", "project": target, "round": "evaluation"})[list(columns)]
    out.attrs = {"file": str(path), "lines": df.attrs["lines"]}
    return out


def screen_applicants(contest, previous, *, strict: bool = True, bonus: dict | None = None) -> pd.DataFrame:
    """Next year's contest beside last year's monitoring results: ``contest`` (a
    Contest or folder) and ``previous`` (last year's contest, with its
    ``monitoring/`` part). Returns the contest's projects with eligible, rule_zh,
    rule_en, prior_grade, stars and adjustment; ``strict=True`` refuses an
    applicant whose organisation is barred (ContestError naming projects.csv's row
    and the rule)."""
    contest = contest if isinstance(contest, Contest) else load_contest(contest)
    eligibility = load_monitoring(previous).next_year(bonus=bonus)
    return check_applicants(contest.projects, eligibility, strict=strict, name=str(Path(contest.dir) / "projects.csv"))
