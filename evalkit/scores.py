"""The long score table: validation against rubric and contest, weighted totals,
completeness.

A score table has one row per (judge, project, criterion[, round]) with columns
``judge``, ``project``, ``criterion``, ``score`` and optionally ``round`` and
``panel``. A missing score is a missing row. The ``criterion`` column may also
hold the ids of the rubric's veto items (score 1 = veto) and bonus items (points).
"""
from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import pandas as pd

from .errors import DataError, ScoreError, raise_all
from .rubric import Rubric
from .text import term

SCORE_COLUMNS = ("judge", "project", "criterion", "score")


class Entrants(Protocol):
    """What checking a score needs from a contest (evalkit.contest.Contest has it):
    its judges, its projects, its rubric, and who must not score whom (回避). Typed
    here so the score table does not depend on the contest module."""

    rubric: Rubric

    @property
    def judge_ids(self) -> list[str]: ...

    @property
    def project_ids(self) -> list[str]: ...

    def is_conflicted(self, judge: str, project: str) -> bool: ...


def has_decimals_at_most(x: float, decimals: int) -> bool:
    """True when ``x`` has no more than ``decimals`` decimal places (float-safe)."""
    scaled = x * 10 ** decimals
    return abs(scaled - round(scaled)) < 1e-6 * max(1.0, abs(scaled))


def check_entry(contest: Entrants, judge: str, project: str, criterion: str, score=None,
                where: str | None = None) -> float | None:
    """Validate one score entry against the contest: the one check behind every way a
    score comes in (``Store.record`` and judges' pages, ``validate_scores`` for CSV
    files and imports, the Excel reader). Raises ScoreError, always with the same
    message for the same problem: unknown judge, unknown project, a judge scoring a
    project they must not (回避, by project id or organisation), then the rubric's
    checks (:func:`check_score`). ``score=None`` checks the key only (judge, project,
    criterion) and returns None; otherwise the score as float."""
    if judge not in contest.judge_ids:
        raise ScoreError(f"unknown judge '{judge}'", where=where, key="judge",
                         expected="a judge of the contest (judges.csv)", found=judge, zh=f"未知评委「{judge}」")
    if project not in contest.project_ids:
        raise ScoreError(f"unknown project '{project}'", where=where, key="project",
                         expected="a project of the contest (projects.csv)", found=project, zh=f"未知项目「{project}」")
    if contest.is_conflicted(judge, project):
        raise ScoreError(f"judge '{judge}' has a conflict of interest with project '{project}'",
                         where=where, key="judge", expected="no score from a conflicted judge", found=judge,
                         zh=f"评委「{judge}」与项目「{project}」存在利益关系，须回避")
    if score is None:
        _item_kind(contest.rubric, criterion, where)
        return None
    return check_score(contest.rubric, criterion, score, where=where)


def _item_kind(rubric: Rubric, criterion: str, where: str | None) -> str:
    """'criterion', 'veto' or 'bonus'; ScoreError for an id the rubric does not have."""
    kind = rubric.item_kind(criterion)
    if kind is None:
        raise ScoreError(f"unknown criterion '{criterion}'", where=where, key="criterion",
                         expected="one of " + ", ".join(rubric.criterion_ids + [v.id for v in rubric.veto_items]
                                                        + [b.id for b in rubric.bonus_items]),
                         found=criterion, zh=f"未知评分项「{criterion}」")
    return kind


