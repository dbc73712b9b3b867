"""Scores that arrive on paper and are typed into a file later: a score workbook
(.xlsx, one sheet per judge or one long sheet, evalkit.io.read_score_workbook) or a
long scores CSV. One check reads the file, keeps the valid scores, lists every
problem by its sheet and cell (or row), and says what importing would change in the
store; one import writes the checked scores (evalkit.store: in one transaction,
planned again against what the store holds then). The Import tab and
``evalkit import`` only call these two functions."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ScoreError
from ..io.excel import read_workbook_with_problems
from ..io.scores import read_scores_csv_with_problems

SUFFIXES = (".xlsx", ".csv")
ACTIONS = ("add", "change", "same")


def action_counts(plan: pd.DataFrame) -> dict:
    """{'add': n, 'change': n, 'same': n} of an import plan (or of what an import did)."""
    actions = plan["action"] if len(plan) else pd.Series(dtype=object)
    return {a: int((actions == a).sum()) for a in ACTIONS}


@dataclass
class ImportCheck:
    """What a score file holds. ``scores``: the valid scores (judge, project,
    criterion, score, round), ready for the store; ``problems``: every problem found
    (EvalkitError, each with its sheet and cell or row); ``plan``: what importing
    ``scores`` would change now (judge, project, criterion, round, old, new, action);
    ``file``: the file's name (no folder)."""
    file: str
    scores: pd.DataFrame
    problems: list = field(default_factory=list)
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def counts(self) -> dict:
        """{'add': n, 'change': n, 'same': n} of the plan."""
        return action_counts(self.plan)

    @property
    def ok(self) -> bool:
        """No problem found: the whole file can be imported."""
        return not self.problems

    @property
    def needs_reason(self) -> bool:
        """Importing changes recorded scores: a correction, which needs a reason."""
        return self.counts["change"] > 0


def check_score_file(store, path, *, round: str | None = None) -> ImportCheck:
    """Read a score file (.xlsx workbook or long CSV) against the store's running
    contest and plan its import (nothing is written).

    ``round``: the round of a workbook's per-judge sheets (default the contest's
    first; a long sheet or CSV names its own). A workbook's problems are named by
    sheet and cell, a CSV's by row; the valid scores are kept either way. A file of
    another kind is refused with a ScoreError naming it.

    Example
    -------
    >>> check = check_score_file(store, "评分汇总.xlsx")         # doctest: +SKIP
    >>> check.counts, [e.where for e in check.problems]          # doctest: +SKIP
    >>> import_checked(store, check, only_valid=True)            # doctest: +SKIP
    """
    path = Path(path)
    contest = store.contest
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        old = suffix in (".xls", ".et")     # old Excel and WPS books: saved again as .xlsx they read
        raise ScoreError(f"'{path.name}' is not a score file: choose an Excel workbook (.xlsx) or a CSV file (.csv)"
                         + ("; save this book as .xlsx first" if old else ""),
                         key="file", expected="an .xlsx workbook or a .csv file",
                         found=path.suffix or "no suffix",
                         zh=f"「{path.name}」不是评分文件：请选择 Excel 工作簿（.xlsx）或 CSV 文件（.csv）"
                            + ("；请先在 Excel 或 WPS 中另存为 .xlsx" if old else ""))
    if suffix == ".xlsx":
        scores, problems = read_workbook_with_problems(path, contest, round=round)
    else:
        scores, problems = read_scores_csv_with_problems(path, contest)
    scores = scores[["judge", "project", "criterion", "score", "round"]].reset_index(drop=True)
    plan = store.import_scores(scores, dry_run=True) if len(scores) else pd.DataFrame()
    return ImportCheck(file=path.name, scores=scores, problems=problems, plan=plan)


def import_checked(store, check: ImportCheck, *, reason: str | None = None, only_valid: bool = False) -> pd.DataFrame:
    """Write the scores of ``check`` into the store; returns what was done (one row
    per score with old, new and action). A file with problems is imported only with
    ``only_valid=True`` (its valid scores; the rest stays out). Scores that change a
    recorded one need ``reason``; the store plans again inside its write, so a score
    a phone recorded after the check is a correction too, never overwritten silently."""
    if check.problems and not only_valid:
        n = len(check.problems)
        raise ScoreError(f"'{check.file}' has {n} problem(s): fix them, or import only the valid scores",
                         key="file", expected="a file without problems, or only_valid=True", found=f"{n} problem(s)",
                         zh=f"「{check.file}」有 {n} 处问题：请修正后再导入，或选择只导入无误的分数")
    if not len(check.scores):
        raise ScoreError(f"'{check.file}' holds no valid score", key="file", expected="at least one valid score",
                         found="none", zh=f"「{check.file}」中没有可导入的分数")
    return store.import_scores(check.scores, reason=reason or None)

