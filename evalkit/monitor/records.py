"""Monitoring events in the contest's store: monthly item scores, evaluation
sheets, indicator actuals and star sheets are appended like roadshow scores —
append-only, in the same SHA-256 hash chain (so :meth:`Store.verify` covers them),
corrections as new events with a reason and the secretary's rights.

Event mapping (the store's columns)::

    kind        judge      project        criterion   round              score   reason
    monthly     -          organisation   item        period 'YYYY-MM'   points  correction reason
    evaluation  evaluator  project        criterion   'mid' / 'final'    score   correction reason
    indicator   -          project        indicator   'mid' / 'final'    actual  JSON {explanation, correction}
    star        evaluator  organisation   criterion   year               score   correction reason
    <kind>-retract: the same key, withdrawn (with a reason)

The current value of a key (kind, judge, project, criterion, round) is its last
event, as :meth:`Store.scores` reads roadshow scores.
"""
from __future__ import annotations

import json
import math

import pandas as pd

from ..errors import ScoreError
from ..scores import check_score
from ..store import _insert_chained
from ._rows import number
from .errors import IndicatorError, MonitorError
from .indicators import IndicatorRow
from .messages import EVALUATIONS
from .monthly import check_item

KINDS = ("monthly", "evaluation", "indicator", "star")
_COLUMNS = {"monthly": ["organisation", "period", "item", "score"],
            "evaluation": ["evaluator", "project", "evaluation", "criterion", "score"],
            "indicator": ["project", "evaluation", "indicator", "actual", "explanation"],
            "star": ["evaluator", "organisation", "criterion", "score"]}


def _index_key(key) -> tuple:
    return ("" if key[0] is None else key[0],) + tuple(key[1:])