def check_score(rubric: Rubric, criterion: str, score, *, where: str | None = None) -> float:
    """Validate one score against the rubric (known item, a finite number, inside the
    scale with the allowed decimals; veto 0/1, bonus within its maximum); returns it
    as float or raises ScoreError. :func:`check_entry` adds the contest's checks."""
    kind = _item_kind(rubric, criterion, where)
    try:
        if isinstance(score, bool):
            raise ValueError
        value = float(score)
    except (TypeError, ValueError):
        raise ScoreError(f"score '{score}' is not a number", where=where, key="score",
                         expected="a number", found=score, zh=f"「{score}」不是数字") from None
    if not math.isfinite(value):
        raise ScoreError("score is not a finite number", where=where, key="score", expected="a number", found=score,
                         zh="分数不是有限的数字")
    if kind == "veto":
        if value not in (0.0, 1.0):
            raise ScoreError(f"veto item '{criterion}' takes 0 (no) or 1 (veto)", where=where, key="score",
                             expected="0 or 1", found=score, zh=f"否决项「{criterion}」只能填 0（否）或 1（否决）")
        return value
    if kind == "bonus":
        item = rubric.bonus_item(criterion)
        if not 0 <= value <= item.max:
            raise ScoreError(f"bonus {value:g} is outside 0..{item.max:g} of {item.label.get('en')}", where=where,
                             key="score", expected=f"0..{item.max:g}", found=value,
                             zh=f"加分 {value:g} 超出「{item.label.zh}」的范围 0–{item.max:g}")
        return value
    c = rubric.criterion(criterion)
    if value > c.max:
        raise ScoreError(f"{value:g} is above the maximum {c.max:g} of {c.label.get('en')}", where=where, key="score",
                         expected=f"{c.min:g}..{c.max:g}", found=value,
                         zh=f"{value:g} 高于「{c.label.zh}」的最高分 {c.max:g}（范围 {c.min:g}–{c.max:g}）")
    if value < c.min:
        raise ScoreError(f"{value:g} is below the minimum {c.min:g} of {c.label.get('en')}", where=where, key="score",
                         expected=f"{c.min:g}..{c.max:g}", found=value,
                         zh=f"{value:g} 低于「{c.label.zh}」的最低分 {c.min:g}（范围 {c.min:g}–{c.max:g}）")
    if not has_decimals_at_most(value, c.decimals):
        raise ScoreError(f"{value:g} has more than {c.decimals} decimal(s) allowed for {c.label.get('en')}", where=where,
                         key="score", expected=f"at most {c.decimals} decimal(s)", found=value,
                         zh=f"{value:g} 的小数位多于「{c.label.zh}」允许的 {c.decimals} 位")
    return value


def require_columns(df: pd.DataFrame, columns, *, where: str = "score table") -> None:
    if not isinstance(df, pd.DataFrame):
        raise DataError("expected a pandas DataFrame", where=where, expected="DataFrame", found=type(df).__name__,
                        zh="应为 pandas DataFrame 表格")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(map(str, missing))}", where=where,
                        expected="columns " + ", ".join(map(str, columns)), found=list(map(str, df.columns)),
                        zh=f"缺少列 {', '.join(map(str, missing))}")


def validate_scores(scores: pd.DataFrame, rubric: Rubric, contest: Entrants | None = None, *,
                    file: str = "scores", row_offset: int = 2, rows=None) -> pd.DataFrame:
    """Check a long score table against the rubric (and the contest when given).

    Every problem names the file and row: ``rows`` gives each row's line in the
    file, else ``row_offset`` maps the frame's position to it (2 for a CSV with a
    header). All problems are collected and
    raised together as one ScoreError whose ``.errors`` lists each. Returns a clean
    copy with ``score`` as float and ids as str.
    """
    df, errors = check_scores(scores, rubric, contest, file=file, row_offset=row_offset, rows=rows)
    raise_all(errors)
    return df


