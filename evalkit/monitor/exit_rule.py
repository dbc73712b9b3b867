"""The monthly ten-point scheme's exit rule (十分制积分月管理): an organisation
scoring under the threshold for ``run`` consecutive months must leave
(连续三个月得分低于6分的责令退出).

Rules, all tested in tests/test_monitor_exit.py:

* "below" is strict: a month scoring exactly the threshold is not below.
* Rows may come in any order; months are calendar months 'YYYY-MM' and
  "consecutive" means calendar-consecutive (2026-12 then 2027-01).
* Several rows for one organisation and month are item scores (工作计划, 月度总结,
  坐班 …): the month's score is their sum, added in decimal so 2.2 + 1.1 + 2.7 is
  exactly 6.0. A missing or blank score in any of a month's rows makes the whole
  month missing: an incomplete month is never guessed from the items entered.
* The expected months run from the organisation's first scored month (or
  ``start``) to the latest month in the table (or ``end``). A month without a
  score is listed in ``missing``; no run spans it, so no exit is declared across
  a gap, and the gap does not count as a month above the threshold either:
  ``pending`` says when the missing months decide whether the rule applies.
* After an exit, later months are no longer expected (the organisation has left).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import DataError
from ..numbers import read_number
from ..scores import require_columns
from .messages import say
from .monthly import month_sum
from .periods import month_index, month_text

COLUMNS = ("run_below", "exit", "exit_period", "warning", "last_score", "last_period", "missing", "n_missing",
           "pending", "months", "status", "status_zh", "status_en")


def _value(x, where: str, key: str) -> float:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return math.nan
    reading = read_number(x)
    if reading.problem == "empty":
        return math.nan
    if not reading.ok:
        raise DataError(f"score '{x}' is not a number", where=where, key=key, expected="a number", found=x,
                        zh=f"分数 '{x}' 不是数字")
    return reading.value


def _walk(months: dict[int, float], first: int, last: int, threshold: float, run: int):
    """One pass over the expected months: (run at the last scored month, exit month
    index or None, missing month indices, last scored month index or None)."""
    current, run_at_last, exit_at, last_scored, missing = 0, 0, None, None, []
    for m in range(first, last + 1):
        s = months.get(m, math.nan)
        if exit_at is not None and math.isnan(s):
            continue  # after the exit nothing more is expected
        if math.isnan(s):
            missing.append(m)
            current = 0  # a gap ends a run without counting as a month above
            continue
        current = current + 1 if s < threshold else 0
        if current >= run and exit_at is None:
            exit_at = m
        run_at_last, last_scored = current, m
    return run_at_last, exit_at, missing, last_scored


def exit_watch(monthly: pd.DataFrame, threshold: float = 6.0, run: int = 3, organisation: str = "organisation",
               period: str = "period", score: str = "score", *, start: str | None = None,
               end: str | None = None, organisations=None) -> pd.DataFrame:
    """Who is close to, or past, the exit rule.

    ``monthly``: a long frame, one row per organisation and month (or per item of
    a month, summed), the month as 'YYYY-MM'. Returns a frame indexed by
    organisation, sorted, with

    * ``run_below``: the current run, i.e. the consecutive months strictly below
      ``threshold`` ending at the organisation's last scored month;
    * ``exit``: the run reached ``run`` at some month; ``exit_period``: that month
      (the first time), else None;
    * ``warning``: the current run is ``run - 1`` (one more month under the
      threshold and the organisation must exit);
    * ``last_score``, ``last_period``: the latest month with a score;
    * ``missing``: the missing months (list of 'YYYY-MM'), ``n_missing``;
    * ``pending``: True when the missing months decide the rule: had they been
      below the threshold, an exit would have been reached that the scored months
      alone do not reach (or reach only later);
    * ``months``: months with a score; ``status`` ('exit', 'warning', 'pending',
      'ok', in that order of precedence) with ``status_zh``/``status_en``.

    ``start``/``end`` fix the months expected ('YYYY-MM'); ``organisations``
    lists organisations to report even without a row (every month missing; needs
    ``start``).

    >>> df = pd.DataFrame({"organisation": ["A"] * 3, "period": ["2026-01", "2026-02", "2026-03"],
    ...                    "score": [5.5, 5.0, 5.9]})
    >>> a = exit_watch(df).loc["A"]
    >>> int(a.run_below), bool(a.exit), a.exit_period
    (3, True, '2026-03')
    """
    require_columns(monthly, (organisation, period, score), where="monthly scores")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) \
            or not math.isfinite(threshold):
        raise DataError("the threshold must be a number", key="threshold", expected="a finite number", found=threshold,
                        zh=f"分数线 threshold 须为数字，实际为 {threshold!r}")
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or run < 1:
        raise DataError("run must be a whole number of months >= 1", key="run", expected="an integer >= 1", found=run,
                        zh=f"连续月数 run 须为不小于 1 的整数，实际为 {run!r}")
    threshold, run = float(threshold), int(run)
    rows = []
    for label, org, per, val in zip(monthly.index, monthly[organisation], monthly[period], monthly[score]):
        where = f"monthly scores row {label}"
        if org is None or (isinstance(org, float) and math.isnan(org)) or str(org).strip() == "":
            raise DataError("the organisation is empty", where=where, key=organisation, expected="an organisation",
                            found="nothing", zh="机构名称为空")
        rows.append((str(org).strip(), month_index(per, where=where, key=period), _value(val, where, score)))
    first_all = month_index(start, key="start") if start is not None else None
    last_all = month_index(end, key="end") if end is not None else (max(r[1] for r in rows) if rows else None)
    by_org: dict[str, dict[int, list[float]]] = {}
    for org, m, v in rows:
        if last_all is not None and m > last_all:
            continue  # months after ``end`` are not part of this decision
        by_org.setdefault(org, {}).setdefault(m, []).append(v)
    for org in organisations or ():
        if first_all is None:
            raise DataError("listing organisations without rows needs the first month expected", key="start",
                            expected="start='YYYY-MM'", found=None,
                            zh="列出没有月度记录的机构时，须给出起始月份 start='YYYY-MM'")
        by_org.setdefault(str(org), {})
    if last_all is None and by_org:
        last_all = first_all
    out = []
    for org in sorted(by_org):
        months = {m: month_sum(vs) for m, vs in by_org[org].items()}
        first = first_all if first_all is not None else min(months)  # an organisation without rows has start
        scored = {m: s for m, s in months.items() if not math.isnan(s) and m >= first}
        months = {m: s for m, s in months.items() if m >= first}
        run_below, exit_at, missing, last_scored = _walk(months, first, last_all, threshold, run)
        # the same walk with every missing month below the threshold: does the gap decide?
        filled = dict(scored)
        filled.update({m: -math.inf for m in missing})
        _, exit_if_below, _, _ = _walk(filled, first, last_all, threshold, run)
        pending = exit_if_below is not None and (exit_at is None or exit_if_below < exit_at)
        warning = run > 1 and run_below == run - 1
        missing_text = [month_text(m) for m in missing]
        if exit_at is not None:
            status, text = "exit", say("status.exit", run=run, threshold=threshold, period=month_text(exit_at))
        elif warning:
            status, text = "warning", say("status.warning", n=run_below, threshold=threshold)
        elif pending:
            status, text = "pending", say("status.pending", months="、".join(missing_text),
                                            months_en=", ".join(missing_text))
        else:
            status, text = "ok", say("status.ok")
        out.append(dict(organisation=org, run_below=run_below, exit=exit_at is not None,
                        exit_period=month_text(exit_at) if exit_at is not None else None, warning=warning,
                        last_score=scored[last_scored] if last_scored is not None else math.nan,
                        last_period=month_text(last_scored) if last_scored is not None else None,
                        missing=missing_text, n_missing=len(missing_text), pending=pending, months=len(scored),
                        status=status, status_zh=text.zh, status_en=text.en))
    result = pd.DataFrame(out, columns=("organisation",) + COLUMNS).set_index("organisation")
    result.index.name = organisation
    return result.astype({"run_below": int, "exit": bool, "warning": bool, "pending": bool, "n_missing": int,
                          "months": int, "last_score": float})