class MonitorLog:
    """The monitoring record of a contest: ``MonitorLog(store, monitoring)``.

    Every write is validated against the monitoring plan first (a refused one
    writes nothing); a write that changes a recorded value is a correction and
    needs a ``reason`` and the secretary's rights (the store's PIN, when set).
    """

    def __init__(self, store, monitoring):
        self.store = store
        self.monitoring = monitoring

    # --- writing --------------------------------------------------------------------
    def _where(self, *key) -> str:
        return f"{self.store.path} (" + ", ".join(str(k) for k in key) + ")"

    def _guard(self, kind, key, value, explanation=None, reason=None):
        """Inside the write transaction: a changed value is a correction."""
        judge, project, criterion, round_ = key

        def guard(c):
            prev = c.execute("SELECT kind, score, reason FROM events WHERE kind IN (?, ?) AND judge IS ? AND project=?"
                             " AND criterion=? AND round=? ORDER BY seq DESC LIMIT 1",
                             (kind, kind + "-retract", judge, project, criterion, round_)).fetchone()
            if prev is None or prev[0] != kind:
                return
            changed = prev[1] != value
            if kind == "indicator":
                changed = changed or json.loads(prev[2] or "{}").get("explanation", "") != (explanation or "")
            if changed:
                self.store._require_secretary("correcting a recorded monitoring value")
                if not reason:
                    raise ScoreError("a correction needs a reason", where=self._where(*key), key="reason",
                                     expected="a reason for changing a recorded value",
                                     found=f"{prev[1]:g} -> {value:g} without a reason",
                                     zh=f"更正已记录的数值（{prev[1]:g} → {value:g}）需要填写理由")
        return guard

    def _append(self, kind, key, value, *, entered_by, reason, explanation=None) -> dict:
        self.store._require_secretary("recording monitoring values")
        judge, project, criterion, round_ = key
        stored_reason = (json.dumps({"explanation": explanation or "", "correction": reason or ""}, ensure_ascii=False)
                         if kind == "indicator" else reason)
        return self.store._append(kind, judge=judge, project=project, criterion=criterion, round=round_, score=value,
                                  entered_by=entered_by, reason=stored_reason,
                                  guard=self._guard(kind, key, value, explanation, reason))

    def record_monthly(self, organisation, period, item, score, *, entered_by="secretary", reason=None) -> dict:
        """One item of an organisation's monthly ten-point score."""
        m = self.monitoring
        org, per, item, value = check_item(organisation, period, item, score, m.monthly_rubric,
                                           where=self._where(organisation, period, item),
                                           organisations=set(m.organisations), first=m.start, last=m.end)
        return self._append("monthly", (None, org, item, per), value, entered_by=entered_by, reason=reason)

    def record_month(self, organisation, period, items: dict, *, entered_by="secretary", reason=None) -> list[dict]:
        """Several items of one organisation's month ({item: score}), all or nothing:
        every item is checked first and the events are written in one transaction."""
        m = self.monitoring
        rows = [check_item(organisation, period, item, score, m.monthly_rubric,
                           where=self._where(organisation, period, item), organisations=set(m.organisations),
                           first=m.start, last=m.end) for item, score in items.items()]
        return self._append_many([("monthly", (None, org, item, per), value, None) for org, per, item, value in rows],
                                 entered_by=entered_by, reason=reason)

    def record_sheet(self, evaluator, project, evaluation, scores: dict, *, entered_by="secretary",
                     reason=None) -> list[dict]:
        """One evaluator's sheet ({criterion: score}) for a project's evaluation, all or nothing."""
        evaluator, project, evaluation = map(str, (evaluator, project, evaluation))
        where = self._where(evaluator, project, evaluation)
        self._check_evaluator(evaluator, where)
        self._check_project(project, where)
        self._check_evaluation(evaluation, where)
        rubric = self.monitoring.evaluation_rubric
        entries = [("evaluation", (evaluator, project, str(c), evaluation),
                    check_score(rubric, str(c), v, where=self._where(evaluator, project, evaluation, c)), None)
                   for c, v in scores.items()]
        return self._append_many(entries, entered_by=entered_by, reason=reason)

    def _append_many(self, entries, *, entered_by, reason) -> list[dict]:
        """Append checked entries (kind, key, value, explanation) in one transaction;
        each one's correction guard runs inside it, so a refusal writes nothing."""
        self.store._require_secretary("recording monitoring values")
        if not entries:
            return []
        guards = [self._guard(kind, key, value, explanation, reason) for kind, key, value, explanation in entries]
        events = [dict(kind=kind, judge=key[0], project=key[1], criterion=key[2], round=key[3], score=value,
                       entered_by=entered_by, reason=reason) for kind, key, value, _ in entries]

        def tx(c):
            for guard in guards:
                guard(c)
            return _insert_chained(c, events)
        return self.store._write(tx)

    def record_evaluation(self, evaluator, project, evaluation, criterion, score, *, entered_by="secretary",
                          reason=None) -> dict:
        """One evaluator's score of a project on one criterion at the mid-term or final evaluation."""
        evaluator, project, evaluation, criterion = map(str, (evaluator, project, evaluation, criterion))
        where = self._where(evaluator, project, evaluation, criterion)
        self._check_evaluator(evaluator, where)
        self._check_project(project, where)
        self._check_evaluation(evaluation, where)
        value = check_score(self.monitoring.evaluation_rubric, criterion, score, where=where)
        return self._append("evaluation", (evaluator, project, criterion, evaluation), value, entered_by=entered_by,
                            reason=reason)

    def record_indicator(self, project, evaluation, indicator, actual, explanation=None, *, entered_by="secretary",
                         reason=None) -> dict:
        """A project's actual value of an indicator at an evaluation; a missed target
        needs an ``explanation`` (IndicatorError otherwise)."""
        project, evaluation, indicator = map(str, (project, evaluation, indicator))
        where = self._where(project, evaluation, indicator)
        self._check_project(project, where)
        self._check_evaluation(evaluation, where)
        plan = self.monitoring.indicators
        row = plan[(plan["project"] == project) & (plan["indicator"] == indicator)]
        if row.empty:
            raise IndicatorError(f"indicator '{indicator}' is not in the plan of {project}", where=where,
                                 key="indicator", expected="an indicator of the project's plan", found=indicator,
                                 zh=f"指标 '{indicator}' 不在项目 {project} 的指标计划中")
        target = row["target" if evaluation == "final" else "mid_target"].iloc[0]
        if target is None or math.isnan(target):
            raise IndicatorError(f"indicator '{indicator}' has no mid-term target", where=where, key="evaluation",
                                 expected="final (the indicator is assessed at the final only)", found=evaluation,
                                 zh=f"指标 '{indicator}' 没有中期目标值，只在结项评估时考核")
        value = number(actual, where=where, key="actual", error_cls=IndicatorError)
        IndicatorRow(project, evaluation, indicator, float(target), value, explanation or "", where=where)
        return self._append("indicator", (None, project, indicator, evaluation), value, entered_by=entered_by,
                            reason=reason, explanation=explanation)

    def record_star(self, evaluator, organisation, criterion, score, *, entered_by="secretary", reason=None) -> dict:
        """One assessor's year-end star score of an organisation on one criterion."""
        evaluator, organisation, criterion = map(str, (evaluator, organisation, criterion))
        where = self._where(evaluator, organisation, criterion)
        self._check_evaluator(evaluator, where)
        if organisation not in self.monitoring.organisations:
            raise MonitorError(f"unknown organisation '{organisation}'", where=where, key="organisation",
                               expected="an organisation with a contract", found=organisation,
                               zh=f"未知机构 '{organisation}'（没有协议）")
        value = check_score(self.monitoring.star_rubric, criterion, score, where=where)
        return self._append("star", (evaluator, organisation, criterion, str(self.monitoring.year)), value,
                            entered_by=entered_by, reason=reason)

    def retract(self, kind, *, project, criterion, round, judge=None, reason=None, entered_by="secretary") -> dict:
        """Withdraw a recorded value (a new event; the old one stays in the history).
        Needs a reason and the secretary's rights."""
        if kind not in KINDS:
            raise MonitorError(f"unknown kind '{kind}'", key="kind", expected="one of " + ", ".join(KINDS), found=kind,
                               zh=f"未知的记录类别 '{kind}'（可选 {' / '.join(KINDS)}）")
        if not reason:
            raise ScoreError("a retraction needs a reason", where=self._where(project, criterion, round), key="reason",
                             expected="a reason", found="nothing", zh="撤回数值需要填写理由")
        self.store._require_secretary("retracting a monitoring value")
        key = (None if judge is None else str(judge), str(project), str(criterion), str(round))
        if _index_key(key) not in set(self._current(kind).index):
            raise ScoreError("no such value to retract", where=self._where(*key), key="project/criterion/round",
                             expected="a recorded value", found=key, zh="没有可撤回的记录值")
        return self.store._append(kind + "-retract", judge=key[0], project=key[1], criterion=key[2], round=key[3],
                                  entered_by=entered_by, reason=reason)

    # --- reading --------------------------------------------------------------------
    def _current(self, kind) -> pd.DataFrame:
        rows = self.store._read(
            "SELECT e.judge, e.project, e.criterion, e.round, e.score, e.reason FROM events e JOIN "
            "(SELECT MAX(seq) AS seq FROM events WHERE kind IN (?, ?) GROUP BY judge, project, criterion, round) m "
            "ON e.seq = m.seq WHERE e.kind = ? ORDER BY e.seq", (kind, kind + "-retract", kind))
        df = pd.DataFrame(rows, columns=["judge", "project", "criterion", "round", "score", "reason"])
        df["score"] = df["score"].astype(float)
        # events without a judge (monthly items, indicators) are keyed by "" here
        df.index = pd.MultiIndex.from_arrays([df["judge"].fillna("").to_numpy(), df["project"].to_numpy(),
                                              df["criterion"].to_numpy(), df["round"].to_numpy()])
        return df

    def monthly(self) -> pd.DataFrame:
        """organisation, period, item, score: the current monthly item scores."""
        d = self._current("monthly")
        return pd.DataFrame({"organisation": d["project"].to_numpy(), "period": d["round"].to_numpy(),
                             "item": d["criterion"].to_numpy(), "score": d["score"].to_numpy()})

    def evaluations(self) -> pd.DataFrame:
        """evaluator, project, evaluation, criterion, score."""
        d = self._current("evaluation")
        return pd.DataFrame({"evaluator": d["judge"].to_numpy(), "project": d["project"].to_numpy(),
                             "evaluation": d["round"].to_numpy(), "criterion": d["criterion"].to_numpy(),
                             "score": d["score"].to_numpy()})

    def actuals(self) -> pd.DataFrame:
        """project, evaluation, indicator, actual, explanation."""
        d = self._current("indicator")
        return pd.DataFrame({"project": d["project"].to_numpy(), "evaluation": d["round"].to_numpy(),
                             "indicator": d["criterion"].to_numpy(), "actual": d["score"].to_numpy(),
                             "explanation": [json.loads(r or "{}").get("explanation", "") for r in d["reason"]]})

    def stars(self) -> pd.DataFrame:
        """evaluator, organisation, criterion, score (this year's)."""
        d = self._current("star")
        d = d[d["round"] == str(self.monitoring.year)]
        return pd.DataFrame({"evaluator": d["judge"].to_numpy(), "organisation": d["project"].to_numpy(),
                             "criterion": d["criterion"].to_numpy(), "score": d["score"].to_numpy()})

    def current(self):
        """The Monitoring with the store's record in place of the folder's CSV files."""
        return self.monitoring.with_records(monthly=self.monthly(), evaluations=self.evaluations(),
                                            actuals=self.actuals(), stars=self.stars())

    def history(self) -> pd.DataFrame:
        """Every monitoring event (the audit trail), oldest first."""
        h = self.store.history()
        return h[h["kind"].isin(KINDS + tuple(k + "-retract" for k in KINDS))].reset_index(drop=True)

    # --- import -----------------------------------------------------------------------
    def import_folder(self, *, entered_by="import", reason=None) -> pd.DataFrame:
        """Append the folder's entered data (monthly.csv, evaluations.csv,
        actuals.csv, stars.csv, already validated by load_monitoring) as events in
        one transaction: all or nothing. Values already recorded are skipped; a
        changed one needs ``reason``. Returns kind, action ('add', 'change', 'same')
        counts."""
        self.store._require_secretary("importing monitoring data")
        m, year = self.monitoring, str(self.monitoring.year)
        wanted = []  # (kind, key, value, explanation)
        wanted += [("monthly", (None, r.organisation, r.item, r.period), float(r.score), None)
                   for r in m.monthly.itertuples(index=False)]
        wanted += [("evaluation", (r.evaluator, r.project, r.criterion, r.evaluation), float(r.score), None)
                   for r in m.evaluations.itertuples(index=False)]
        wanted += [("indicator", (None, r.project, r.indicator, r.evaluation), float(r.actual),
                    "" if r.explanation is None or r.explanation != r.explanation else str(r.explanation))
                   for r in m.actuals.itertuples(index=False)]
        wanted += [("star", (r.evaluator, r.organisation, r.criterion, year), float(r.score), None)
                   for r in m.stars.itertuples(index=False)]
        current = {k: self._current(k) for k in KINDS}
        events, plan = [], []
        for kind, key, value, explanation in wanted:
            cur = current[kind]
            action = "add"
            if _index_key(key) in cur.index:
                old = cur.loc[_index_key(key)]
                same = old["score"] == value and (kind != "indicator" or
                                                  json.loads(old["reason"] or "{}").get("explanation", "") == explanation)
                action = "same" if same else "change"
            plan.append((kind, action))
            if action != "same":
                events.append(dict(kind=kind, judge=key[0], project=key[1], criterion=key[2], round=key[3], score=value,
                                   entered_by=entered_by,
                                   reason=json.dumps({"explanation": explanation, "correction": reason or ""},
                                                     ensure_ascii=False) if kind == "indicator" else reason))
        report = pd.DataFrame(plan, columns=["kind", "action"]).value_counts().rename("n").reset_index()
        if any(a == "change" for _, a in plan) and not reason:
            raise ScoreError("the import changes recorded values and needs a reason", where=str(self.store.path),
                             key="reason", expected="a reason",
                             found=f"{sum(a == 'change' for _, a in plan)} changes",
                             zh=f"导入会修改 {sum(a == 'change' for _, a in plan)} 个已记录的数值，需要填写理由")
        if events:
            self.store._write(lambda c: _insert_chained(c, events))
        return report

    # --- checks -------------------------------------------------------------------------
    def _check_evaluator(self, evaluator, where):
        if evaluator not in set(self.monitoring.evaluators["id"]):
            raise MonitorError(f"unknown evaluator '{evaluator}'", where=where, key="evaluator",
                               expected="an evaluator of monitoring.yaml", found=evaluator,
                               zh=f"未知的评估员 '{evaluator}'（不在 monitoring.yaml 中）")

    def _check_project(self, project, where):
        if project not in set(self.monitoring.contracts["project"]):
            raise MonitorError(f"unknown project '{project}'", where=where, key="project",
                               expected="a project with a contract", found=project, zh=f"未知项目 '{project}'（没有协议）")

    @staticmethod
    def _check_evaluation(evaluation, where):
        if evaluation not in EVALUATIONS:
            raise MonitorError(f"unknown evaluation '{evaluation}'", where=where, key="evaluation",
                               expected="mid or final", found=evaluation,
                               zh=f"未知的评估 '{evaluation}'，应为 mid（中期）或 final（结项）")