def check_scores(scores: pd.DataFrame, rubric: Rubric, contest: Entrants | None = None, *,
                 file: str = "scores", row_offset: int = 2, rows=None) -> tuple[pd.DataFrame, list[ScoreError]]:
    """:func:`validate_scores` without raising: (the rows without a problem, clean;
    every problem, each naming its row). A repeated score keeps its first row."""
    require_columns(scores, SCORE_COLUMNS, where=file)
    df = scores.copy()
    for col in ("judge", "project", "criterion") + (("round",) if "round" in df else ()):
        df[col] = df[col].map(lambda x: None if x is None or (isinstance(x, float) and math.isnan(x)) else str(x).strip())
    errors: list[ScoreError] = []
    line = list(rows) if rows is not None else [i + row_offset for i in range(len(df))]
    values = np.full(len(df), np.nan)
    bad = np.zeros(len(df), dtype=bool)
    for i, (judge, project, criterion, score) in enumerate(zip(df["judge"], df["project"], df["criterion"], df["score"])):
        where = f"{file} row {line[i]}"
        for key, val in (("judge", judge), ("project", project), ("criterion", criterion)):
            if not val:
                errors.append(ScoreError(f"{key} is empty", where=where, key=key, expected=f"a {key} id", found="nothing",
                                         zh=f"{term(key)}为空"))
        if not (judge and project and criterion):
            bad[i] = True
            continue
        try:
            values[i] = (check_score(rubric, criterion, score, where=where) if contest is None
                         else check_entry(contest, judge, project, criterion, score, where))
        except ScoreError as exc:
            errors.append(exc)
            bad[i] = True
    keys = ["judge", "project", "criterion"] + (["round"] if "round" in df else [])
    dup = df.duplicated(keys, keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        bad[i] = True
        errors.append(ScoreError("duplicate score for (" + ", ".join(str(df[k].iloc[i]) for k in keys) + ")",
                                 where=f"{file} row {line[i]}", key=",".join(keys),
                                 expected="one score per judge, project, criterion and round", found="a second one",
                                 zh="重复评分（" + "、".join(str(df[k].iloc[i]) for k in keys) + "）"))
    df["score"] = values
    return df[~bad], errors


def totals(scores: pd.DataFrame, rubric: Rubric, *, judge: str = "judge", project: str = "project",
           criterion: str = "criterion", value: str = "score", complete: bool = True,
           by: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Each judge's weighted total per project: the one implementation of the rubric
    total (the live pages, ``rank``, the reports and ``evalkit.research`` all call it).

    ``total = sum_c weight_c * (score_c - min_c) / (max_c - min_c)``, weights summing
    to 100 (DESIGN.md). Only the rubric's criteria count; veto and bonus rows are
    ignored here. With ``complete=True`` (default) a (judge, project) pair missing
    any criterion gets no total; otherwise the partial sum is returned with a
    ``n_criteria`` column. ``by``: the grouping columns beside judge and project
    (default: ``round`` and ``panel`` where present; research passes its ``contest``
    column), kept in the result.

    Returns a frame with columns judge, project, total (and the ``by`` columns).

    Example
    -------
    >>> ek.totals(contest.scores, contest.rubric).head()  # doctest: +SKIP
    """
    require_columns(scores, (judge, project, criterion, value))
    # per distinct criterion id, not per row: the live leaderboard runs this on every write
    cc, ids = pd.factorize(scores[criterion].astype(str))
    crit = {c.id: c for c in rubric.criteria}
    known = np.array([u in crit for u in ids], bool)
    rows = np.flatnonzero(known[cc])
    params = np.array([(crit[u].min, crit[u].max, crit[u].weight) if u in crit else (np.nan,) * 3 for u in ids],
                      float).reshape(len(ids), 3)[cc[rows]]
    lo, hi, w = params.T
    df = scores if len(rows) == len(scores) else scores.take(rows)
    points = w * (pd.to_numeric(df[value], errors="coerce").to_numpy(float) - lo) / (hi - lo)
    extra = [c for c in (("round", "panel") if by is None else by) if c in df.columns and c not in (judge, project)]
    keys = [judge, project] + extra
    group, first = group_codes([df[k] for k in keys])
    # pandas' own grouped kernels on integer codes: the same (compensated) sums as a
    # groupby on the id columns, without hashing strings
    agg = pd.Series(points).groupby(group, sort=True).agg(["sum", "count"])
    out = df[keys].take(first).reset_index(drop=True)
    out["total"] = agg["sum"].to_numpy()
    out["n_criteria"] = agg["count"].to_numpy()
    if complete:
        out = out[out["n_criteria"] == len(crit)].drop(columns="n_criteria")
    out = out.rename(columns={judge: "judge", project: "project"}).reset_index(drop=True)
    return out


def group_codes(columns) -> tuple[np.ndarray, np.ndarray]:
    """Dense integer codes of the rows' key tuples, numbered in sorted key order
    (missing values last), as ``groupby(keys, sort=True, dropna=False)`` orders its
    groups; and the first row of each group. Keys are combined in mixed radix,
    renumbered densely only when the next column could overflow the codes."""
    n = len(columns[0]) if columns else 0
    group = np.zeros(n, np.int64)
    size = 1
    for col in columns:
        c, u = pd.factorize(col, sort=True, use_na_sentinel=False)
        if size * max(len(u), 1) >= 2 ** 62:
            group, uniq = pd.factorize(group, sort=True)
            size = len(uniq)
        group, size = group * len(u) + c, size * max(len(u), 1)
    group, _ = pd.factorize(group, sort=True)
    first = np.full(group.max() + 1 if n else 0, n, np.int64)
    np.minimum.at(first, group, np.arange(n))
    return group, first


def completeness(scores: pd.DataFrame, rubric: Rubric, judges, projects, *, conflicts=None) -> pd.DataFrame:
    """For every (judge, project) pair: how many criteria are scored out of how many,
    and the state: 'complete', 'partial', 'missing' or 'conflict' (回避)."""
    n = len(rubric.criteria)
    counts = (scores[scores["criterion"].isin(rubric.criterion_ids)]
              .groupby(["judge", "project"]).size())
    rows = []
    for j in judges:
        for p in projects:
            k = int(counts.get((j, p), 0))
            if conflicts is not None and conflicts(j, p):
                state = "conflict"
            else:
                state = "complete" if k == n else ("partial" if k else "missing")
            rows.append((j, p, k, n, state))
    return pd.DataFrame(rows, columns=["judge", "project", "scored", "of", "state"])
