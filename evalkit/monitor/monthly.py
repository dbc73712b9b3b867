"""The monthly ten-point scheme (十分制积分月管理) as a rubric: one criterion per
item (work plan, monthly summary, office hours, cleanliness …) scored in points
on a 0..max scale, weights ten times the maxima so the weights sum to 100 and
the month's score is the plain sum of the item points (the rubric total / 10).

``check_items`` validates item rows against the scheme with located errors;
``month_totals`` gives one score per organisation and month, missing (NaN)
while any item of the scheme is unscored, so :func:`exit_watch` reports the
month as missing instead of judging a partial sum.
"""
from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd

from ..errors import ScoreError
from ..rubric import Rubric
from ..scores import check_score, require_columns
from ._rows import row_where, text
from .errors import MonitorError
from .periods import month_index

ITEM_COLUMNS = ("organisation", "period", "item", "score")


def month_sum(values) -> float:
    """A month's score: the decimal sum of its item scores (so 1.4 + 2.8 + 1.8 is
    exactly 6.0), NaN when any is missing."""
    values = [float(v) for v in values]
    if any(math.isnan(v) for v in values):
        return math.nan
    return float(sum((Decimal(repr(v)) for v in values), Decimal(0)))


def check_scheme(scheme: Rubric) -> None:
    """The scheme's weights must be ten times its item maxima (scale from 0)."""
    for c in scheme.criteria:
        if c.min != 0 or not math.isclose(c.weight, 10 * c.max):
            raise MonitorError(f"item '{c.id}' of the monthly scheme: weight {c.weight:g} is not 10 x its maximum "
                               f"{c.max:g}", where=scheme.path, key=f"criteria.{c.id}",
                               expected="scale 0..max points and weight = 10 x max (the items' points sum to 10)",
                               found=f"scale {c.min:g}..{c.max:g}, weight {c.weight:g}",
                               zh=f"月度评分方案的评分项 '{c.id}'：权重 {c.weight:g} 不等于其最高分 {c.max:g} 的 10 倍"
                                  f"（分值范围应从 0 起）")


def check_item(organisation, period, item, score, scheme: Rubric, *, where: str, organisations=None,
               first: str | None = None, last: str | None = None) -> tuple[str, str, str, float]:
    """One monthly item score checked: (organisation, period, item, score) or
    MonitorError naming ``where``: unknown organisation or item, a month not
    written 'YYYY-MM' or outside ``first``..``last``, a score outside the item's scale."""
    org, per, item = text(organisation), text(period), text(item)
    if not org or (organisations is not None and org not in organisations):
        raise MonitorError(f"unknown organisation '{org}'", where=where, key="organisation",
                           expected="an organisation with a contract", found=org or "nothing",
                           zh=f"未知机构 '{org}'（没有协议）" if org else "机构名称为空")
    m = month_index(per, where=where, key="period", error_cls=MonitorError)
    if (first and m < month_index(first)) or (last and m > month_index(last)):
        raise MonitorError(f"month {per} is outside the monitoring year {first}..{last}", where=where,
                           key="period", expected=f"{first}..{last}", found=per,
                           zh=f"月份 {per} 不在监管年度 {first}..{last} 内")
    try:
        value = check_score(scheme, item, score, where=where)
    except ScoreError as exc:
        raise MonitorError(exc.message, where=exc.where, key="item" if exc.key == "criterion" else exc.key,
                           expected=exc.expected, found=exc.found, zh=exc.zh) from None
    return org, per, item, value


def check_items(items: pd.DataFrame, scheme: Rubric, *, organisations=None, first: str | None = None,
                last: str | None = None, name: str = "monthly scores") -> pd.DataFrame:
    """Validate monthly item rows (:func:`check_item`, and no second score for the
    same organisation, month and item); returns organisation, period, item, score."""
    require_columns(items, ITEM_COLUMNS, where=items.attrs.get("file", name))
    rows, seen = [], set()
    for i, r in enumerate(items[list(ITEM_COLUMNS)].itertuples(index=False)):
        where = row_where(items, i, name)
        row = check_item(r.organisation, r.period, r.item, r.score, scheme, where=where, organisations=organisations,
                         first=first, last=last)
        if row[:3] in seen:
            raise MonitorError(f"a second score for {row[0]}, {row[1]}, {row[2]}", where=where, key="item",
                               expected="one score per organisation, month and item", found=row[2],
                               zh=f"{row[0]} {row[1]} 的评分项 '{row[2]}' 有第二个月度评分")
        seen.add(row[:3])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def month_totals(items: pd.DataFrame, scheme: Rubric) -> pd.DataFrame:
    """One row per organisation and month: score (the items' sum, NaN until every
    item of the scheme is scored), n_items, complete."""
    need = len(scheme.criteria)
    rows = []
    for (org, per), g in items.groupby(["organisation", "period"], sort=True):
        complete = g["item"].nunique() == need and g["score"].notna().all()
        rows.append((org, per, month_sum(g["score"]) if complete else math.nan, int(g["score"].notna().sum()),
                     complete))
    return pd.DataFrame(rows, columns=["organisation", "period", "score", "n_items", "complete"])
